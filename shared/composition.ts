/**
 * The composition root: the one module that wires the store's adapters, the AWS adapters and the
 * configuration to the capabilities' ports. Every function (API, hosted pages, webhooks, consumers)
 * builds what it needs here, per request or per message, from the clock `clockFor` resolved for it;
 * capabilities never import this module.
 */
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type Stripe from "stripe";
import type { Mailer } from "./aws/mailer.ts";
import { type QueueName, type QueuePort, sqsQueue } from "./aws/queue.ts";
import { type SchedulerPort, scheduler } from "./aws/scheduler.ts";
import { freshSecret, getSecret, verifyWithSecret } from "./aws/secrets.ts";
import { config } from "./config.ts";
import { type Clock, systemClock } from "./domain/clock.ts";
import { PaymentDeclinedError, requireFound } from "./domain/errors.ts";
import { windowLimits } from "./domain/limits.ts";
import { metricNames } from "./metrics-names.ts";
import { emfMetrics, log, stopwatch } from "./observability.ts";
import {
  keepPaymentMethod,
  type PaymentMethodPorts,
  processorCustomerOf,
} from "./customers/payment-methods.ts";
import { saveSetupMethod, type UpdateCardPorts, updateCardLink } from "./customers/update-card.ts";
import type { Customer } from "./customers/customer.ts";
import type { Versioned } from "./domain/records.ts";
import type { CustomerPageLinkPorts } from "./customers/page-token.ts";
import { type PortalPorts, portalLink, renewEarlyLink } from "./customers/portal.ts";
import type { RenewPagePorts } from "./customers/renew-page.ts";
import { type UnsubscribePorts, unsubscribeLink as mintUnsubscribeLink } from "./customers/unsubscribe.ts";
import type { CustomerPorts } from "./customers/service.ts";
import type { EnrollmentPorts } from "./workflows/enrollments.ts";
import type { DiscountCodePorts } from "./discount-codes/service.ts";
import type { EventPorts } from "./events/service.ts";
import { dynamoCatalog } from "./store/catalog.ts";
import type { LedgerPorts } from "./ledger/ports.ts";
import { dynamoLedgerStore, ledgerEntriesBetween } from "./store/ledger.ts";
import type { InvoiceListPorts } from "./invoices/list.ts";
import type { InvoiceStore } from "./invoices/ports.ts";
import { type InvoicePorts, presentInvoice } from "./invoices/service.ts";
import type { InvoiceTimerPorts } from "./invoices/timers.ts";
import { type CreateMerchantPorts, setStripeAccountStatus } from "./merchants/service.ts";
import type { NotificationPorts } from "./notifications/ports.ts";
import { processorEventRejected } from "./payments/event-trust.ts";
import { requireProcessorKind } from "./payments/mode.ts";
import { payableInvoices } from "./invoices/payable.ts";
import type { InvoicePayPorts } from "./invoices/pay.ts";
import { findTestMethod, sandboxFee } from "./payments/sandbox-cards.ts";
import { signEvent } from "./payments/signing.ts";
import type { StripeEventPorts } from "./payments/stripe-events-handler.ts";
import { isLiveStripeKey } from "./payments/stripe-mode.ts";
import type { PaymentTimerPorts, SandboxSettlementMessage } from "./payments/timers.ts";
import { type PayoutSweepPorts, recordStripePayout } from "./payouts/run.ts";
import type { PayoutReadPorts } from "./payouts/service.ts";
import type { CheckoutPorts } from "./payment-links/checkout.ts";
import type { CheckoutExpiryPorts } from "./payment-links/expiry.ts";
import type { CheckoutCompletionPorts } from "./payment-links/completion.ts";
import type { PaymentLinkPorts } from "./payment-links/service.ts";
import type { ProductPorts } from "./products/service.ts";
import { dynamoCustomerStore } from "./store/customers.ts";
import { dynamoPaymentMethodStore } from "./store/payment-methods.ts";
import {
  dynamoPortalTokens,
  dynamoUnsubscribeTokens,
  dynamoUpdateCardTokens,
} from "./store/customer-page-tokens.ts";
import { dynamoDiscountCodeStore, promisedRedemptionWrite, redemptionWrite } from "./store/discount-codes.ts";
import { dynamoEventStore } from "./store/events.ts";
import { dynamoIdempotencyStore } from "./store/idempotency.ts";
import { dynamoInvoiceStore } from "./store/invoices.ts";
import { dynamoQuoteStore } from "./store/quotes.ts";
import { dynamoQuoteTemplateStore } from "./store/quote-templates.ts";
import type { QuoteTemplatePorts } from "./quotes/templates.ts";
import { dynamoWorkflowStore, workflowWebhookSecret } from "./store/workflows.ts";
import { dataSealer } from "./auth/sealed.ts";
import { checkWebhookUrl, outboundHttp } from "./webhooks/outbound.ts";
import type { WorkflowPorts } from "./workflows/service.ts";
import { type QuoteAcceptancePorts, startQuoteSubscription } from "./quotes/acceptance-effects.ts";
import type { QuoteExpiryPorts } from "./quotes/expiry.ts";
import { type HostedQuotePorts, hostedQuote, quotePath } from "./quotes/hosted.ts";
import {
  payableFirstInvoice,
  quoteCardSetup,
  quotePayable,
  recordQuoteCard,
  savesCardOnly,
} from "./quotes/hosted-pay.ts";
import { planDunningOwner, type QuoteBillingPorts, type QuotePlanTimerPorts } from "./quotes/installments.ts";
import type { QuotePorts } from "./quotes/service.ts";
import { presentQuote } from "./quotes/quote.ts";
import type { MerchantStore } from "./merchants/ports.ts";
import { dynamoMerchantStore } from "./store/merchants.ts";
import { dynamoSignInLinkStore, dynamoUserStore } from "./store/users.ts";
import { endSessions, type UserPorts } from "./users/service.ts";
import {
  consumeSignInLink,
  inspectSignInLink,
  issueInvitation,
  issueSignInLink,
  requestSignIn,
  type SignInPorts,
} from "./users/sign-in.ts";
import { type OutboxEvent, outboxEventFromItem } from "./store/outbox.ts";
import { dynamoPaymentLinkStore } from "./store/payment-links.ts";
import { dynamoCheckoutSessionStore } from "./store/checkout-sessions.ts";
import { dynamoPaymentStore } from "./store/payments.ts";
import { dynamoPayoutStore } from "./store/payouts.ts";
import { platformEvents } from "./store/platform-events.ts";
import { once, onceRecorded } from "./store/processed.ts";
import { processorRefs } from "./store/processor-refs.ts";
import { dynamoProductStore } from "./store/products.ts";
import { asChange, transact } from "./store/collection.ts";
import { dynamoWindowCounter } from "./store/rate-windows.ts";
import { dynamoRenewalNoticeStore } from "./store/renewal-notices.ts";
import { dynamoSubscriptionStore } from "./store/subscriptions.ts";
import { dynamoTaskStore } from "./store/tasks.ts";
import { dynamoTaxRateStore } from "./store/tax-rates.ts";
import { type BillingPorts, billDue, invoiceChange } from "./subscriptions/billing.ts";
import type { SubscriptionTimerPorts } from "./subscriptions/timers.ts";
import { clockScheduler, dynamoClockWorkStore } from "./store/clock-work.ts";
import { dynamoTestClockStore } from "./store/test-clocks.ts";
import { dynamoViewStore } from "./store/views.ts";
import { dynamoWebhookStore } from "./store/webhooks.ts";
import type { DeliveryPorts, WebhookPorts, WebhookQueues } from "./webhooks/ports.ts";
import { defaultRetryPolicy } from "./webhooks/endpoint.ts";
import type { SubscriptionPorts } from "./subscriptions/service.ts";
import type { TaskPorts } from "./tasks/service.ts";
import type { TaxRatePorts } from "./tax-rates/service.ts";
import type { AdvancePorts } from "./test-clocks/advance.ts";
import { bindCustomer, releaseCustomer, type TestClockPorts } from "./test-clocks/service.ts";
import { clockAt } from "./test-clocks/test-clock.ts";
import { timerQueue } from "./timers/registry.ts";
import { presentPayment } from "./payments/payment.ts";
import { newCodeChanges } from "./store/discount-codes.ts";
import { dynamoEnrollmentStore } from "./store/workflow-enrollments.ts";
import { dynamoWorkflowCatalog } from "./store/workflows.ts";
import type { WorkflowEnginePorts, WorkflowLinks } from "./workflows/ports.ts";
import type { SavedViewPorts } from "./views/ports.ts";
import type { ViewPorts } from "./views/service.ts";
import type { ReceiptPorts } from "./receipts/receipt.ts";
import type { ReportContributor } from "./reports/contributor.ts";
import { customersContributor, revenueContributor } from "./reports/contributors.ts";
import type { ReportPorts, ReportReadPorts } from "./reports/ports.ts";
import { customerNames, dynamoRollupStore } from "./store/reports.ts";
import type { ReceivablesPorts } from "./reports/receivables.ts";
import type { LedgerExportPorts } from "./ledger/exports-service.ts";
import { dynamoAccountMappingStore } from "./store/ledger-account-mapping.ts";
import { subscriptionMrrContributor } from "./reports/subscription-mrr.ts";
import { presentSubscription } from "./subscriptions/subscription.ts";
import { dynamoMrrStore } from "./store/mrr.ts";
import type { SegmentConsumerPorts, SegmentPorts } from "./segments/ports.ts";
import { segmentQueue } from "./segments/membership.ts";
import {
  dynamoMemberStore,
  dynamoSegmentCustomers,
  dynamoSegmentStore,
  dynamoStatsStore,
} from "./store/segments.ts";
import type { DashboardPorts } from "./dashboard/sessions.ts";
import { dynamoSessionStore } from "./store/sessions.ts";

