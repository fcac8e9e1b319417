/** A refund of (part of) a payment, through the processor that took it. */
export interface Refund {
  id: string;
  paymentId: string;
  invoiceId?: string;
  customerId: string;
  amount: number;
  currency: string;
  /** The refunded payment's: real money or not. */
  livemode: boolean;
  reason?: "duplicate" | "fraudulent" | "requested_by_customer";
  /**
   * `pending` until the processor settles it (its answer, its events or a later check); `failed` is
   * final, and a `succeeded` refund can still fail later (the money comes back).
   */
  status: "pending" | "succeeded" | "failed";
  processorRefundId?: string;
  /** Checks of a pending refund at the processor so far (each is claimed by a conditional write). */
  checks?: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * A processor refund status (Stripe's: `pending`, `requires_action`, `succeeded`, `failed`,
 * `canceled`) as Kassa's: only a refund the processor settled either way leaves `pending`.
 */
export function refundStatusOf(status: string | null | undefined): Refund["status"] {
  if (status === "succeeded") return "succeeded";
  if (status === "failed" || status === "canceled") return "failed";
  return "pending";
}
