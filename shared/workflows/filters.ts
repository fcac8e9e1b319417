/**
 * A workflow's filters over an enrollment's context (a trigger's and a branch's): pure, all must hold.
 * Money compares its amount (minor units); dates compare as instants; `contains` and `eq` on text
 * are exact (case matters, as in the merchant's data); `contains` on a list asks whether it holds the
 * value (`customer.inSegment` contains `seg_…`); a missing value satisfies only `exists: false` and `neq`.
 */
import type { MoneyValue, WorkflowContext, WorkflowFilter } from "./workflow.ts";

const isMoney = (value: unknown): value is MoneyValue =>
  typeof value === "object" && value !== null && "amount" in value && "currency" in value;

/** The value a dotted field names in the context (`payment.amount`, `customer.accountOwner.email`), or null. */
export function valueAt(context: WorkflowContext, field: string): unknown {
  let value: unknown = context;
  for (const part of field.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, part)) return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value ?? null;
}

const isoInstant = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;

/** What a value compares as: money by its amount, a date by its instant, anything else as it is. */
function comparable(value: unknown): unknown {
  if (isMoney(value)) return value.amount;
  if (typeof value === "string" && isoInstant.test(value)) return Date.parse(value);
  return value;
}

function order(left: unknown, right: unknown): number | undefined {
  const a = comparable(left);
  const b = comparable(right);
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

const same = (left: unknown, right: unknown) => {
  const a = comparable(left);
  return a !== null && a === comparable(right);
};

/** Whether one filter holds for the context. */
export function holds(context: WorkflowContext, filter: WorkflowFilter): boolean {
  const value = valueAt(context, filter.field);
  const present = value !== null;
  switch (filter.op) {
    case "exists":
      return present === (filter.value === undefined ? true : filter.value === true);
    case "eq":
      return same(value, filter.value);
    case "neq":
      return !same(value, filter.value);
    case "in":
      return Array.isArray(filter.value) && filter.value.some((option) => same(value, option));
    case "contains":
      // A text holds the text; a list (`customer.inSegment`) holds the value as one of its entries.
      if (Array.isArray(value)) return value.includes(filter.value);
      return typeof value === "string" && typeof filter.value === "string" && value.includes(filter.value);
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      if (!present) return false;
      const difference = order(value, filter.value);
      if (difference === undefined) return false;
      return filter.op === "gt"
        ? difference > 0
        : filter.op === "gte"
          ? difference >= 0
          : filter.op === "lt"
            ? difference < 0
            : difference <= 0;
    }
    default:
      return false;
  }
}

/** Whether every filter holds (no filters: always). */
export const matches = (context: WorkflowContext, filters: readonly WorkflowFilter[]): boolean =>
  filters.every((filter) => holds(context, filter));