/**
 * Stripe's webhooks and the sandbox's signed events, in Stripe's shapes: one queue, one consumer.
 * Not with the outbox's routing (shared/outbox/routing.ts), which loads every consumer's event list
 * — the notifications' templates and translator among them — that these senders never need.
 */
const stripeEventsQueue = "stripe-events" satisfies QueueName;

/**
 * SES and the MIME builder (nodemailer) load with the first mail: most functions never send one, and
 * their cold start need not pay for it.
 */
const mailer: Mailer = { send: async (mail) => (await import("./aws/mailer.ts")).sesMailer.send(mail) };

/** What a request or message is about, as far as the clock that serves it may depend on it. */
export interface ClockScope {
  merchantId?: string | undefined;
}

/**
 * The clock one request or message runs on, resolved when it arrives (never at import): the system
 * clock — which the local runtime moves on with `POST /_local/clock` — for everyone. A customer
 * bound to a test clock lives at that clock's time instead: see `customerClocks`.
 */
export function clockFor(_scope: ClockScope = {}): Clock {
  return systemClock;
}

/**
 * The clock of work that may belong to a test clock's customer (a message or an object naming the
 * clock: `testClockId`): the test clock's time while the clock exists, else `clock`. Only such work
 * pays the read of its clock.
 */
export async function workClock(
  scope: { merchantId?: string | undefined; testClockId?: string | undefined },
  clock: Clock = clockFor(scope),
): Promise<Clock> {
  const { merchantId, testClockId } = scope;
  const testClock =
    merchantId && testClockId && (await dynamoTestClockStore.read(merchantId, testClockId))?.value;
  return testClock && merchantId ? clockAt(testClock, merchantId) : clock;
}

/**
 * The clock paying an invoice runs on: its customer's test clock, if the invoice was made on one,
 * so the payment carries the clock's time and a bank debit settles on it.
 */
export async function invoiceClock(clock: Clock, merchantId: string, invoiceId: string): Promise<Clock> {
  const testClockId = (await dynamoInvoiceStore.read(merchantId, invoiceId))?.value.testClockId;
  return workClock({ merchantId, testClockId }, clock);
}

/**
 * The clock a processor's event about an invoice's payment is applied on: the invoice's customer's
 * (a test clock's: the payment succeeds, the invoice is paid and the money lands on the clock's day,
 * out of the real daily payouts).
 */
export async function processorEventClock(clock: Clock, event: Stripe.Event): Promise<Clock> {
  const refs = (event.data.object as { metadata?: Record<string, string> | null }).metadata;
  const merchantId = refs?.kassa_merchant_id;
  const invoiceId = refs?.kassa_invoice_id;
  return merchantId && invoiceId ? invoiceClock(clock, merchantId, invoiceId) : clock;
}

/** The clock refunding a payment runs on: its customer's (a test clock's, so the refund's checks wait on it). */
export async function paymentClock(clock: Clock, merchantId: string, paymentId: string): Promise<Clock> {
  const customerId = (await dynamoPaymentStore.read(merchantId, paymentId))?.value.customerId;
  return customerId ? customerClocks(clock)(merchantId, customerId) : clock;
}

/**
 * Where work planned on `clock` waits for its time: a test clock's customer's work in the clock's
 * due partition (run by the clock's advance, never by a real scheduler), any other on the
 * deployment's scheduler.
 */
