/** A merchant's tax rate: the percentage invoice and quote lines are taxed at (DESIGN §5). */
export interface TaxRate {
  id: string;
  name: string;
  /** 0–100 with at most 4 decimals. Immutable: documents that used the rate must keep meaning the same. */
  percentage: number;
  /** true: extracted from the line's gross amount; false: added on top. Immutable. */
  inclusive: boolean;
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  /** A state, province or other region within the country. */
  region?: string;
  description?: string;
  /** Archived rates (false) stay readable but are not offered for new documents. */
  active: boolean;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** A new tax rate as a request gives it (`active` defaults to true before it gets here). */
export interface NewTaxRate {
  name: string;
  percentage: number;
  inclusive: boolean;
  country?: string;
  region?: string;
  description?: string;
  active: boolean;
  metadata?: Record<string, string>;
}

/** A change to a tax rate; `percentage` and `inclusive` are immutable. null clears a field. */
export interface TaxRatePatch {
  name?: string;
  country?: string | null;
  region?: string | null;
  description?: string | null;
  active?: boolean;
  metadata?: Record<string, string | null>;
}
