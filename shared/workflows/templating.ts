/**
 * Workflow email and task texts: LiquidJS templates over an enrollment's context, checked at save
 * time against the trigger's object shapes (`checkTemplate`) so that a text never renders a blank
 * or fails at send time for a name the merchant mistyped.
 *
 * The engine is locked down: strict variables and filters, own properties only, no file system and
 * no tags that load other templates (`include`, `render`, `layout` are unknown tags, and the file
 * system refuses every read anyway), and limits on the source's length, the render's time and the
 * memory it allocates, plus a cap on the rendered size — a merchant's loop cannot hold a consumer.
 *
 * A text is rendered for one reader: `{{ locale }}` and `{{ language }}` name theirs (so a merchant
 * can write a branch per language), and money and dates print in their locale unless the `money` or
 * `date` filter names another (`{{ invoice.total | money: "nb-NO" }}`).
 */
import { Drop, Liquid, type Template, TypeGuards, toValueSync, Value, type Variable } from "liquidjs";
import { canonicalLocale, defaultLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import {
  type ContextObject,
  type FieldKind,
  type MoneyValue,
  type ObjectShape,
  objectShapes,
  type WorkflowContext,
} from "./workflow.ts";
import { maxRenderedLength, maxTemplateLength } from "./template-limits.ts";

/** Where a rendered text goes: an HTML body (outputs escaped), a text body, or a subject (one line). */
export type TemplateMode = "html" | "text" | "subject";

/** Milliseconds one render may take, and the allocations (LiquidJS's units) it may make. */
const renderLimit = 500;
const memoryLimit = 1_000_000;

const isMoney = (value: unknown): value is MoneyValue =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as MoneyValue).amount === "number" &&
  typeof (value as MoneyValue).currency === "string";

/**
 * A money value in a template: `{{ payment.amount }}` prints it formatted (a plain object would
 * print "[object Object]"), `.amount` and `.currency` still read the parts.
 */
class MoneyDrop extends Drop {
  readonly amount: number;
  readonly currency: string;
  // Private: a template reads only `.amount` and `.currency`.
  readonly #reader: Translator;
  constructor(money: MoneyValue, reader: Translator) {
    super();
    this.amount = money.amount;
    this.currency = money.currency;
    this.#reader = reader;
  }
  override valueOf(): string {
    return this.#reader.money(this.amount, this.currency);
  }
  override toString(): string {
    return this.valueOf();
  }
}

/** The context as templates see it: money values become `MoneyDrop`s, everything else as is. */
function templateValue(value: unknown, reader: Translator): unknown {
  if (isMoney(value)) return new MoneyDrop(value, reader);
  if (Array.isArray(value)) return value.map((item) => templateValue(item, reader));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, templateValue(v, reader)]));
  return value;
}

/** The variables every text has besides its context: the reader's locale and its language subtag. */
const readerVariables = ["locale", "language"] as const;

/**
 * `language` is the locale's own language subtag (`de` for `de-CH`), not the catalog Kassa's words
 * fall back to: the merchant's branches are the merchant's words, in any language they write.
 */
const readerScope = (reader: Translator): Record<(typeof readerVariables)[number], string> => ({
  locale: reader.locale,
  language: new Intl.Locale(reader.locale).language,
});

/** The filters whose one optional argument is a locale that formats instead of the reader's. */
const localeFilters = new Set(["money", "date"]);

/**
 * What a `money` or `date` filter formats with: the locale its argument names (a variable's may be
 * null or, written before validation, no locale at all: then the reader's).
 */
const formatterFor = (reader: Translator, locale: unknown): Translator =>
  typeof locale === "string" && canonicalLocale(locale) ? translator(locale) : reader;

const refusingFs = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string) => {
    throw new Error(`workflow templates read no files (${file})`);
  },
  readFileSync: (file: string): string => {
    throw new Error(`workflow templates read no files (${file})`);
  },
  resolve: (_dir: string, file: string) => file,
  contains: async () => false,
  containsSync: () => false,
};

/** Tags that would load another template: none exists for a workflow, so they are not tags at all. */
const loadingTags = ["include", "render", "layout"] as const;

/** Outputs of text and subject modes lose line breaks: a value never adds a line (or a header) of its own. */
const oneLine = (value: unknown) => String(value ?? "").replace(/[\r\n]+/g, " ");

function engine(timeZone: string, mode: TemplateMode, reader: Translator): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    fs: refusingFs,
    relativeReference: false,
    dynamicPartials: false,
    parseLimit: maxTemplateLength,
    renderLimit,
    memoryLimit,
    outputEscape: mode === "html" ? "escape" : (value: unknown) => oneLine(value?.valueOf()),
  });
  for (const tag of loadingTags) delete liquid.tags[tag];
  // `raw` would print its input unescaped in an HTML body (LiquidJS skips outputEscape after it).
  delete liquid.filters.raw;
  liquid.registerFilter("money", (value: unknown, locale?: unknown) =>
    isMoney(value) ? formatterFor(reader, locale).money(value.amount, value.currency) : value,
  );
  // Total, so a template the save-time check passed cannot fail at send time: what is no date
  // (`{{ customer.name | date }}`, an absent value) prints as it is.
  liquid.registerFilter("date", (value: unknown, locale?: unknown) =>
    typeof value === "string" && !Number.isNaN(Date.parse(value))
      ? formatterFor(reader, locale).date(value, timeZone)
      : value,
  );
  return liquid;
}

