/**
 * The sandbox processor: a test-mode card network inside Kassa, no network. It decides outcomes from
 * Stripe's test methods (`sandbox-cards.ts`), charges realistic fees, answers synchronously like the
 * Stripe adapter, and reports every outcome as a Stripe-shaped event through `options.events` — the
 * wiring signs them (`signing.ts`) and puts them on the `stripe-events` queue, so the one webhook
 * consumer serves both processors.
 *
 * Stateless by design:
 * - Ids are derived from the request's merchant and idempotency key (override with `newId`), so a
 *   retried request gets the same ids and re-emits events with the same ids, which the consumer
 *   deduplicates: a retry never charges twice.
 * - A payment intent id carries what later calls need: `pi_<id>_<state><amount><currency>`, e.g.
 *   `pi_3Kq…_s1099usd` (state: s succeeded, p processing, f failed, a requires_action, as decided
 *   when created). Its charge and balance transaction are `ch_<same>` and `txn_<same>`. `refund`
 *   and `settleBankDebit` need only that id; `retrieve` answers from it, so a bank debit reads as
 *   `processing` even after it settled (the settlement's event is the truth).
 * - A checkout session is only opened and expired (`createCheckout`, `expireCheckout`, which emits
 *   `checkout.session.expired` like Stripe): a sandbox buyer pays on the hosted pay form, which
 *   charges with the buyer present (`charge`), so no session is ever completed here.
 *
 * Bank debits settle later: `charge` emits `payment_intent.processing` and hands a
 * `BankDebitSettlement` to `options.scheduleSettlement`; the wiring schedules it through the
 * scheduler port (a one-time schedule named after the payment intent, so scheduling twice is a
 * no-op) and, when it fires, calls `settleBankDebit`, which emits `payment_intent.succeeded`.
 */
import type Stripe from "stripe";
import type { Clock } from "../domain/clock.ts";
import { isCurrency } from "../domain/currency.ts";
import type {
  ChargeRequest,
  ChargeResult,
  CheckoutRequest,
  CheckoutSession,
  CheckoutStatus,
  ExpireCheckoutRequest,
  KassaRefs,
  PaymentProcessor,
  RefundRequest,
  RefundResult,
} from "./processor.ts";
import {
  decideSandboxAttach,
  decideSandboxCharge,
  defaultSandboxFee,
  findTestMethod,
  type SandboxFeeSchedule,
  sandboxFee,
  sandboxTestMethods,
} from "./sandbox-cards.ts";
import { checkoutSessionEvent } from "../stripe-shapes/checkout-sessions.ts";
import { stripeLikeId } from "../stripe-shapes/ids.ts";
import { paymentIntentEvent } from "../stripe-shapes/payment-intents.ts";
import { chargeRefundedEvent } from "../stripe-shapes/refunds.ts";

export interface BankDebitSettlement {
  paymentIntentId: string;
  metadata: KassaRefs;
  accountId?: string;
  description?: string;
  /** When to call `settleBankDebit` (ISO 8601). */
  settleAt: string;
}

export interface SandboxOptions {
  /** Receives every event the sandbox emits, in order; the wiring signs and enqueues them. */
  events: (event: Stripe.Event) => Promise<void>;
  clock: Clock;
  /** Defaults to 2.9 % + 30 minor units. */
  fee?: SandboxFeeSchedule;
  /**
   * Makes a Stripe-like id (`pi_…`, `re_…`, `cs_test_…`, `txn_…`, `evt_…`) for a prefix. The default
   * derives it from `seed` (merchant, idempotency key and purpose); tests may pass a counter.
   */
  newId?: (prefix: string, seed: string) => string;
  /** The Kassa-hosted sandbox card page of a checkout session; required by `createCheckout`. */
  sandboxPageUrl?: (sessionId: string) => string;
  /** Schedules a bank debit's settlement; without it bank debits stay `processing`. */
  scheduleSettlement?: (settlement: BankDebitSettlement) => Promise<void>;
  /** How long a bank debit stays `processing`; 1 minute by default (real ACH debits take days). */
  bankDebitSettlesAfterMs?: number;
}