export const schedulerFor = (clock: Clock): SchedulerPort =>
  clock.testClock ? clockScheduler(clock.testClock.merchantId, clock.testClock.id) : scheduler();

/** A customer as read once within one request or message (the ports holding it are built per request). */
type CustomerReader = (merchantId: string, customerId: string) => Promise<Customer | undefined>;

/**
 * The request's reads of customers, and `fresh`: a read afresh that the request's later reads take;
 * `versioned`: the request's read with the store's version (what a priced draft records).
 */
function customerReads(): CustomerReader & {
  fresh: CustomerReader;
  versioned: (merchantId: string, customerId: string) => Promise<Versioned<Customer> | undefined>;
} {
  const read = new Map<string, Promise<Versioned<Customer> | undefined>>();
  const readAfresh = (merchantId: string, customerId: string) => {
    const found = dynamoCustomerStore.read(merchantId, customerId);
    read.set(`${merchantId}/${customerId}`, found);
    return found;
  };
  const versioned = (merchantId: string, customerId: string) =>
    read.get(`${merchantId}/${customerId}`) ?? readAfresh(merchantId, customerId);
  return Object.assign(
    async (merchantId: string, customerId: string) => (await versioned(merchantId, customerId))?.value,
    {
      fresh: async (merchantId: string, customerId: string) =>
        (await readAfresh(merchantId, customerId))?.value,
      versioned,
    },
  );
}

/**
 * The clock of each customer, within one request or message whose own clock is `clock`: a customer
 * bound to a test clock that still exists lives at the clock's frozen time, any other on `clock`. It
 * shares the request's read of the customer with the pricing catalog, so resolving a clock costs a
 * read only for a customer that has one.
 */
export function customerClocks(
  clock: Clock,
  customerOf: CustomerReader = customerReads(),
): (merchantId: string, customerId: string) => Promise<Clock> {
  return async (merchantId, customerId) => {
    const testClockId = (await customerOf(merchantId, customerId))?.testClockId;
    const testClock = testClockId && (await dynamoTestClockStore.read(merchantId, testClockId))?.value;
    return testClock ? clockAt(testClock, merchantId) : clock;
  };
}

/** The deployment's public base URL: hosted links are built on it, never on a request's Host header. */
export const publicBaseUrl = (): string => config.publicBaseUrl();

/** Exactly-once effects for consumers, claimed by message key (shared/store/processed.ts). */
export { once };

// ── The API's own plumbing ────────────────────────────────────────────────────────────────────────

export const httpPorts = { merchants: dynamoMerchantStore, idempotency: dynamoIdempotencyStore };

// ── One capability each: its stores and the clock ─────────────────────────────────────────────────

export const merchantPorts = (clock: Clock): CreateMerchantPorts => ({
  store: dynamoMerchantStore,
  users: dynamoUserStore,
  clock,
});
export const userPorts = (clock: Clock): UserPorts => ({ store: dynamoUserStore, clock });
export const signInPorts = (clock: Clock): SignInPorts => ({
  users: dynamoUserStore,
  links: dynamoSignInLinkStore,
  limits: dynamoWindowCounter,
  clock,
  publicBaseUrl: publicBaseUrl(),
});
export const testClockPorts = (clock: Clock): TestClockPorts => ({
  store: dynamoTestClockStore,
  merchants: dynamoMerchantStore,
  work: dynamoClockWorkStore,
  subscriptions: dynamoSubscriptionStore,
  clock,
});
export const customerPorts = (clock: Clock): CustomerPorts => ({
  store: dynamoCustomerStore,
  paymentMethods: dynamoPaymentMethodStore,
  clock,
  testClocks: {
    bind: (merchantId, testClockId) => bindCustomer(testClockPorts(clock), merchantId, testClockId),
    release: (merchantId, testClockId) => releaseCustomer(testClockPorts(clock), merchantId, testClockId),
  },
});
export const productPorts = (clock: Clock): ProductPorts => ({ store: dynamoProductStore, clock });
export const taxRatePorts = (clock: Clock): TaxRatePorts => ({ store: dynamoTaxRateStore, clock });
export const taskPorts = (clock: Clock): TaskPorts => ({ store: dynamoTaskStore, clock });
export const discountCodePorts = (clock: Clock): DiscountCodePorts => ({
  store: dynamoDiscountCodeStore,
  clock,
});
export const paymentLinkPorts = (clock: Clock): PaymentLinkPorts => ({
  store: dynamoPaymentLinkStore,
  catalog: dynamoCatalog,
  merchants: dynamoMerchantStore,
  testClocks: dynamoTestClockStore,
  publicBaseUrl: publicBaseUrl(),
  clock,
});
export const checkoutPorts = (clock: Clock): CheckoutPorts => ({
  links: dynamoPaymentLinkStore,
  sessions: dynamoCheckoutSessionStore,
  catalog: dynamoCatalog,
  merchants: dynamoMerchantStore,
  customers: customerPorts(clock),
  invoices: invoicePorts(clock),
  payments: paymentPorts(clock),
  subscriptions: subscriptionPorts(clock),
  keepCard: async (merchantId, customerId, card) => {
    try {
      return (await saveBuyerCard(clock, merchantId, customerId, card)).id;
    } catch (error) {
      // A decline is the buyer's to see; anything else after a payment is the operator's.
      if (!(error instanceof PaymentDeclinedError))
        log.error("A checkout's card could not be saved", {
          merchantId,
          customerId,
          error: error instanceof Error ? error.message : String(error),
        });
      throw error;
    }
  },
  cardAttempts: (merchantId, sessionId) => declinedCardAttempts(clock, merchantId, sessionId),
  checkoutStarts: (merchantId, subject) => ({
    take: () => dynamoWindowCounter.take(windowLimits.checkoutStarts, merchantId, subject, clock.now()),
  }),
  codeAttempts: (merchantId, subject) => failedCodeAttempts(clock, merchantId, subject),
  scheduler: (merchantId, testClockId) =>
    testClockId ? clockScheduler(merchantId, testClockId) : schedulerFor(clock),
  clock,
});
export const viewPorts = (clock: Clock): ViewPorts => ({ store: dynamoViewStore, clock });
/** A list's ports with the saved views its `?view=` reads. */
export const withSavedViews = <P extends object>(ports: P): P & SavedViewPorts => ({
  ...ports,
  views: dynamoViewStore,
});
export const eventPorts = (): EventPorts => ({ store: dynamoEventStore });

