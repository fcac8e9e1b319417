/**
 * A quote's payment plan (issue 14 §1): validation, and the amounts it splits the quote's upfront
 * (one-time) total into. Pure: no I/O, no clock.
 *
 * Arithmetic, all in integer minor units and BigInt (never floats):
 *  - a `percent` installment is taken as integer hundredths h (30.5 → 3050) and its amount is
 *    round(upfrontTotal × h / 10 000), half away from zero — except the LAST installment, which is
 *    the upfront total minus the others, so the installments always sum exactly to it;
 *  - an `amount` installment is used as given (the amounts must already sum to the upfront total);
 *  - the upfront tax is allocated to the installments by largest remainder in proportion to their
 *    amounts (ties to the earlier installment), so the shares sum exactly to it and each is within one
 *    minor unit of its exact share; the exclusive part of that tax is then allocated the same way in
 *    proportion to each installment's tax share, which keeps it within that share (see `splitTax`).
 * An installment's invoice is never re-priced by the money engine: `invoice` carries its amounts.
 */
import type { FieldError } from "../domain/errors.ts";
import { ValidationError } from "../domain/errors.ts";
import { allocateExact, DECIMAL_SCALE, divRound, isAmount, toTenThousandths } from "../domain/money.ts";

export const MIN_INSTALLMENTS = 2;
export const MAX_INSTALLMENTS = 12;

export type PlanCollection = "charge_automatically" | "send_invoice";
const collections: readonly PlanCollection[] = ["charge_automatically", "send_invoice"];

/** One installment as a request gives it: a share of the upfront total, or an amount in minor units. */
export type InstallmentInput =
  | { percent: number; dueAfterDays: number; amount?: undefined }
  | { amount: number; dueAfterDays: number; percent?: undefined };

export interface PaymentPlanInput {
  installments: readonly InstallmentInput[];
  /** Default `charge_automatically`. */
  collection?: PlanCollection;
}

/** What a plan splits: the quote's one-time part, as `quoteAmounts` (pricing.ts) gives it. */
export interface PlanBasis {
  /** The one-time lines' and fees' total, taxes included. */
  upfrontTotal: number;
  /** The tax inside `upfrontTotal` (inclusive + exclusive). */
  upfrontTax: number;
  /** The exclusive part of `upfrontTax` (added on top of the net, so not part of an invoice subtotal). */
  upfrontTaxExclusive: number;
}

/** An installment's invoice content: one line, "Installment k of n", with its amounts fixed. */
export interface InstallmentInvoice {
  line: {
    description: string;
    quantity: 1;
    unitAmount: number;
    amountSubtotal: number;
    amountDiscount: 0;
    amountTax: number;
    amountTotal: number;
  };
  /** amountTotal − the exclusive tax (inclusive tax stays inside it, as on any invoice line). */
  subtotal: number;
  discountTotal: 0;
  taxTotal: number;
  taxInclusiveTotal: number;
  taxExclusiveTotal: number;
  feeTotal: 0;
  /** = subtotal + taxExclusiveTotal = the installment's amount. */
  total: number;
}

export interface PlannedInstallment {
  /** 1-based position. */
  number: number;
  dueAfterDays: number;
  /** As requested, for a percent plan. */
  percent?: number;
  /** In minor units, taxes included; the installments sum exactly to the upfront total. */
  amount: number;
  /** This installment's share of the upfront tax (largest remainder). */
  tax: number;
  invoice: InstallmentInvoice;
}

export interface PaymentPlan {
  kind: "percent" | "amount";
  collection: PlanCollection;
  installments: PlannedInstallment[];
}

const HUNDREDTHS_IN_WHOLE = 10_000n; // 100 % in hundredths of a percent

/**
 * Every problem with `plan` against a quote whose upfront total is `upfrontTotal`, each naming its
 * field under `path` (e.g. `paymentPlan.installments.2.percent`); empty when the plan is valid.
 * Defensive about shapes, so it can run on a stored draft as well as on a parsed body.
 */
