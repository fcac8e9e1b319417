/**
 * A quote's money (issue 14 §1): priced by the invoices' own content builder (`priceContent`, i.e. the
 * money engine `computeTotals`), so a quote's totals are exactly an invoice's from the same lines; then
 * split into what is paid once and what recurs.
 *
 * The split rule: the document is priced ONCE, with every line, and the engine's per-line totals are
 * summed per kind — a line's total already carries its share of the document discounts (allocated by
 * the engine) and its own taxes. Fees are one-time charges, so they (with their taxes) belong to the
 * upfront part. Hence `upfrontTotal + recurringTotal = total`, and likewise for the taxes. Pricing each
 * kind on its own would not add up: percent discounts and fees round per document.
 * `recurringTotal` is therefore what the recurring lines cost per period *as this quote prices them*
 * (the first period); later periods are the subscription's to price.
 */
import {
  type Catalog,
  type ContentRequest,
  type LineRequest,
  type PricedContent,
  priceContent,
} from "../invoices/build.ts";
import type { FieldError } from "../domain/errors.ts";
import { ValidationError } from "../domain/errors.ts";
import { type Interval, intervalWords } from "../products/product.ts";

/** The priced content the split reads: what `priceContent` returns (lines with their engine totals). */
export type PricedTotals = Pick<
  PricedContent["content"],
  "lineItems" | "subtotal" | "discountTotal" | "taxTotal" | "feeTotal" | "total"
>;

/** A quote's one-time and recurring parts; each pair of parts sums to the document's figure. */
export interface QuoteAmounts {
  /** One-time lines and all fees, after discounts, taxes included: what a payment plan splits. */
  upfrontTotal: number;
  /** The tax inside `upfrontTotal` (inclusive + exclusive). */
  upfrontTax: number;
  /** The exclusive part of `upfrontTax`. */
  upfrontTaxExclusive: number;
  /** Recurring lines, after their share of the discounts, taxes included: per period (the first). */
  recurringTotal: number;
  /** The tax inside `recurringTotal`. */
  recurringTax: number;
}

/**
 * Splits priced content into its one-time and recurring parts; `recurring[i]` says whether line `i`
 * bills a recurring product (a line without a product is one-time). Exclusive taxes are not listed per line, so they are read back from the
 * engine's definitions: line amountTotal = amountSubtotal − amountDiscount + exclusive tax, and
 * total = subtotal − discountTotal + exclusive taxes + feeTotal.
 */
export function quoteAmounts(content: PricedTotals, recurring: readonly boolean[]): QuoteAmounts {
  if (recurring.length !== content.lineItems.length) {
    throw new RangeError("quoteAmounts: one recurring flag per line");
  }
  let recurringTotal = 0;
  let recurringTax = 0;
  let recurringTaxExclusive = 0;
  content.lineItems.forEach((line, i) => {
    if (!recurring[i]) return;
    recurringTotal += line.amountTotal;
    recurringTax += line.amountTax;
    recurringTaxExclusive += line.amountTotal - line.amountSubtotal + line.amountDiscount;
  });
  const taxExclusive = content.total - content.subtotal + content.discountTotal - content.feeTotal;
  return {
    upfrontTotal: content.total - recurringTotal,
    upfrontTax: content.taxTotal - recurringTax,
    upfrontTaxExclusive: taxExclusive - recurringTaxExclusive,
    recurringTotal,
    recurringTax,
  };
}

/** A priced quote: the invoice builder's result, its split, and the interval its recurring lines share. */
export interface PricedQuote extends PricedContent {
  amounts: QuoteAmounts;
  /** Per line: whether it bills a recurring product. */
  recurring: boolean[];
  /** The recurring lines' interval; absent when every line is one-time. */
  interval?: Interval;
}

/**
 * Prices a quote's content exactly as an invoice's (`priceContent`: catalog checks, discount codes,
 * the money engine), then splits it. Its recurring lines must share one interval (a quote starts at
 * most one subscription), else a `ValidationError` on the first line that differs. Pure apart from the
 * catalog port, like `priceContent`.
 */
export async function priceQuote(
  catalog: Pick<Catalog, "customer" | "product" | "taxRate" | "discountCode">,
  merchantId: string,
  request: Omit<ContentRequest, "lineItems"> & { lineItems: LineRequest[] },
  now: Date,
): Promise<PricedQuote> {
  const priced = await priceContent(catalog, merchantId, request, now);
  // priceContent has checked every product exists, is active and in the currency: only read intervals.
  const intervals = await Promise.all(
    request.lineItems.map(async (line) =>
      line.productId ? (await catalog.product(merchantId, line.productId))?.recurring?.interval : undefined,
    ),
  );
  const interval = intervals.find((x) => x !== undefined);
  const errors: FieldError[] = [];
  intervals.forEach((x, i) => {
    if (x !== undefined && x !== interval) {
      errors.push({
        path: `lineItems.${i}.productId`,
        message: `is billed ${intervalWords[x].adverb}, but the quote's recurring lines are ${intervalWords[interval!].adverb}: they must share one interval`,
      });
    }
  });
  if (errors.length > 0) throw new ValidationError(errors);
  const recurring = intervals.map((x) => x !== undefined);
  return {
    ...priced,
    amounts: quoteAmounts(priced.content, recurring),
    recurring,
    ...(interval ? { interval } : {}),
  };
}
