/**
 * Display formatting for documents (PDF, emails, hosted pages): money, quantities, percentages and
 * dates. Pure and exact: amounts are integer minor units split into digits with BigInt and handed to
 * `Intl.NumberFormat` as decimal strings, so no value ever passes through a float division and what
 * a document shows is exactly what the API returns.
 */
import { exponentOf } from "./currency.ts";

/** `"-1234.56"` from `-123456` minor units at exponent 2; exact for any safe integer. */
function minorToDecimal(amount: number, exponent: number): string {
  if (!Number.isSafeInteger(amount))
    throw new RangeError(`Amount must be an integer of minor units: ${amount}`);
  const value = BigInt(amount);
  const digits = (value < 0n ? -value : value).toString().padStart(exponent + 1, "0");
  const major = digits.slice(0, digits.length - exponent);
  const minor = digits.slice(digits.length - exponent);
  return `${value < 0n ? "-" : ""}${major}${exponent > 0 ? `.${minor}` : ""}`;
}

/** Moves the decimal point of a plain decimal string `places` to the left (`"8.25"`, 2 → `"0.0825"`). */
function shiftLeft(decimal: string, places: number): string {
  const negative = decimal.startsWith("-");
  const [int = "0", frac = ""] = (negative ? decimal.slice(1) : decimal).split(".");
  const padded = int.padStart(places + 1, "0");
  const head = padded.slice(0, padded.length - places);
  return `${negative ? "-" : ""}${head}.${padded.slice(padded.length - places)}${frac}`;
}

/** A finite number with at most 4 decimals as an exact decimal string (`toFixed` rounds, never uses exponents below 1e21). */
function fourDecimals(value: number, what: string): string {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21)
    throw new RangeError(`${what} must be a finite number: ${value}`);
  return value.toFixed(4);
}

/**
 * An amount in major units as a plain decimal string with exactly the currency's exponent of
 * digits (no grouping, no symbol): `4250` USD → `"42.50"`, `5000` JPY → `"5000"`, `1250` KWD →
 * `"1.250"`, `-1250` USD → `"-12.50"`. For exports, where a spreadsheet reads it as a number.
 */
export function majorUnits(amount: number, currency: string): string {
  return minorToDecimal(amount, exponentOf(currency));
}

/**
 * The inverse of `majorUnits` for what a person types: `"42.5"` USD → `4250`, `"5000"` JPY → `5000`,
 * `"1.250"` KWD → `1250`. Digits with an optional point and at most the currency's exponent of
 * decimals, no sign, grouping or symbol; `undefined` for anything else (a third decimal in USD is a
 * mistake to point out, never to round) and beyond a safe integer. Exact: digits, never a float.
 */
export function minorUnits(text: string, currency: string): number | undefined {
  const exponent = exponentOf(currency);
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  const [, major = "", minor = ""] = match ?? [];
  if (!match || minor.length > exponent) return undefined;
  const amount = BigInt(major + minor.padEnd(exponent, "0"));
  return amount <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(amount) : undefined;
}

/**
 * `formatMoney(123456, "USD")` → `"$1,234.56"`; `(1234, "JPY")` → `"¥1,234"`; `(1234567, "KWD")` →
 * `"KWD 1,234.567"`. Always shows the currency's full ISO exponent of digits.
 */
export function formatMoney(amount: number, currency: string, locale = "en-US"): string {
  const exponent = exponentOf(currency);
  const format = new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  return format.format(minorToDecimal(amount, exponent) as Intl.StringNumericLiteral);
}

/** A quantity with up to 4 decimals and no trailing zeros: `1.5` → `"1.5"`, `1000` → `"1,000"`. */
export function formatQuantity(quantity: number, locale = "en-US"): string {
  const format = new Intl.NumberFormat(locale, { maximumFractionDigits: 4 });
  return format.format(fourDecimals(quantity, "Quantity") as Intl.StringNumericLiteral);
}

/** A percentage given as 0–100 with up to 4 decimals: `8.875` → `"8.875%"`, `20` → `"20%"`. */
export function formatPercentage(percentage: number, locale = "en-US"): string {
  const format = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 4 });
  return format.format(shiftLeft(fourDecimals(percentage, "Percentage"), 2) as Intl.StringNumericLiteral);
}

const calendarDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * `"Dec 8, 2026"` (`nb-NO`, `long`: `"8. desember 2026"`). A calendar date (`YYYY-MM-DD`, e.g. a due
 * date) is shown as that date whatever the zone; a timestamp is shown as the date it falls on in
 * `timeZone` (the merchant's).
 */
export function formatDate(
  isoDateOrDateTime: string,
  timeZone: string,
  locale = "en-US",
  dateStyle: "medium" | "long" = "medium",
): string {
  // Named months, never all-numeric (`08.12.2026` is ambiguous across locales), whatever the style.
  const month = dateStyle === "long" ? "long" : "short";
  const options: Intl.DateTimeFormatOptions = { year: "numeric", month, day: "numeric" };
  const date = calendarDate.exec(isoDateOrDateTime);
  if (date) {
    const [, y, m, d] = date.map(Number) as [number, number, number, number];
    const utc = new Date(0);
    utc.setUTCFullYear(y, m - 1, d);
    if (utc.getUTCFullYear() !== y || utc.getUTCMonth() !== m - 1 || utc.getUTCDate() !== d) {
      throw new RangeError(`Invalid date: ${isoDateOrDateTime}`);
    }
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(utc);
  }
  const instant = new Date(isoDateOrDateTime);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`Invalid date: ${isoDateOrDateTime}`);
  return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(instant);
}
