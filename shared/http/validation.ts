/**
 * Turns zod issues into the field errors of a problem document. Unknown keys become one error per
 * key (named by its full path), so "unknown field" and "read-only field" errors point at the field.
 */
import type { z } from "zod";
import type { FieldError } from "../domain/errors.ts";

function pathOf(segments: readonly PropertyKey[]): string {
  return segments.length === 0 ? "body" : segments.map(String).join(".");
}

export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue): FieldError[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: "is not a known field" }));
    }
    // zod leaves `input` out of issues unless asked; its message says when the value was missing.
    if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
      return [{ path: pathOf(issue.path), message: "is required" }];
    }
    return [{ path: pathOf(issue.path), message: issue.message }];
  });
}
