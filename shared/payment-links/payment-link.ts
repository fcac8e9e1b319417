/**
 * A payment link: a merchant's reusable offer (products, quantities, what to collect from the buyer)
 * behind one public URL, `{public base}/l/{slug}`. Buyers open it and check out (the checkout page
 * and its completion build on this record); `timesRedeemed` counts completed checkouts, whatever
 * their quantities, and once it is above 0 the line items are frozen.
 */
import { escapeHtml } from "../hosted/escape.ts";
import type { Interval } from "../products/product.ts";

/** The most a link may sell of one item in one checkout, and the bounds of an adjustable quantity. */
export const quantityLimit = 999;
export const maxLineItems = 20;
export const maxCustomFields = 3;
export const maxDropdownOptions = 20;
export const maxTrialDays = 730;

export interface AdjustableQuantity {
  min: number;
  max: number;
}

export interface PaymentLinkLineItem {
  productId: string;
  /** What the page starts at (and charges, when not adjustable). */
  quantity: number;
  /** The buyer may pick a quantity in [min, max] (min ≤ quantity ≤ max). */
  adjustableQuantity?: AdjustableQuantity;
}

export type CustomFieldType = "text" | "dropdown" | "numeric";

export interface CustomField {
  /** Unique within the link; names the buyer's answer on the checkout session. */
  key: string;
  label: string;
  type: CustomFieldType;
  /** Dropdowns only: the choices, 1–20. */
  options?: string[];
  optional: boolean;
}

export type AfterCompletion = { type: "message"; message: string } | { type: "redirect"; url: string };

/** As stored. */
export interface PaymentLink extends Omit<NewPaymentLink, "metadata"> {
  metadata: Record<string, string>;
  id: string;
  /** Public, URL-safe, unique across the deployment: `GET /l/{slug}` finds the link by it. */
  slug: string;
  /** The products' currency, checked to be one when the line items were set. */
  currency: string;
  /** The recurring items' interval, when there are any: the subscription a checkout starts bills on it. */
  interval?: Interval;
  timesRedeemed: number;
  createdAt: string;
  updatedAt: string;
}

/** As the API shows it. */
export interface PresentedPaymentLink extends Omit<PaymentLink, "slug"> {
  url: string;
  embed: { buttonHtml: string };
}

/** A new link as a request gives it (defaults applied); what a stored link holds besides its own fields. */
export interface NewPaymentLink {
  name: string;
  lineItems: PaymentLinkLineItem[];
  allowDiscountCodes: boolean;
  collectBillingAddress: boolean;
  /** ISO 3166-1 alpha-2 countries the page accepts a shipping address in (the address only, no rates). */
  collectShippingAddress?: { allowedCountries: string[] };
  collectPhone: boolean;
  /** Days of trial before the recurring items' first charge. */
  trialDays?: number;
  /** Sandbox only: the customers the link's checkouts create are bound to this test clock. */
  testClockId?: string;
  customFields: CustomField[];
  /** The most checkouts that may complete. */
  maxRedemptions?: number;
  /** UTC ISO instant (normalized, so it compares as a string). */
  expiresAt?: string;
  active: boolean;
  /** What the buyer sees after paying; absent: the checkout's own confirmation. */
  afterCompletion?: AfterCompletion;
  /** Applied to every line of a checkout (the same rule as a subscription's `taxRateIds`). */
  taxRateIds: string[];
  metadata?: Record<string, string>;
}

/** A change: fields given are set, null clears; metadata keys set to null are removed. */
export interface PaymentLinkPatch {
  name?: string;
  lineItems?: PaymentLinkLineItem[];
  allowDiscountCodes?: boolean;
  collectBillingAddress?: boolean;
  collectShippingAddress?: { allowedCountries: string[] } | null;
  collectPhone?: boolean;
  trialDays?: number | null;
  testClockId?: string | null;
  customFields?: CustomField[];
  maxRedemptions?: number | null;
  expiresAt?: string | null;
  active?: boolean;
  afterCompletion?: AfterCompletion | null;
  taxRateIds?: string[];
  metadata?: Record<string, string | null>;
}

/** Whether two lists of line items sell the same (in the same order), however their fields are ordered. */
export function sameLineItems(a: PaymentLinkLineItem[], b: PaymentLinkLineItem[]): boolean {
  const terms = (item: PaymentLinkLineItem) =>
    [item.productId, item.quantity, item.adjustableQuantity?.min, item.adjustableQuantity?.max].join(" ");
  return a.length === b.length && a.every((item, i) => terms(item) === terms(b[i] as PaymentLinkLineItem));
}

/** The path a link's page lives at, under the deployment's public base URL. */
export const paymentLinkPath = (slug: string) => `/l/${slug}`;

/** What a slug looks like (16 base64url characters: 96 random bits), for the checkout page's route. */
export const slugPattern = /^[A-Za-z0-9_-]{16}$/;

/**
 * A self-contained "buy" button for a merchant's website or email: an `<a>` with inline styles only
 * (email clients strip stylesheets and block external assets), the link's name escaped.
 */
export function buttonHtml(name: string, url: string): string {
  const style = [
    "display:inline-block",
    "padding:12px 24px",
    "border-radius:6px",
    "background:#1a56db",
    "color:#ffffff",
    "font:600 16px/1.2 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif",
    "text-decoration:none",
  ].join(";");
  return `<a href="${escapeHtml(url)}" style="${style}">${escapeHtml(name)}</a>`;
}

export function presentPaymentLink(link: PaymentLink, publicBaseUrl: string): PresentedPaymentLink {
  const { slug, ...shown } = link;
  const url = `${publicBaseUrl}${paymentLinkPath(slug)}`;
  return { ...shown, url, embed: { buttonHtml: buttonHtml(link.name, url) } };
}
