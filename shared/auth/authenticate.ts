/**
 * Bearer authentication for the API: the platform admin token, or a merchant's API key looked up by
 * the SHA-256 of its secret.
 *
 * Key lookups are cached per container for `keyCacheTtlMs` (30 s), so a revoked key stops working
 * everywhere within 30 s and at once in the container that revoked it. Both caches are bounded LRUs:
 * keys that exist (`keyCacheLimits.entries`) and, apart, secrets that match no key
 * (`keyCacheLimits.unknownEntries`, for `unknownTtlMs`), so a flood of random secrets costs at most
 * one read per secret per TTL, holds a fixed amount of memory and never evicts a real key. `lastUsedAt` is written only
 * on a cache miss and only when the stored value is older than `lastUsedResolutionMs` (5 min): at
 * most one extra write per key per container every 5 minutes, never one per request.
 */
import type { Clock } from "../domain/clock.ts";
import { UnauthorizedError } from "../domain/errors.ts";
import type { ApiKey } from "../merchants/merchant.ts";
import type { Role } from "../users/roles.ts";
import { hashSecret, secretsEqual } from "./secrets.ts";

export const keyCacheTtlMs = 30_000;
export const keyCacheLimits = { entries: 5_000, unknownEntries: 10_000, unknownTtlMs: 10_000 } as const;
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
  /** The key's role: what the request may do (shared/users/roles.ts). */
  role: Role;
}

/** A map that holds at most `capacity` entries, dropping the least recently used first. */
class LruCache<V> {
  readonly #entries = new Map<string, V>();
  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  entries(): IterableIterator<[string, V]> {
    return this.#entries.entries();
  }
}

const known = new LruCache<{ key: ApiKey; until: number }>(keyCacheLimits.entries);
/** Secret hashes that matched no key, until when. */
const unknown = new LruCache<number>(keyCacheLimits.unknownEntries);

/** Forgets a key in this container at once (after a revocation). */
export function forgetApiKey(keyId: string): void {
  for (const [hash, entry] of [...known.entries()]) if (entry.key.id === keyId) known.delete(hash);
}

async function lookUp(lookup: ApiKeyLookup, hash: string, now: Date): Promise<ApiKey | undefined> {
  const at = now.getTime();
  const cached = known.get(hash);
  if (cached && cached.until > at) return cached.key;
  const unknownUntil = unknown.get(hash);
  if (unknownUntil !== undefined && unknownUntil > at) return undefined;

  const key = await lookup.findApiKeyByHash(hash);
  if (!key) {
    known.delete(hash);
    unknown.set(hash, at + keyCacheLimits.unknownTtlMs);
    return undefined;
  }
  unknown.delete(hash);
  known.set(hash, { key, until: at + keyCacheTtlMs });
  const staleBefore = new Date(at - lastUsedResolutionMs).toISOString();
  if (key.status === "active" && (key.lastUsedAt ?? "") < staleBefore) {
    await lookup.touchApiKey(hash, now.toISOString(), staleBefore);
  }
  return key;
}

export async function authenticateMerchant(
  lookup: ApiKeyLookup,
  presented: string,
  clock: Clock,
): Promise<MerchantPrincipal> {
  const key = await lookUp(lookup, hashSecret(presented), clock.now());
  if (key?.status !== "active") throw new UnauthorizedError("The API key is not valid or has been revoked");
  return { merchantId: key.merchantId, keyId: key.id, role: key.role ?? "owner" };
}
