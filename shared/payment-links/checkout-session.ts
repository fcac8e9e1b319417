/**
 * A checkout session: one buyer's checkout of a payment link, created by the buyer's first POST of
 * the link's page (never by a GET: link previews and crawlers follow GETs). It fixes what the buyer
 * is charged when it is created — the products' prices then, the quantities picked, the totals the
 * money engine computed — and holds the buyer's answers. It is `open` for 30 minutes, then
 * `expired` unless it was `complete`d. Pure: no I/O, time passed in.
 */
import type { Address } from "../customers/customer.ts";
import type { FieldError } from "../domain/errors.ts";
import type { DiscountTerms } from "../discount-codes/discount-code.ts";
import { computeTotals } from "../domain/totals.ts";
import { canonicalLocale, readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Interval, Product } from "../products/product.ts";
import type { StoredSubscription } from "../subscriptions/subscription.ts";
import type { TaxRate } from "../tax-rates/tax-rate.ts";
import type { CheckoutStatus } from "./checkout-status.ts";
import type { PaymentLink } from "./payment-link.ts";
import { perInterval } from "../subscriptions/wording.ts";

export const checkoutSessionMinutes = 30;

/** How long a payment attempt holds its session (well past the function's timeout): a crashed one is stale after it. */
export const checkoutAttemptMillis = 2 * 60_000;

/** Whether a payment of the session may still be running at `now` (not yet stale). */
export const attemptLive = (session: CheckoutSession, now: Date) =>
  session.payingSince !== undefined &&
  Date.parse(session.payingSince) > now.getTime() - checkoutAttemptMillis;

/** A line as the session fixed it. */
export interface CheckoutLine {
  productId: string;
  description: string;
  quantity: number;
  unitAmount: number;
  amountSubtotal: number;
  /** The line's share of the discount code's discount. */
  amountDiscount: number;
  amountTax: number;
  amountTotal: number;
  /** A recurring item's: its subscription bills it every interval from the first period on. */
  interval?: Interval;
}

/** What the recurring items cost from then on: the subscription the checkout starts. */
export interface CheckoutRecurring {
  interval: Interval;
  /** Each period's charge for the recurring items, tax included. */
  amount: number;
  /** The first period starts after a trial of so many days (nothing of it charged now). */
  trialDays?: number;
}

export interface CheckoutTotals {
  currency: string;
  lineItems: CheckoutLine[];
  subtotal: number;
  /** The discount code applied, as the merchant spelled it; its invoice redeems it when finalized. */
  discountCode?: string;
  discountTotal: number;
  taxTotal: number;
  /** Every line's: the one-time items and the recurring items' first period. */
  total: number;
  /** What the buyer pays now: `total`, less the recurring items' first period when a trial comes first. */
  amountDueNow: number;
  recurring?: CheckoutRecurring;
}

/** A discount code's terms as a checkout prices them (exactly one of `percentOff` or `amountOff`). */
export type CheckoutDiscount = Pick<DiscountTerms, "code" | "percentOff" | "amountOff">;

/** What the buyer typed; only the fields the link collects are ever set. */
export interface BuyerAnswers {
  /** Lower-cased: customers are found by email case-insensitively. */
  email: string;
  name?: string;
  phone?: string;
  billingAddress?: Address;
  shippingAddress?: Address;
  /** The link's custom fields' answers, by key (an optional field left empty is absent). */
  customFields: Record<string, string>;
}

export interface ProcessorCheckout {
  paymentId: string;
  sessionId: string;
  url: string;
}

export interface CheckoutSession extends CheckoutTotals, BuyerAnswers {
  id: string;
  paymentLinkId: string;
  status: CheckoutStatus;
  taxRateIds: string[];
  /** UTC ISO instant: created + 30 minutes. */
  expiresAt: string;
  /** A card payment of it is under way since then (one at a time: a double submit is a 409). */
  payingSince?: string;
  /**
   * The payment under way holds one of the link's redemptions: set after the hold is taken and
   * cleared before it is given back, so a crash between leaves a hold unmarked (one unit unsold),
   * never a mark without a hold (one unit sold twice). Expiry gives a marked hold back.
   */
  redemptionHeld?: true;
  /**
   * The processor's hosted checkout (Stripe Checkout) the buyer was sent to, while it may still be
   * paid: its attempt's payment, the processor's session and its URL. It keeps the redemption held
   * until the payment completes the session, or the buyer cancels, or the session expires.
   */
  processorCheckout?: ProcessorCheckout;
  /**
   * The locale the buyer chose for the checkout (the page's `?locale=`, canonical): its pages read in
   * it, and a customer the checkout creates gets it. Absent: the merchant's.
   */
  locale?: string;
  /** Set when it completes. */
  customerId?: string;
  invoiceId?: string;
  paymentId?: string;
  /** The subscription the recurring items start (its id fixed with the first payment attempt). */
  subscriptionId?: string;
  /**
   * Internal, never shown: the subscription built with the first payment attempt, written once the
   * purchase is paid — so the invoice's period 0 and the subscription are the same periods, prices
   * and ids however late the payment's report arrives.
   */
  pendingSubscription?: StoredSubscription;
  createdAt: string;
  updatedAt: string;
}

