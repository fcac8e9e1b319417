/**
 * The message catalogs stay complete and consistent: every language holds exactly English's keys,
 * every message parses as ICU MessageFormat and takes the same arguments in every language, and
 * every key the code renders (`t("…")`) exists.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { catalogs } from "../../shared/i18n/catalog.ts";
import { languages } from "../../shared/i18n/locale.ts";

const english = catalogs.en.messages as Record<string, string>;

/** The argument names a message uses, plural/select branches included. */
function argumentsOf(elements: MessageFormatElement[], found = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    found.add(element.value);
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      for (const option of Object.values(element.options)) argumentsOf(option.value, found);
    }
    if (element.type === TYPE.tag) argumentsOf(element.children, found);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe.each(languages.filter((language) => language !== "en"))("the %s catalog", (language) => {
  const messages = catalogs[language].messages as Record<string, string>;

  it("holds exactly the English keys", () => {
    expect(Object.keys(messages).sort()).toEqual(Object.keys(english).sort());
  });

  it("takes the same arguments as English in every message", () => {
    for (const [key, text] of Object.entries(english)) {
      const theirs = messages[key];
      if (theirs === undefined) continue; // reported by the key test
      expect([...argumentsOf(parse(theirs))].sort(), key).toEqual([...argumentsOf(parse(text))].sort());
    }
  });
});

describe("every catalog", () => {
  it.each(languages)("%s: every message parses as ICU MessageFormat", (language) => {
    for (const [key, text] of Object.entries(catalogs[language].messages)) {
      expect(() => parse(text), `${language} ${key}`).not.toThrow();
    }
  });

  it("has every key the code renders", () => {
    const used = new Set<string>();
    for (const file of [...sourceFiles("shared"), ...sourceFiles("functions")]) {
      for (const match of readFileSync(file, "utf8").matchAll(/\bt\(\s*["'`]([\w.-]+)["'`]/g)) {
        used.add(match[1] as string);
      }
    }
    // The scan must see the code's keys at all (a changed call shape would otherwise pass vacuously).
    expect(used.size).toBeGreaterThan(100);
    for (const language of languages) {
      const missing = [...used].filter((key) => !(key in catalogs[language].messages));
      expect(missing, language).toEqual([]);
    }
  });
});