export interface SandboxProcessor extends PaymentProcessor {
  readonly name: "sandbox";
  readonly livemode: false;
  /** The sandbox always answers. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
  /** A scheduled bank debit settles: emits `payment_intent.succeeded`. Throws for an id that is not a sandbox bank debit. */
  settleBankDebit(
    paymentIntentId: string,
    details: { metadata: KassaRefs; accountId?: string; description?: string },
  ): Promise<ChargeResult>;
}

type IntentState = "succeeded" | "processing" | "failed" | "requires_action";

const stateLetters: Record<IntentState, string> = {
  succeeded: "s",
  processing: "p",
  failed: "f",
  requires_action: "a",
};

/** The Stripe status `retrieve` reports for each state (a declined intent awaits another method). */
const stripeStatuses: Record<string, string> = {
  s: "succeeded",
  p: "processing",
  f: "requires_payment_method",
  a: "requires_action",
};

export interface SandboxPaymentIntentRef {
  id: string;
  /** `<id>_<state><amount><currency>`: what follows `pi_`, shared by the charge and balance transaction ids. */
  body: string;
  state: string;
  amount: number;
  /** Lower case. */
  currency: string;
}

/** Reads a sandbox payment intent id; `undefined` for anything else. */
export function parseSandboxPaymentIntentId(id: string): SandboxPaymentIntentRef | undefined {
  const match = /^pi_(.+_([spfa])(\d{1,16})([a-z]{3}))$/.exec(id);
  if (!match) return undefined;
  const amount = Number(match[3]);
  if (!Number.isSafeInteger(amount)) return undefined;
  return { id, body: match[1]!, state: match[2]!, amount, currency: match[4]! };
}

function assertChargeable(amount: number, currency: string): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new RangeError("sandbox: amount must be a positive integer of minor units");
  }
  if (!isCurrency(currency.toUpperCase())) throw new RangeError(`sandbox: unknown currency ${currency}`);
}

function paymentRefs(metadata: KassaRefs & { kassa_refund_id?: string }): KassaRefs {
  const { kassa_refund_id: _refund, ...refs } = metadata;
  return refs;
}

interface Attempt {
  seed: string;
  accountId?: string;
  amount: number;
  currency: string;
  paymentMethod: string;
  customerId?: string;
  description: string;
  metadata: KassaRefs;
  idempotencyKey: string;
  offSession: boolean;
}

