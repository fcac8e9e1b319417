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
  status: "pending" | "succeeded" | "failed";
  processorRefundId?: string;
  createdAt: string;
  updatedAt: string;
}