export function paymentPlanErrors(plan: unknown, upfrontTotal: number, path = "paymentPlan"): FieldError[] {
  return check(plan, upfrontTotal, path).errors;
}

/**
 * The plan's installments with their amounts, tax shares and invoice contents; throws a
 * `ValidationError` with every problem `paymentPlanErrors` finds.
 */
export function planPayments(plan: PaymentPlanInput, basis: PlanBasis, path = "paymentPlan"): PaymentPlan {
  const { errors, kind, amounts } = check(plan, basis.upfrontTotal, path);
  if (errors.length > 0 || kind === undefined) throw new ValidationError(errors);
  if (!isAmount(basis.upfrontTax) || !isAmount(basis.upfrontTaxExclusive)) {
    throw new RangeError("planPayments: the upfront taxes must be non-negative amounts");
  }
  if (basis.upfrontTaxExclusive > basis.upfrontTax || basis.upfrontTax > basis.upfrontTotal) {
    throw new RangeError("planPayments: expected upfrontTaxExclusive ≤ upfrontTax ≤ upfrontTotal");
  }
  const taxes = splitTax(amounts, BigInt(basis.upfrontTax), BigInt(basis.upfrontTaxExclusive));
  const n = amounts.length;
  return {
    kind,
    collection: plan.collection ?? "charge_automatically",
    installments: plan.installments.map((input, i) => {
      const amount = Number(amounts[i]!);
      const tax = Number(taxes[i]!.tax);
      const exclusive = Number(taxes[i]!.exclusive);
      const subtotal = amount - exclusive;
      return {
        number: i + 1,
        dueAfterDays: input.dueAfterDays,
        ...(input.percent !== undefined ? { percent: input.percent } : {}),
        amount,
        tax,
        invoice: {
          line: {
            description: `Installment ${i + 1} of ${n}`,
            quantity: 1,
            unitAmount: subtotal,
            amountSubtotal: subtotal,
            amountDiscount: 0,
            amountTax: tax,
            amountTotal: amount,
          },
          subtotal,
          discountTotal: 0,
          taxTotal: tax,
          taxInclusiveTotal: tax - exclusive,
          taxExclusiveTotal: exclusive,
          feeTotal: 0,
          total: amount,
        },
      };
    }),
  };
}

/**
 * Each installment's share of `tax` (largest remainder over the amounts), and of its exclusive part
 * `exclusive` ≤ `tax` (largest remainder over those shares). Nesting the second allocation keeps every
 * exclusive share within its installment's tax: a part is ⌊E·tᵢ/T⌋ or, only when that quotient is not
 * whole, one more — and E·tᵢ/T ≤ tᵢ. So an installment's inclusive tax (tᵢ − eᵢ) is never negative, and
 * tᵢ ≤ amountᵢ because tax ≤ total, so its invoice subtotal (amountᵢ − eᵢ) is never negative either.
 */
export function splitTax(
  amounts: readonly bigint[],
  tax: bigint,
  exclusive: bigint,
): { tax: bigint; exclusive: bigint }[] {
  const shares = allocateExact(tax, amounts);
  const exclusiveShares = allocateExact(exclusive, shares);
  return shares.map((t, i) => ({ tax: t, exclusive: exclusiveShares[i]! }));
}

interface Checked {
  errors: FieldError[];
  kind?: "percent" | "amount";
  /** The installments' amounts, when the plan is valid. */
  amounts: bigint[];
}

