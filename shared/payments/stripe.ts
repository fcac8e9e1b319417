/**
 * The Stripe adapter of the payment processor port. Each merchant connects its own Stripe account
 * (Connect, standard accounts): every call carries that account in the `Stripe-Account` header and
 * the caller's idempotency key, so a retried request charges once. The API version is pinned here and
 * the client's timeout keeps a call and its one retry inside API Gateway's 29 s.
 *
 * Outcomes also arrive as webhooks (`verifyStripeWebhook`, ./verification.ts), which stay the source
 * of truth; the synchronous answers below only let the API answer at once.
 */
import Stripe from "stripe";
import { getSecret } from "../aws/secrets.ts";
import { isLiveStripeKey } from "./stripe-mode.ts";
import type {
  AttachPaymentMethodRequest,
  AttachPaymentMethodResult,
  ChargeRequest,
  ChargeResult,
  CheckoutRequest,
  CheckoutSession,
  CheckoutStatus,
  ExpireCheckoutRequest,
  KassaRefs,
  OutcomeUnknown,
  PaymentMethodDetails,
  PaymentProcessor,
  ProcessorCustomerRequest,
  RefundLookup,
  RefundRequest,
  RefundResult,
  SetupCheckoutRequest,
} from "./processor.ts";
import { refundStatusOf } from "./refund.ts";
import { STRIPE_API_VERSION } from "./stripe-version.ts";

/**
 * Per attempt. With one retry the worst case is 2 × 12 s + the SDK's 0.5 s back-off = 24.5 s, still
 * under API Gateway's 29 s integration timeout (2 × 20 s would not be).
 */
export const STRIPE_TIMEOUT_MS = 12_000;
export const STRIPE_MAX_NETWORK_RETRIES = 1;

export interface StripeClientOptions {
  secretKey: string;
  /** A loopback fake in tests; Stripe's API otherwise. */
  host?: string;
  port?: number;
  protocol?: "http" | "https";
  /** Per-attempt timeout; tests shorten it. */
  timeoutMs?: number;
}

export function createStripeClient(options: StripeClientOptions): Stripe {
  return new Stripe(options.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    timeout: options.timeoutMs ?? STRIPE_TIMEOUT_MS,
    maxNetworkRetries: STRIPE_MAX_NETWORK_RETRIES,
    telemetry: false,
    appInfo: { name: "Kassa" },
    ...(options.host ? { host: options.host } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.protocol ? { protocol: options.protocol } : {}),
  });
}

function requestOptions(idempotencyKey: string, accountId: string | undefined): Stripe.RequestOptions {
  return { idempotencyKey, ...(accountId ? { stripeAccount: accountId } : {}) };
}

