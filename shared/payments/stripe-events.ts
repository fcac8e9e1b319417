/**
 * Builders of Stripe-shaped events: what Stripe's webhooks deliver, for the sandbox to emit and for
 * tests of the webhook consumer to feed it. Each `data.object` starts from Stripe's canonical example
 * of that resource and overrides ids, amounts, currency (lower case, as Stripe writes it), status and
 * Kassa's refs in `metadata`. Deterministic: every id and time comes from the input; an event id left
 * out is derived from the event's type and object, so rebuilding an event gives it the same id (the
 * consumer deduplicates on it).
 *
 * Real webhooks carry `latest_charge` as an id; the sandbox sends it expanded (a charge with
 * `payment_method_details` and its balance transaction, which holds the fee) because nothing can be
 * fetched from a processor that keeps no state. `latestCharge` takes either form, so consumers
 * should accept both.
 *
 * The templates in `stripe-fixtures.json` are a trimmed copy of Stripe's `openapi/fixtures3.json`
 * (github.com/stripe/openapi, commit f6c2a48f; MIT licence, © Stripe, Inc. — the notice travels in
 * the JSON's `_provenance`; see ../shared/stripe/README.md): only the resources rendered here, unchanged.
 */
import { createHash } from "node:crypto";
import type Stripe from "stripe";
import type { PaymentMethodDetails } from "./processor.ts";
import fixtures from "./stripe-fixtures.json" with { type: "json" };
import { STRIPE_API_VERSION } from "./stripe-version.ts";


export type EventOf<T extends Stripe.Event["type"]> = Extract<Stripe.Event, { type: T }>;

/** Kassa's refs as they travel in Stripe `metadata` (string values only; absent keys are left out). */
export interface KassaMetadata {
  kassa_merchant_id?: string;
  kassa_payment_id?: string;
  kassa_invoice_id?: string;
  kassa_refund_id?: string;
}

