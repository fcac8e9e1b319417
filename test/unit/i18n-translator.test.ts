/** A reader's translator: words from their language's catalog, numbers and dates in their locale. */
import { describe, expect, it } from "vitest";
import { canonicalLocale, languageOf, readerLocale } from "../../shared/i18n/locale.ts";
import { translator } from "../../shared/i18n/translator.ts";

/** Intl separates groups and symbols with no-break spaces; the tests read them as spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

describe("translator", () => {
  it("renders Norwegian words, money and dates for nb-NO", () => {
    const nb = translator("nb-NO");
    expect(nb.t("common.dueDate")).toBe("Forfallsdato");
    expect(nb.t("common.amountDue")).toBe("Å betale");
    expect(plain(nb.money(421875, "NOK"))).toBe("4 218,75 kr");
    expect(nb.date("2026-12-15", "Europe/Oslo")).toBe("15. desember 2026");
    expect(nb.t("common.days", { count: 1 })).toBe("1 dag");
    expect(nb.t("common.days", { count: 3 })).toBe("3 dager");
    expect(plain(nb.percentage(25))).toBe("25 %");
    expect(nb.country("NO")).toBe("Norge");
  });

  it("renders English for en-US", () => {
    const en = translator("en-US");
    expect(en.t("common.dueDate")).toBe("Due date");
    expect(plain(en.money(421875, "NOK"))).toBe("NOK 4,218.75");
    expect(en.date("2026-12-15", "America/New_York")).toBe("Dec 15, 2026");
    expect(en.t("common.paymentTerms", { terms: "net_30", days: 30 })).toBe("Net 30 days");
    expect(en.t("common.paymentTerms", { terms: "due_on_receipt", days: 0 })).toBe("Due on receipt");
  });

  it("formats a locale without a catalog in its own formats, with English words", () => {
    const de = translator("de-DE");
    expect(de.language).toBe("en");
    expect(de.t("common.dueDate")).toBe("Due date");
    expect(plain(de.money(421875, "EUR"))).toBe("4.218,75 €");
    expect(de.date("2026-12-15", "UTC")).toBe("15. Dez. 2026");
  });

  it("keeps the currency's exponent whatever the locale", () => {
    expect(plain(translator("nb-NO").money(5000, "JPY"))).toBe("5 000 JPY");
    expect(plain(translator("nb-NO").money(1234567, "KWD"))).toBe("1 234,567 KWD");
    expect(plain(translator("nb-NO").money(-1250, "NOK"))).toBe("−12,50 kr");
  });

  it("reads an unknown or malformed locale in the default one rather than failing", () => {
    expect(translator("zz-ZZ").locale).toBe("en-US");
    expect(translator("en_US").locale).toBe("en-US");
    expect(translator(undefined).locale).toBe("en-US");
  });
});

describe("locales", () => {
  it("canonicalises tags the platform formats for and refuses the rest", () => {
    expect(canonicalLocale("nb-no")).toBe("nb-NO");
    expect(canonicalLocale("en-US")).toBe("en-US");
    expect(canonicalLocale("fr-CA")).toBe("fr-CA");
    expect(canonicalLocale("en_US")).toBeUndefined();
    expect(canonicalLocale("zz-ZZ")).toBeUndefined();
    expect(canonicalLocale("")).toBeUndefined();
  });

  it("reads Norwegian (no, nn) in Bokmål and anything without a catalog in English", () => {
    expect(languageOf("nb-NO")).toBe("nb");
    expect(languageOf("no")).toBe("nb");
    expect(languageOf("nn-NO")).toBe("nb");
    expect(languageOf("en-GB")).toBe("en");
    expect(languageOf("sv-SE")).toBe("en");
  });

  it("a buyer reads in their own locale, else the merchant's", () => {
    expect(readerLocale({ locale: "en-US" }, { locale: "nb-NO" })).toBe("nb-NO");
    expect(readerLocale({ locale: "nb-NO" }, { locale: null })).toBe("nb-NO");
    expect(readerLocale({ locale: "nb-NO" })).toBe("nb-NO");
    expect(readerLocale({})).toBe("en-US");
  });
});