/** Why a link sells nothing now (the buyer reads it as `page.checkout.unavailable`). */
export type UnavailableReason = "inactive" | "expired" | "sold_out" | "withdrawn";

/** Who reads a checkout: the buyer's chosen locale (the page's `?locale=`, the form's), else the merchant's. */
export const checkoutReader = (merchant: { locale?: string }, chosen: string | null | undefined) =>
  translator(readerLocale(merchant, { locale: chosen ? canonicalLocale(chosen) : undefined }));

/** Why a link takes no checkout now; undefined when it does. */
export function linkUnavailable(link: PaymentLink, now: Date): UnavailableReason | undefined {
  if (!link.active) return "inactive";
  if (link.expiresAt && link.expiresAt <= now.toISOString()) return "expired";
  if (link.maxRedemptions !== undefined && link.timesRedeemed >= link.maxRedemptions) return "sold_out";
  return undefined;
}

/**
 * Why the products behind a link cannot be sold as it says (archived since, or repriced in another
 * currency), in the buyer's words; undefined when all can.
 */
export function productsUnavailable(
  link: PaymentLink,
  products: (Product | undefined)[],
): UnavailableReason | undefined {
  const broken = products.some((p) => !p?.active || p.currency !== link.currency);
  return broken ? "withdrawn" : undefined;
}

/**
 * Prices `quantities` of the link's products with its tax rates and the buyer's discount code: the
 * money engine, on the server, as the purchase's invoice will (a document discount, before tax).
 */
export function priceCheckout(
  link: PaymentLink,
  products: Product[],
  rates: TaxRate[],
  quantities: number[],
  discount?: CheckoutDiscount,
): CheckoutTotals {
  const taxRates = rates.map((r) => ({
    id: r.id,
    name: r.name,
    percentage: r.percentage,
    inclusive: r.inclusive,
  }));
  const lines = products.map((product, i) => ({
    quantity: quantities[i] ?? 1,
    unitAmount: product.unitAmount,
    taxRates,
  }));
  const totals = computeTotals({
    currency: link.currency,
    lines,
    ...(discount
      ? {
          discounts: [
            discount.percentOff !== undefined
              ? { percentOff: discount.percentOff }
              : { amountOff: discount.amountOff ?? 0 },
          ],
        }
      : {}),
  });
  // The recurring lines alone, priced as each period's invoice bills them (a checkout with a trial
  // takes no discount code, so today's one-time lines are priced without one).
  const recurring = (want: boolean) => {
    const picked = lines.filter((_, i) => (products[i]?.recurring !== undefined) === want);
    return picked.length ? computeTotals({ currency: link.currency, lines: picked }).total : 0;
  };
  return {
    currency: link.currency,
    lineItems: products.map((product, i) => {
      const line = totals.lines[i];
      return {
        productId: product.id,
        description: product.name,
        quantity: quantities[i] ?? 1,
        unitAmount: product.unitAmount,
        amountSubtotal: line?.amountSubtotal ?? 0,
        amountDiscount: line?.amountDiscount ?? 0,
        amountTax: line?.amountTax ?? 0,
        amountTotal: line?.amountTotal ?? 0,
        ...(product.recurring ? { interval: product.recurring.interval } : {}),
      };
    }),
    subtotal: totals.subtotal,
    ...(discount ? { discountCode: discount.code } : {}),
    discountTotal: totals.discountTotal,
    taxTotal: totals.taxTotal,
    total: totals.total,
    amountDueNow: link.interval && link.trialDays ? recurring(false) : totals.total,
    ...(link.interval
      ? {
          recurring: {
            interval: link.interval,
            amount: recurring(true),
            ...(link.trialDays ? { trialDays: link.trialDays } : {}),
          },
        }
      : {}),
  };
}

/**
 * What the subscription a checkout starts charges after today, in the buyer's words (the page, the
 * emails); undefined for a one-time purchase.
 */
