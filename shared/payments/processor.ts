/**
 * The payment processor port. Two adapters implement it: the sandbox (test mode, no network) and
 * Stripe (each merchant's connected account). Both report outcomes as Stripe-shaped events on the
 * `stripe-events` queue, so one consumer serves both; the synchronous answers below let the API
 * answer the caller at once (e.g. 402 on a decline) without waiting for that consumer.
 */

/** Kassa's ids travel with every processor object, so events can be matched back without lookups by processor id. */
export interface KassaRefs {
  kassa_merchant_id: string;
  kassa_payment_id: string;
  kassa_invoice_id?: string;
}

export interface CheckoutRequest {
  /** The merchant's connected Stripe account (`acct_…`); absent in the sandbox. */
  accountId?: string;
  amount: number;
  currency: string;
  description: string;
  customerEmail: string;
  /** Keep the payment method for later off-session charges (subscriptions, installments). */
  savePaymentMethod: boolean;
  /**
   * The buyer's twin at the processor (`ensureProcessorCustomer`) when the method is kept: the method
   * is saved on it, so Kassa can attach it to the customer once the payment succeeds.
   */
  processorCustomerId?: string;
  successUrl: string;
  cancelUrl: string;
  /**
   * When the session closes (ISO 8601; Stripe accepts 30 min to 24 h ahead). After it nothing can be
   * paid through the session, which is what lets the invoice's lock lapse.
   */
  expiresAt: string;
  metadata: KassaRefs;
  idempotencyKey: string;
}

export interface ExpireCheckoutRequest {
  accountId?: string;
  sessionId: string;
  /** The session's amount, currency and refs (the stateless sandbox reports them in its event). */
  amount: number;
  currency: string;
  metadata: KassaRefs;
}

/** A Checkout session's state: `complete` once paid (or a bank debit submitted), `expired` once it can never be. */
export type CheckoutStatus = "open" | "complete" | "expired";

export interface CheckoutSession {
  id: string;
  /** Where to send the buyer. */
  url: string;
}

export interface ChargeRequest {
  accountId?: string;
  amount: number;
  currency: string;
  /** A payment method id or, in the sandbox, a test token (`pm_card_visa`) or card number. */
  paymentMethod: string;
  /** The processor's customer, when the method is saved on one. */
  processorCustomerId?: string;
  description: string;
  metadata: KassaRefs;
  /** Derived from the document and attempt number, so a retried request charges once. */
  idempotencyKey: string;
  /** The buyer is not present (subscriptions, installments). */
  offSession: boolean;
}

export type PaymentMethodDetails =
  | { type: "card"; brand: string; last4: string }
  | { type: "bank_debit"; bankName?: string; last4?: string };

/**
 * The processor did not answer (timeout, lost connection, 5xx): the request may or may not have
 * taken effect. Never a decline — the caller keeps the money movement pending and reconciles it
 * (the processor's events, or a later look-up) instead of releasing it or trying anew.
 */
export interface OutcomeUnknown {
  status: "unknown";
  message: string;
}

export type ChargeResult =
  | {
      status: "succeeded" | "processing";
      paymentIntentId: string;
      chargeId?: string;
      fee: number;
      method: PaymentMethodDetails;
    }
  | {
      status: "failed";
      paymentIntentId: string;
      declineCode: string;
      message: string;
      method?: PaymentMethodDetails;
    }
  | { status: "requires_action"; paymentIntentId: string; message: string; method?: PaymentMethodDetails };

export interface RefundRequest {
  accountId?: string;
  paymentIntentId: string;
  amount: number;
  reason?: "duplicate" | "fraudulent" | "requested_by_customer";
  /** Refunded before this refund (the sandbox reports the cumulative amount in its event). */
  previouslyRefunded?: number;
  metadata: KassaRefs & { kassa_refund_id: string };
  idempotencyKey: string;
}

export interface RefundResult {
  refundId: string;
  status: "succeeded" | "pending" | "failed";
  amount: number;
}

export interface RefundLookup {
  accountId?: string;
  paymentIntentId: string;
  /** Kassa's refund id, as sent in the refund's `metadata.kassa_refund_id`. */
  refundId: string;
}

