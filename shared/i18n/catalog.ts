/**
 * The message catalogs, one per shipped language. English defines the keys; every other catalog
 * is typed to hold exactly them (the compiler refuses a missing key) and a test checks each
 * message parses and takes the same arguments in every language.
 */
import type { Language } from "./locale.ts";
import { en } from "./messages/en/index.ts";
import { nb } from "./messages/nb/index.ts";

export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;

export interface LanguageDefinition {
  /** The language's own name for itself. */
  name: string;
  messages: Catalog;
  /**
   * How long a date reads: `medium` ("Dec 15, 2026") or `long` ("15. desember 2026"); the
   * platform's Intl picks the words and order for the locale, the catalog only the length its
   * documents customarily use.
   */
  dateStyle: "medium" | "long";
}

export const catalogs: Record<Language, LanguageDefinition> = {
  en: { name: "English", messages: en, dateStyle: "medium" },
  nb: { name: "Norsk bokmål", messages: nb, dateStyle: "long" },
};
