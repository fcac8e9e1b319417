/** A merchant's customer: the buyer invoices, quotes and subscriptions are addressed to. */
export interface Address {
  line1: string;
  line2?: string;
  city: string;
  state?: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface TaxId {
  /** e.g. `eu_vat`, `gb_vat`, `us_ein`. */
  type: string;
  value: string;
}

/** The team member responsible for a customer's account: `account_owner` workflow emails go there. */
export interface AccountOwner {
  name: string;
  /** Stored lower case. */
  email: string;
}

export interface Customer {
  id: string;
  /** Unique per merchant, stored lower case. */
  email: string;
  name?: string;
  companyName?: string;
  phone?: string;
  address?: Address;
  taxIds: TaxId[];
  metadata: Record<string, string>;
  /** The test clock the customer lives on (test mode), fixed at creation. */
  testClockId?: string;
  /** The saved payment method charged when nothing else is named: the first attached, until changed. */
  defaultPaymentMethodId?: string;
  /** The customer's twin at the processor (Stripe's `cus_…` on the merchant's account), made on first attach. */
  processorCustomerId?: string;
  /**
   * Deletion guards, kept by the documents that reference the customer: an invoice's finalize adds
   * to `openInvoiceCount` (and bumps the customer's version) in its own transaction, its payment or
   * voiding subtracts; subscriptions do the same with `activeSubscriptionCount`.
   */
  openInvoiceCount?: number;
  activeSubscriptionCount?: number;
  /**
   * Credit the customer holds per currency (ISO code → minor units, positive = owed to the customer),
   * from subscription changes (issue 12 §2); applied at finalize to their next invoices in that currency.
   */
  balance?: Record<string, number>;
  accountOwner?: AccountOwner;
  /** BCP 47 locale the buyer reads their documents and emails in (absent: the merchant's). */
  locale?: string;
  /**
   * When the buyer unsubscribed from workflow emails (their unsubscribe page or one-click header);
   * receipts and other transactional mail still go. Read-only: only the buyer sets it.
   */
  unsubscribedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** A new customer as a request gives it. */
export interface NewCustomer {
  email: string;
  name?: string;
  companyName?: string;
  phone?: string;
  address?: Address;
  taxIds?: TaxId[];
  metadata?: Record<string, string>;
  testClockId?: string;
  accountOwner?: AccountOwner;
  locale?: string;
}

/** A change to a customer: fields given are set, null clears; metadata keys set to null are removed. */
export interface CustomerPatch {
  email?: string;
  name?: string | null;
  companyName?: string | null;
  phone?: string | null;
  address?: Address | null;
  taxIds?: TaxId[];
  metadata?: Record<string, string | null>;
  /** One of the customer's saved payment methods; null clears it. */
  defaultPaymentMethodId?: string | null;
  /** null clears it. */
  accountOwner?: AccountOwner | null;
  /** null: the merchant's locale again. */
  locale?: string | null;
}
