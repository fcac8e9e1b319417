/**
 * Workflow email and task texts: LiquidJS templates over an enrollment's context, checked at save
 * time against the trigger's object shapes (`checkTemplate`) so that a text never renders a blank
 * or fails at send time for a name the merchant mistyped.
 *
 * The engine is locked down: strict variables and filters, own properties only, no file system and
 * no tags that load other templates (`include`, `render`, `layout` are unknown tags, and the file
 * system refuses every read anyway), and limits on the source's length, the render's time and the
 * memory it allocates, plus a cap on the rendered size — a merchant's loop cannot hold a consumer.
 */
import { Drop, Liquid, type Variable } from "liquidjs";
import { formatDate, formatMoney } from "../domain/format.ts";
import {
  type ContextObject,
  type FieldKind,
  type MoneyValue,
  type ObjectShape,
  objectShapes,
  type WorkflowContext,
} from "./workflow.ts";

/** Where a rendered text goes: an HTML body (outputs escaped), a text body, or a subject (one line). */
export type TemplateMode = "html" | "text" | "subject";

/** The longest template source accepted, and the most a render may produce. */
export const maxTemplateLength = 20_000;
export const maxRenderedLength = 100_000;
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
  constructor(money: MoneyValue) {
    super();
    this.amount = money.amount;
    this.currency = money.currency;
  }
  override valueOf(): string {
    return formatMoney(this.amount, this.currency);
  }
  override toString(): string {
    return this.valueOf();
  }
}

/** The context as templates see it: money values become `MoneyDrop`s, everything else as is. */
function templateValue(value: unknown): unknown {
  if (isMoney(value)) return new MoneyDrop(value);
  if (Array.isArray(value)) return value.map(templateValue);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, templateValue(v)]));
  return value;
}

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

function engine(timeZone: string, mode: TemplateMode): Liquid {
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
  liquid.registerFilter("money", (value: unknown) =>
    isMoney(value) ? formatMoney(value.amount, value.currency) : value,
  );
  // Total, so a template the save-time check passed cannot fail at send time: what is no date
  // (`{{ customer.name | date }}`, an absent value) prints as it is.
  liquid.registerFilter("date", (value: unknown) =>
    typeof value === "string" && !Number.isNaN(Date.parse(value)) ? formatDate(value, timeZone) : value,
  );
  return liquid;
}

/** Renders `source` over the context; a subject is one line. Throws past the limits. */
export async function renderTemplate(
  source: string,
  context: WorkflowContext,
  mode: TemplateMode,
  options: { timeZone: string },
): Promise<string> {
  const out = await engine(options.timeZone, mode).parseAndRender(
    source,
    templateValue(context) as Record<string, unknown>,
  );
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

const checker = engine("UTC", "html");
const forloopFields = new Set(["index", "index0", "rindex", "rindex0", "first", "last", "length"]);

/**
 * The errors a template has for a context of `objects` (a trigger's objects, plus `discountCode`
 * once a step made one): it does not parse, uses a filter or tag that does not exist, or reads a
 * variable no shape has. Empty when it renders on every such context.
 */
export function checkTemplate(source: string, objects: readonly ContextObject[]): string[] {
  let analysis: ReturnType<Liquid["analyzeSync"]>;
  try {
    analysis = checker.analyzeSync(checker.parse(source), { partials: false });
  } catch (error) {
    return [error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error)];
  }
  const errors = new Set<string>();
  const globals = new Set(Object.values(analysis.globals).flat());
  for (const variable of Object.values(analysis.variables).flat()) {
    const [root, ...rest] = variable.segments;
    const known = globals.has(variable)
      ? typeof root === "string" &&
        (objects as readonly string[]).includes(root) &&
        knownPath(objectShapes[root as ContextObject], rest)
      : // A template's own variable (assign, capture, a loop's item) is read whole: its fields are
        // not checked against a shape, so they could fail at send time. Only forloop's are known.
        rest.length === 0 || (root === "forloop" && rest.length === 1 && forloopFields.has(String(rest[0])));
    if (!known) errors.add(`unknown variable ${variable.toString()}`);
  }
  return [...errors];
}
