/**
 * What the payment and refund lists may be narrowed to (all given conditions hold). Saved payment
 * views store a `PaymentFilter`. Creation times are ISO; only the store turns a filter into conditions.
 */
import type { PaymentStatus } from "./payment.ts";

export interface PaymentFilter {
  status?: PaymentStatus | undefined;
  customerId?: string | undefined;
  invoiceId?: string | undefined;
  /** Amount bounds in minor units, inclusive. */
  amountGte?: number | undefined;
  amountLte?: number | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
}

export interface RefundFilter {
  paymentId?: string | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
}
