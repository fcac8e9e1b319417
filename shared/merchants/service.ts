/**
 * Merchant use cases. Ports come in as arguments so tests can hand in fakes or emulator-backed stores.
 */
import { hashSecret, newSecret, secretHint } from "../auth/secrets.ts";
import type { Clock } from "../domain/clock.ts";
import { newId } from "../domain/ids.ts";
import type { MerchantStore } from "../store/merchants.ts";
import type { ApiKey, Merchant } from "./merchant.ts";

export interface MerchantPorts {
  store: MerchantStore;
  clock: Clock;
}

export interface NewMerchant {
  name: string;
  email: string;
}

/** Creates a merchant with its first API key; the secret is returned here and never again. */
export async function createMerchant(
  { store, clock }: MerchantPorts,
  input: NewMerchant,
): Promise<{ merchant: Merchant; apiKey: ApiKey & { secret: string } }> {
  const now = clock.now();
  const at = now.toISOString();
  const merchant: Merchant = {
    id: newId("merchant", now),
    name: input.name,
    email: input.email.toLowerCase(),
    timeZone: "UTC",
    defaultCurrency: "USD",
    createdAt: at,
    updatedAt: at,
  };
  const secret = newSecret();
  const key: ApiKey = {
    id: newId("apiKey", now),
    merchantId: merchant.id,
    name: "Default key",
    hint: secretHint(secret),
    status: "active",
    createdAt: at,
  };
  await store.createMerchant(merchant, key, hashSecret(secret), {
    id: newId("event", now),
    type: "merchant.created",
    merchantId: merchant.id,
    occurredAt: at,
    data: { merchant },
  });
  return { merchant, apiKey: { ...key, secret } };
}
