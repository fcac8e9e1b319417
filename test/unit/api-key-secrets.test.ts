import { describe, expect, it } from "vitest";
import { hashSecret, newSecret, secretHint, secretsEqual } from "../../shared/auth/secrets.ts";

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
