/** A payment method saved on a customer, charged later without the buyer present (subscriptions). */
export type PaymentMethodType = "card" | "us_bank_account";

export interface CardSummary {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

export interface PaymentMethod {
  /** Kassa's own id (`pm_<ULID>`), never the processor's token. */
  id: string;
  customerId: string;
  type: PaymentMethodType;
  card?: CardSummary;
  /** The processor's id of the method (a sandbox test token, or Stripe's `pm_…`): what a charge names. */
  processorId: string;
  createdAt: string;
}

/** The method as the API shows it: the processor's token stays inside Kassa. */
export function presentPaymentMethod({ id, type, card, createdAt }: PaymentMethod) {
  return { id, type, ...(card ? { card } : {}), createdAt };
}
