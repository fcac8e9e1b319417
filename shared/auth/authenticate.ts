/**
 * Bearer authentication for the API: the platform admin token, or a merchant's API key looked up by
 * the SHA-256 of its secret.
 */
import { UnauthorizedError } from "../domain/errors.ts";
import type { MerchantStore } from "../store/merchants.ts";
import { hashSecret, secretsEqual } from "./secrets.ts";

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

export async function authenticateMerchant(store: MerchantStore, presented: string): Promise<MerchantPrincipal> {
  const key = await store.findApiKeyByHash(hashSecret(presented));
  if (key?.status !== "active") throw new UnauthorizedError("The API key is not valid or has been revoked");
  return { merchantId: key.merchantId, keyId: key.id };
}
