import * as z from "zod";
import { describe, expect, it } from "vitest";
import { fieldErrors } from "../../shared/http/validation.ts";

describe("validation errors", () => {
  it("name every unknown field, every missing one, and nested paths", () => {
    const schema = z.strictObject({ name: z.string(), lines: z.array(z.strictObject({ qty: z.number().int() })) });
    const result = schema.safeParse({ lines: [{ qty: 1.5, extra: true }], id: "x" });
    expect(result.success).toBe(false);
    expect(fieldErrors(result.error?.issues ?? [])).toEqual(
      expect.arrayContaining([
        { path: "name", message: "is required" },
        { path: "lines.0.qty", message: "Invalid input: expected int, received number" },
        { path: "lines.0.extra", message: "is not a known field" },
        { path: "id", message: "is not a known field" },
      ]),
    );
  });
});
