/**
 * Bearer authentication for the API: the platform admin token, or a merchant's API key looked up by
 * the SHA-256 of its secret.
 *
 * Key lookups are cached per container for `keyCacheTtlMs` (30 s), so a revoked key stops working
 * everywhere within 30 s and at once in the container that revoked it. `lastUsedAt` is written only
 * on a cache miss and only when the stored value is older than `lastUsedResolutionMs` (5 min): at
 * most one extra write per key per container every 5 minutes, never one per request.
 */
import type { Clock } from "../domain/clock.ts";
import { UnauthorizedError } from "../domain/errors.ts";
import type { ApiKey } from "../merchants/merchant.ts";
import { hashSecret, secretsEqual } from "./secrets.ts";

export const keyCacheTtlMs = 30_000;
export const lastUsedResolutionMs = 5 * 60_000;

export interface ApiKeyLookup {
  findApiKeyByHash(secretHash: string): Promise<ApiKey | undefined>;
  touchApiKey(secretHash: string, at: string, staleBefore: string): Promise<void>;
}

export function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match?.[1]) throw new UnauthorizedError("Send an Authorization: Bearer <secret> header");
  return match[1];
}

export function assertAdmin(presented: string, adminToken: string): void {
  if (!secretsEqual(presented, adminToken)) throw new UnauthorizedError("The admin token is not valid");
}

export interface MerchantPrincipal {
  merchantId: string;
  keyId: string;
}

const cache = new Map<string, { key: ApiKey | undefined; until: number }>();

/** Forgets a key in this container at once (after a revocation). */
export function forgetApiKey(keyId: string): void {
  for (const [hash, entry] of cache) if (entry.key?.id === keyId) cache.delete(hash);
}

export async function authenticateMerchant(
  lookup: ApiKeyLookup,
  presented: string,
  clock: Clock,
): Promise<MerchantPrincipal> {
  const hash = hashSecret(presented);
  const now = clock.now();
  let entry = cache.get(hash);
  if (!entry || entry.until <= now.getTime()) {
    const key = await lookup.findApiKeyByHash(hash);
    entry = { key, until: now.getTime() + keyCacheTtlMs };
    cache.set(hash, entry);
    const staleBefore = new Date(now.getTime() - lastUsedResolutionMs).toISOString();
    if (key?.status === "active" && (key.lastUsedAt ?? "") < staleBefore) {
      await lookup.touchApiKey(hash, now.toISOString(), staleBefore);
    }
  }
  const key = entry.key;
  if (key?.status !== "active") throw new UnauthorizedError("The API key is not valid or has been revoked");
  return { merchantId: key.merchantId, keyId: key.id };
}
