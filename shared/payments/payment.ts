import type { PaymentProcessor } from "./processor.ts";

/**
 * A payment: money received for a document, through a processor or recorded by hand. Its history is
 * a timeline of status changes.
 */
export type PaymentStatus =
  | "processing"
  | "succeeded"
  | "failed"
  | "partially_refunded"
  | "refunded"
  | "disputed";

export type PaymentMethod =
  | { type: "bank_transfer" | "cash" | "check" | "other"; reference?: string }
  | { type: "card"; brand: string; last4: string }
  | { type: "bank_debit"; bankName?: string; last4?: string };

export interface Payment {
  id: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  /** The processor's fee, in minor units; 0 for manual payments. */
  fee: number;
  net: number;
  processor: "manual" | "sandbox" | "stripe";
  /** Real money: false for the sandbox (and for records written before Kassa recorded it). */
  livemode: boolean;
  method: PaymentMethod;
  customerId: string;
  invoiceId?: string;
  /** Refunded so far (including refunds in flight), minor units. */
  amountRefunded: number;
  /** The processor's payment intent (`pi_…`). */
  processorPaymentId?: string;
  /** Why it failed: the processor's decline code and message. */
  failure?: { declineCode: string; message: string };
  /** Set while a dispute is open or after it was lost. */
  dispute?: { id: string; status: string; amount: number; reason?: string };
  paidAt?: string;
  history: { status: PaymentStatus; at: string; note?: string }[];
  createdAt: string;
  updatedAt: string;
}

/** A payment recorded by hand against an invoice (bank transfer, cash, check…), in the merchant's mode. */
export function manualPayment(
  id: string,
  invoice: { id: string; currency: string; customerId: string },
  input: { amount: number; method: "bank_transfer" | "cash" | "check" | "other"; reference?: string },
  paidAt: string,
  now: Date,
  livemode: boolean,
): Payment {
  const at = now.toISOString();
  return {
    id,
    status: "succeeded",
    amount: input.amount,
    currency: invoice.currency,
    fee: 0,
    net: input.amount,
    processor: "manual",
    livemode,
    method: { type: input.method, ...(input.reference ? { reference: input.reference } : {}) },
    customerId: invoice.customerId,
    invoiceId: invoice.id,
    amountRefunded: 0,
    paidAt,
    history: [{ status: "succeeded", at, note: `Recorded manually (${input.method.replace("_", " ")})` }],
    createdAt: at,
    updatedAt: at,
  };
}

/** What a processor attempt on an invoice starts as: processing, until the outcome arrives. */
export function processorPayment(
  id: string,
  invoice: { id: string; currency: string; customerId: string; amountRemaining: number },
  processor: Pick<PaymentProcessor, "name" | "livemode">,
  now: Date,
): Payment {
  const at = now.toISOString();
  return {
    id,
    status: "processing",
    amount: invoice.amountRemaining,
    currency: invoice.currency,
    fee: 0,
    net: 0,
    processor: processor.name,
    livemode: processor.livemode,
    method: { type: "card", brand: "unknown", last4: "????" },
    customerId: invoice.customerId,
    invoiceId: invoice.id,
    amountRefunded: 0,
    history: [{ status: "processing", at, note: `Sent to the ${processor.name} processor` }],
    createdAt: at,
    updatedAt: at,
  };
}

/** Which status changes an incoming outcome may make: outcomes can arrive twice and out of order. */
const next: Record<PaymentStatus, readonly PaymentStatus[]> = {
  processing: ["succeeded", "failed"],
  failed: ["succeeded", "processing"],
  succeeded: ["partially_refunded", "refunded", "disputed"],
  partially_refunded: ["refunded", "disputed", "partially_refunded"],
  refunded: [],
  disputed: ["succeeded", "partially_refunded", "refunded"],
};

export const canMove = (from: PaymentStatus, to: PaymentStatus): boolean => next[from].includes(to);

/** The status after refunds totalling `refunded` of `amount`. */
export const refundedStatus = (amount: number, refunded: number): PaymentStatus =>
  refunded >= amount ? "refunded" : refunded > 0 ? "partially_refunded" : "succeeded";
