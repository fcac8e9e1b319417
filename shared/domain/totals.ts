/**
 * The money engine: totals of a document (invoice, quote, payment link, subscription period), pure and
 * document-agnostic. One currency per document; every amount is an integer in minor units.
 *
 * Rounding: half away from zero, to the currency's minor unit, once per line (and per fee) for each
 * step; sums are sums of rounded values, so documents always add up exactly. No floats: quantities and
 * percentages (≤ 4 decimals) are exact integers of ten-thousandths, the arithmetic is BigInt.
 *
 * Order of operations:
 *  1. Line subtotal = round(quantity × unitAmount).
 *  2. Line discount (`percentOff` of the line subtotal, rounded; or `amountOff` clamped to it).
 *  3. Document discounts, in the order given, each on the running discounted subtotal (Σ lines after
 *     every earlier discount): `percentOff` of it, rounded, or `amountOff` clamped to it. Each is
 *     allocated to the lines pro rata to what remains of them, by largest remainder (`allocate`), so the
 *     line shares sum exactly to the discount and never exceed a line. Leftover units go to lines in a
 *     canonical order (larger remaining amount first, then tax-rate signature, then input order), so
 *     reordering lines never changes a document total.
 *  4. Taxes per line on its gross G (the line after all discounts), rates applied in id order:
 *     inclusive tax = round(G × Σincl / (1 + Σincl)) is extracted from G (split over the inclusive rates
 *     by largest remainder in proportion to their percentages); the net N = G − inclusive tax; each
 *     exclusive rate adds round(N × rate). So with mixed rates, exclusive tax is on the net excluding
 *     inclusive tax. Inclusive tax never changes G. A rate's `taxableAmount` is N.
 *  5. Fees: a fixed `amount`, or `percent` of the discounted subtotal (subtotal − discountTotal, i.e.
 *     Σ line gross, inclusive taxes included, exclusive taxes excluded), rounded. A fee is untaxed unless
 *     `taxable`; a taxable fee is taxed exactly like a line (step 4) with its own `taxRates`, or else the
 *     document's `taxRates` (document-level rates are used for fees only; lines carry their own).
 *
 * Proration lines (`proration: true`, issue 12 §2) are the only lines whose unitAmount may be negative
 * (a credit). Steps apply to a negative line as to any other, signed: its subtotal and a `percentOff`
 * line discount round half away from zero (so both are negative), an `amountOff` never applies to it;
 * each document `percentOff` is computed and allocated on the non-negative lines as above, and each
 * negative line takes its own round(remaining × p) of it (the document discount's amount is the net of
 * both), so a credit shrinks by the percentage its original line did; a document `amountOff` is shared
 * among the non-negative lines only. Taxes per line on its signed gross, same formulas; percent fees on
 * max(0, discounted subtotal). `total` may then be negative: the invoice layer totals such an invoice
 * 0 and credits the rest to the customer's balance. Documents without a negative line price exactly
 * as before.
 *
 * Definitions: line `amountTotal` = amountSubtotal − amountDiscount + amountTaxExclusive; fee
 * `amountTotal` = amount + amountTaxExclusive; `total` = Σ line amountTotal + Σ fee amountTotal
 * = subtotal − discountTotal + taxExclusiveTotal + feeTotal. `taxTotal` = taxInclusiveTotal +
 * taxExclusiveTotal and covers lines and taxable fees; `taxBreakdown` lists each rate once (first
 * appearance: lines, then fees). amountPaid/amountRemaining belong to the invoice layer.
 */
import { exponentOf, isCurrency, type CurrencyCode } from "./currency.ts";
import { ValidationError, type FieldError } from "./errors.ts";
import {
  allocateExact,
  DECIMAL_SCALE,
  divRound,
  isAmount,
  maxExact,
  minExact,
  toTenThousandths,
} from "./money.ts";

export interface TaxRateInput {
  id: string;
  name?: string;
  /** 0–100, at most 4 decimals (e.g. 8.875). */
  percentage: number;
  inclusive: boolean;
}

/** `percentOff`: 0 < p ≤ 100, ≤ 4 decimals. `amountOff`: minor units, clamped to what it discounts. */
export type DiscountInput =
  | { percentOff: number; amountOff?: undefined }
  | { amountOff: number; percentOff?: undefined };