/** Stripe metadata values are strings; absent refs are left out rather than sent empty. */
function metadataOf(refs: KassaRefs): Record<string, string> {
  return Object.fromEntries(
    Object.entries(refs).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

export function stripeProcessor(options: StripeClientOptions): PaymentProcessor {
  const stripe = createStripeClient(options);

  /** Keyed by Kassa's customer: a retried first attach finds the Stripe Customer the failed one made. */
  async function ensureCustomer(request: ProcessorCustomerRequest): Promise<string> {
    const { customer } = request;
    if (request.processorCustomerId) return request.processorCustomerId;
    const created = await stripe.customers.create(
      {
        email: customer.email,
        ...(customer.name ? { name: customer.name } : {}),
        metadata: { kassa_merchant_id: customer.merchantId, kassa_customer_id: customer.kassaCustomerId },
      },
      requestOptions(`customer-${customer.kassaCustomerId}`, request.accountId),
    );
    return created.id;
  }

  return {
    name: "stripe",
    livemode: isLiveStripeKey(options.secretKey),

    ensureProcessorCustomer: ensureCustomer,

    async createSetupCheckout(request: SetupCheckoutRequest): Promise<CheckoutSession> {
      const session = await stripe.checkout.sessions.create(
        {
          mode: "setup",
          customer: request.processorCustomerId,
          allowed_payment_method_types: ["card"],
          success_url: request.successUrl,
          cancel_url: request.cancelUrl,
          expires_at: Math.ceil(Date.parse(request.expiresAt) / 1000),
          metadata: request.metadata,
          setup_intent_data: { metadata: request.metadata },
        },
        requestOptions(request.idempotencyKey, request.accountId),
      );
      if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
      return { id: session.id, url: session.url };
    },

    async setupIntentPaymentMethod(setupIntentId: string, accountId?: string) {
      const intent = await stripe.setupIntents.retrieve(
        setupIntentId,
        undefined,
        accountId ? { stripeAccount: accountId } : undefined,
      );
      return idOf(intent.payment_method);
    },

    async createCheckout(request: CheckoutRequest): Promise<CheckoutSession> {
      const metadata = metadataOf(request.metadata);
      const session = await stripe.checkout.sessions.create(
        {
          mode: "payment",
          line_items: [
            {
              price_data: {
                currency: request.currency.toLowerCase(),
                unit_amount: request.amount,
                product_data: { name: request.description },
              },
              quantity: 1,
            },
          ],
          ...(request.processorCustomerId
            ? { customer: request.processorCustomerId }
            : { customer_email: request.customerEmail }),
          success_url: request.successUrl,
          cancel_url: request.cancelUrl,
          expires_at: Math.ceil(Date.parse(request.expiresAt) / 1000),
          metadata,
          // Without a Customer, Checkout leaves the saved method unattached and unusable off-session.
          ...(request.savePaymentMethod && !request.processorCustomerId
            ? { customer_creation: "always" as const }
            : {}),
          payment_intent_data: {
            metadata,
            ...(request.savePaymentMethod ? { setup_future_usage: "off_session" as const } : {}),
          },
        },
        requestOptions(request.idempotencyKey, request.accountId),
      );
      if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
      return { id: session.id, url: session.url };
    },

    async expireCheckout(request: ExpireCheckoutRequest): Promise<CheckoutStatus> {
      const options = request.accountId ? { stripeAccount: request.accountId } : undefined;
      try {
        const session = await stripe.checkout.sessions.expire(request.sessionId, undefined, options);
        return checkoutStatus(session.status);
      } catch (error) {
        // Only an open session can be expired: one that completed or expired already says which.
        if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
        const session = await stripe.checkout.sessions.retrieve(request.sessionId, undefined, options);
        return checkoutStatus(session.status);
      }
    },

    async charge(request: ChargeRequest): Promise<ChargeResult | OutcomeUnknown> {
      let intent: Stripe.PaymentIntent;
      try {
        intent = await stripe.paymentIntents.create(
          {
            amount: request.amount,
            currency: request.currency.toLowerCase(),
            payment_method: request.paymentMethod,
            ...(request.processorCustomerId ? { customer: request.processorCustomerId } : {}),
            confirm: true,
            off_session: request.offSession,
            // On-session server-side confirmation has no return URL, so redirect-based methods are excluded.
            ...(request.offSession
              ? {}
              : { automatic_payment_methods: { enabled: true, allow_redirects: "never" as const } }),
            description: request.description,
            metadata: metadataOf(request.metadata),
            expand: ["latest_charge.balance_transaction", "payment_method"],
          },
          requestOptions(request.idempotencyKey, request.accountId),
        );
      } catch (error) {
        if (error instanceof Stripe.errors.StripeCardError) return declined(error);
        const unknown = outcomeUnknown(error);
        if (unknown) return unknown;
        throw error;
      }
      return chargeResult(intent);
    },

    // A Stripe payment method id names no card data.
    keptMethod: (paymentMethod) => paymentMethod,

    async attachPaymentMethod(request: AttachPaymentMethodRequest): Promise<AttachPaymentMethodResult> {
      const account = request.accountId ? { stripeAccount: request.accountId } : undefined;
      const processorCustomerId = await ensureCustomer(request);
      let method: Stripe.PaymentMethod;
      try {
        method = await stripe.paymentMethods.attach(
          request.paymentMethod,
          { customer: processorCustomerId },
          account,
        );
      } catch (error) {
        if (error instanceof Stripe.errors.StripeCardError) {
          return {
            status: "declined",
            declineCode: error.decline_code || error.code || "card_declined",
            message: error.message,
          };
        }
        if (error instanceof Stripe.errors.StripeInvalidRequestError) {
          return { status: "invalid", message: error.message };
        }
        throw error;
      }
      const attached = { status: "attached" as const, processorId: method.id, processorCustomerId };
      if (method.type === "us_bank_account") return { ...attached, type: "us_bank_account" };
      if (method.type === "card" && method.card) {
        const { brand, last4, exp_month: expMonth, exp_year: expYear } = method.card;
        return { ...attached, type: "card", card: { brand, last4, expMonth, expYear } };
      }
      return { status: "invalid", message: `Payment methods of type ${method.type} cannot be saved` };
    },

    async detachPaymentMethod(request: { accountId?: string; processorId: string }): Promise<void> {
      try {
        await stripe.paymentMethods.detach(
          request.processorId,
          undefined,
          request.accountId ? { stripeAccount: request.accountId } : undefined,
        );
      } catch (error) {
        // Already detached (or never attached): what the caller wanted.
        if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
      }
    },

    async refund(request: RefundRequest): Promise<RefundResult | OutcomeUnknown> {
      let refund: Stripe.Refund;
      try {
        refund = await stripe.refunds.create(
          {
            payment_intent: request.paymentIntentId,
            amount: request.amount,
            ...(request.reason ? { reason: request.reason } : {}),
            metadata: metadataOf(request.metadata),
          },
          requestOptions(request.idempotencyKey, request.accountId),
        );
      } catch (error) {
        const unknown = outcomeUnknown(error);
        if (unknown) return unknown;
        throw error;
      }
      return refundResult(refund);
    },

    async findRefund(lookup: RefundLookup) {
      const refunds = stripe.refunds.list(
        { payment_intent: lookup.paymentIntentId, limit: 100 },
        lookup.accountId ? { stripeAccount: lookup.accountId } : undefined,
      );
      for await (const refund of refunds) {
        if (refund.metadata?.kassa_refund_id === lookup.refundId) return refundResult(refund);
      }
      return undefined;
    },

    async retrieve(paymentIntentId: string, accountId?: string) {
      const intent = await stripe.paymentIntents.retrieve(
        paymentIntentId,
        undefined,
        accountId ? { stripeAccount: accountId } : undefined,
      );
      return { status: intent.status, amount: intent.amount, amountReceived: intent.amount_received };
    },
  };
}

const idOf = (value: string | { id: string } | null | undefined): string | undefined =>
  typeof value === "string" ? value : (value?.id ?? undefined);

function chargeResult(intent: Stripe.PaymentIntent): ChargeResult {
  const charge = typeof intent.latest_charge === "object" ? intent.latest_charge : null;
  const chargeId = typeof intent.latest_charge === "string" ? intent.latest_charge : charge?.id;
  const method = methodDetails(charge, intent.payment_method);
  switch (intent.status) {
    case "succeeded":
    case "processing": {
      const balance =
        charge && typeof charge.balance_transaction === "object" ? charge.balance_transaction : null;
      return {
        status: intent.status === "succeeded" ? "succeeded" : "processing",
        paymentIntentId: intent.id,
        ...(chargeId ? { chargeId } : {}),
        fee: balance?.fee ?? 0,
        method: method ?? { type: "card", brand: "unknown", last4: "" },
      };
    }
    case "requires_action":
      return {
        status: "requires_action",
        paymentIntentId: intent.id,
        message: "The payment needs the customer to authenticate it",
        ...(method ? { method } : {}),
      };
    case "requires_payment_method":
    case "canceled": {
      const failure = intent.last_payment_error;
      return {
        status: "failed",
        paymentIntentId: intent.id,
        declineCode: failure?.decline_code || failure?.code || intent.status,
        message: failure?.message ?? `The payment intent is ${intent.status}`,
        ...(method ? { method } : {}),
      };
    }
    default:
      // Not expected with automatic capture and confirm=true; the webhook decides the outcome.
      return {
        status: "processing",
        paymentIntentId: intent.id,
        fee: 0,
        method: method ?? { type: "card", brand: "unknown", last4: "" },
      };
  }
}

function declined(error: InstanceType<typeof Stripe.errors.StripeCardError>): ChargeResult {
  const raw = error.raw as { payment_intent?: { id?: string } } | undefined;
  const method = methodDetails(null, error.payment_method ?? error.payment_intent?.payment_method ?? null);
  return {
    status: "failed",
    paymentIntentId: error.payment_intent?.id ?? raw?.payment_intent?.id ?? "",
    // The SDK sets `decline_code` to "" when Stripe sends none (e.g. expired_card): fall back to the code.
    declineCode: error.decline_code || error.code || "card_declined",
    message: error.message,
    ...(method ? { method } : {}),
  };
}

function methodDetails(
  charge: Stripe.Charge | null,
  paymentMethod: string | Stripe.PaymentMethod | null | undefined,
): PaymentMethodDetails | undefined {
  const fromCharge = charge?.payment_method_details;
  const fromMethod = typeof paymentMethod === "object" ? paymentMethod : null;
  const card = fromCharge?.card ?? fromMethod?.card;
  if (card) return { type: "card", brand: card.brand ?? "unknown", last4: card.last4 ?? "" };
  const usBank = fromCharge?.us_bank_account ?? fromMethod?.us_bank_account;
  if (usBank) return bankDebit(usBank.bank_name, usBank.last4);
  const sepa = fromCharge?.sepa_debit ?? fromMethod?.sepa_debit;
  if (sepa) return bankDebit(null, sepa.last4);
  return undefined;
}

function bankDebit(
  bankName: string | null | undefined,
  last4: string | null | undefined,
): PaymentMethodDetails {
  return { type: "bank_debit", ...(bankName ? { bankName } : {}), ...(last4 ? { last4 } : {}) };
}

function refundResult(refund: Stripe.Refund): RefundResult {
  return { refundId: refund.id, status: refundStatusOf(refund.status), amount: refund.amount };
}

/**
 * An error after which Stripe may or may not have acted: no answer (timeout, lost connection) or
 * its own failure (5xx). Declines and invalid requests are answers, and stay errors.
 */
function outcomeUnknown(error: unknown): OutcomeUnknown | undefined {
  const ambiguous =
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 0) >= 500);
  return ambiguous ? { status: "unknown", message: (error as Error).message } : undefined;
}

