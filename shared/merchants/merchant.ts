/** The merchant and API key records as the API shows them. */
export interface Merchant {
  id: string;
  name: string;
  email: string;
  timeZone: string;
  defaultCurrency: string;
  createdAt: string;
  updatedAt: string;
}

export type ApiKeyStatus = "active" | "revoked";

export interface ApiKey {
  id: string;
  merchantId: string;
  name: string;
  hint: string;
  status: ApiKeyStatus;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}
