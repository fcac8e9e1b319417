/** Secrets at rest: AES-256-GCM sealing under the data encryption key, its context binding and key rotation. */
import { describe, expect, it } from "vitest";
import { keyringOf, seal, unseal } from "../../shared/auth/sealed.ts";

const oldKey = "old-data-encryption-key-0123456789abcdef";
const newKey = "new-data-encryption-key-0123456789abcdef";
const secret = '{"secret":"sk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"}';

describe("sealed secrets", () => {
  it("opens what it sealed, and never holds the plaintext", () => {
    const keyring = keyringOf(oldKey);
    const sealed = seal(keyring, secret, "idempotency mer_1 k1");
    expect(JSON.stringify(sealed)).not.toContain("sk_0123");
    expect(Buffer.from(sealed.iv, "base64url")).toHaveLength(12);
    expect(Buffer.from(sealed.tag, "base64url")).toHaveLength(16);
    expect(unseal(keyring, sealed, "idempotency mer_1 k1")).toBe(secret);
  });

  it("uses a fresh IV each time, so equal secrets never look equal", () => {
    const keyring = keyringOf(oldKey);
    const [a, b] = [seal(keyring, secret, "c"), seal(keyring, secret, "c")];
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it("refuses a value moved to another context, altered, or under another key", () => {
    const keyring = keyringOf(oldKey);
    const sealed = seal(keyring, secret, "idempotency mer_1 k1");
    expect(() => unseal(keyring, sealed, "idempotency mer_2 k1")).toThrow();
    const flipped = Buffer.from(sealed.ciphertext, "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => unseal(keyring, { ...sealed, ciphertext: flipped.toString("base64url") }, "idempotency mer_1 k1")).toThrow();
    expect(() => unseal(keyringOf(newKey), sealed, "idempotency mer_1 k1")).toThrow(/No data encryption key/);
  });

  it("rotates: the first key seals, every listed key opens", () => {
    const before = seal(keyringOf(oldKey), secret, "c");
    const rotated = keyringOf(`${newKey}\n${oldKey}`);
    expect(unseal(rotated, before, "c")).toBe(secret);
    const after = seal(rotated, secret, "c");
    expect(after.kid).not.toBe(before.kid);
    expect(unseal(keyringOf(newKey), after, "c")).toBe(secret);
  });

  it("refuses an empty key", () => {
    expect(() => keyringOf("  ")).toThrow(/empty/);
  });
});
