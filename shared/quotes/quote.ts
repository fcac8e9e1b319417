/**
 * The quote as the API, the PDF and the events show it: an invoice's priced content (the same money
 * engine, the same totals fields) plus what a quote adds — its offer's terms, who signs, how it is
 * paid, when it expires — and its lifecycle (`shared/domain/quote-lifecycle.ts`).
 */
import type { QuoteStatus } from "../domain/quote-lifecycle.ts";
import type { CurrencyCode } from "../domain/currency.ts";
import type { ContentRequest, PricedContent } from "../invoices/build.ts";
import type { BilledCustomer } from "../invoices/invoice.ts";
import type { Interval } from "../products/product.ts";
import type { StoredQuote } from "./ports.ts";
import type { FrozenQuoteTemplate } from "./template.ts";

export type { QuoteStatus };

export interface Countersigner {
  name: string;
  email: string;
}

/** One installment as the request gives it: a share of the one-time total, due days after acceptance. */
export type InstallmentRequest =
  | { percent: number; dueAfterDays: number }
  | { amount: number; dueAfterDays: number };

/** A payment plan's state after acceptance (shared/quotes/installments.ts). */
export type PlanStatus = "pending" | "active" | "past_due" | "paid";
export type InstallmentStatus = "upcoming" | "open" | "paid" | "past_due";

/** One installment's state after acceptance. */
export interface InstallmentProgress {
  invoiceId?: string;
  /** YYYY-MM-DD: the acceptance's local day (merchant's time zone) + dueAfterDays. */
  dueDate?: string;
  status?: InstallmentStatus;
}

/** What acceptance adds to a plan: its status and each installment's (the API shows them in `paymentPlan`). */
export interface PlanProgress {
  status: PlanStatus;
  installments: InstallmentProgress[];
}

/** The payment plan as given (its amounts are worked out by the plan module: shared/quotes/plan.ts). */
export interface PaymentPlanRequest {
  installments: InstallmentRequest[];
  collection: "charge_automatically" | "send_invoice";
}

/** An acceptance made outside Kassa (on paper), recorded by the merchant. */
export interface OfflineAcceptance {
  name: string;
  email?: string;
  acceptedAt: string;
  /** Recorded through the API (the merchant's word), not signed on the page. */
  method: "offline";
  recordedAt: string;
}

/**
 * A signature (or, without `requireSignature`, an acceptance) given on the quote's page: a simple
 * electronic signature, with what identifies the signer and the SHA-256 of the PDF they were shown.
 */
export interface QuoteSignature {
  name: string;
  email: string;
  role: "buyer" | "countersigner";
  signedAt: string;
  ip: string;
  userAgent: string;
  /** The `contentHash` of the quote the page showed: it must be the quote's own. */
  contentHash: string;
}

interface QuoteTerms {
  title?: string;
  terms?: string;
  comments?: string;
  requireSignature: boolean;
  countersigners: Countersigner[];
  collectPayment: boolean;
  paymentPlan?: PaymentPlanRequest;
  /** A calendar date (YYYY-MM-DD): when the recurring lines' subscription starts. */
  subscriptionStartDate?: string;
  /** The quote template (`qtpl_…`) it is published with; the merchant's default when not given. */
  templateId?: string;
}

/** The priced content: the same fields, from the same money engine, as an invoice's. */
type PricedFields = PricedContent["content"];

export interface Quote extends PricedFields, QuoteTerms {
  id: string;
  status: QuoteStatus;
  /** Set at publish: `Q-0001`, a revision `Q-0001-2`. */
  number?: string;
  customer: BilledCustomer;
  /** The recurring lines' one billing interval, when the quote has recurring lines. */
  recurringInterval?: Interval;
  /** The one-time lines' and fees' total, taxes and discounts included: what a payment plan splits. */
  upfrontTotal: number;
  /** The recurring lines' total for one period, as quoted. */
  recurringTotal: number;
  expiresAt: string;
  /** The open quote this draft revises (it is superseded when this one is published). */
  revisionOf?: string;
  /** The quote that superseded this one. */
  supersededBy?: string;
  /** SHA-256 (hex) of the PDF rendered at publish: exactly the bytes `GET …/pdf` returns. */
  contentHash?: string;
  hostedUrl?: string;
  /** The template as it was at publish: what the page and the PDF follow, whatever became of it since. */
  template?: FrozenQuoteTemplate;
  publishedAt?: string;
  acceptedAt?: string;
  acceptance?: OfflineAcceptance;
  /** The acceptance's first invoice: installment 1 of the plan, else the one-time amount. */
  invoiceId?: string;
  /** Given on the buyer's page (`/q/{token}`), the buyer's first, then the countersigners'. */
  signatures?: QuoteSignature[];
  declinedAt?: string;
  declineReason?: string;
  canceledAt?: string;
  expiredAt?: string;
  testClockId?: string;
  /** The subscription its recurring lines started, once accepted. */
  subscriptionId?: string;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface NewQuote extends Omit<ContentRequest, "currency">, Partial<QuoteTerms> {
  currency: CurrencyCode;
  expiresAt?: string;
  metadata?: Record<string, string>;
}

/** A change to a draft: content given is re-priced; null clears a term; metadata keys set to null are removed. */
export interface QuotePatch extends Partial<Omit<ContentRequest, "currency">> {
  currency?: CurrencyCode;
  title?: string | null;
  terms?: string | null;
  comments?: string | null;
  requireSignature?: boolean;
  countersigners?: Countersigner[];
  collectPayment?: boolean;
  paymentPlan?: PaymentPlanRequest | null;
  subscriptionStartDate?: string | null;
  /** null: the merchant's default template at publish. */
  templateId?: string | null;
  expiresAt?: string;
  metadata?: Record<string, string | null>;
}

/** The quote list's filters; saved views store the same object. */
export interface QuoteFilter {
  status?: QuoteStatus | undefined;
  /** The quote's number, exactly (numbers are upper case: `Q-0007-2`). */
  number?: string | undefined;
  customerId?: string | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
}

/** The quote as the API and its events show it: the store's bookkeeping dropped. */
export function presentQuote(quote: StoredQuote): Quote {
  const {
    hostedToken: _,
    sequence: __,
    revision: ___,
    countersignerTokens: ____,
    plannedPayments,
    recurringLines: _______,
    discountsRedeemedAt: _____,
    planProgress,
    paymentMethodId: ______,
    ...shown
  } = quote;
  if (!shown.paymentPlan || !plannedPayments) return shown;
  // Each installment as requested, with its amount and tax share worked out (plan.ts), and after
  // acceptance its invoice, due date and status.
  const installments = shown.paymentPlan.installments.map((installment, i) => ({
    ...installment,
    amount: plannedPayments.installments[i]?.amount ?? 0,
    tax: plannedPayments.installments[i]?.tax ?? 0,
    ...planProgress?.installments[i],
  }));
  return {
    ...shown,
    paymentPlan: {
      ...shown.paymentPlan,
      installments,
      ...(planProgress ? { status: planProgress.status } : {}),
    },
  };
}