function check(plan: unknown, upfrontTotal: number, path: string): Checked {
  if (!isAmount(upfrontTotal))
    throw new RangeError("paymentPlan: upfrontTotal must be a non-negative amount");
  const errors: FieldError[] = [];
  const fail = (at: string, message: string) => {
    errors.push({ path: at, message });
  };
  const p = plan as Partial<PaymentPlanInput> | null;
  if (typeof p !== "object" || p === null) {
    fail(path, "must be an object");
    return { errors, amounts: [] };
  }
  if (p.collection !== undefined && !collections.includes(p.collection)) {
    fail(`${path}.collection`, `must be one of ${collections.join(", ")}`);
  }
  const listPath = `${path}.installments`;
  const list = p.installments;
  if (!Array.isArray(list)) {
    fail(listPath, "must be an array");
    return { errors, amounts: [] };
  }
  if (list.length < MIN_INSTALLMENTS || list.length > MAX_INSTALLMENTS) {
    fail(listPath, `must have ${MIN_INSTALLMENTS} to ${MAX_INSTALLMENTS} installments`);
    return { errors, amounts: [] };
  }

  // The first installment decides the kind; a later one of the other kind is named, not the first.
  const kindOf = (x: InstallmentInput | undefined) =>
    x?.percent !== undefined && x.amount === undefined
      ? "percent"
      : x?.amount !== undefined && x.percent === undefined
        ? "amount"
        : undefined;
  const kind = kindOf(list[0]);
  const given: bigint[] = []; // hundredths of a percent, or minor units
  let previousDay: number | undefined;
  list.forEach((item: InstallmentInput | undefined, i) => {
    const at = `${listPath}.${i}`;
    const own = kindOf(item);
    if (own === undefined) fail(at, "must have exactly one of percent or amount");
    else if (kind !== undefined && own !== kind) {
      fail(`${at}.${own}`, `must be a ${kind} like the first installment's: a plan uses one kind`);
    } else if (own === "percent") {
      // Hundredths of a percent, exactly: a percent with more than 2 decimals has no such integer.
      const t = toTenThousandths(item!.percent);
      if (t === undefined || t % 100n !== 0n || t <= 0n || t > 100n * DECIMAL_SCALE) {
        fail(`${at}.percent`, "must be greater than 0 and at most 100, with at most 2 decimals");
      } else given.push(t / 100n);
    } else if (!isAmount(item!.amount) || item!.amount < 1) {
      fail(`${at}.amount`, "must be a positive integer amount in minor units");
    } else given.push(BigInt(item!.amount));

    const day = item?.dueAfterDays;
    if (!Number.isSafeInteger(day) || (day as number) < 0) {
      fail(`${at}.dueAfterDays`, "must be a non-negative integer number of days");
      previousDay = undefined; // an unreadable day cannot anchor the next comparison
      return;
    }
    if (i === 0 && day !== 0)
      fail(`${at}.dueAfterDays`, "must be 0: the first installment is due at acceptance");
    else if (previousDay !== undefined && (day as number) <= previousDay) {
      fail(`${at}.dueAfterDays`, `must be greater than the previous installment's (${previousDay})`);
    }
    previousDay = day as number;
  });
  if (errors.length > 0 || kind === undefined) return { errors, amounts: [] };

  const total = BigInt(upfrontTotal);
  const sum = given.reduce((a, x) => a + x, 0n);
  if (kind === "amount") {
    if (sum !== total) fail(listPath, `amounts must sum to the upfront total ${total}, not ${sum}`);
    return { errors, kind, amounts: given };
  }
  if (sum !== HUNDREDTHS_IN_WHOLE) {
    fail(listPath, `percents must sum to exactly 100, not ${formatHundredths(sum)}`);
    return { errors, kind, amounts: [] };
  }
  const amounts = given.map((h) => divRound(total * h, HUNDREDTHS_IN_WHOLE));
  amounts[amounts.length - 1] = total - amounts.slice(0, -1).reduce((a, x) => a + x, 0n);
  amounts.forEach((amount, i) => {
    if (amount < 1n) {
      fail(
        `${listPath}.${i}.percent`,
        `comes to ${amount} minor units of the upfront total ${total}: each installment must be at least 1`,
      );
    }
  });
  return { errors, kind, amounts };
}

/** 3333 → "33.33", for messages. */
function formatHundredths(h: bigint): string {
  const whole = h / 100n;
  const cents = h % 100n;
  return cents === 0n ? `${whole}` : `${whole}.${cents.toString().padStart(2, "0")}`;
}
