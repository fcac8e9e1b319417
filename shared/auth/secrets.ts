/**
 * API key secrets: 32 random bytes shown once, stored only as their SHA-256, compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const secretPrefix = "sk_";

export function newSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString("base64url")}`;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A hint that identifies a key in lists without revealing it: `sk_…` plus its last four characters. */
export function secretHint(secret: string): string {
  return `${secretPrefix}…${secret.slice(-4)}`;
}

/** Constant-time comparison of two secrets (hashed first, so lengths always match). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}
