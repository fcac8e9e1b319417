import { describe, expect, it } from "vitest";
import {
  type ApiKeyLookup,
  authenticateMerchant,
  forgetApiKey,
  keyCacheLimits,
  keyCacheTtlMs,
} from "../../shared/auth/authenticate.ts";
import { hashSecret } from "../../shared/auth/secrets.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import type { ApiKey } from "../../shared/merchants/merchant.ts";

function fakeKeys(secret: string, keyId: string) {
  const key: ApiKey = {
    id: keyId,
    merchantId: "mer_1",
    name: "k",
    hint: "sk_…",
    status: "active",
    createdAt: "2026-11-01T00:00:00.000Z",
  };
  const calls = { finds: 0, touches: [] as string[] };
  const lookup: ApiKeyLookup = {
    async findApiKeyByHash(hash) {
      calls.finds++;
      return hash === hashSecret(secret) ? { ...key } : undefined;
    },
    async touchApiKey(_hash, at) {
      calls.touches.push(at);
      key.lastUsedAt = at;
    },
  };
  return { key, calls, lookup };
}

describe("API key authentication cache", () => {
  it("serves repeated requests from the cache and sees a revocation once the 30 s TTL passes", async () => {
    const { key, calls, lookup } = fakeKeys("sk_cache_a", "key_a");
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    await authenticateMerchant(lookup, "sk_cache_a", clock);
    await authenticateMerchant(lookup, "sk_cache_a", clock);
    expect(calls.finds).toBe(1);

    key.status = "revoked";
    clock.advance(keyCacheTtlMs - 1);
    await expect(authenticateMerchant(lookup, "sk_cache_a", clock)).resolves.toEqual({ merchantId: "mer_1", keyId: "key_a", role: "owner" });
    clock.advance(1);
    await expect(authenticateMerchant(lookup, "sk_cache_a", clock)).rejects.toThrow(/revoked/);
  });

  it("forgets a revoked key at once in the container that revoked it", async () => {
    const { key, lookup } = fakeKeys("sk_cache_b", "key_b");
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    await authenticateMerchant(lookup, "sk_cache_b", clock);
    key.status = "revoked";
    forgetApiKey("key_b");
    await expect(authenticateMerchant(lookup, "sk_cache_b", clock)).rejects.toThrow(/revoked/);
  });

  it("records lastUsedAt at most once per 5 minutes, never per request", async () => {
    const { calls, lookup } = fakeKeys("sk_cache_c", "key_c");
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    for (let i = 0; i < 40; i++) {
      await authenticateMerchant(lookup, "sk_cache_c", clock);
      clock.advance(10_000);
    }
    // 400 s of requests every 10 s: two writes (at 0 s and after the first 5 minutes).
    expect(calls.touches).toEqual(["2026-11-28T10:00:00.000Z", "2026-11-28T10:05:30.000Z"]);
  });

  it("refuses unknown secrets", async () => {
    const { lookup } = fakeKeys("sk_cache_d", "key_d");
    await expect(authenticateMerchant(lookup, "sk_unknown", fixedClock(new Date()))).rejects.toThrow(/not valid/);
  });

  it("caches unknown secrets negatively: one read per secret per short TTL, however often it is tried", async () => {
    const { calls, lookup } = fakeKeys("sk_cache_e", "key_e");
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    for (let i = 0; i < 20; i++) {
      await expect(authenticateMerchant(lookup, "sk_random_e", clock)).rejects.toThrow(/not valid/);
      clock.advance((keyCacheLimits.unknownTtlMs - 1) / 20);
    }
    expect(calls.finds).toBe(1);
    clock.advance(keyCacheLimits.unknownTtlMs);
    await expect(authenticateMerchant(lookup, "sk_random_e", clock)).rejects.toThrow(/not valid/);
    expect(calls.finds).toBe(2);
    expect(keyCacheLimits.unknownTtlMs).toBeLessThanOrEqual(keyCacheTtlMs);
  });

  it("stays bounded under a flood of random secrets, which never evicts a real key", async () => {
    const { calls, lookup } = fakeKeys("sk_cache_f", "key_f");
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    await authenticateMerchant(lookup, "sk_cache_f", clock);
    const flood = Array.from({ length: keyCacheLimits.unknownEntries + 1 }, (_, i) => `sk_flood_${i}`);
    for (const secret of flood) await expect(authenticateMerchant(lookup, secret, clock)).rejects.toThrow(/not valid/);
    expect(calls.finds).toBe(1 + flood.length);

    // The real key is still served from the cache; the oldest random secret was dropped, the newest kept.
    await expect(authenticateMerchant(lookup, "sk_cache_f", clock)).resolves.toEqual({ merchantId: "mer_1", keyId: "key_f", role: "owner" });
    await expect(authenticateMerchant(lookup, flood.at(-1)!, clock)).rejects.toThrow(/not valid/);
    expect(calls.finds).toBe(1 + flood.length);
    await expect(authenticateMerchant(lookup, flood[0]!, clock)).rejects.toThrow(/not valid/);
    expect(calls.finds).toBe(2 + flood.length);
  });

  it("keeps at most a bounded number of real keys, dropping the least recently used", async () => {
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    let finds = 0;
    const lookup: ApiKeyLookup = {
      async findApiKeyByHash(hash) {
        finds++;
        return { id: `key_${hash.slice(0, 12)}`, merchantId: "mer_1", name: "k", hint: "sk_…", status: "active", createdAt: "2026-11-01T00:00:00.000Z", lastUsedAt: clock.now().toISOString() };
      },
      async touchApiKey() {},
    };
    const secrets = Array.from({ length: keyCacheLimits.entries + 1 }, (_, i) => `sk_many_${i}`);
    await authenticateMerchant(lookup, secrets[0]!, clock);
    await authenticateMerchant(lookup, secrets[1]!, clock);
    for (const secret of secrets.slice(2)) {
      await authenticateMerchant(lookup, secret, clock);
      await authenticateMerchant(lookup, secrets[0]!, clock); // kept recently used
    }
    expect(finds).toBe(secrets.length);
    await authenticateMerchant(lookup, secrets[0]!, clock);
    expect(finds).toBe(secrets.length);
    await authenticateMerchant(lookup, secrets[1]!, clock);
    expect(finds).toBe(secrets.length + 1);
  });
});