export function sandboxProcessor(options: SandboxOptions): SandboxProcessor {
  const feeSchedule = options.fee ?? defaultSandboxFee;
  const settleAfterMs = options.bankDebitSettlesAfterMs ?? 60_000;
  const id = (prefix: string, seed: string): string =>
    options.newId ? options.newId(prefix, seed) : stripeLikeId(prefix, seed);
  const nowSeconds = (): number => Math.floor(options.clock.now().getTime() / 1000);
  const scope = (metadata: KassaRefs, accountId: string | undefined): string =>
    `${accountId ?? ""}|${metadata.kassa_merchant_id}`;

  async function attempt(a: Attempt): Promise<ChargeResult> {
    assertChargeable(a.amount, a.currency);
    const decision = decideSandboxCharge(a.paymentMethod, { offSession: a.offSession });
    const currency = a.currency.toLowerCase();
    const paymentIntentId = `${id("pi", a.seed)}_${stateLetters[decision.status]}${a.amount}${currency}`;
    const body = paymentIntentId.slice("pi_".length);
    const chargeId = `ch_${body}`;
    const method = decision.method;
    const token = method?.token ?? "unknown";
    const common = {
      id: paymentIntentId,
      amount: a.amount,
      currency,
      metadata: a.metadata,
      created: nowSeconds(),
      description: a.description,
      idempotencyKey: a.idempotencyKey,
      paymentMethodId: method?.token ?? null,
      paymentMethodType: method?.type ?? "card",
      setupFutureUsage: null,
      ...(a.accountId ? { accountId: a.accountId } : {}),
      ...(a.customerId ? { customerId: a.customerId } : {}),
    };
    const eventId = (type: string): string => id("evt", `${paymentIntentId}|${type}|${token}`);

    switch (decision.status) {
      case "succeeded": {
        const fee = sandboxFee(a.amount, currency, feeSchedule);
        await options.events(
          paymentIntentEvent("payment_intent.succeeded", {
            ...common,
            eventId: eventId("payment_intent.succeeded"),
            latestCharge: {
              id: chargeId,
              status: "succeeded",
              method: decision.method.details,
              fee,
              balanceTransactionId: `txn_${body}`,
            },
          }),
        );
        return { status: "succeeded", paymentIntentId, chargeId, fee, method: decision.method.details };
      }
      case "processing": {
        const fee = sandboxFee(a.amount, currency, feeSchedule);
        await options.events(
          paymentIntentEvent("payment_intent.processing", {
            ...common,
            eventId: eventId("payment_intent.processing"),
            latestCharge: { id: chargeId, status: "pending", method: decision.method.details },
          }),
        );
        await options.scheduleSettlement?.({
          paymentIntentId,
          metadata: a.metadata,
          ...(a.accountId ? { accountId: a.accountId } : {}),
          description: a.description,
          settleAt: new Date(options.clock.now().getTime() + settleAfterMs).toISOString(),
        });
        return { status: "processing", paymentIntentId, chargeId, fee, method: decision.method.details };
      }
      case "requires_action":
        await options.events(
          paymentIntentEvent("payment_intent.requires_action", {
            ...common,
            eventId: eventId("payment_intent.requires_action"),
            latestCharge: null,
          }),
        );
        return {
          status: "requires_action",
          paymentIntentId,
          message: decision.message,
          method: decision.method.details,
        };
      case "failed":
        await options.events(
          paymentIntentEvent("payment_intent.payment_failed", {
            ...common,
            eventId: eventId("payment_intent.payment_failed"),
            latestCharge: decision.method
              ? {
                  id: chargeId,
                  status: "failed",
                  method: decision.method.details,
                  failure: {
                    code: decision.code,
                    declineCode: decision.declineCode,
                    message: decision.message,
                  },
                }
              : null,
            lastPaymentError: {
              code: decision.code,
              declineCode: decision.declineCode,
              message: decision.message,
              type: decision.method ? "card_error" : "invalid_request_error",
            },
          }),
        );
        return {
          status: "failed",
          paymentIntentId,
          declineCode: decision.declineCode,
          message: decision.message,
          ...(decision.method ? { method: decision.method.details } : {}),
        };
    }
  }

  return {
    name: "sandbox",
    livemode: false,

    async createCheckout(request: CheckoutRequest): Promise<CheckoutSession> {
      assertChargeable(request.amount, request.currency);
      if (!options.sandboxPageUrl) throw new Error("sandbox: createCheckout needs options.sandboxPageUrl");
      const sessionId = id(
        "cs_test",
        `${scope(request.metadata, request.accountId)}|checkout|${request.idempotencyKey}`,
      );
      return { id: sessionId, url: options.sandboxPageUrl(sessionId) };
    },

    async expireCheckout(request: ExpireCheckoutRequest): Promise<CheckoutStatus> {
      await options.events(
        checkoutSessionEvent("checkout.session.expired", {
          eventId: id("evt", `${request.sessionId}|checkout.session.expired`),
          id: request.sessionId,
          created: nowSeconds(),
          ...(request.accountId ? { accountId: request.accountId } : {}),
          paymentIntentId: null,
          amount: request.amount,
          currency: request.currency,
          metadata: request.metadata,
          clientReferenceId: request.metadata.kassa_payment_id,
        }),
      );
      return "expired";
    },

    charge(request) {
      return attempt({
        seed: `${scope(request.metadata, request.accountId)}|charge|${request.idempotencyKey}`,
        ...(request.accountId ? { accountId: request.accountId } : {}),
        amount: request.amount,
        currency: request.currency,
        paymentMethod: request.paymentMethod,
        ...(request.processorCustomerId ? { customerId: request.processorCustomerId } : {}),
        description: request.description,
        metadata: request.metadata,
        idempotencyKey: request.idempotencyKey,
        offSession: request.offSession,
      });
    },

    // A method it does not know keeps nothing of what was typed: asked again, it is declined again.
    keptMethod: (paymentMethod) => findTestMethod(paymentMethod)?.token ?? "",

    // Stateless: a saved sandbox method is its test token, so attaching only checks the table.
    async attachPaymentMethod(request) {
      return decideSandboxAttach(request.paymentMethod);
    },

    async detachPaymentMethod() {},

    async settleBankDebit(paymentIntentId, details) {
      const intent = parseSandboxPaymentIntentId(paymentIntentId);
      const bank = sandboxTestMethods.find((m) => m.behaviour.kind === "settles_later")!;
      if (!intent || intent.state !== stateLetters.processing) {
        throw new RangeError(`sandbox: ${paymentIntentId} is not a sandbox bank debit`);
      }
      const fee = sandboxFee(intent.amount, intent.currency, feeSchedule);
      const chargeId = `ch_${intent.body}`;
      await options.events(
        paymentIntentEvent("payment_intent.succeeded", {
          eventId: id("evt", `${paymentIntentId}|payment_intent.succeeded|${bank.token}`),
          id: paymentIntentId,
          created: nowSeconds(),
          ...(details.accountId ? { accountId: details.accountId } : {}),
          amount: intent.amount,
          currency: intent.currency,
          metadata: details.metadata,
          ...(details.description ? { description: details.description } : {}),
          paymentMethodId: bank.token,
          paymentMethodType: bank.type,
          latestCharge: {
            id: chargeId,
            status: "succeeded",
            method: bank.details,
            fee,
            balanceTransactionId: `txn_${intent.body}`,
          },
        }),
      );
      return { status: "succeeded", paymentIntentId, chargeId, fee, method: bank.details };
    },

    async refund(request: RefundRequest): Promise<RefundResult> {
      const seed = `${scope(request.metadata, request.accountId)}|refund|${request.idempotencyKey}`;
      const refundId = id("re", seed);
      const failed: RefundResult = { refundId, status: "failed", amount: request.amount };
      const intent = parseSandboxPaymentIntentId(request.paymentIntentId);
      const previouslyRefunded = request.previouslyRefunded ?? 0;
      if (!Number.isSafeInteger(request.amount) || request.amount <= 0) return failed;
      // Only money that arrived (or is arriving, for a bank debit) can go back, and never more of it.
      if (!intent || (intent.state !== stateLetters.succeeded && intent.state !== stateLetters.processing))
        return failed;
      if (!Number.isSafeInteger(previouslyRefunded) || previouslyRefunded < 0) return failed;
      if (previouslyRefunded + request.amount > intent.amount) return failed;
      await options.events(
        chargeRefundedEvent({
          eventId: id("evt", `${refundId}|charge.refunded`),
          created: nowSeconds(),
          ...(request.accountId ? { accountId: request.accountId } : {}),
          idempotencyKey: request.idempotencyKey,
          chargeId: `ch_${intent.body}`,
          paymentIntentId: intent.id,
          amount: intent.amount,
          currency: intent.currency,
          amountRefunded: previouslyRefunded + request.amount,
          metadata: paymentRefs(request.metadata),
          balanceTransactionId: `txn_${intent.body}`,
          refund: {
            id: refundId,
            amount: request.amount,
            reason: request.reason ?? null,
            metadata: request.metadata,
            balanceTransactionId: id("txn", `${seed}|balance`),
          },
        }),
      );
      return { refundId, status: "succeeded", amount: request.amount };
    },

    // The sandbox keeps no state to look in, and needs none: it always answers, and a request sent
    // again with its idempotency key gets the same refund and event ids.
    async findRefund() {
      return undefined;
    },

    async retrieve(paymentIntentId) {
      const intent = parseSandboxPaymentIntentId(paymentIntentId);
      if (!intent) return { status: "unknown", amount: 0, amountReceived: 0 };
      const status = stripeStatuses[intent.state] ?? "unknown";
      return { status, amount: intent.amount, amountReceived: status === "succeeded" ? intent.amount : 0 };
    },
  };
}