/** Webhook deliveries and replays' pages, on the webhooks queue beside the events. */
export const webhookQueues: WebhookQueues = {
  deliver: (message) => sqsQueue.send("webhooks", message),
  replay: (message) => sqsQueue.send("webhooks", message),
};
export const webhookPorts = (clock: Clock): WebhookPorts => ({
  store: dynamoWebhookStore,
  sealer: {
    seal: async (context, plaintext) => (await dataSealer(context, clock)).seal(plaintext),
    open: async (context, sealed) => (await dataSealer(context, clock)).unseal(sealed),
  },
  queues: webhookQueues,
  clock,
  checkUrl: (url) => checkWebhookUrl(url, { allowLoopback: config.allowLoopbackWebhooks() }),
  windows: dynamoWindowCounter,
});
/** The delivery consumer's ports: posts with a 10 s timeout through the outbound port (its SSRF guard). */
export const webhookDeliveryPorts = (clock: Clock): DeliveryPorts => {
  const { store, sealer, queues } = webhookPorts(clock);
  return {
    store,
    sealer,
    queues,
    clock,
    outbound: outboundHttp({ allowLoopback: config.allowLoopbackWebhooks() }),
    retry: defaultRetryPolicy,
    timeoutMs: 10_000,
  };
};
export const payoutReadPorts = (): PayoutReadPorts => ({ payouts: dynamoPayoutStore });

export const invoicePorts = (clock: Clock): InvoicePorts => {
  const customerOf = customerReads();
  return {
    invoices: dynamoInvoiceStore,
    merchants: dynamoMerchantStore,
    payments: dynamoPaymentStore,
    catalog: { ...dynamoCatalog, customer: customerOf },
    clock,
    customerClock: customerClocks(clock, customerOf),
    customerBalance: async (merchantId, customerId, currency) =>
      (await customerOf.fresh(merchantId, customerId))?.balance?.[currency] ?? 0,
    customerAsRead: customerOf.versioned,
    limits: dynamoWindowCounter,
    publicBaseUrl: publicBaseUrl(),
  };
};

export const subscriptionPorts = (clock: Clock): SubscriptionPorts => {
  const customerOf = customerReads();
  return {
    subscriptions: dynamoSubscriptionStore,
    customers: dynamoCustomerStore,
    catalog: { ...dynamoCatalog, customer: customerOf },
    paymentMethods: dynamoPaymentMethodStore,
    merchants: dynamoMerchantStore,
    redemptionWrite: (merchantId, discountCodeId, currency, now) =>
      asChange(redemptionWrite(merchantId, discountCodeId, currency, now)),
    views: dynamoViewStore,
    customerClock: customerClocks(clock, customerOf),
    // On the subscription's own clock: its charge, its schedules and its emails on a test clock's time.
    billDue: async (merchantId, subscriptionId, testClockId) =>
      billDue(billingPorts(await workClock({ merchantId, testClockId }, clock)), merchantId, subscriptionId),
    invoiceStatus: async (merchantId, invoiceId) =>
      (await dynamoInvoiceStore.read(merchantId, invoiceId))?.value.status,
    invoiceChange: async (merchantId, found, change) =>
      invoiceChange(
        billingPorts(await workClock({ merchantId, testClockId: found.value.testClockId }, clock)),
        merchantId,
        found,
        change,
      ),
  };
};

export const quotePorts = (clock: Clock): QuotePorts => {
  const customerOf = customerReads();
  return {
    quotes: dynamoQuoteStore,
    templates: dynamoQuoteTemplateStore,
    merchants: dynamoMerchantStore,
    catalog: { ...dynamoCatalog, customer: customerOf },
    views: dynamoViewStore,
    clock,
    customerClock: customerClocks(clock, customerOf),
    scheduler: schedulerFor,
    publicBaseUrl: publicBaseUrl(),
  };
};

export const quoteTemplatePorts = (clock: Clock): QuoteTemplatePorts => ({
  templates: dynamoQuoteTemplateStore,
  clock,
});

/** The record a workflow's webhook secret is sealed for: it opens only there. */
const workflowSecretContext = (merchantId: string, workflowId: string) =>
  `workflow webhook secret ${merchantId} ${workflowId}`;

export const workflowPorts = (clock: Clock): WorkflowPorts => ({
  workflows: dynamoWorkflowStore,
  merchants: dynamoMerchantStore,
  webhooks: {
    checkUrl: (url) => checkWebhookUrl(url, { allowLoopback: config.allowLoopbackWebhooks() }),
    seal: async (merchantId, workflowId, secret) =>
      (await dataSealer(workflowSecretContext(merchantId, workflowId), clock)).seal(secret),
  },
  clock,
});

/** What an accepted quote sets off: its codes' redemptions and its recurring lines' subscription. */
export const quoteAcceptancePorts = (clock: Clock): QuoteAcceptancePorts => ({
  quotes: dynamoQuoteStore,
  subscriptions: subscriptionPorts(clock),
  promisedRedemptionWrite: (merchantId, discountCodeId) =>
    asChange(promisedRedemptionWrite(merchantId, discountCodeId)),
  commit: (changes) => transact(changes, "The quote was changed by another request"),
});

export const invoiceListPorts = (clock: Clock): InvoiceListPorts => ({
  invoices: dynamoInvoiceStore,
  views: dynamoViewStore,
  clock,
});

/** The buyer's side: invoices found by their page token. */
/** The buyer's quote page: found by its token, signed and declined on the customer's clock. */
export const hostedQuotePorts = (clock: Clock): HostedQuotePorts => ({
  quotes: dynamoQuoteStore,
  invoices: dynamoInvoiceStore,
  merchants: dynamoMerchantStore,
  customerClock: customerClocks(clock, customerReads()),
});

export const hostedInvoicePorts = (clock: Clock) => ({
  invoices: dynamoInvoiceStore,
  merchants: dynamoMerchantStore,
  clock,
});

/** A payable's window of declined card attempts on its hosted pay form. */
export const declinedCardAttempts = (clock: Clock, merchantId: string, payableId: string) => ({
  take: () => dynamoWindowCounter.take(windowLimits.failedPayAttempts, merchantId, payableId, clock.now()),
  retryAfter: () =>
    dynamoWindowCounter.retryAfter(windowLimits.failedPayAttempts, merchantId, payableId, clock.now()),
});

export const paymentListPorts = () => ({ payments: dynamoPaymentStore, views: dynamoViewStore });

export const receiptPorts = (): ReceiptPorts => ({
  payments: dynamoPaymentStore,
  invoices: dynamoInvoiceStore,
  customers: dynamoCustomerStore,
  merchants: dynamoMerchantStore,
});

// ── Payments: the merchant's processor (the sandbox, or Stripe), the stores, the event lookups ─────

