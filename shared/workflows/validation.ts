/**
 * A workflow definition checked whole at save time, so an enrollment never meets a step it cannot
 * run: the trigger and its filters against the trigger's object shapes, the steps' count and
 * nesting, durations, amounts, recipients, and every text template (variables and filters known for
 * what the context holds at that step — `discountCode` only after a step made one). Each error names
 * the exact field (`steps.1.then.0.body`). A webhook step's URL needs DNS, so the use case checks it
 * (`webhookSteps` says where they are).
 */
import { type FieldError, ValidationError } from "../domain/errors.ts";
import { checkTemplate } from "./templating.ts";
import {
  type ContextObject,
  type FieldKind,
  type FilterOp,
  filterOps,
  maxBranchDepth,
  maxSteps,
  type ObjectShape,
  objectShapes,
  triggerObjects,
  type WorkflowDefinition,
  type WorkflowFilter,
  type WorkflowStep,
  workflowTriggers,
} from "./workflow.ts";

/** `PT5M`, `PT2H`, `P3D`, `P1DT12H`: days, hours and minutes only. */
const durationPattern = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;
const minuteMs = 60_000;
const maxDelayMs = 365 * 24 * 60 * minuteMs;

/** A delay's length in milliseconds; undefined when the text is not a duration of days, hours and minutes. */
export function durationMs(duration: string): number | undefined {
  const match = durationPattern.exec(duration);
  if (!match || duration === "P" || duration.endsWith("T")) return undefined;
  const [, days = "0", hours = "0", minutes = "0"] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * minuteMs;
}

/**
 * What a filter's `field` names in a context of `objects`: a field's kind, `object` for a nested
 * object (only `exists` applies), undefined when no shape has it.
 */
export function fieldKindOf(
  objects: readonly ContextObject[],
  field: string,
): FieldKind | "object" | undefined {
  const [root, ...rest] = field.split(".");
  if (!root || !(objects as readonly string[]).includes(root)) return undefined;
  let shape: ObjectShape | FieldKind = objectShapes[root as ContextObject];
  for (const segment of rest) {
    if (typeof shape !== "object" || !Object.hasOwn(shape, segment)) return undefined;
    shape = shape[segment] as ObjectShape | FieldKind;
  }
  return typeof shape === "object" ? (rest.length === 0 ? undefined : "object") : shape;
}

const ordered: readonly FilterOp[] = ["gt", "gte", "lt", "lte"];
const isoDate = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/;

/** Whether `value` is a comparable value for a field of `kind` (money compares its minor units). */
function scalarFits(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "number":
    case "money":
      return typeof value === "number" && Number.isFinite(value);
    case "date":
      return typeof value === "string" && isoDate.test(value) && !Number.isNaN(Date.parse(value));
    case "list":
      return typeof value === "string" && value.length > 0;
  }
}

const valueHint: Record<FieldKind, string> = {
  string: "a string",
  boolean: "true or false",
  number: "a number",
  money: "an amount in minor units",
  date: "an ISO 8601 date or date-time",
  list: "an id (seg_…)",
};

function filterErrors(filter: WorkflowFilter, objects: readonly ContextObject[], path: string): FieldError[] {
  const kind = fieldKindOf(objects, filter.field);
  if (!kind)
    return [
      {
        path: `${path}.field`,
        message: `${filter.field} is not a field here; fields start with one of ${objects.join(", ")}`,
      },
    ];
  if (!filterOps.includes(filter.op))
    return [{ path: `${path}.op`, message: `must be one of ${filterOps.join(", ")}` }];
  const at = `${path}.value`;
  if (filter.op === "exists")
    return filter.value === undefined || typeof filter.value === "boolean"
      ? []
      : [{ path: at, message: "must be true or false (or absent: true)" }];
  if (kind === "object")
    return [{ path: `${path}.op`, message: `${filter.field} is an object: only exists applies` }];
  if (ordered.includes(filter.op) && !["number", "money", "date"].includes(kind))
    return [
      {
        path: `${path}.op`,
        message: `${filter.op} compares numbers, money and dates; ${filter.field} is a ${kind}`,
      },
    ];
  // A list is asked whether it holds an id, and nothing else.
  if (kind === "list" && filter.op !== "contains")
    return [{ path: `${path}.op`, message: `${filter.field} is a list: use contains (or exists)` }];
  if (filter.op === "contains" && kind !== "string" && kind !== "list")
    return [{ path: `${path}.op`, message: `contains applies to text; ${filter.field} is a ${kind}` }];
  if (filter.op === "in") {
    const fits =
      Array.isArray(filter.value) &&
      filter.value.length > 0 &&
      filter.value.every((v) => scalarFits(kind, v));
    return fits ? [] : [{ path: at, message: `must be a non-empty list of ${valueHint[kind]} values` }];
  }
  return scalarFits(kind, filter.value) ? [] : [{ path: at, message: `must be ${valueHint[kind]}` }];
}

const isInteger = (value: unknown, min: number, max: number) =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;

interface Walk {
  trigger: readonly ContextObject[];
  team: ReadonlySet<string>;
  errors: FieldError[];
  count: number;
}

function templateErrors(walk: Walk, source: string, objects: readonly ContextObject[], path: string) {
  for (const message of checkTemplate(source, objects)) walk.errors.push({ path, message });
}

