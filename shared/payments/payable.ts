/**
 * The payable seam: what a payment needs of the thing it pays (an invoice today; a checkout session
 * or a quote next). Payments never know what a payable is: they open an attempt on it, hand it each
 * outcome and commit the changes it answers with (opaque) in the same unit of work as the payment's.
 */
import type { DomainEvent } from "../domain/events.ts";
import type { Change } from "../domain/records.ts";
import type { PayableKind, PaymentFor } from "./payment.ts";

/** How an attempt runs: one charge, over with its answer, or the processor's hosted checkout. */
export type AttemptVia = "charge" | "checkout";

export interface AttemptRequest {
  paymentId: string;
  via: AttemptVia;
  /** When the attempt can no longer succeed, so its hold lapses (ISO 8601). */
  until: string;
  now: Date;
}

/** An attempt opened on a payable: what it owes now, and the change that holds it for the payment. */
export interface Opening {
  amount: number;
  currency: string;
  customerId: string;
  /** For the processor's hosted checkout. */
  customerEmail: string;
  /** The processor's description of the charge, e.g. "Invoice ACME-0001". */
  description: string;
  /** The attempt's number on the payable: it keys the processor's idempotency. */
  attempt: number;
  /**
   * The buyer's method is kept for later off-session charges (an invoice of a subscription): the
   * processor's checkout saves it on the customer's twin, and its success attaches it.
   */
  saveMethod?: boolean;
  /**
   * The payment of an earlier attempt whose hold lapsed without an outcome (this attempt's hold
   * replaces it): the processor is asked about it before this attempt charges.
   */
  lapsed?: string;
  /** Holds the payable for this payment: committed with the new payment, so two attempts cannot both start. */
  hold: Change;
  /** The payable as held, for its caller's response. */
  held: unknown;
}

/** What an outcome of one of its payments does to the payable. */
export interface OutcomeOfPayment {
  paymentId: string;
  status: "succeeded" | "processing" | "failed";
  /** A checkout session is over (expired, or its bank debit failed): see `lockAfterOutcome`. */
  sessionOver: boolean;
  /** The outcome moves the payment; otherwise (a duplicate, a stale report) it may only end its hold. */
  moves: boolean;
  /** How much of the payment the payable takes (a success's, at most `owed`). */
  taken: number;
  livemode: boolean;
  now: Date;
}

/** The payable as an outcome finds it (one read), and what the outcome changes of it. */
export interface Settling {
  /** What it still takes of a payment: nothing once it is paid or void. The rest is refunded. */
  owed: number;
  /** Where the buyer pays it, for the payment.failed event. */
  hostedUrl?: string;
  /** Its changes and events for the outcome (none: the outcome changes nothing of it); `after` as changed. */
  settle(outcome: OutcomeOfPayment): { changes: Change[]; events: DomainEvent[]; after?: unknown };
}

export interface Payable {
  /** Opens an attempt; refuses (409) when it cannot be paid now or another attempt holds it. */
  open(merchantId: string, id: string, request: AttemptRequest): Promise<Opening>;
  /** The payable as an outcome of `paymentId` finds it; undefined when it no longer exists. */
  atOutcome(merchantId: string, id: string, paymentId: string): Promise<Settling | undefined>;
  /**
   * Records the checkout session on the attempt's hold, before the buyer has its URL, so the cancel
   * return finds it; refuses (409) when the payment no longer holds the payable.
   */
  recordCheckoutSession(merchantId: string, id: string, paymentId: string, sessionId: string): Promise<void>;
  /** The checkout session of the attempt of `paymentId`, while it still holds the payable. */
  checkoutSessionOf(merchantId: string, id: string, paymentId: string): Promise<string | undefined>;
}

/** The payables by kind: each capability registers its own. */
export type Payables = Partial<Record<PayableKind, Payable>>;

export function payableFor(payables: Payables, paid: PaymentFor): Payable {
  const payable = payables[paid.kind];
  // A wiring mistake, not a request's: a payment of this kind exists but nothing settles it.
  if (!payable) throw new Error(`No payable is registered for ${paid.kind}`);
  return payable;
}
