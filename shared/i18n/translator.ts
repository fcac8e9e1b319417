/**
 * What a surface renders words, money and dates with for one reader: `translator("nb-NO")`. Words
 * come from the reader's language's catalog (ICU MessageFormat through intl-messageformat: plurals
 * and selects); money, quantities, percentages and dates from `domain/format.ts` in the reader's
 * locale, exactly (never through a float). The result is plain text: HTML surfaces escape it.
 */
import { IntlMessageFormat } from "intl-messageformat";
import { formatDate, formatMoney, formatPercentage, formatQuantity } from "../domain/format.ts";
import { catalogs, type MessageKey } from "./catalog.ts";
import { canonicalLocale, defaultLocale, type Language, languageOf } from "./locale.ts";

/** A message's arguments: already formatted text, or numbers for plurals. */
export type MessageValues = Record<string, string | number>;

export interface Translator {
  /** The canonical BCP 47 locale numbers and dates are formatted in (`lang` of an HTML page). */
  readonly locale: string;
  /** The catalog's language. */
  readonly language: Language;
  t(key: MessageKey, values?: MessageValues): string;
  /** Minor units in the currency's exponent, the locale's separators and symbol placement. */
  money(amount: number, currency: string): string;
  /** A calendar date as itself, a timestamp as the date it falls on in `timeZone`. */
  date(isoDateOrDateTime: string, timeZone: string): string;
  quantity(quantity: number): string;
  /** A percentage given as 0–100. */
  percentage(percentage: number): string;
  /** A country's name from its ISO 3166 code (`NO` → "Norge" in Norwegian). */
  country(code: string): string;
}

const compiled = new Map<string, IntlMessageFormat>();

function message(language: Language, locale: string, key: MessageKey): IntlMessageFormat {
  const id = `${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    format = new IntlMessageFormat(catalogs[language].messages[key], locale);
    compiled.set(id, format);
  }
  return format;
}

const translators = new Map<string, Translator>();

/**
 * The translator for a locale; an unknown or malformed one (a record written before validation)
 * reads in the default locale rather than failing a document.
 */
export function translator(requested: string | undefined): Translator {
  const locale = (requested && canonicalLocale(requested)) || defaultLocale;
  const cached = translators.get(locale);
  if (cached) return cached;
  const language = languageOf(locale);
  const { dateStyle } = catalogs[language];
  const regions = new Intl.DisplayNames([locale], { type: "region", fallback: "code" });
  const made: Translator = {
    locale,
    language,
    t: (key, values) => String(message(language, locale, key).format(values)),
    money: (amount, currency) => formatMoney(amount, currency, locale),
    date: (iso, timeZone) => formatDate(iso, timeZone, locale, dateStyle),
    quantity: (quantity) => formatQuantity(quantity, locale),
    percentage: (percentage) => formatPercentage(percentage, locale),
    country: (code) => regions.of(code.toUpperCase()) ?? code,
  };
  translators.set(locale, made);
  return made;
}