export interface EventEnvelope {
  /** `evt_…`; by default derived from the type and the object, so a rebuilt event keeps its id. */
  eventId?: string;
  /** Unix seconds; also the object's `created`. */
  created: number;
  /** The connected account (`acct_…`) the event comes from. */
  accountId?: string;
  /** The idempotency key of the request that caused the event. */
  idempotencyKey?: string;
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * An id shaped like Stripe's (`pi_` + 24 letters and digits), derived from `seed`: the same seed
 * always gives the same id, different seeds practically never collide (SHA-256).
 */
export function stripeLikeId(prefix: string, seed: string, length = 24): string {
  let n = BigInt(`0x${createHash("sha256").update(seed).digest("hex")}`);
  let body = "";
  for (let i = 0; i < length; i++) {
    body += base62[Number(n % 62n)];
    n /= 62n;
  }
  return `${prefix}_${body}`;
}

const clone = <T>(value: T): T => structuredClone(value);

function metadataOf(refs: KassaMetadata | undefined): Stripe.Metadata {
  const out: Stripe.Metadata = {};
  for (const [key, value] of Object.entries(refs ?? {})) if (typeof value === "string") out[key] = value;
  return out;
}

function envelope<T extends Stripe.Event["type"]>(
  type: T,
  object: { id?: string },
  input: EventEnvelope,
  seed = "",
): EventOf<T> {
  const template = fixtures.resources.event;
  const event = {
    id: input.eventId ?? stripeLikeId("evt", `${type}|${object.id ?? ""}|${seed}`),
    object: "event",
    ...(input.accountId ? { account: input.accountId } : {}),
    api_version: STRIPE_API_VERSION,
    created: input.created,
    data: { object },
    livemode: false,
    pending_webhooks: Math.max(1, template.pending_webhooks),
    request: { id: null, idempotency_key: input.idempotencyKey ?? null },
    type,
  };
  return event as unknown as EventOf<T>;
}

// ---------------------------------------------------------------------------------------------
// Charges and balance transactions (the parts of a payment intent the sandbox expands)

export interface ChargeInput {
  /** `ch_…` */
  id: string;
  status: "succeeded" | "pending" | "failed";
  method?: PaymentMethodDetails;
  /** The processor's fee; with `balanceTransactionId` the balance transaction is expanded to carry it. */
  fee?: number;
  /** `txn_…` */
  balanceTransactionId?: string;
  /** Cumulative, minor units. */
  amountRefunded?: number;
  failure?: { code: string; declineCode: string; message: string };
  /** Refunds listed on the charge, newest first. */
  refunds?: Stripe.Refund[];
  /** Whether refunds before those listed exist. */
  moreRefunds?: boolean;
}

interface ChargeContext {
  amount: number;
  currency: string;
  created: number;
  paymentIntentId: string | null;
  paymentMethodId: string | null;
  customerId: string | null;
  description: string | null;
  metadata: Stripe.Metadata;
}

function methodDetails(
  method: PaymentMethodDetails | undefined,
  amount: number,
): Stripe.Charge.PaymentMethodDetails | null {
  if (!method) return null;
  if (method.type === "card") {
    const template = clone(fixtures.resources.charge.payment_method_details.card);
    return {
      type: "card",
      card: {
        ...template,
        amount_authorized: amount,
        brand: method.brand,
        fingerprint: null,
        last4: method.last4,
        network: method.brand,
        overcapture: { maximum_amount_capturable: amount, status: "unavailable" },
        three_d_secure: null,
        wallet: null,
      },
    } as unknown as Stripe.Charge.PaymentMethodDetails;
  }
  return {
    type: "us_bank_account",
    us_bank_account: {
      account_holder_type: "individual",
      account_type: "checking",
      bank_name: method.bankName ?? null,
      fingerprint: null,
      last4: method.last4 ?? null,
      mandate: null,
      payment_reference: null,
      routing_number: "110000000",
    },
  } as unknown as Stripe.Charge.PaymentMethodDetails;
}

/** A balance transaction for a charge: `net = amount − fee`, the fee itemised as the processor's. */
export function balanceTransactionObject(input: {
  id: string;
  chargeId: string;
  amount: number;
  fee: number;
  currency: string;
  created: number;
}): Stripe.BalanceTransaction {
  const currency = input.currency.toLowerCase();
  const overrides: Partial<Stripe.BalanceTransaction> = {
    id: input.id,
    amount: input.amount,
    available_on: input.created + 2 * 86_400,
    created: input.created,
    currency,
    description: null,
    fee: input.fee,
    fee_details:
      input.fee > 0
        ? [
            {
              amount: input.fee,
              application: null,
              currency,
              description: "Sandbox processing fees",
              type: "stripe_fee",
            },
          ]
        : [],
    net: input.amount - input.fee,
    reporting_category: "charge",
    source: input.chargeId,
    status: "pending",
    type: "charge",
  };
  return { ...clone(fixtures.resources.balance_transaction), ...overrides } as Stripe.BalanceTransaction;
}

function chargeObject(input: ChargeInput, context: ChargeContext): Stripe.Charge {
  const template = clone(fixtures.resources.charge);
  const currency = context.currency.toLowerCase();
  const amountRefunded = input.amountRefunded ?? 0;
  const failed = input.status === "failed";
  const overrides: Partial<Stripe.Charge> = {
    id: input.id,
    amount: context.amount,
    amount_captured: failed ? 0 : context.amount,
    amount_refunded: amountRefunded,
    balance_transaction:
      input.balanceTransactionId === undefined
        ? null
        : input.fee === undefined
          ? input.balanceTransactionId
          : balanceTransactionObject({
              id: input.balanceTransactionId,
              chargeId: input.id,
              amount: context.amount,
              fee: input.fee,
              currency,
              created: context.created,
            }),
    billing_details: { ...template.billing_details, name: null },
    captured: !failed,
    created: context.created,
    currency,
    customer: context.customerId,
    description: context.description,
    disputed: false,
    failure_code: input.failure?.code ?? null,
    failure_message: input.failure?.message ?? null,
    livemode: false,
    metadata: context.metadata,
    outcome: failed
      ? {
          ...template.outcome,
          network_status: "declined_by_network",
          reason: input.failure?.declineCode ?? null,
          seller_message: "The bank did not return any further details with this decline.",
          type: "issuer_declined",
        }
      : {
          ...template.outcome,
          network_status: "approved_by_network",
          reason: null,
          seller_message: "Payment complete.",
          type: "authorized",
        },
    paid: input.status === "succeeded",
    payment_intent: context.paymentIntentId,
    payment_method: context.paymentMethodId,
    payment_method_details: methodDetails(input.method, context.amount),
    receipt_url: null,
    refunded: amountRefunded > 0 && amountRefunded >= context.amount,
    refunds: {
      object: "list",
      data: input.refunds ?? [],
      has_more: input.moreRefunds ?? false,
      url: `/v1/charges/${input.id}/refunds`,
    },
    shipping: null,
    source: null,
    status: input.status,
    transfer_data: null,
  };
  return { ...template, ...overrides } as unknown as Stripe.Charge;
}

// ---------------------------------------------------------------------------------------------
// Payment intents

export type PaymentIntentEventType =
  | "payment_intent.succeeded"
  | "payment_intent.payment_failed"
  | "payment_intent.processing"
  | "payment_intent.requires_action";

/** After a decline Stripe returns the intent to `requires_payment_method`, with `last_payment_error`. */
const statusOf: Record<PaymentIntentEventType, Stripe.PaymentIntent.Status> = {
  "payment_intent.succeeded": "succeeded",
  "payment_intent.payment_failed": "requires_payment_method",
  "payment_intent.processing": "processing",
  "payment_intent.requires_action": "requires_action",
};

export interface PaymentIntentInput extends EventEnvelope {
  /** `pi_…` */
  id: string;
  amount: number;
  currency: string;
  metadata: KassaMetadata;
  /** Defaults from the event type. */
  status?: Stripe.PaymentIntent.Status;
  /** Defaults to `amount` when succeeded, else 0. */
  amountReceived?: number;
  description?: string | null;
  customerId?: string | null;
  /** The payment method id (`pm_…`; in the sandbox, the test token). */
  paymentMethodId?: string | null;
  paymentMethodType?: "card" | "us_bank_account";
  setupFutureUsage?: "off_session" | "on_session" | null;
  /** An id, as real webhooks carry it, or the charge itself, expanded, as the sandbox sends it. */
  latestCharge?: string | ChargeInput | null;
  /** Set on `payment_intent.payment_failed`. */
  lastPaymentError?: {
    /** `card_declined`, `authentication_required`, `resource_missing`… */
    code: string;
    declineCode: string;
    message: string;
    type?: "card_error" | "invalid_request_error";
  } | null;
}

/** A `payment_intent.*` event; `data.object` is the intent. */
export function paymentIntentEvent<T extends PaymentIntentEventType>(
  type: T,
  pi: PaymentIntentInput,
): EventOf<T> {
  const template = clone(fixtures.resources.payment_intent);
  const status = pi.status ?? statusOf[type];
  const metadata = metadataOf(pi.metadata);
  const paymentMethodId = pi.paymentMethodId ?? null;
  const latestCharge =
    pi.latestCharge === undefined || pi.latestCharge === null || typeof pi.latestCharge === "string"
      ? (pi.latestCharge ?? null)
      : chargeObject(pi.latestCharge, {
          amount: pi.amount,
          currency: pi.currency,
          created: pi.created,
          paymentIntentId: pi.id,
          paymentMethodId,
          customerId: pi.customerId ?? null,
          description: pi.description ?? null,
          metadata,
        });
  const chargeId = typeof latestCharge === "string" ? latestCharge : latestCharge?.id;
  const error = pi.lastPaymentError;
  const overrides: Partial<Stripe.PaymentIntent> = {
    id: pi.id,
    amount: pi.amount,
    amount_capturable: 0,
    amount_received: pi.amountReceived ?? (status === "succeeded" ? pi.amount : 0),
    automatic_payment_methods: null,
    canceled_at: null,
    client_secret: `${pi.id}_secret_${stripeLikeId("s", pi.id).slice(2)}`,
    created: pi.created,
    currency: pi.currency.toLowerCase(),
    customer: pi.customerId ?? null,
    description: pi.description ?? null,
    last_payment_error: error
      ? ({
          type: error.type ?? "card_error",
          code: error.code,
          decline_code: error.declineCode,
          message: error.message,
          doc_url: `https://docs.stripe.com/error-codes/${error.code.replaceAll("_", "-")}`,
          ...(chargeId ? { charge: chargeId } : {}),
          ...(paymentMethodId ? { payment_method_type: pi.paymentMethodType ?? "card" } : {}),
        } as Stripe.PaymentIntent.LastPaymentError)
      : null,
    latest_charge: latestCharge,
    livemode: false,
    metadata,
    next_action:
      status === "requires_action"
        ? ({ type: "use_stripe_sdk", use_stripe_sdk: {} } as Stripe.PaymentIntent.NextAction)
        : null,
    payment_method: paymentMethodId,
    payment_method_configuration_details: null,
    payment_method_types: [pi.paymentMethodType ?? "card"],
    processing: null,
    setup_future_usage: pi.setupFutureUsage ?? null,
    shipping: null,
    status,
    transfer_data: null,
  };
  return envelope(
    type,
    { ...template, ...overrides },
    pi,
    `${status}|${paymentMethodId}|${error?.declineCode ?? ""}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Refunds

export interface RefundInput {
  /** `re_…` */
  id: string;
  amount: number;
  status?: "succeeded" | "pending" | "requires_action" | "failed" | "canceled";
  /** Why a failed refund failed (`expired_or_canceled_card`, `lost_or_stolen_card`, `unknown`). */
  failureReason?: string;
  reason?: "duplicate" | "fraudulent" | "requested_by_customer" | null;
  /** The refund's refs, `kassa_refund_id` among them. */
  metadata: KassaMetadata;
  balanceTransactionId?: string | null;
}

export interface ChargeRefundedInput extends EventEnvelope {
  /** `ch_…` */
  chargeId: string;
  paymentIntentId: string | null;
  /** The charge's amount. */
  amount: number;
  currency: string;
  /** Cumulative, this refund included. */
  amountRefunded: number;
  /** The charge's refs (the payment's); the refund's own are on `refund`. */
  metadata: KassaMetadata;
  /** The refund that caused the event; listed on the charge (older ones are only counted). */
  refund: RefundInput;
  method?: PaymentMethodDetails;
  paymentMethodId?: string | null;
  /** The charge's balance transaction (`txn_…`). */
  balanceTransactionId?: string;
}

/** A `refund` object. */
export function refundObject(
  refund: RefundInput,
  context: { chargeId: string; paymentIntentId: string | null; currency: string; created: number },
): Stripe.Refund {
  const template = clone(fixtures.resources.refund);
  const { destination_details: _cardOnly, ...rest } = template;
  const overrides: Partial<Stripe.Refund> = {
    id: refund.id,
    amount: refund.amount,
    balance_transaction: refund.balanceTransactionId ?? null,
    charge: context.chargeId,
    created: context.created,
    currency: context.currency.toLowerCase(),
    metadata: metadataOf(refund.metadata),
    payment_intent: context.paymentIntentId,
    reason: refund.reason ?? null,
    status: refund.status ?? "succeeded",
    ...(refund.failureReason ? { failure_reason: refund.failureReason } : {}),
  };
  return { ...rest, ...overrides } as unknown as Stripe.Refund;
}

export type RefundEventType = "refund.created" | "refund.updated" | "refund.failed" | "charge.refund.updated";

export interface RefundEventInput extends EventEnvelope {
  refund: RefundInput;
  chargeId: string;
  paymentIntentId: string | null;
  currency: string;
}

/**
 * `refund.created` / `refund.updated` / `refund.failed` (every refund, since API version
 * 2024-10-28) and `charge.refund.updated` (some payment methods): the refund object itself.
 */
export function refundEvent<T extends RefundEventType>(type: T, input: RefundEventInput): EventOf<T> {
  const refund = refundObject(input.refund, input);
  return envelope(type, refund, input, refund.status ?? "");
}

/** `charge.refunded`: the charge with its cumulative `amount_refunded` and the new refund listed. */
export function chargeRefundedEvent(input: ChargeRefundedInput): EventOf<"charge.refunded"> {
  const refund = refundObject(input.refund, {
    chargeId: input.chargeId,
    paymentIntentId: input.paymentIntentId,
    currency: input.currency,
    created: input.created,
  });
  const charge = chargeObject(
    {
      id: input.chargeId,
      status: "succeeded",
      ...(input.method ? { method: input.method } : {}),
      ...(input.balanceTransactionId ? { balanceTransactionId: input.balanceTransactionId } : {}),
      amountRefunded: input.amountRefunded,
      refunds: [refund],
      moreRefunds: input.amountRefunded > input.refund.amount,
    },
    {
      amount: input.amount,
      currency: input.currency,
      created: input.created,
      paymentIntentId: input.paymentIntentId,
      paymentMethodId: input.paymentMethodId ?? null,
      customerId: null,
      description: null,
      metadata: metadataOf(input.metadata),
    },
  );
  return envelope("charge.refunded", charge, input, input.refund.id);
}

// ---------------------------------------------------------------------------------------------
// Checkout sessions

export interface CheckoutSessionInput extends EventEnvelope {
  /** `cs_…` */
  id: string;
  paymentIntentId: string | null;
  amount: number;
  currency: string;
  metadata: KassaMetadata;
  /** Defaults from the event type; `unpaid` on completion for a bank debit still processing. */
  paymentStatus?: "paid" | "unpaid" | "no_payment_required";
  customerEmail?: string | null;
  customerId?: string | null;
  clientReferenceId?: string | null;
  successUrl?: string | null;
  cancelUrl?: string | null;
  /** Unix seconds; defaults to 24 h after `created` (Stripe's default), or `created` for an expired session. */
  expiresAt?: number;
}

export type CheckoutSessionEventType =
  | "checkout.session.completed"
  | "checkout.session.expired"
  | "checkout.session.async_payment_succeeded"
  | "checkout.session.async_payment_failed";

/**
 * What each event says about its session: the buyer finished (`completed`; unpaid while a bank debit
 * processes), the session closed unpaid (`expired`), or a completed session's bank debit settled or
 * failed (`async_payment_*`).
 */
const sessionStates: Record<
  CheckoutSessionEventType,
  { status: Stripe.Checkout.Session.Status; paymentStatus: Stripe.Checkout.Session.PaymentStatus }
> = {
  "checkout.session.completed": { status: "complete", paymentStatus: "paid" },
  "checkout.session.expired": { status: "expired", paymentStatus: "unpaid" },
  "checkout.session.async_payment_succeeded": { status: "complete", paymentStatus: "paid" },
  "checkout.session.async_payment_failed": { status: "complete", paymentStatus: "unpaid" },
};

/** A `checkout.session.*` event; `data.object` is the session. */
export function checkoutSessionEvent<T extends CheckoutSessionEventType>(
  type: T,
  input: CheckoutSessionInput,
): EventOf<T> {
  const template = clone(fixtures.resources["checkout.session"]);
  const email = input.customerEmail ?? null;
  const state = sessionStates[type];
  const overrides: Partial<Stripe.Checkout.Session> = {
    id: input.id,
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    amount_subtotal: input.amount,
    amount_total: input.amount,
    cancel_url: input.cancelUrl ?? null,
    client_reference_id: input.clientReferenceId ?? null,
    collected_information: null,
    created: input.created,
    currency: input.currency.toLowerCase(),
    currency_conversion: null,
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: input.customerId ?? null,
    customer_details: { ...template.customer_details, email } as Stripe.Checkout.Session.CustomerDetails,
    customer_email: email,
    expires_at: input.expiresAt ?? (state.status === "expired" ? input.created : input.created + 86_400),
    invoice_creation: null,
    livemode: false,
    metadata: metadataOf(input.metadata),
    mode: "payment",
    payment_intent: input.paymentIntentId,
    payment_method_configuration_details: null,
    payment_status: input.paymentStatus ?? state.paymentStatus,
    shipping_address_collection: null,
    shipping_cost: null,
    status: state.status,
    success_url: input.successUrl ?? null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    url: state.status === "open" ? template.url : null,
  };
  return envelope(type, { ...template, ...overrides }, input);
}

/** `checkout.session.completed`: the buyer finished the hosted checkout. */
export const checkoutSessionCompletedEvent = (
  input: CheckoutSessionInput,
): EventOf<"checkout.session.completed"> => checkoutSessionEvent("checkout.session.completed", input);

// ---------------------------------------------------------------------------------------------
// Disputes, payouts, accounts

export type DisputeEventType = "charge.dispute.created" | "charge.dispute.closed";

export interface DisputeInput extends EventEnvelope {
  /** `dp_…` */
  id: string;
  chargeId: string;
  paymentIntentId?: string | null;
  amount: number;
  currency: string;
  /** Defaults to `needs_response` when created and `lost` when closed. */
  status?: Stripe.Dispute.Status;
  reason?: string;
  /** Unix seconds; defaults to 7 days after `created`. */
  evidenceDueBy?: number;
  /** Real disputes carry no metadata of their own (Kassa finds the payment by charge or intent). */
  metadata?: KassaMetadata;
  method?: PaymentMethodDetails;
}

/** `charge.dispute.created` / `charge.dispute.closed`. */
export function disputeEvent<T extends DisputeEventType>(type: T, input: DisputeInput): EventOf<T> {
  const template = clone(fixtures.resources.dispute);
  const status = input.status ?? (type === "charge.dispute.created" ? "needs_response" : "lost");
  const overrides: Partial<Stripe.Dispute> = {
    id: input.id,
    amount: input.amount,
    charge: input.chargeId,
    created: input.created,
    currency: input.currency.toLowerCase(),
    enhanced_eligibility_types: [],
    evidence_details: {
      ...template.evidence_details,
      due_by: input.evidenceDueBy ?? input.created + 7 * 86_400,
    } as Stripe.Dispute.EvidenceDetails,
    is_charge_refundable: false,
    livemode: false,
    metadata: metadataOf(input.metadata),
    payment_intent: input.paymentIntentId ?? null,
    payment_method_details:
      input.method?.type === "card"
        ? ({
            type: "card",
            card: {
              ...template.payment_method_details.card,
              brand: input.method.brand,
              network: input.method.brand,
              case_type: "chargeback",
            },
          } as Stripe.Dispute.PaymentMethodDetails)
        : undefined,
    reason: input.reason ?? "general",
    status,
  };
  return envelope(type, { ...template, ...overrides }, input, status);
}

export type PayoutEventType = "payout.paid" | "payout.failed";

export interface PayoutInput extends EventEnvelope {
  /** `po_…` */
  id: string;
  amount: number;
  currency: string;
  /** Unix seconds. */
  arrivalDate: number;
  balanceTransactionId?: string | null;
  /** The bank account (`ba_…`). */
  destination?: string | null;
  /** On `payout.failed`: Stripe's failure code (`account_closed`, `insufficient_funds`…) and message. */
  failure?: { code: string; message: string };
  metadata?: KassaMetadata;
}

/** `payout.paid` / `payout.failed` (from the connected account named in `accountId`). */
export function payoutEvent<T extends PayoutEventType>(type: T, input: PayoutInput): EventOf<T> {
  const template = clone(fixtures.resources.payout);
  const failed = type === "payout.failed";
  const overrides: Partial<Stripe.Payout> = {
    id: input.id,
    amount: input.amount,
    arrival_date: input.arrivalDate,
    balance_transaction: input.balanceTransactionId ?? null,
    created: input.created,
    currency: input.currency.toLowerCase(),
    destination: input.destination ?? null,
    failure_balance_transaction: null,
    failure_code: failed ? (input.failure?.code ?? "could_not_process") : null,
    failure_message: failed ? (input.failure?.message ?? "The bank could not process this payout.") : null,
    livemode: false,
    metadata: metadataOf(input.metadata),
    status: failed ? "failed" : "paid",
    trace_id: null,
  };
  return envelope(type, { ...template, ...overrides }, input);
}

export interface AccountInput extends Omit<EventEnvelope, "accountId"> {
  /** `acct_…`; also the event's `account`. */
  id: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  currentlyDue?: string[];
  pastDue?: string[];
  eventuallyDue?: string[];
  disabledReason?: string | null;
  email?: string | null;
  country?: string;
  defaultCurrency?: string;
  businessName?: string | null;
}

/** `account.updated` for a connected account (onboarding progress, capabilities, requirements). */
export function accountUpdatedEvent(input: AccountInput): EventOf<"account.updated"> {
  const template = clone(fixtures.resources.account);
  const currentlyDue = input.currentlyDue ?? [];
  const overrides: Partial<Stripe.Account> = {
    id: input.id,
    business_profile: {
      ...template.business_profile,
      name: input.businessName ?? null,
    } as Stripe.Account.BusinessProfile,
    capabilities: {
      card_payments: input.chargesEnabled ? "active" : "inactive",
      transfers: input.payoutsEnabled ? "active" : "inactive",
    },
    charges_enabled: input.chargesEnabled,
    country: input.country ?? template.country,
    created: input.created,
    default_currency: (input.defaultCurrency ?? template.default_currency).toLowerCase(),
    details_submitted: input.detailsSubmitted,
    email: input.email ?? null,
    external_accounts: {
      ...template.external_accounts,
      url: `/v1/accounts/${input.id}/external_accounts`,
    } as Stripe.ApiList<Stripe.BankAccount | Stripe.Card>,
    metadata: {},
    payouts_enabled: input.payoutsEnabled,
    requirements: {
      ...template.requirements,
      currently_due: currentlyDue,
      eventually_due: input.eventuallyDue ?? currentlyDue,
      past_due: input.pastDue ?? [],
      disabled_reason: input.disabledReason ?? null,
    } as Stripe.Account.Requirements,
  };
  const seed = `${input.chargesEnabled}|${input.payoutsEnabled}|${input.detailsSubmitted}|${currentlyDue.join(",")}`;
  return envelope("account.updated", { ...template, ...overrides }, { ...input, accountId: input.id }, seed);
}