/**
 * Renders `source` over the context for a reader in `locale` (dates in `timeZone`); a subject is
 * one line. Throws past the limits.
 */
export async function renderTemplate(
  source: string,
  context: WorkflowContext,
  mode: TemplateMode,
  options: { timeZone: string; locale: string },
): Promise<string> {
  const reader = translator(options.locale);
  const out = await engine(options.timeZone, mode, reader).parseAndRender(source, {
    ...(templateValue(context, reader) as Record<string, unknown>),
    ...readerScope(reader),
  });
  if (out.length > maxRenderedLength)
    throw new Error(`the rendered text is longer than ${maxRenderedLength} characters`);
  return mode === "subject" ? oneLine(out).trim() : out;
}

/** What a template may read after the object: a field of a shape, a money value's parts, a text's size. */
function knownPath(shape: ObjectShape | FieldKind, rest: readonly (string | number | Variable)[]): boolean {
  if (rest.length === 0) return true;
  const [head, ...tail] = rest;
  if (typeof head !== "string") return false;
  if (typeof shape === "object") {
    const field = Object.hasOwn(shape, head) ? shape[head] : undefined;
    return field !== undefined && knownPath(field, tail);
  }
  if (shape === "money") return (head === "amount" || head === "currency") && tail.length === 0;
  if (shape === "string") return head === "size" && tail.length === 0;
  return false;
}

/**
 * The engine that checks templates, built on first use. The workflows API loads this module with
 * its validator, on the first save (shared/workflows/service.ts), so listing workflows and reading
 * enrollments never pay for Liquid and the message catalog.
 */
let checker: Liquid | undefined;
const checkerEngine = (): Liquid => {
  checker ??= engine("UTC", "html", translator(defaultLocale));
  return checker;
};
const forloopFields = new Set(["index", "index0", "rindex", "rindex0", "first", "last", "length"]);

/** Every filtered value of the templates, in tags' arguments and their bodies too. */
function* valuesOf(templates: readonly Template[]): Generator<Value> {
  for (const template of templates) {
    for (const argument of template.arguments?.() ?? []) if (argument instanceof Value) yield argument;
    if (template.children) yield* valuesOf(toValueSync(template.children(false, true)));
  }
}

/**
 * What is wrong with the locale arguments of `money` and `date`: more than one, or a literal that
 * is no locale the platform formats (`"en_US"`). A variable (`customer.locale`) is checked as a
 * variable; at send time a value that is no locale (null) prints in the reader's.
 */
function localeArgumentErrors(templates: readonly Template[]): string[] {
  const errors: string[] = [];
  for (const value of valuesOf(templates)) {
    for (const filter of value.filters) {
      if (!localeFilters.has(filter.name) || filter.args.length === 0) continue;
      const [argument] = filter.args;
      if (filter.args.length > 1 || Array.isArray(argument))
        errors.push(`the ${filter.name} filter takes one argument, a locale`);
      else if (TypeGuards.isQuotedToken(argument)) {
        if (!canonicalLocale(argument.content))
          errors.push(
            `the ${filter.name} filter's locale "${argument.content}" is not a BCP 47 locale (nb-NO)`,
          );
      } else if (!TypeGuards.isPropertyAccessToken(argument))
        errors.push(`the ${filter.name} filter takes a locale ("nb-NO") or a variable holding one`);
    }
  }
  return errors;
}

/**
 * The errors a template has for a context of `objects` (a trigger's objects, plus `discountCode`
 * once a step made one): it does not parse, uses a filter or tag that does not exist, gives
 * `money` or `date` a locale that is none, or reads a variable no shape has. Empty when it renders
 * on every such context.
 */
export function checkTemplate(source: string, objects: readonly ContextObject[]): string[] {
  let analysis: ReturnType<Liquid["analyzeSync"]>;
  let templates: Template[];
  try {
    templates = checkerEngine().parse(source);
    analysis = checkerEngine().analyzeSync(templates, { partials: false });
  } catch (error) {
    return [error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error)];
  }
  const errors = new Set<string>(localeArgumentErrors(templates));
  const globals = new Set(Object.values(analysis.globals).flat());
  for (const variable of Object.values(analysis.variables).flat()) {
    const [root, ...rest] = variable.segments;
    const known = globals.has(variable)
      ? typeof root === "string" &&
        ((objects as readonly string[]).includes(root)
          ? knownPath(objectShapes[root as ContextObject], rest)
          : (readerVariables as readonly string[]).includes(root) && knownPath("string", rest))
      : // A template's own variable (assign, capture, a loop's item) is read whole: its fields are
        // not checked against a shape, so they could fail at send time. Only forloop's are known.
        rest.length === 0 || (root === "forloop" && rest.length === 1 && forloopFields.has(String(rest[0])));
    if (!known) errors.add(`unknown variable ${variable.toString()}`);
  }
  return [...errors];
}
