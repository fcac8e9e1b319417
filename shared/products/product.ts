/** A merchant's product: something it sells, with one price (one-time or recurring). */
export type Interval = "month" | "quarter" | "half_year" | "year";

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