export interface LineInput {
  /** > 0, at most 4 decimals. */
  quantity: number;
  /** Minor units, non-negative integer (negative only on a proration line). */
  unitAmount: number;
  /**
   * A subscription change's proration (issue 12 §2): the only line that may be negative (a credit for
   * the unused part of an old item). A document `percentOff` discount applies to a negative line as its
   * own percentage (rounded per line); `amountOff` discounts are shared among non-negative lines only.
   */
  proration?: boolean;
  discount?: DiscountInput;
  taxRates?: readonly TaxRateInput[];
}

/** Exactly one of `amount` (minor units) or `percent` (0 < p ≤ 100, ≤ 4 decimals). */
export interface FeeInput {
  description?: string;
  amount?: number;
  percent?: number;
  /** Default false. */
  taxable?: boolean;
  /** Only for a taxable fee; defaults to the document's `taxRates`. */
  taxRates?: readonly TaxRateInput[];
}

export interface DocumentInput {
  currency: string;
  lines: readonly LineInput[];
  /** Resolved discounts (codes already turned into percentOff/amountOff), applied in order. */
  discounts?: readonly DiscountInput[];
  fees?: readonly FeeInput[];
  /** Rates for taxable fees that list none of their own. */
  taxRates?: readonly TaxRateInput[];
}

export interface TaxAmount {
  taxRateId: string;
  inclusive: boolean;
  taxableAmount: number;
  amount: number;
}

export interface LineTotals {
  amountSubtotal: number;
  /** The line's own discount plus its share of the document discounts. */
  amountDiscount: number;
  /** Inclusive + exclusive tax. */
  amountTax: number;
  amountTaxInclusive: number;
  amountTaxExclusive: number;
  /** amountSubtotal − amountDiscount + amountTaxExclusive. */
  amountTotal: number;
  /** Per rate, in the order the line lists its rates. */
  taxes: TaxAmount[];
}

export interface FeeTotals {
  description?: string;
  amount: number;
  amountTax: number;
  amountTaxInclusive: number;
  amountTaxExclusive: number;
  /** amount + amountTaxExclusive. */
  amountTotal: number;
  taxes: TaxAmount[];
}

export interface TaxBreakdownEntry {
  taxRateId: string;
  name?: string;
  percentage: number;
  inclusive: boolean;
  taxableAmount: number;
  amount: number;
}

export interface DocumentTotals {
  currency: CurrencyCode;
  exponent: number;
  subtotal: number;
  discountTotal: number;
  /** Amount of each document discount, in input order (line discounts are in lines' amountDiscount). */
  discounts: { amount: number }[];
  taxTotal: number;
  taxInclusiveTotal: number;
  taxExclusiveTotal: number;
  taxBreakdown: TaxBreakdownEntry[];
  feeTotal: number;
  total: number;
  lines: LineTotals[];
  fees: FeeTotals[];
}

const PERCENT_SCALE = 100n * DECIMAL_SCALE; // a percentage in ten-thousandths, over this, is a fraction

interface Rate {
  input: TaxRateInput;
  scaled: bigint; // percentage × 10_000
}

interface TaxResult {
  inclusive: bigint;
  exclusive: bigint;
  taxes: { rate: Rate; taxable: bigint; amount: bigint }[];
}

