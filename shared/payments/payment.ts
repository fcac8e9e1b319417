/**
 * A payment: money received for a document, through a processor or recorded by hand. Its history is
 * a timeline of status changes.
 */
export type PaymentStatus = "processing" | "succeeded" | "failed" | "partially_refunded" | "refunded" | "disputed";

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
  method: PaymentMethod;
  customerId: string;
  invoiceId?: string;
  paidAt?: string;
  history: { status: PaymentStatus; at: string; note?: string }[];
  createdAt: string;
  updatedAt: string;
}

/** A payment recorded by hand against an invoice (bank transfer, cash, check…). */
export function manualPayment(
  id: string,
  invoice: { id: string; currency: string; customerId: string },
  input: { amount: number; method: "bank_transfer" | "cash" | "check" | "other"; reference?: string },
  paidAt: string,
  now: Date,
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
    method: { type: input.method, ...(input.reference ? { reference: input.reference } : {}) },
    customerId: invoice.customerId,
    invoiceId: invoice.id,
    paidAt,
    history: [{ status: "succeeded", at, note: `Recorded manually (${input.method.replace("_", " ")})` }],
    createdAt: at,
    updatedAt: at,
  };
}
