/** A merchant's product: something it sells, with one price (one-time or recurring). */
import type { CurrencyCode } from "../domain/currency.ts";

export type Interval = "month" | "quarter" | "half_year" | "year";

/** How often, in the words pages and mail use. */
export const intervalWords: Record<Interval, { adverb: string; per: string; period: string }> = {
  month: { adverb: "monthly", per: "per month", period: "month" },
  quarter: { adverb: "quarterly", per: "per quarter", period: "quarter" },
  half_year: { adverb: "half-yearly", per: "per half-year", period: "half-year" },
  year: { adverb: "yearly", per: "per year", period: "year" },
};

export interface Product {
  id: string;
  name: string;
  description?: string;
  /** In the minor unit of `currency` (DESIGN §5). */
  unitAmount: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** Present for a subscription price; absent for a one-time price. */
  recurring?: { interval: Interval };
  /** Archived products (false) stay readable but are not offered for new documents. */
  active: boolean;
  metadata: Record<string, string>;
  /**
   * Internal, never shown by the API: set when the first invoice or quote whose line uses the product
   * is finalized, just before that document's transaction (a conditional update that also bumps the
   * product's version, once). From then on the product cannot be deleted (only archived) and its
   * `unitAmount` and `currency` are frozen. A finalize that fails after marking leaves it marked: a
   * stricter product, never a looser one.
   */
  referenced?: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A new product as a request gives it (`active` defaults to true before it gets here). */
export interface NewProduct {
  name: string;
  description?: string;
  unitAmount: number;
  currency: CurrencyCode;
  recurring?: { interval: Interval };
  active: boolean;
  metadata?: Record<string, string>;
}

/** A change to a product: fields given are set, null clears; metadata keys set to null are removed. */
export interface ProductPatch {
  name?: string;
  description?: string | null;
  unitAmount?: number;
  currency?: CurrencyCode;
  /** null makes the price one-time. */
  recurring?: { interval: Interval } | null;
  active?: boolean;
  metadata?: Record<string, string | null>;
}