/** Computes a document's totals; throws `ValidationError` (all problems at once) on invalid input. */
export function computeTotals(input: DocumentInput): DocumentTotals {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string) => {
    errors.push({ path, message });
  };

  if (!isCurrency(input.currency)) fail("currency", "must be a supported ISO 4217 code (e.g. USD)");
  if (!Array.isArray(input.lines)) fail("lines", "must be an array");
  const lineInputs = Array.isArray(input.lines) ? input.lines : [];

  const known = new Map<string, TaxRateInput>();
  const parseRates = (rates: readonly TaxRateInput[] | undefined, path: string): Rate[] => {
    if (rates === undefined) return [];
    if (!Array.isArray(rates)) {
      fail(path, "must be an array");
      return [];
    }
    const seen = new Set<string>();
    const out: Rate[] = [];
    for (const [j, r] of rates.entries()) {
      const p = `${path}.${j}`;
      const scaled = toTenThousandths(r?.percentage);
      if (typeof r?.id !== "string" || r.id === "") fail(`${p}.id`, "must be a non-empty string");
      else if (seen.has(r.id)) fail(`${p}.id`, "is listed twice");
      else if (scaled === undefined || scaled < 0n || scaled > PERCENT_SCALE) {
        fail(`${p}.percentage`, "must be between 0 and 100 with at most 4 decimals");
      } else if (typeof r.inclusive !== "boolean") fail(`${p}.inclusive`, "must be a boolean");
      else {
        const prior = known.get(r.id);
        if (
          prior &&
          (prior.percentage !== r.percentage || prior.inclusive !== r.inclusive || prior.name !== r.name)
        ) {
          fail(p, `tax rate ${r.id} is given with different values elsewhere in the document`);
        } else {
          seen.add(r.id);
          known.set(r.id, r);
          out.push({ input: r, scaled });
        }
      }
    }
    return out.sort((a, b) => (a.input.id < b.input.id ? -1 : a.input.id > b.input.id ? 1 : 0));
  };

  const parseDiscount = (d: DiscountInput, path: string): { percent?: bigint; amount?: bigint } => {
    const hasPercent = d?.percentOff !== undefined;
    const hasAmount = d?.amountOff !== undefined;
    if (hasPercent === hasAmount) {
      fail(path, "must have exactly one of percentOff or amountOff");
      return {};
    }
    if (hasPercent) {
      const s = toTenThousandths(d.percentOff);
      if (s === undefined || s <= 0n || s > PERCENT_SCALE) {
        fail(`${path}.percentOff`, "must be greater than 0 and at most 100, with at most 4 decimals");
        return {};
      }
      return { percent: s };
    }
    if (!isAmount(d.amountOff)) {
      fail(`${path}.amountOff`, "must be a non-negative integer amount in minor units");
      return {};
    }
    return { amount: BigInt(d.amountOff) };
  };

  // 1–2. Line subtotals and line discounts.
  const lines = lineInputs.map((line, i) => {
    const path = `lines.${i}`;
    const q = toTenThousandths(line?.quantity);
    if (q === undefined || q <= 0n)
      fail(`${path}.quantity`, "must be greater than 0 with at most 4 decimals");
    if (line?.proration !== undefined && typeof line.proration !== "boolean")
      fail(`${path}.proration`, "must be a boolean");
    const proration = line?.proration === true;
    const unitAmountOk = proration ? Number.isSafeInteger(line.unitAmount) : isAmount(line?.unitAmount);
    if (!unitAmountOk)
      fail(
        `${path}.unitAmount`,
        proration
          ? "must be an integer amount in minor units"
          : "must be a non-negative integer amount in minor units",
      );
    const subtotal =
      q !== undefined && unitAmountOk ? divRound(q * BigInt(line.unitAmount), DECIMAL_SCALE) : 0n;
    let discount = 0n;
    if (line?.discount !== undefined) {
      const d = parseDiscount(line.discount, `${path}.discount`);
      if (d.percent !== undefined) discount = divRound(subtotal * d.percent, PERCENT_SCALE);
      else if (d.amount !== undefined) discount = minExact(d.amount, maxExact(subtotal, 0n));
    }
    const rates = parseRates(line?.taxRates, `${path}.taxRates`);
    const signature = rates
      .map((r) => `${r.input.id}\u0000${r.scaled}\u0000${r.input.inclusive}`)
      .join("\u0001");
    return {
      index: i,
      subtotal,
      negative: subtotal < 0n,
      discount,
      remaining: subtotal - discount,
      rates,
      signature,
    };
  });

  const docDiscounts = (input.discounts ?? []).map((d, k) => parseDiscount(d, `discounts.${k}`));
  const fees = (input.fees ?? []).map((fee, k) => {
    const path = `fees.${k}`;
    const hasAmount = fee?.amount !== undefined;
    const hasPercent = fee?.percent !== undefined;
    let amount: bigint | undefined;
    let percent: bigint | undefined;
    if (hasAmount === hasPercent) fail(path, "must have exactly one of amount or percent");
    else if (hasAmount) {
      if (isAmount(fee.amount)) amount = BigInt(fee.amount);
      else fail(`${path}.amount`, "must be a non-negative integer amount in minor units");
    } else {
      percent = toTenThousandths(fee.percent);
      if (percent === undefined || percent <= 0n || percent > PERCENT_SCALE) {
        fail(`${path}.percent`, "must be greater than 0 and at most 100, with at most 4 decimals");
        percent = undefined;
      }
    }
    const taxable = fee?.taxable ?? false;
    if (typeof taxable !== "boolean") fail(`${path}.taxable`, "must be a boolean");
    let rates: Rate[] = [];
    if (taxable === true) {
      const own = fee.taxRates !== undefined;
      rates = own ? parseRates(fee.taxRates, `${path}.taxRates`) : parseRates(input.taxRates, "taxRates");
      if (rates.length === 0)
        fail(`${path}.taxRates`, "a taxable fee needs tax rates (its own or the document's)");
    } else if (fee?.taxRates !== undefined) {
      fail(`${path}.taxRates`, "only a taxable fee has tax rates");
    }
    return { description: fee?.description, amount, percent, rates };
  });
  if (input.discounts !== undefined && !Array.isArray(input.discounts)) fail("discounts", "must be an array");
  if (input.fees !== undefined && !Array.isArray(input.fees)) fail("fees", "must be an array");

  if (errors.length > 0) throw new ValidationError(errors);
  const currency = input.currency as CurrencyCode;

  // 3. Document discounts, sequentially on the running discounted subtotal of the non-negative lines,
  // allocated to them; a negative (proration) line takes its own percentage of a `percentOff`, so a
  // credit shrinks by the same percentage as the line it credits, and no `amountOff`.
  const positive = lines.filter((l) => !l.negative);
  const negative = lines.filter((l) => l.negative);
  const discountAmounts = docDiscounts.map((d) => {
    const running = positive.reduce((a, l) => a + l.remaining, 0n);
    const amount =
      d.percent !== undefined ? divRound(running * d.percent, PERCENT_SCALE) : minExact(d.amount!, running);
    let credited = 0n;
    if (d.percent !== undefined) {
      for (const l of negative) {
        const share = divRound(l.remaining * d.percent, PERCENT_SCALE);
        l.discount += share;
        l.remaining -= share;
        credited += share;
      }
    }
    const order = [...positive].sort(
      (a, b) =>
        (a.remaining === b.remaining ? 0 : a.remaining > b.remaining ? -1 : 1) ||
        (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0) ||
        a.index - b.index,
    );
    const shares = allocateExact(
      amount,
      order.map((l) => l.remaining),
    );
    order.forEach((l, j) => {
      const share = shares[j]!;
      l.discount += share;
      l.remaining -= share;
    });
    return amount + credited;
  });

  // 4. Taxes per line.
  const lineTaxes = lines.map((l) => taxOn(l.remaining, l.rates));

  // 5. Fees on the discounted subtotal (a percentage of nothing when credits outweigh the charges).
  const discountedSubtotal = maxExact(
    lines.reduce((a, l) => a + l.remaining, 0n),
    0n,
  );
  const feeResults = fees.map((f) => {
    const amount = f.amount ?? divRound(discountedSubtotal * f.percent!, PERCENT_SCALE);
    return { description: f.description, amount, tax: taxOn(amount, f.rates) };
  });

  // Output, with a check that every amount still fits a safe integer.
  const num = (value: bigint, path: string): number => {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER))
      fail(path, "the amount exceeds the largest supported value");
    return Number(value);
  };
  const taxAmounts = (
    tax: TaxResult,
    byInputOrder: readonly TaxRateInput[] | undefined,
    path: string,
  ): TaxAmount[] => {
    const entries = tax.taxes.map((t) => ({
      taxRateId: t.rate.input.id,
      inclusive: t.rate.input.inclusive,
      taxableAmount: num(t.taxable, path),
      amount: num(t.amount, path),
    }));
    const position = new Map((byInputOrder ?? []).map((r, j) => [r.id, j]));
    return entries.sort((a, b) => (position.get(a.taxRateId) ?? 0) - (position.get(b.taxRateId) ?? 0));
  };

  const breakdown = new Map<string, { rate: Rate; taxable: bigint; amount: bigint }>();
  const addToBreakdown = (tax: TaxResult) => {
    for (const t of tax.taxes) {
      const entry = breakdown.get(t.rate.input.id) ?? { rate: t.rate, taxable: 0n, amount: 0n };
      entry.taxable += t.taxable;
      entry.amount += t.amount;
      breakdown.set(t.rate.input.id, entry);
    }
  };

  const lineTotals = lines.map((l, i): LineTotals => {
    const tax = lineTaxes[i]!;
    addToBreakdown(tax);
    const path = `lines.${i}`;
    return {
      amountSubtotal: num(l.subtotal, path),
      amountDiscount: num(l.discount, path),
      amountTax: num(tax.inclusive + tax.exclusive, path),
      amountTaxInclusive: num(tax.inclusive, path),
      amountTaxExclusive: num(tax.exclusive, path),
      amountTotal: num(l.remaining + tax.exclusive, path),
      taxes: taxAmounts(tax, lineInputs[i]?.taxRates, path),
    };
  });
  const feeTotals = feeResults.map((f, k): FeeTotals => {
    addToBreakdown(f.tax);
    const path = `fees.${k}`;
    return {
      ...(f.description !== undefined ? { description: f.description } : {}),
      amount: num(f.amount, path),
      amountTax: num(f.tax.inclusive + f.tax.exclusive, path),
      amountTaxInclusive: num(f.tax.inclusive, path),
      amountTaxExclusive: num(f.tax.exclusive, path),
      amountTotal: num(f.amount + f.tax.exclusive, path),
      taxes: taxAmounts(f.tax, input.fees?.[k]?.taxRates ?? input.taxRates, path),
    };
  });

  const sum = (xs: readonly bigint[]) => xs.reduce((a, x) => a + x, 0n);
  const allTaxes = [...lineTaxes, ...feeResults.map((f) => f.tax)];
  const taxInclusiveTotal = sum(allTaxes.map((t) => t.inclusive));
  const taxExclusiveTotal = sum(allTaxes.map((t) => t.exclusive));
  const subtotal = sum(lines.map((l) => l.subtotal));
  const discountTotal = sum(lines.map((l) => l.discount));
  const feeTotal = sum(feeResults.map((f) => f.amount));
  const result: DocumentTotals = {
    currency,
    exponent: exponentOf(currency),
    subtotal: num(subtotal, "lines"),
    discountTotal: num(discountTotal, "lines"),
    discounts: discountAmounts.map((a, k) => ({ amount: num(a, `discounts.${k}`) })),
    taxTotal: num(taxInclusiveTotal + taxExclusiveTotal, "lines"),
    taxInclusiveTotal: num(taxInclusiveTotal, "lines"),
    taxExclusiveTotal: num(taxExclusiveTotal, "lines"),
    taxBreakdown: [...breakdown.values()].map(({ rate, taxable, amount }) => ({
      taxRateId: rate.input.id,
      ...(rate.input.name !== undefined ? { name: rate.input.name } : {}),
      percentage: rate.input.percentage,
      inclusive: rate.input.inclusive,
      taxableAmount: num(taxable, "lines"),
      amount: num(amount, "lines"),
    })),
    feeTotal: num(feeTotal, "fees"),
    total: num(subtotal - discountTotal + taxExclusiveTotal + feeTotal, "lines"),
    lines: lineTotals,
    fees: feeTotals,
  };
  if (errors.length > 0)
    throw new ValidationError(errors.filter((e, i) => errors.findIndex((x) => x.path === e.path) === i));
  return result;
}

/** Step 4 for one gross amount: inclusive tax extracted, exclusive tax added on the net. Rates sorted by id. */
function taxOn(gross: bigint, rates: readonly Rate[]): TaxResult {
  const inclusiveRates = rates.filter((r) => r.input.inclusive);
  const inclusiveScaled = inclusiveRates.reduce((a, r) => a + r.scaled, 0n);
  const inclusive =
    inclusiveScaled === 0n ? 0n : divRound(gross * inclusiveScaled, PERCENT_SCALE + inclusiveScaled);
  // A credit's inclusive tax is negative: split its magnitude, as a charge's would be.
  const sign = inclusive < 0n ? -1n : 1n;
  const inclusiveShares = allocateExact(
    sign * inclusive,
    inclusiveRates.map((r) => r.scaled),
  ).map((share) => sign * share);
  const net = gross - inclusive;
  let exclusive = 0n;
  let j = 0;
  const taxes = rates.map((rate) => {
    if (rate.input.inclusive) return { rate, taxable: net, amount: inclusiveShares[j++]! };
    const amount = divRound(net * rate.scaled, PERCENT_SCALE);
    exclusive += amount;
    return { rate, taxable: net, amount };
  });
  return { inclusive, exclusive, taxes };
}