/** Checks `steps` at `path` with or without a code made before; says whether one exists after them. */
function walkSteps(
  walk: Walk,
  steps: readonly WorkflowStep[],
  path: string,
  depth: number,
  code: boolean,
): boolean {
  let hasCode = code;
  steps.forEach((step, i) => {
    walk.count += 1;
    const at = `${path}.${i}`;
    const objects: readonly ContextObject[] = hasCode ? [...walk.trigger, "discountCode"] : walk.trigger;
    const error = (field: string, message: string) => walk.errors.push({ path: `${at}.${field}`, message });
    switch (step.type) {
      case "delay": {
        const ms = durationMs(step.duration);
        if (ms === undefined)
          error("duration", "must be an ISO 8601 duration of days, hours and minutes (PT5M, PT2H, P3D)");
        else if (ms < minuteMs) error("duration", "must be at least 1 minute");
        else if (ms > maxDelayMs) error("duration", "must be at most 365 days");
        break;
      }
      case "send_email": {
        if (typeof step.to === "object") {
          const email = step.to.userEmail.toLowerCase();
          if (!walk.team.has(email))
            error("to.userEmail", "must be the merchant's email or a team member's (merchant settings team)");
        }
        if (step.subject.trim() === "") error("subject", "must not be empty");
        templateErrors(walk, step.subject, objects, `${at}.subject`);
        templateErrors(walk, step.body, objects, `${at}.body`);
        break;
      }
      case "create_task": {
        if (step.title.trim() === "") error("title", "must not be empty");
        templateErrors(walk, step.title, objects, `${at}.title`);
        if (step.body !== undefined) templateErrors(walk, step.body, objects, `${at}.body`);
        if (step.dueInDays !== undefined && !isInteger(step.dueInDays, 0, 365))
          error("dueInDays", "must be a whole number of days from 0 to 365");
        break;
      }
      case "create_discount_code": {
        const percent = step.percentOff !== undefined;
        const amount = step.amountOff !== undefined;
        if (percent === amount)
          error(percent ? "amountOff" : "percentOff", "exactly one of percentOff and amountOff is required");
        if (
          percent &&
          !(typeof step.percentOff === "number" && step.percentOff > 0 && step.percentOff <= 100)
        )
          error("percentOff", "must be more than 0 and at most 100");
        if (amount && !isInteger(step.amountOff, 1, Number.MAX_SAFE_INTEGER))
          error("amountOff", "must be a positive whole amount in minor units");
        if (!isInteger(step.expiresInDays, 1, 365))
          error("expiresInDays", "must be a whole number of days from 1 to 365");
        if (step.maxRedemptions !== 1)
          error("maxRedemptions", "must be 1: a workflow's codes are single-use");
        hasCode = true;
        break;
      }
      case "send_webhook":
        // Its URL is checked by the use case: whether it may be posted to depends on what it resolves to.
        break;
      case "branch": {
        if (depth > maxBranchDepth) {
          walk.errors.push({ path: at, message: `branches nest at most ${maxBranchDepth} deep` });
          break;
        }
        for (const [f, filter] of step.if.entries())
          walk.errors.push(...filterErrors(filter, objects, `${at}.if.${f}`));
        const inThen = walkSteps(walk, step.then, `${at}.then`, depth + 1, hasCode);
        const inElse = walkSteps(walk, step.else, `${at}.else`, depth + 1, hasCode);
        // After a branch a code exists only if both ways made one (or one existed before).
        hasCode = inThen && inElse;
        break;
      }
    }
  });
  return hasCode;
}

/**
 * The errors of a definition; `team` is who `{ userEmail }` may name (the merchant's email and its
 * team's, lower case).
 */
export function definitionErrors(definition: WorkflowDefinition, team: readonly string[]): FieldError[] {
  const { trigger } = definition;
  if (!workflowTriggers.includes(trigger.event))
    return [{ path: "trigger.event", message: `must be one of ${workflowTriggers.join(", ")}` }];
  const walk: Walk = {
    trigger: triggerObjects[trigger.event],
    team: new Set(team.map((e) => e.toLowerCase())),
    errors: [],
    count: 0,
  };
  for (const [i, filter] of trigger.filters.entries())
    walk.errors.push(...filterErrors(filter, walk.trigger, `trigger.filters.${i}`));
  if (definition.steps.length === 0)
    walk.errors.push({ path: "steps", message: "must hold at least one step" });
  walkSteps(walk, definition.steps, "steps", 1, false);
  if (walk.count > maxSteps)
    walk.errors.push({
      path: "steps",
      message: `at most ${maxSteps} steps, counting those inside branches (${walk.count})`,
    });
  return walk.errors;
}

/**
 * Every `send_webhook` step's URL with the path of its field (`steps.1.then.0.url`), branches
 * included — up to the depth branches may nest (a deeper one is refused whole, its insides unread).
 */
export function webhookSteps(
  steps: readonly WorkflowStep[],
  path = "steps",
  depth = 1,
): { path: string; url: string }[] {
  return steps.flatMap((step, i) => {
    if (step.type === "send_webhook") return [{ path: `${path}.${i}.url`, url: step.url }];
    if (step.type === "branch" && depth <= maxBranchDepth)
      return [
        ...webhookSteps(step.then, `${path}.${i}.then`, depth + 1),
        ...webhookSteps(step.else, `${path}.${i}.else`, depth + 1),
      ];
    return [];
  });
}

/** Throws a ValidationError naming every offending field (with `more` found elsewhere: webhook URLs). */
export function assertValidDefinition(
  definition: WorkflowDefinition,
  team: readonly string[],
  more: readonly FieldError[] = [],
): void {
  const errors = [...definitionErrors(definition, team), ...more];
  if (errors.length > 0) throw new ValidationError(errors);
}