/** Kassa's customer, as its twin at the processor is made from it. */
export interface ProcessorCustomerRequest {
  /** The merchant's connected Stripe account (`acct_…`). */
  accountId?: string;
  /** The twin it already has, if any: then nothing is made. */
  processorCustomerId?: string;
  customer: { kassaCustomerId: string; merchantId: string; email: string; name?: string };
}

/** A Checkout session that only saves a payment method on the customer's twin (Stripe's setup mode). */
export interface SetupCheckoutRequest {
  accountId?: string;
  processorCustomerId: string;
  successUrl: string;
  cancelUrl: string;
  /** When the session closes (ISO 8601; Stripe accepts 30 min to 24 h ahead). */
  expiresAt: string;
  /** The customer whose card it saves: the completed session's event names it. */
  metadata: { kassa_merchant_id: string; kassa_customer_id: string };
  idempotencyKey: string;
}

export interface AttachPaymentMethodRequest {
  /** The merchant's connected Stripe account (`acct_…`); absent in the sandbox. */
  accountId?: string;
  /** The processor's token of the method (`pm_card_visa`, a Stripe `pm_…`, a sandbox card number). */
  paymentMethod: string;
  /** The customer's twin at the processor, if it has one; otherwise the processor makes one. */
  processorCustomerId?: string;
  customer: { kassaCustomerId: string; merchantId: string; email: string; name?: string };
}

export type AttachPaymentMethodResult =
  | {
      status: "attached";
      processorId: string;
      /** The processor's customer the method now belongs to (absent in the stateless sandbox). */
      processorCustomerId?: string;
      type: "card" | "us_bank_account";
      card?: { brand: string; last4: string; expMonth: number; expYear: number };
    }
  /** No such method: a 400 naming the field. */
  | { status: "invalid"; message: string }
  /** The issuer refused the card's verification at attach, as Stripe does for its declining test cards. */
  | { status: "declined"; declineCode: string; message: string };

export interface PaymentProcessor {
  readonly name: "sandbox" | "stripe";
  /** Whether its money is real: never for the sandbox; for Stripe, whether the platform key is live. */
  readonly livemode: boolean;
  createCheckout(request: CheckoutRequest): Promise<CheckoutSession>;
  /** Closes an open Checkout session; answers the session's state after the attempt (only `expired` is final and unpaid). */
  expireCheckout(request: ExpireCheckoutRequest): Promise<CheckoutStatus>;
  /** A decline is an answer; other refusals throw; an answer that never arrived is `unknown`. */
  charge(request: ChargeRequest): Promise<ChargeResult | OutcomeUnknown>;
  /**
   * The charge's payment method as a payment may keep it, to ask again with the same request (an
   * attempt whose answer was never recorded): the processor answers it as it answered the method.
   * Never a raw card number: the sandbox keeps its test token.
   */
  keptMethod(paymentMethod: string): string;
  /** Refusals throw; an answer that never arrived is `unknown`. */
  refund(request: RefundRequest): Promise<RefundResult | OutcomeUnknown>;
  /**
   * The refund Kassa asked for, found among the payment's refunds by its metadata; `undefined` if the
   * processor has none. Idempotency keys are forgotten after a day, so a late retry looks first.
   */
  findRefund(lookup: RefundLookup): Promise<RefundResult | undefined>;
  /** Saves a payment method on the customer's twin at the processor, for later off-session charges. */
  attachPaymentMethod(request: AttachPaymentMethodRequest): Promise<AttachPaymentMethodResult>;
  /**
   * A processor with hosted checkout (Stripe; not the stateless sandbox, whose card page saves a
   * card by attaching it): the customer's twin, made once, keyed by Kassa's customer.
   */
  ensureProcessorCustomer?(request: ProcessorCustomerRequest): Promise<string>;
  /** Opens a Checkout session in setup mode: the buyer saves a card without paying. */
  createSetupCheckout?(request: SetupCheckoutRequest): Promise<CheckoutSession>;
  /** The payment method a completed SetupIntent saved, if any. */
  setupIntentPaymentMethod?(setupIntentId: string, accountId?: string): Promise<string | undefined>;
  /** Forgets a saved method at the processor; one it no longer knows is already detached. */
  detachPaymentMethod(request: { accountId?: string; processorId: string }): Promise<void>;
  /** The current state of a payment at the processor (to reconcile after a timeout). */
  retrieve(
    paymentIntentId: string,
    accountId?: string,
  ): Promise<{ status: string; amount: number; amountReceived: number }>;
}
