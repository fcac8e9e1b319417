/**
 * Turns zod issues into the field errors of a problem document. A missing field says "is required"
 * (whatever the schema's own message), and unknown keys become one error per key, named by its full
 * path, so "unknown field" and "read-only field" errors point at the field.
 */
import type * as z from "zod";
import type { FieldError } from "../domain/errors.ts";

function pathOf(segments: readonly PropertyKey[]): string {
  return segments.length === 0 ? "body" : segments.map(String).join(".");
}

function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  let value = input;
  for (const segment of path) {
    if (!value || typeof value !== "object") return false;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value === undefined && path.length > 0;
}

export function fieldErrors(issues: readonly z.core.$ZodIssue[], input?: unknown): FieldError[] {
  return issues.flatMap((issue): FieldError[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: pathOf([...issue.path, key]),
        message: "is not a known field",
      }));
    }
    if (
      isMissing(input, issue.path) ||
      (issue.code === "invalid_type" && issue.message.endsWith("received undefined"))
    ) {
      return [{ path: pathOf(issue.path), message: "is required" }];
    }
    return [{ path: pathOf(issue.path), message: issue.message }];
  });
}
