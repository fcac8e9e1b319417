/**
 * Locales: which one a document is read in, and which language's words it uses. A locale is any
 * BCP 47 tag the platform's `Intl` can format for (`en-US`, `nb-NO`, `de-CH`): numbers, money, dates
 * and percentages follow it exactly. Words come from a message catalog: Kassa ships `en` and `nb`;
 * a locale whose language has no catalog reads English words in its own formats.
 */

/** The languages Kassa ships message catalogs for (see `messages/`); the first is the fallback. */
export const languages = ["en", "nb"] as const;
export type Language = (typeof languages)[number];

/** What a merchant created without one reads and formats in. */
export const defaultLocale = "en-US";

/**
 * Norwegian: `no` is the macrolanguage and CLDR formats it as Bokmål; a Nynorsk reader (`nn`) reads
 * Bokmål far more easily than English, so until Kassa ships `nn` they read Bokmål.
 */
const languageAliases: Record<string, Language> = { no: "nb", nn: "nb" };

/**
 * The canonical form of a BCP 47 tag (`nb-no` → `nb-NO`) when the platform formats numbers and
 * dates for it; undefined for a malformed tag (`en_US`) or one it has no data for (`zz-ZZ`).
 */
export function canonicalLocale(tag: string): string | undefined {
  if (tag.length === 0 || tag.length > 64) return undefined;
  let canonical: string;
  try {
    [canonical = ""] = Intl.getCanonicalLocales(tag);
  } catch {
    return undefined;
  }
  const formats =
    Intl.NumberFormat.supportedLocalesOf(canonical).length > 0 &&
    Intl.DateTimeFormat.supportedLocalesOf(canonical).length > 0;
  return canonical && formats ? canonical : undefined;
}

/** The catalog a locale reads: its language's when Kassa ships one, else English. */
export function languageOf(locale: string): Language {
  const language = new Intl.Locale(locale).language;
  return (languages as readonly string[]).includes(language)
    ? (language as Language)
    : (languageAliases[language] ?? languages[0]);
}

/**
 * The locale a buyer reads a document in: the customer's when they have one, else the merchant's.
 * (Mail to the merchant itself passes no customer.)
 */
export function readerLocale(
  merchant: { locale?: string | undefined },
  customer?: { locale?: string | null | undefined },
): string {
  return customer?.locale ?? merchant.locale ?? defaultLocale;
}
