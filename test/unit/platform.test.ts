import * as z from "zod";
import { describe, expect, it } from "vitest";
import { hashSecret, newSecret, secretHint, secretsEqual } from "../../shared/auth/secrets.ts";
import { atExpression } from "../../shared/aws/scheduler.ts";
import { formatAddress } from "../../shared/aws/mailer.ts";
import { ConflictError, retryOnConflict, StateConflictError } from "../../shared/domain/errors.ts";
import { isId, newId } from "../../shared/domain/ids.ts";
import { fieldErrors } from "../../shared/http/validation.ts";
import { escapeHtml } from "../../shared/notifications/html.ts";

describe("ids", () => {
  it("are prefixed ULIDs that sort by creation time", () => {
    const a = newId("merchant", new Date("2026-01-01T00:00:00Z"));
    const b = newId("merchant", new Date("2026-01-01T00:00:01Z"));
    expect(isId("merchant", a)).toBe(true);
    expect(isId("customer", a)).toBe(false);
    expect(a < b).toBe(true);
  });
});

describe("API key secrets", () => {
  it("carry 32 random bytes, hash with SHA-256 and compare in constant time", () => {
    const secret = newSecret();
    expect(Buffer.from(secret.slice(3), "base64url")).toHaveLength(32);
    expect(newSecret()).not.toBe(secret);
    expect(hashSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(secretHint(secret)).toBe(`sk_…${secret.slice(-4)}`);
    expect(secretsEqual(secret, secret)).toBe(true);
    expect(secretsEqual(secret, `${secret}x`)).toBe(false);
  });
});

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

describe("email helpers", () => {
  it("quote display names and escape HTML", () => {
    expect(formatAddress({ email: "a@b.test", name: 'Ann "The" \\ Boss' })).toBe('"Ann \\"The\\" \\\\ Boss" <a@b.test>');
    expect(formatAddress({ email: "a@b.test", name: "Line\r\nBreak" })).toBe('"Line  Break" <a@b.test>');
    expect(escapeHtml(`<script>alert('x') & "y"</script>`)).toBe("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  });

  it("formats one-time schedules as EventBridge at() expressions in UTC", () => {
    expect(atExpression(new Date("2026-12-08T08:00:00.123Z"))).toBe("at(2026-12-08T08:00:00)");
  });
});

describe("retryOnConflict", () => {
  it("re-runs after a lost race, but not after a state conflict or another error, and gives up after N runs", async () => {
    let runs = 0;
    expect(
      await retryOnConflict(5, async () => {
        runs++;
        if (runs < 3) throw new ConflictError("lost the race");
        return "done";
      }),
    ).toBe("done");
    expect(runs).toBe(3);

    runs = 0;
    await expect(
      retryOnConflict(5, async () => {
        runs++;
        throw new StateConflictError("Cannot finalize an invoice whose status is open");
      }),
    ).rejects.toThrow(/status is open/);
    expect(runs).toBe(1);

    runs = 0;
    await expect(
      retryOnConflict(4, async () => {
        runs++;
        throw new ConflictError("always");
      }),
    ).rejects.toThrow("always");
    expect(runs).toBe(4);

    runs = 0;
    await expect(
      retryOnConflict(4, async () => {
        runs++;
        throw new Error("network");
      }),
    ).rejects.toThrow("network");
    expect(runs).toBe(1);
  });
});
