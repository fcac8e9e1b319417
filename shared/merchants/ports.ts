/** What the merchant use cases run on: the merchant store port, implemented by `shared/store/merchants.ts`. */
import type { ApiKeyLookup } from "../auth/authenticate.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Change, Page, PageRequest, Versioned } from "../domain/records.ts";
import type { ApiKey, Merchant } from "./merchant.ts";

export interface MerchantStore extends ApiKeyLookup {
  /** The merchant, its first key and `extra` (its owner) in one transaction. */
  createMerchant(
    merchant: Merchant,
    key: ApiKey,
    secretHash: string,
    event: DomainEvent,
    extra?: Change[],
  ): Promise<void>;
  readMerchant(merchantId: string): Promise<Versioned<Merchant> | undefined>;
  replaceMerchant(
    merchant: Merchant,
    expectedVersion: number,
    event: DomainEvent,
    extra?: Change[],
  ): Promise<void>;
  /** Remembers which merchant a connected Stripe account belongs to. */
  stripeAccountRefWrite(accountId: string, merchantId: string): Change;
  listMerchants(query: Pick<PageRequest, "limit" | "after">): Promise<Page<Merchant>>;
  createApiKey(key: ApiKey, secretHash: string, event: DomainEvent): Promise<void>;
  listApiKeys(merchantId: string, query: Pick<PageRequest, "limit" | "after">): Promise<Page<ApiKey>>;
  /** The key's secret hash, when `keyId` is one of the merchant's keys. */
  findApiKeyHash(merchantId: string, keyId: string): Promise<string | undefined>;
  revokeApiKey(secretHash: string, merchantId: string, at: string, event: DomainEvent): Promise<ApiKey>;
}