export function recurringTerms(
  totals: Pick<CheckoutTotals, "currency" | "recurring">,
  tr: Translator,
): string | undefined {
  const recurring = totals.recurring;
  if (!recurring) return undefined;
  const amount = perInterval(tr, recurring.amount, totals.currency, recurring.interval);
  return recurring.trialDays
    ? tr.t("page.checkout.trialTerms", { days: recurring.trialDays, amount })
    : tr.t("page.checkout.recurringTerms", { amount });
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const phonePattern = /^\+?[0-9 ()./-]{6,30}$/;
const numericPattern = /^-?[0-9]+(\.[0-9]+)?$/;

/** The form field naming line `i`'s quantity. */
export const quantityField = (i: number) => `quantity.${i}`;
export const customField = (key: string) => `custom.${key}`;

/** The form field of the buyer's discount code. */
export const discountCodeField = "discountCode";

const formText = (form: URLSearchParams, name: string, max = 200) =>
  (form.get(name) ?? "").trim().slice(0, max);

/** The quantities the buyer picked (a line that is not adjustable keeps the link's), each problem named. */
export function readQuantities(
  link: PaymentLink,
  form: URLSearchParams,
  tr: Translator,
): { quantities: number[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const quantities = link.lineItems.map((item, i) => {
    const range = item.adjustableQuantity;
    if (!range) return item.quantity;
    const given = formText(form, quantityField(i));
    const quantity = Number(given);
    if (!/^[0-9]+$/.test(given) || quantity < range.min || quantity > range.max) {
      errors.push({
        path: quantityField(i),
        message: tr.t("page.checkout.chooseQuantity", { min: range.min, max: range.max }),
      });
    }
    return quantity;
  });
  return { quantities, errors };
}

/**
 * The discount code the buyer typed, upper-cased (codes are case-insensitive), if any. A link that
 * takes no codes shows no box, and a code posted to it anyway is ignored: the buyer sees the full
 * price on the session's page before anything is charged.
 */
export function readDiscountCode(link: PaymentLink, form: URLSearchParams): string | undefined {
  if (!link.allowDiscountCodes) return undefined;
  return formText(form, discountCodeField, 64).toUpperCase() || undefined;
}

/** The buyer's form, checked against what the link collects: the quantities and answers, or every problem. */
export function readBuyerForm(
  link: PaymentLink,
  form: URLSearchParams,
  tr: Translator,
): { quantities: number[]; answers: BuyerAnswers } | { errors: FieldError[] } {
  const { quantities, errors } = readQuantities(link, form, tr);
  const text = (name: string, max = 200) => formText(form, name, max);
  const email = text("email", 254).toLowerCase();
  if (!emailPattern.test(email)) errors.push({ path: "email", message: tr.t("page.checkout.enterEmail") });
  const name = text("name");
  const phone = text("phone", 40);
  if (link.collectPhone && !phonePattern.test(phone))
    errors.push({ path: "phone", message: tr.t("page.checkout.enterPhone") });
  const address = (prefix: string, allowed?: string[]): Address | undefined => {
    const part = (field: string) => text(`${prefix}.${field}`);
    const country = part("country").toUpperCase();
    const result: Address = {
      line1: part("line1"),
      ...(part("line2") ? { line2: part("line2") } : {}),
      city: part("city"),
      ...(part("state") ? { state: part("state") } : {}),
      postalCode: part("postalCode"),
      country,
    };
    const before = errors.length;
    for (const field of ["line1", "city", "postalCode"] as const) {
      if (!result[field])
        errors.push({ path: `${prefix}.${field}`, message: tr.t("page.checkout.enterAddressPart", { field }) });
    }
    if (!/^[A-Z]{2}$/.test(country) || (allowed && !allowed.includes(country)))
      errors.push({ path: `${prefix}.country`, message: tr.t("page.checkout.chooseCountry") });
    return errors.length === before ? result : undefined;
  };
  const billingAddress = link.collectBillingAddress ? address("billing") : undefined;
  const shippingAddress = link.collectShippingAddress
    ? address("shipping", link.collectShippingAddress.allowedCountries)
    : undefined;
  const customFields: Record<string, string> = {};
  for (const field of link.customFields) {
    const answer = text(customField(field.key), 255);
    const fail = (problem: "missing" | "option" | "number") =>
      errors.push({
        path: customField(field.key),
        message: tr.t("page.checkout.customFieldProblem", { problem, label: field.label }),
      });
    if (!answer) {
      if (!field.optional) fail("missing");
      continue;
    }
    if (field.type === "dropdown" && !field.options?.includes(answer)) fail("option");
    else if (field.type === "numeric" && !numericPattern.test(answer)) fail("number");
    else customFields[field.key] = answer;
  }
  if (errors.length > 0) return { errors };
  return {
    quantities,
    answers: {
      email,
      ...(name ? { name } : {}),
      ...(link.collectPhone ? { phone } : {}),
      ...(billingAddress ? { billingAddress } : {}),
      ...(shippingAddress ? { shippingAddress } : {}),
      customFields,
    },
  };
}

/** A session as the merchant API shows it: its status as of `now` (an open one past its time is expired). */
export function presentCheckoutSession(session: CheckoutSession, now: Date): CheckoutSession {
  const { pendingSubscription: _, ...shown } = session;
  return shown.status === "open" && shown.expiresAt <= now.toISOString()
    ? { ...shown, status: "expired" }
    : shown;
}