function checkoutStatus(status: Stripe.Checkout.Session.Status | null): CheckoutStatus {
  if (status === "complete") return "complete";
  return status === "expired" ? "expired" : "open";
}

/** Connect onboarding: a merchant gets a standard account and finishes Stripe's hosted onboarding; `account.updated` completes it. */
export function stripeConnect(options: StripeClientOptions) {
  const stripe = createStripeClient(options);
  return {
    /** Creates the merchant's standard account; its id is the `accountId` of every later call. */
    async createConnectedAccount(
      email: string,
      request: { merchantId: string; idempotencyKey: string },
    ): Promise<string> {
      const account = await stripe.accounts.create(
        { type: "standard", email, metadata: { kassa_merchant_id: request.merchantId } },
        { idempotencyKey: request.idempotencyKey },
      );
      return account.id;
    },
    /**
     * A single-use onboarding URL. No caller key: a replayed key would hand back a link that was
     * already used or expired (the SDK still keys each attempt for its own retry).
     */
    async accountLink(accountId: string, refreshUrl: string, returnUrl: string): Promise<string> {
      const link = await stripe.accountLinks.create({
        account: accountId,
        refresh_url: refreshUrl,
        return_url: returnUrl,
        type: "account_onboarding",
      });
      return link.url;
    },
  };
}

/** `http://127.0.0.1:4010` → host, port and protocol for the SDK (a loopback fake in tests and local runs). */
export function stripeEndpoint(apiBase: string): Pick<StripeClientOptions, "host" | "port" | "protocol"> {
  const url = new URL(apiBase);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, protocol, ...(url.port ? { port: Number(url.port) } : {}) };
}

const loaded = new Map<string, Promise<PaymentProcessor>>();

/**
 * The processor with the platform key from `STRIPE_SECRET_KEY` (local) or Secrets Manager (cloud),
 * built once per cold start; `apiBase` points it elsewhere than Stripe's API.
 */
export function loadStripeProcessor(apiBase?: string): Promise<PaymentProcessor> {
  const key = apiBase ?? "";
  let processor = loaded.get(key);
  if (!processor) {
    processor = getSecret("stripeSecretKey").then(
      (secretKey) => stripeProcessor({ secretKey, ...(apiBase ? stripeEndpoint(apiBase) : {}) }),
      (error: unknown) => {
        loaded.delete(key);
        throw error;
      },
    );
    loaded.set(key, processor);
  }
  return processor;
}
