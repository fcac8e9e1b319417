/**
 * The payment ports as deployed: the merchant's processor (the sandbox, whose events are signed and
 * queued exactly like Stripe's webhooks, or Stripe itself), the stores, and the lookups the
 * stripe-events consumer needs.
 */
import type Stripe from "stripe";
import { sqsQueue } from "../aws/queue.ts";
import { scheduler } from "../aws/scheduler.ts";
import { getSecret } from "../aws/secrets.ts";
import { config } from "../config.ts";
import type { Clock } from "../domain/clock.ts";
import { setStripeAccountStatus } from "../merchants/service.ts";
import { payableInvoices } from "../invoices/payable.ts";
import type { InvoicePayPorts } from "../invoices/pay.ts";
import { dynamoInvoiceStore } from "../store/invoices.ts";
import { dynamoMerchantStore } from "../store/merchants.ts";
import { dynamoPaymentStore } from "../store/payments.ts";
import { dynamoPayoutStore } from "../store/payouts.ts";
import { type PayoutSweepPorts, recordStripePayout } from "../payouts/run.ts";
import { platformEvents } from "../store/platform-events.ts";
import { processorRefs } from "../store/processor-refs.ts";
import { timerQueue } from "../timers/registry.ts";
import { stripeEventsQueue } from "../outbox/routing.ts";
import { requireProcessorKind } from "./mode.ts";
import { sandboxFee } from "./sandbox-cards.ts";
import { sandboxProcessor } from "./sandbox.ts";
import type { SandboxSettlementMessage } from "./timers.ts";
import { processorEventRejected } from "./event-trust.ts";
import { signEvent } from "./signing.ts";
import { isLiveStripeKey } from "./stripe-mode.ts";
import type { StripeEventPorts } from "./stripe-events-handler.ts";

export function sandboxFor(clock: Clock, sandboxPageUrl?: (sessionId: string) => string) {
  return sandboxProcessor({
    clock,
    fee: config.sandboxFee(),
    ...(sandboxPageUrl ? { sandboxPageUrl } : {}),
    events: async (event: Stripe.Event) => {
      const signed = signEvent(
        event,
        await getSecret("stripeWebhookSecret"),
        Math.floor(clock.now().getTime() / 1000),
      );
      await sqsQueue.send(stripeEventsQueue, signed);
    },
    scheduleSettlement: async (settlement) => {
      const message: SandboxSettlementMessage = { kind: "sandbox.settle", ...settlement };
      await scheduler().scheduleOnce({
        name: `sandbox-settle-${settlement.paymentIntentId}`,
        at: new Date(settlement.settleAt),
        queue: timerQueue,
        payload: message as unknown as Record<string, unknown>,
      });
    },
  });
}

export function paymentPorts(clock: Clock, sandboxPageUrl?: (sessionId: string) => string): InvoicePayPorts {
  return {
    invoices: dynamoInvoiceStore,
    payables: { invoice: payableInvoices(dynamoInvoiceStore) },
    payments: dynamoPaymentStore,
    merchants: dynamoMerchantStore,
    clock,
    processorFor: async (merchant) =>
      requireProcessorKind(merchant) === "stripe"
        ? // Loaded on first use: the Stripe SDK stays out of the cold start of sandbox-only traffic.
          (await import("./stripe.ts")).loadStripeProcessor(config.stripeApiBase())
        : sandboxFor(clock, sandboxPageUrl),
    feeFor: (payment) =>
      payment.processor === "sandbox" ? sandboxFee(payment.amount, payment.currency, config.sandboxFee()) : 0,
    scheduler: scheduler(),
  };
}

export function payoutPorts(clock: Clock): PayoutSweepPorts {
  return { payouts: dynamoPayoutStore, merchants: dynamoMerchantStore, scheduler: scheduler(), clock };
}

export function stripeEventPorts(clock: Clock): StripeEventPorts {
  return {
    ...paymentPorts(clock),
    findPaymentByProcessorId: (id) => processorRefs.findPayment(id),
    findMerchantByAccount: (accountId) => processorRefs.findAccountMerchant(accountId),
    setStripeAccountStatus: (merchantId, enabled) =>
      setStripeAccountStatus({ store: dynamoMerchantStore, clock }, merchantId, enabled),
    recordStripePayout: async (merchantId, payout, status) => {
      await recordStripePayout(payoutPorts(clock), merchantId, payout, status);
    },
    stripeLivemode: async () => isLiveStripeKey(await getSecret("stripeSecretKey")),
    rejectProcessorEvent: async (rejected) => {
      // One JSON line with a stable `event` field, which a metric filter counts for an alarm. Written
      // to stdout directly: Lambda prefixes console lines with a timestamp and request id, and a
      // JSON filter pattern only matches a log event that is JSON alone.
      process.stdout.write(
        `${JSON.stringify({ level: "WARN", event: processorEventRejected, ...rejected })}\n`,
      );
      await platformEvents.recordRejectedProcessorEvent(rejected, clock.now());
    },
  };
}
