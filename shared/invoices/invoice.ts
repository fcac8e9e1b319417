/**
 * The invoice as the API, the PDF, the hosted page and the emails show it. Amounts are integers in
 * the currency's minor unit; totals come from the money engine (`shared/domain/totals.ts`).
 */
import type { Address } from "../customers/customer.ts";
import type { CurrencyCode } from "../domain/currency.ts";
import type { InvoiceStatus } from "../domain/invoice-lifecycle.ts";
import type { TaxBreakdownEntry } from "../domain/totals.ts";
import type { PaymentTermsCode } from "../merchants/merchant.ts";
import type { ContentRequest } from "./build.ts";

/** The state machine owns the statuses (`shared/domain/invoice-lifecycle.ts`). */
export type { InvoiceStatus };

export type LineDiscount = { percentOff: number } | { amountOff: number };

export interface InvoiceLine {
  description: string;
  /** > 0, at most 4 decimals. */
  quantity: number;
  unitAmount: number;
  productId?: string;
  discount?: LineDiscount;
  taxRateIds: string[];
  amountSubtotal: number;
  /** The line's own discount plus its share of the document discounts. */
  amountDiscount: number;
  amountTax: number;
  /** amountSubtotal − amountDiscount + exclusive tax. */
  amountTotal: number;
  /** A subscription invoice's line: the period it bills (ISO instants). */
  period?: { start: string; end: string };
  /** A subscription change's proration (credit when negative): the only kind of line that may be negative. */
  proration?: true;
}

export interface InvoiceDiscount {
  percentOff?: number;
  amountOff?: number;
  /** The discount code it came from, when it did. */
  code?: string;
  /** What it took off, in minor units. */
  amount: number;
}

export interface InvoiceFee {
  description: string;
  /** Fixed amount, or… */
  amount?: number;
  /** …a percentage of the discounted subtotal. */
  percent?: number;
  taxable: boolean;
  amountTotal: number;
}

/** One tax rate's share of the document, as the money engine computes it. */
export type TaxBreakdownLine = TaxBreakdownEntry;

/** The customer as billed: copied onto the invoice so later edits of the customer don't change it. */
export interface BilledCustomer {
  id: string;
  email: string;
  name?: string;
  companyName?: string;
  address?: Address;
  /** The customer's locale when the document was built (absent: the merchant's): what the buyer reads it in. */
  locale?: string;
}

/** An invoice's number: the merchant's prefix and its place in the merchant's gapless count, `INV-0042`. */
export const invoiceNumber = (prefix: string, sequence: number): string =>
  `${prefix}-${String(sequence).padStart(4, "0")}`;

export interface Invoice {
  id: string;
  status: InvoiceStatus;
  /** `{prefix}-0001`, gapless per merchant, assigned at finalize. */
  number?: string;
  customerId: string;
  customer: BilledCustomer;
  currency: string;
  lineItems: InvoiceLine[];
  discounts: InvoiceDiscount[];
  fees: InvoiceFee[];
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  taxBreakdown: TaxBreakdownLine[];
  feeTotal: number;
  /** Never negative: lines summing below zero total 0, the rest credited to the customer (`creditedToBalance`). */
  total: number;
  /**
   * The customer's credit balance applied at finalize (issue 12 §2), never taxed: 0 on drafts and
   * when the customer has none in the invoice's currency. (These three are absent on records written
   * before them; the API always shows them: 0, total, 0.)
   */
  appliedBalance?: number;
  /** total − appliedBalance: what the buyer owes (payments reduce `amountRemaining`, not this). */
  amountDue?: number;
  /** What the lines summed below zero, credited to the customer's balance at finalize (0 usually). */
  creditedToBalance?: number;
  amountPaid: number;
  /** amountDue − amountPaid. */
  amountRemaining: number;
  paymentTerms?: PaymentTermsCode;
  /** Calendar date (YYYY-MM-DD) in the merchant's time zone. */
  dueDate?: string;
  issuedAt?: string;
  sentAt?: string;
  paidAt?: string;
  voidedAt?: string;
  markedUncollectibleAt?: string;
  /** What remained when it was marked uncollectible: the ledger's bad debt, recovered if it is paid after all. */
  amountWrittenOff?: number;
  /** The public page for the buyer; unguessable. */
  hostedUrl?: string;
  memo?: string;
  footer?: string;
  metadata: Record<string, string>;
  /** A subscription's invoice: the subscription and the period it bills (ISO instants). */
  subscriptionId?: string;
  /** Why a subscription's invoice exists: a period (`subscription_cycle`) or a change invoiced at once. */
  billingReason?: "subscription_cycle" | "subscription_update";
  periodStart?: string;
  periodEnd?: string;
  /** The customer's test clock (test mode), copied when the invoice is created. */
  testClockId?: string;
  /** An accepted quote's invoice: the quote it bills (its one-time amount, or one installment of its plan). */
  quoteId?: string;
  /** One installment of a quote's payment plan: its position and the plan's count. */
  installment?: { number: number; of: number };
  createdAt: string;
  updatedAt: string;
}

/**
 * What the invoice list may be narrowed to (all given conditions hold); saved invoice views store
 * one. `overdue` is derived: open and past its overdue time at the moment of listing. Dates are
 * YYYY-MM-DD, creation times ISO, totals in minor units (bounds inclusive).
 */
export interface InvoiceFilter {
  status?: InvoiceStatus | "overdue" | undefined;
  /** The invoice's number, exactly (numbers are upper case: `INV-0042`). */
  number?: string | undefined;
  customerId?: string | undefined;
  /** The invoices billing the periods of one subscription. */
  subscriptionId?: string | undefined;
  currency?: CurrencyCode | undefined;
  dueBefore?: string | undefined;
  dueAfter?: string | undefined;
  totalGte?: number | undefined;
  totalLte?: number | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
}

/** The invoice list's orders: newest first, or earliest due first (finalized invoices only). */
export type InvoiceSort = "createdAt" | "dueDate";

/** Terms a draft's request may set beside its content. */
interface DraftTerms {
  paymentTerms?: PaymentTermsCode;
  /** YYYY-MM-DD; instead of `paymentTerms`. */
  dueDate?: string;
  memo?: string;
  footer?: string;
  metadata?: Record<string, string>;
}

/** A new draft invoice as a request gives it: its content (priced against the catalog) and its terms. */
export interface NewInvoice extends Omit<ContentRequest, "currency">, DraftTerms {
  currency: CurrencyCode;
}

/** A change to a draft: content given is re-priced; null clears a term; metadata keys set to null are removed. */
export interface InvoicePatch extends Partial<Omit<ContentRequest, "currency">> {
  currency?: CurrencyCode;
  paymentTerms?: PaymentTermsCode | null;
  dueDate?: string | null;
  memo?: string | null;
  footer?: string | null;
  metadata?: Record<string, string | null>;
}
