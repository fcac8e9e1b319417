/**
 * Builds a collection list's `filter` (a DynamoDB FilterExpression) from simple per-attribute
 * conditions, with `#fN`/`:fN` placeholders that cannot collide with the query's `:pk`, `:lower`, `:upper`.
 */
import type { Filter } from "./collection.ts";

export type Condition =
  | { attribute: string; equals: string | number | boolean }
  | { attribute: string; exists: boolean }
  | { attribute: string; compare: "<" | "<=" | ">" | ">="; value: string | number };

/** All conditions must hold; undefined when there are none. */
export function allOf(conditions: Condition[]): Filter | undefined {
  if (conditions.length === 0) return undefined;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = conditions.map((condition, i) => {
    names[`#f${i}`] = condition.attribute;
    if ("exists" in condition)
      return `${condition.exists ? "attribute_exists" : "attribute_not_exists"}(#f${i})`;
    if ("compare" in condition) {
      values[`:f${i}`] = condition.value;
      return `#f${i} ${condition.compare} :f${i}`;
    }
    values[`:f${i}`] = condition.equals;
    return `#f${i} = :f${i}`;
  });
  return { expression: parts.join(" AND "), names, ...(Object.keys(values).length > 0 ? { values } : {}) };
}