/**
 * The sandbox processor as deployed: its events are signed and queued exactly like Stripe's
 * webhooks, its bank debits settle by a one-time schedule on the billing queue. Loaded on first use,
 * with the Stripe-shaped fixtures its events are built from: reads and lists never charge.
 */
export async function sandboxFor(clock: Clock, sandboxPageUrl?: (sessionId: string) => string) {
  const { sandboxProcessor } = await import("./payments/sandbox.ts");
  return sandboxProcessor({
    clock,
    fee: config.sandboxFee(),
    ...(sandboxPageUrl ? { sandboxPageUrl } : {}),
    events: async (event: Stripe.Event) => {
      // Signed on real time, as Stripe signs: the consumer checks a signature's age against real
      // time, whatever time (a test clock's) the event itself tells.
      const real = clockFor();
      const signed = signEvent(
        event,
        await freshSecret("stripeWebhookSecret", real),
        Math.floor(real.now().getTime() / 1000),
      );
      await sqsQueue.send(stripeEventsQueue, signed);
    },
    scheduleSettlement: async (settlement) => {
      const message: SandboxSettlementMessage = { kind: "sandbox.settle", ...settlement };
      await schedulerFor(clock).scheduleOnce({
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
          (await import("./payments/stripe.ts")).loadStripeProcessor(config.stripeApiBase())
        : sandboxFor(clock, sandboxPageUrl),
    feeFor: (payment) =>
      payment.processor === "sandbox" ? sandboxFee(payment.amount, payment.currency, config.sandboxFee()) : 0,
    scheduler: schedulerFor(clock),
    processorCustomerOf: async (merchant, processor, customerId) => {
      const customer = (await dynamoCustomerStore.read(merchant.id, customerId))?.value;
      return customer && processorCustomerOf(processor, merchant, customer);
    },
  };
}

/**
 * The ports paying an invoice by API runs on, built from one read of the invoice and its merchant:
 * the invoice names the clock (its customer's test clock, if any), the attempt opens on the invoice
 * as read, and the merchant as read serves the whole request (its processor, the balance day).
 */
export async function invoicePayPorts(
  clock: Clock,
  merchantId: string,
  invoiceId: string,
): Promise<InvoicePayPorts> {
  const { invoice, merchant } = await dynamoInvoiceStore.readForPayment(merchantId, invoiceId);
  const ports = paymentPorts(await workClock({ merchantId, testClockId: invoice?.value.testClockId }, clock));
  return {
    ...ports,
    payables: {
      ...ports.payables,
      invoice: payableInvoices(dynamoInvoiceStore, { invoiceId, found: invoice }),
    },
    merchants: {
      readMerchant: async (id) => (id === merchantId ? merchant : dynamoMerchantStore.readMerchant(id)),
    },
  };
}

export function paymentMethodPorts(clock: Clock): PaymentMethodPorts {
  const { processorFor } = paymentPorts(clock);
  return {
    customers: dynamoCustomerStore,
    methods: dynamoPaymentMethodStore,
    processorOf: async (merchantId) => {
      const merchant = requireFound(await dynamoMerchantStore.readMerchant(merchantId), "Merchant").value;
      return { merchant, processor: await processorFor(merchant) };
    },
    clock,
  };
}

/** What mints update-card links (the renewal-failure email asks for one through its port). */
export const updateCardLinkPorts = (clock: Clock): CustomerPageLinkPorts => ({
  customers: dynamoCustomerStore,
  tokens: dynamoUpdateCardTokens,
  customerClock: customerClocks(clock),
  publicBaseUrl: publicBaseUrl(),
});

/** The buyer's update-card page: its token, the customer, its methods and the merchant's processor. */
export const updateCardPorts = (clock: Clock): UpdateCardPorts => ({
  ...paymentMethodPorts(clock),
  tokens: dynamoUpdateCardTokens,
  merchants: dynamoMerchantStore,
  customerClock: customerClocks(clock),
});

/** What mints portal links (the merchant's `portal-link`, and every subscription email through its port). */
export const portalLinkPorts = (clock: Clock): CustomerPageLinkPorts => ({
  ...updateCardLinkPorts(clock),
  tokens: dynamoPortalTokens,
});

/** What mints unsubscribe links (every buyer-facing workflow email, through the engine's port). */
export const unsubscribeLinkPorts = (clock: Clock): CustomerPageLinkPorts => ({
  ...updateCardLinkPorts(clock),
  tokens: dynamoUnsubscribeTokens,
});

/**
 * The workflow engine's port: a fresh unsubscribe link (`/u/{token}`, valid a year on the customer's
 * clock) for the footer and `List-Unsubscribe` header of a buyer-facing workflow email.
 */
export const unsubscribeLink =
  (clock: Clock) =>
  (merchantId: string, customerId: string): Promise<string> =>
    mintUnsubscribeLink(unsubscribeLinkPorts(clock), merchantId, customerId);

/** The unsubscribe page: its token, the merchant, and the customer it sets `unsubscribedAt` on. */
export const unsubscribePorts = (clock: Clock): UnsubscribePorts => ({
  tokens: dynamoUnsubscribeTokens,
  merchants: dynamoMerchantStore,
  customers: dynamoCustomerStore,
  customerClock: customerClocks(clock),
});

/** The customer portal: its token, the customer's subscriptions (their use cases), invoices and card. */
export const portalPorts = (clock: Clock): PortalPorts => ({
  tokens: dynamoPortalTokens,
  merchants: dynamoMerchantStore,
  customers: dynamoCustomerStore,
  customerClock: customerClocks(clock),
  subscriptions: subscriptionPorts(clock),
  invoices: dynamoInvoiceStore,
  methods: dynamoPaymentMethodStore,
  updateCardLink: (merchantId, customerId) =>
    updateCardLink(updateCardLinkPorts(clock), merchantId, customerId),
});

/** The renew-early page: the portal's, with renewing on the customer's clock and its failed codes' window. */
export const renewPagePorts = (clock: Clock): RenewPagePorts => ({
  ...portalPorts(clock),
  renewal: async (merchantId, customerId) => {
    const customer = (await dynamoCustomerStore.read(merchantId, customerId))?.value;
    const work = await workClock({ merchantId, testClockId: customer?.testClockId }, clock);
    return { ...billingPorts(work), discountCodes: discountCodePorts(work) };
  },
  codeAttempts: (merchantId, subject) => failedCodeAttempts(clock, merchantId, subject),
});

/** A subject's window of failed discount codes (a renew link, a payment link and buyer address). */
const failedCodeAttempts = (clock: Clock, merchantId: string, subject: string) => ({
  take: () => dynamoWindowCounter.take(windowLimits.failedCodeAttempts, merchantId, subject, clock.now()),
  retryAfter: () =>
    dynamoWindowCounter.retryAfter(windowLimits.failedCodeAttempts, merchantId, subject, clock.now()),
});

/**
 * A fresh link to a subscription's renew-early page, for the workflow engine (a renewal reminder's
 * "renew now"): the portal's link + `/renew?subscription=…`.
 */
export const renewEarlyLinks =
  (clock: Clock) =>
  (merchantId: string, customerId: string, subscriptionId: string): Promise<string> =>
    renewEarlyLink(portalLinkPorts(clock), merchantId, customerId, subscriptionId);

/** A customer's window of declined cards on the update-card page (the pay form's limit, per customer). */
export const updateCardAttempts = (clock: Clock, merchantId: string, customerId: string) =>
  declinedCardAttempts(clock, merchantId, customerId);

/**
 * Saves on the customer the card an invoice of a subscription was just paid with on its hosted page
 * (the sandbox's card form), for the renewals: once, and as the default only if it has none. The
 * payment stands whatever happens here, so a failure is logged, never shown to the buyer as one.
 */
/** Saves the card a buyer typed on a hosted page (a sandbox test card by its token) on their customer, once. */
const saveBuyerCard = (clock: Clock, merchantId: string, customerId: string, card: string) =>
  keepPaymentMethod(paymentMethodPorts(clock), merchantId, customerId, findTestMethod(card)?.token ?? card);

export async function keepPaidCard(clock: Clock, merchantId: string, customerId: string, card: string) {
  try {
    await saveBuyerCard(clock, merchantId, customerId, card);
  } catch (error) {
    log.error("The card of a subscription's paid invoice could not be saved", {
      merchantId,
      customerId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Saves the card a buyer typed on an accepted quote's page on their customer (a declining card is
 * refused: the error is the buyer's to see) and records it on the quote for what follows.
 */
export async function saveQuoteCard(
  clock: Clock,
  merchantId: string,
  quoteId: string,
  customerId: string,
  card: string,
) {
  const method = await saveBuyerCard(clock, merchantId, customerId, card);
  await recordQuoteCard(hostedQuotePorts(clock), merchantId, quoteId, method.id);
  // Kept once the first invoice is paid, or — recurring lines only — as the start itself.
  const quote = (await dynamoQuoteStore.read(merchantId, quoteId))?.value;
  await startQuoteSubscription(quoteAcceptancePorts(clock), merchantId, quoteId, {
    paymentMethodId: quote?.paymentMethodId ?? method.id,
  });
}

/**
 * What an accepted quote's pay form pays: its first invoice, or — recurring lines only — the card
 * its subscription is charged on; nothing: back to the page.
 */
export async function quotePayForm(clock: Clock, token: string) {
  const { quote, merchant, now } = await hostedQuote(hostedQuotePorts(clock), token);
  const context = (payableId: string) => ({
    token,
    backUrl: quotePath(token),
    publicBaseUrl: publicBaseUrl(),
    clock,
    cardAttempts: declinedCardAttempts(clock, merchant.id, payableId),
  });
  if (savesCardOnly(quote)) {
    return {
      payable: quoteCardSetup(quote, merchant, (customerId, card) =>
        saveQuoteCard(clock, merchant.id, quote.id, customerId, card),
      ),
      context: context(quote.id),
    };
  }
  const invoice = await payableFirstInvoice(hostedQuotePorts(clock), merchant.id, quote);
  if (!invoice) return undefined;
  return {
    // Paid on the customer's time: a test clock's customer's bank debit settles on the clock.
    payable: quotePayable(
      invoice,
      merchant,
      paymentPorts(await workClock({ merchantId: merchant.id, testClockId: invoice.testClockId }, clock)),
      (customerId, card) => keepQuoteCard(clock, merchant.id, quote.id, customerId, card),
      now,
    ),
    context: context(invoice.id),
  };
}

/**
 * Keeps the card an accepted quote's first invoice was paid with on the page: saved on the customer,
 * and recorded on the quote for its later installments. The payment stands whatever happens here.
 */
export async function keepQuoteCard(
  clock: Clock,
  merchantId: string,
  quoteId: string,
  customerId: string,
  card: string,
) {
  try {
    await saveQuoteCard(clock, merchantId, quoteId, customerId, card);
  } catch (error) {
    log.error("The card of a quote's paid invoice could not be kept", {
      merchantId,
      quoteId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
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
      // One JSON line with a stable `event` field, for whoever reads the logs after the alarm on the
      // RejectedProcessorEvents metric. Written to stdout directly: Lambda prefixes console lines
      // with a timestamp and request id, and a JSON filter pattern only matches JSON alone.
      process.stdout.write(
        `${JSON.stringify({ level: "WARN", event: processorEventRejected, ...rejected })}\n`,
      );
      await platformEvents.recordRejectedProcessorEvent(rejected, clock.now());
      emfMetrics.emit({ name: metricNames.rejectedProcessorEvents, value: 1, unit: "Count" });
    },
    keepPaymentMethod: async (merchantId, customerId, processorMethod, processorCustomerId) => {
      await keepPaymentMethod(paymentMethodPorts(clock), merchantId, customerId, processorMethod, {
        ...(processorCustomerId ? { processorCustomerId } : {}),
      });
    },
    saveSetupMethod: (merchantId, customerId, setup) =>
      saveSetupMethod(paymentMethodPorts(clock), merchantId, customerId, setup),
  };
}

/**
 * Checks with the secret every event on the stripe-events path is signed with (Stripe's endpoint
 * secret), re-reading it once when the check fails in a way a rotated secret explains.
 */
export const withStripeWebhookSecret = <T>(
  clock: Clock,
  check: (secret: string) => T,
  stale: (error: unknown) => boolean,
): Promise<T> => verifyWithSecret("stripeWebhookSecret", clock, check, stale);

/** Stripe's webhook endpoint: verified events go to the stripe-events queue. */
export const stripeIngestPorts = () => ({
  enqueue: (signed: { payload: string; signature: string | undefined }) =>
    sqsQueue.send(stripeEventsQueue, signed),
  withWebhookSecret: withStripeWebhookSecret,
});

/** The platform's Stripe account, for connecting merchants' accounts (Stripe's SDK loaded on use). */
export async function stripePlatform() {
  const { stripeConnect, stripeEndpoint } = await import("./payments/stripe.ts");
  const apiBase = config.stripeApiBase();
  const secretKey = await getSecret("stripeSecretKey");
  return {
    connect: stripeConnect({ secretKey, ...(apiBase ? stripeEndpoint(apiBase) : {}) }),
    livemode: isLiveStripeKey(secretKey),
  };
}

// ── Consumers ─────────────────────────────────────────────────────────────────────────────────────

/** The outbox dispatcher: an event item of the table's stream, and the queues it goes to. */
export const outboxPorts = (): {
  queue: QueuePort;
  eventOf(image: Record<string, unknown>): OutboxEvent;
} => ({
  queue: sqsQueue,
  eventOf: (image) => outboxEventFromItem(unmarshall(image as Parameters<typeof unmarshall>[0])),
});

/** The subscription billing engine, on one request's or message's clock. */
export const billingPorts = (clock: Clock): BillingPorts => ({
  subscriptions: dynamoSubscriptionStore,
  invoices: invoicePorts(clock),
  payments: paymentPorts(clock),
  paymentMethods: dynamoPaymentMethodStore,
  scheduler: schedulerFor(clock),
  customers: dynamoCustomerStore,
  planDunning: (merchantId, invoice) => planDunningOwner(quoteBillingPorts(clock), merchantId, invoice),
});

/** An accepted quote's invoices (its first, its plan's installments), on the billing engine's ports. */
export const quoteBillingPorts = (clock: Clock): QuoteBillingPorts => ({
  ...billingPorts(clock),
  quotes: dynamoQuoteStore,
  effects: quoteAcceptancePorts(clock),
});

export type BillingTimerPorts = InvoiceTimerPorts &
  PaymentTimerPorts &
  CheckoutExpiryPorts &
  QuoteExpiryPorts &
  QuotePlanTimerPorts &
  CheckoutCompletionPorts & {
    invoices: InvoiceStore;
    merchants: MerchantStore;
    payouts: () => PayoutSweepPorts;
    subscriptionTimers: SubscriptionTimerPorts;
    /** The same ports on another clock: a test clock's advance runs each piece of work on its time. */
    on: (clock: Clock) => BillingTimerPorts;
    /** A test clock's advance, running its work with `runOn` (the billing registry on a clock). */
    advance: (runOn: AdvancePorts["runOn"]) => AdvancePorts;
  };

/** How long one invocation runs a test clock's advance before a message continues it (of 60 s). */
const advanceBudgetMs = 40_000;

/** The billing queue's timed work, on one message's clock; the heavier ports are built on first use. */
export const billingTimerPorts = (clock: Clock): BillingTimerPorts => ({
  invoices: dynamoInvoiceStore,
  merchants: dynamoMerchantStore,
  checkoutSessions: dynamoCheckoutSessionStore,
  checkouts: () => checkoutPorts(clock),
  quotes: dynamoQuoteStore,
  quoteBilling: () => quoteBillingPorts(clock),
  mailer,
  scheduler: () => schedulerFor(clock),
  once,
  sandbox: () => sandboxFor(clock),
  payouts: () => payoutPorts(clock),
  payments: () => paymentPorts(clock),
  subscriptionTimers: {
    billing: () => billingPorts(clock),
    renewals: () => ({ ...billingPorts(clock), renewalNotices: dynamoRenewalNoticeStore }),
    subscriptions: dynamoSubscriptionStore,
    queue: sqsQueue,
    clock,
  },
  clock,
  on: billingTimerPorts,
  advance: (runOn) => {
    const elapsed = stopwatch();
    return {
      testClocks: dynamoTestClockStore,
      work: dynamoClockWorkStore,
      runOn,
      deliver: (queue, message) => sqsQueue.send(queue, message),
      continueLater: (message) => sqsQueue.send(timerQueue, message),
      outOfTime: () => elapsed() > advanceBudgetMs,
      clock,
    };
  },
});

export type NotificationConsumerPorts = NotificationPorts & { mailer: Mailer; clock: Clock };

export const notificationPorts = (clock: Clock): NotificationConsumerPorts => ({
  mailer,
  clock,
  limits: dynamoWindowCounter,
  invoice: async (merchantId, invoiceId) => {
    const found = await dynamoInvoiceStore.read(merchantId, invoiceId);
    return found && presentInvoice(found.value, clock.now());
  },
  merchant: async (merchantId) => (await dynamoMerchantStore.readMerchant(merchantId))?.value,
  payment: async (merchantId, paymentId) => (await dynamoPaymentStore.read(merchantId, paymentId))?.value,
  customer: async (merchantId, customerId) => (await dynamoCustomerStore.read(merchantId, customerId))?.value,
  paymentMethod: async (merchantId, id) => (await dynamoPaymentMethodStore.read(merchantId, id))?.value,
  subscription: async (merchantId, id) => (await dynamoSubscriptionStore.read(merchantId, id))?.value,
  paymentLink: async (merchantId, id) => (await dynamoPaymentLinkStore.read(merchantId, id))?.value,
  updateCardLink: (merchantId, customerId) =>
    updateCardLink(updateCardLinkPorts(clock), merchantId, customerId),
  portalLink: async (merchantId, customerId) =>
    (await portalLink(portalLinkPorts(clock), merchantId, customerId)).url,
  quoteCountersignLinks: async (merchantId, quoteId) => {
    const quote = (await dynamoQuoteStore.read(merchantId, quoteId))?.value;
    return (quote?.countersigners ?? []).flatMap((signer, i) => {
      const token = quote?.countersignerTokens?.[i];
      return token && quote?.hostedToken
        ? [{ ...signer, url: `${publicBaseUrl()}/q/${quote.hostedToken}/countersign/${token}` }]
        : [];
    });
  },
  quote: async (merchantId, quoteId) => {
    const found = await dynamoQuoteStore.read(merchantId, quoteId);
    return found && presentQuote(found.value);
  },
  signedQuotePdf: async (merchantId, quoteId) =>
    (
      await (
        await import("./quotes/signed-pdf.ts")
      ).getSignedQuotePdf({ quotes: dynamoQuoteStore, merchants: dynamoMerchantStore }, merchantId, quoteId)
    ).pdf,
  user: async (merchantId, userId) => (await dynamoUserStore.read(merchantId, userId))?.value,
  invitationLink: (user) => issueInvitation(signInPorts(clock), user),
  signInLink: (user) => issueSignInLink(signInPorts(clock), user),
  // Loaded on first use: the PDF renderer is heavy and only the invoice email needs it.
  invoicePdf: async (invoice, merchant) =>
    (await import("./invoices/pdf.ts")).renderInvoicePdf(invoice, merchant),
});

/** The buyer-facing links a workflow's emails carry. */
const workflowLinks = (clock: Clock): WorkflowLinks => ({
  unsubscribe: unsubscribeLink(clock),
  renewEarly: renewEarlyLinks(clock),
});

/** A customer's clock for the workflows (the request's or message's clock without a customer). */
const workflowClockOf = (clock: Clock, customerOf = customerReads()): WorkflowEnginePorts["clockOf"] => {
  const customerClock = customerClocks(clock, customerOf);
  return async (merchantId, customerId) => (customerId ? customerClock(merchantId, customerId) : clock);
};

/** What the enrollments API reads and writes: the workflows, their enrollments, a customer's clock. */
export const workflowEnrollmentPorts = (clock: Clock): EnrollmentPorts => ({
  catalog: dynamoWorkflowCatalog,
  enrollments: dynamoEnrollmentStore,
  clockOf: workflowClockOf(clock),
});

/**
 * The workflow engine, on one message's clock: each enrollment's work runs on its customer's clock
 * (a test clock's customer's delays wait on that clock).
 */
export const workflowEnginePorts = (clock: Clock): WorkflowEnginePorts => {
  const customerOf = customerReads();
  return {
    catalog: dynamoWorkflowCatalog,
    enrollments: dynamoEnrollmentStore,
    reads: {
      merchant: async (merchantId) => (await dynamoMerchantStore.readMerchant(merchantId))?.value,
      customer: customerOf,
      invoice: async (merchantId, invoiceId) => {
        const found = await dynamoInvoiceStore.read(merchantId, invoiceId);
        return found && presentInvoice(found.value, clock.now());
      },
      payment: async (merchantId, paymentId) => {
        const found = await dynamoPaymentStore.read(merchantId, paymentId);
        return found && presentPayment(found.value);
      },
      segmentsOf: (merchantId, customerId) => dynamoMemberStore.segmentsOf(merchantId, customerId),
      links: workflowLinks(clock),
    },
    tasks: dynamoTaskStore,
    discountCodes: { createChanges: newCodeChanges },
    mailer,
    webhooks: {
      event: (merchantId, eventId) => dynamoEventStore.get(merchantId, eventId),
      secretOf: async (merchantId, workflowId) => {
        const sealed = await workflowWebhookSecret(merchantId, workflowId);
        const context = workflowSecretContext(merchantId, workflowId);
        return sealed && (await dataSealer(context, clock)).unseal(sealed);
      },
      outbound: outboundHttp({ allowLoopback: config.allowLoopbackWebhooks() }),
    },
    once: onceRecorded,
    limits: dynamoWindowCounter,
    clock,
    // The same reader as the context's: a customer is read once for both.
    clockOf: workflowClockOf(clock, customerOf),
    schedulerFor,
  };
};

// ── Reports (shared/reports/) ──────────────────────────────────────────────────────────────────
const reportPorts = (clock: Clock): ReportPorts => ({
  rollups: dynamoRollupStore(clock),
  merchantOf: async (merchantId) => (await dynamoMerchantStore.readMerchant(merchantId))?.value,
  clock,
});

/**
 * Every report's contributor, handed each event of its types by the reports consumer; the outbox
 * routes to the reports queue exactly their types (`reportedEventTypes`). A new report appends its own.
 */
export const reportContributors = (clock: Clock): readonly ReportContributor[] => {
  const ports = reportPorts(clock);
  return [
    revenueContributor(ports),
    customersContributor(ports),
    subscriptionMrrContributor({
      mrr: dynamoMrrStore(clock),
      merchantOf: ports.merchantOf,
      subscriptionOf: async (merchantId, id) => {
        const found = await dynamoSubscriptionStore.read(merchantId, id);
        return found && presentSubscription(found.value);
      },
    }),
  ];
};

export const reportReadPorts = (clock: Clock): ReportReadPorts => {
  const { rollups, merchantOf } = reportPorts(clock);
  return {
    rollups,
    merchantOf,
    customersNamed: customerNames,
  };
};

// ── Ledger ────────────────────────────────────────────────────────────────────────────────────────

/** The ledger's store and the merchant's zone and mode (its consumer and its reads alike). */
export const ledgerPorts = (clock: Clock): LedgerPorts => ({
  ledger: dynamoLedgerStore(clock),
  merchantOf: async (merchantId) => (await dynamoMerchantStore.readMerchant(merchantId))?.value,
});

/** The receivables report: the merchant's open invoices, a page at a time (earliest due first). */
export const receivablesPorts = (clock: Clock): ReceivablesPorts => ({
  openInvoices: (merchantId, currency, after) =>
    dynamoInvoiceStore.listByDueDate(
      merchantId,
      { status: "open", ...(currency ? { currency } : {}) },
      { limit: 100, ...(after ? { after } : {}) },
      clock.now(),
    ),
  merchantOf: async (merchantId) => (await dynamoMerchantStore.readMerchant(merchantId))?.value,
  clock,
});

// ── Segments ──────────────────────────────────────────────────────────────────────────────────────

/** The segments API: segments, their members, the customers they page. */
export const segmentPorts = (clock: Clock): SegmentPorts => ({
  segments: dynamoSegmentStore,
  members: dynamoMemberStore,
  customers: dynamoSegmentCustomers,
  clock,
});

/** The segments consumer, on one message's clock: each customer is evaluated on its own clock. */
export const segmentConsumerPorts = (clock: Clock): SegmentConsumerPorts => ({
  ...segmentPorts(clock),
  stats: dynamoStatsStore,
  queue: { send: (message) => sqsQueue.send(segmentQueue, message) },
  // The customer is in hand: only one bound to a test clock costs a read (of its clock).
  clockOf: (merchantId, customer) => customerClocks(clock, async () => customer)(merchantId, customer.id),
  schedulerFor,
});

export const ledgerExportPorts = (clock: Clock): LedgerExportPorts => ({
  entriesBetween: ledgerEntriesBetween,
  mappings: dynamoAccountMappingStore,
  merchantOf: async (merchantId) => (await dynamoMerchantStore.readMerchant(merchantId))?.value,
  clock,
});

// ── Dashboard ─────────────────────────────────────────────────────────────────────────────────────

/** The dashboard's sessions and sign-in, on the system clock: sessions live in real time. */
export const dashboardPorts = (clock: Clock = clockFor()): DashboardPorts => ({
  sessions: dynamoSessionStore,
  users: {
    endSessions: (merchantId, userId) => endSessions(userPorts(clock), merchantId, userId),
  },
  signIn: {
    request: (email) => requestSignIn(signInPorts(clock), email),
    consume: (token) => consumeSignInLink(signInPorts(clock), token),
    inspect: (token) => inspectSignInLink(signInPorts(clock), token),
  },
  limits: dynamoWindowCounter,
  clock,
  publicBaseUrl: publicBaseUrl(),
});
