/**
 * Display formatting: money is exact to the last minor unit at any size (digits checked against
 * BigInt arithmetic done here, not by the implementation), quantities and percentages keep up to 4
 * decimals, and calendar dates never shift with the time zone.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currencyCodes, exponentOf } from "../../shared/domain/currency.ts";
import {
  formatDate,
  formatMoney,
  formatPercentage,
  formatQuantity,
  majorUnits,
  minorUnits,
} from "../../shared/domain/format.ts";

/** The digits of a formatted amount, with the decimal point, e.g. "$1,234.56" → "1234.56". */
const digitsOf = (formatted: string) => (/\d[\d,]*(?:\.\d+)?/.exec(formatted)?.[0] ?? "").replaceAll(",", "");

describe("minorUnits", () => {
  it("reads what a person types in major units, exactly, by the currency's exponent", () => {
    expect(minorUnits("42.5", "USD")).toBe(4250);
    expect(minorUnits("42.50", "USD")).toBe(4250);
    expect(minorUnits(" 42 ", "USD")).toBe(4200);
    expect(minorUnits("0.07", "USD")).toBe(7);
    expect(minorUnits("5000", "JPY")).toBe(5000);
    expect(minorUnits("1.250", "KWD")).toBe(1250);
    // 0.1 + 0.2 is not 0.3 in floats; digits never pass through one.
    expect(minorUnits("90071992547409.91", "USD")).toBe(9007199254740991);
  });

  it.each([
    ["", "USD"],
    ["1.234", "USD"],
    ["1.5", "JPY"],
    ["-1", "USD"],
    ["1,000", "USD"],
    ["$5", "USD"],
    ["1e3", "USD"],
    [".5", "USD"],
    ["90071992547409.92", "USD"],
  ])("refuses %j in %s", (text, currency) => {
    expect(minorUnits(text, currency)).toBeUndefined();
  });

  it("reads back every amount majorUnits writes", () => {
    fc.assert(
      fc.property(fc.constantFrom(...currencyCodes), fc.maxSafeNat(), (currency, amount) => {
        expect(minorUnits(majorUnits(amount, currency), currency)).toBe(amount);
      }),
    );
  });
});

describe("formatMoney", () => {
  it("formats by the currency's ISO exponent", () => {
    expect(formatMoney(123456, "USD")).toBe("$1,234.56");
    expect(formatMoney(5, "USD")).toBe("$0.05");
    expect(formatMoney(0, "USD")).toBe("$0.00");
    expect(formatMoney(1234, "JPY")).toBe("¥1,234");
    expect(formatMoney(1234567, "KWD")).toMatch(/^KWD\s1,234\.567$/);
    expect(formatMoney(12345, "CLF")).toMatch(/1\.2345$/);
    expect(formatMoney(100, "EUR")).toBe("€1.00");
  });

  it("formats negative amounts", () => {
    expect(formatMoney(-123456, "USD")).toBe("-$1,234.56");
    expect(formatMoney(-1, "USD")).toBe("-$0.01");
    expect(formatMoney(-1234, "JPY")).toBe("-¥1,234");
  });

  it("is exact beyond the float-safe range of amount / 100", () => {
    expect(formatMoney(9007199254740991, "USD")).toBe("$90,071,992,547,409.91");
    expect(formatMoney(-9007199254740991, "USD")).toBe("-$90,071,992,547,409.91");
    expect(formatMoney(9007199254740991, "KWD")).toMatch(/9,007,199,254,740\.991$/);
    expect(formatMoney(9007199254740991, "JPY")).toBe("¥9,007,199,254,740,991");
    // 0.29 * 100 !== 29 in floats; the digits must still be right.
    expect(formatMoney(29, "USD")).toBe("$0.29");
    expect(formatMoney(1_000_000_000_000_07, "USD")).toBe("$1,000,000,000,000.07");
  });

  it("keeps every digit for any safe integer and any currency", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom(...currencyCodes), (amount, currency) => {
        const exponent = exponentOf(currency);
        const abs = (amount < 0 ? -BigInt(amount) : BigInt(amount)).toString().padStart(exponent + 1, "0");
        const expected = exponent ? `${abs.slice(0, -exponent)}.${abs.slice(-exponent)}` : abs;
        const formatted = formatMoney(amount, currency);
        expect(digitsOf(formatted)).toBe(expected);
        expect(formatted.includes("-")).toBe(amount < 0);
      }),
      { numRuns: 500 },
    );
  });

  it("follows the locale", () => {
    expect(formatMoney(123456, "EUR", "de-DE")).toBe("1.234,56\u00a0€");
  });

  it("rejects non-integer or unsafe amounts and unknown currencies", () => {
    expect(() => formatMoney(1.5, "USD")).toThrow(RangeError);
    expect(() => formatMoney(2 ** 53, "USD")).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN, "USD")).toThrow(RangeError);
    expect(() => formatMoney(100, "usd")).toThrow(RangeError);
  });
});

describe("formatQuantity", () => {
  it("shows up to 4 decimals without trailing zeros", () => {
    expect(formatQuantity(1)).toBe("1");
    expect(formatQuantity(1.5)).toBe("1.5");
    expect(formatQuantity(2.125)).toBe("2.125");
    expect(formatQuantity(0.0001)).toBe("0.0001");
    expect(formatQuantity(1.2345)).toBe("1.2345");
    expect(formatQuantity(1000)).toBe("1,000");
    expect(formatQuantity(0.1 + 0.2)).toBe("0.3");
  });
});

describe("formatPercentage", () => {
  it("shows a 0–100 percentage with up to 4 decimals", () => {
    expect(formatPercentage(20)).toBe("20%");
    expect(formatPercentage(8.875)).toBe("8.875%");
    expect(formatPercentage(7.25)).toBe("7.25%");
    expect(formatPercentage(0.0001)).toBe("0.0001%");
    expect(formatPercentage(100)).toBe("100%");
    expect(formatPercentage(0)).toBe("0%");
    expect(formatPercentage(19.99)).toBe("19.99%");
  });
});

describe("formatDate", () => {
  it("shows a calendar date as that date in every zone", () => {
    expect(formatDate("2026-12-08", "America/Los_Angeles")).toBe("Dec 8, 2026");
    expect(formatDate("2026-12-08", "Pacific/Kiritimati")).toBe("Dec 8, 2026");
    expect(formatDate("2026-01-01", "Pacific/Pago_Pago")).toBe("Jan 1, 2026");
  });

  it("shows a timestamp as the date it falls on in the merchant's zone", () => {
    expect(formatDate("2026-12-08T03:00:00Z", "UTC")).toBe("Dec 8, 2026");
    expect(formatDate("2026-12-08T03:00:00Z", "America/New_York")).toBe("Dec 7, 2026");
    expect(formatDate("2026-12-08T20:00:00.000Z", "Asia/Tokyo")).toBe("Dec 9, 2026");
  });

  it("follows the locale", () => {
    expect(formatDate("2026-12-08", "UTC", "de-DE")).toBe("8. Dez. 2026");
  });

  it("rejects invalid dates", () => {
    expect(() => formatDate("2026-02-30", "UTC")).toThrow(RangeError);
    expect(() => formatDate("not a date", "UTC")).toThrow(RangeError);
  });
});
