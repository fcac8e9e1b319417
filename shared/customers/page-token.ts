/**
 * A buyer's own pages (the update-card page, the portal) open by an unguessable, expiring token in a
 * link Kassa mails or the merchant sends: one token per link, naming the merchant and the customer,
 * valid for a number of days on the customer's clock (a test clock's time for a customer bound to one).
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.ts";
import { NotFoundError } from "../domain/errors.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { CustomerStore } from "../store/customers.ts";
import type { Customer } from "./customer.ts";

/** What a token opens: the customer's page, until `validUntil` (ISO 8601) on the customer's clock. */
export interface CustomerPageToken {
  merchantId: string;
  customerId: string;
  validUntil: string;
}

/** The tokens of one kind of page. */
export interface CustomerPageTokenStore {
  /** Saves a new token (a collision is a 409); `ttl`: the table may delete it once it is past. */
  put(token: string, target: CustomerPageToken, ttl: boolean): Promise<void>;
  find(token: string): Promise<CustomerPageToken | undefined>;
}

export interface CustomerPageLinkPorts {
  customers: Pick<CustomerStore, "read">;
  tokens: CustomerPageTokenStore;
  /** The customer's clock: a test clock's time for a customer bound to one. */
  customerClock(merchantId: string, customerId: string): Promise<Clock>;
  publicBaseUrl: string;
}

/**
 * A fresh token for the customer's page, valid for `days` from the customer's now; an unknown
 * customer (or another merchant's) is a 404. Each call mints its own: every link works its full time.
 */
export async function mintCustomerPageToken(
  ports: CustomerPageLinkPorts,
  merchantId: string,
  customerId: string,
  days: number,
): Promise<{ token: string; validUntil: string }> {
  const customer = (await ports.customers.read(merchantId, customerId))?.value;
  if (!customer) throw new NotFoundError("Customer");
  const now = (await ports.customerClock(merchantId, customerId)).now();
  const validUntil = new Date(now.getTime() + days * 86_400_000).toISOString();
  const token = randomBytes(24).toString("base64url");
  // A test clock's time is not DynamoDB's: its customer's link must not be deleted by the real one.
  await ports.tokens.put(token, { merchantId, customerId, validUntil }, !customer.testClockId);
  return { token, validUntil };
}

export interface CustomerPagePorts {
  tokens: CustomerPageTokenStore;
  merchants: Pick<MerchantStore, "readMerchant">;
  customers: Pick<CustomerStore, "read">;
  customerClock(merchantId: string, customerId: string): Promise<Clock>;
}

/**
 * What a token opens: the customer and its merchant (and the customer's now), or a link that is past
 * (its merchant only).
 */
export type CustomerPageSubject =
  | { state: "valid"; merchant: Merchant; customer: Customer; now: Date }
  | { state: "expired"; merchant: Merchant };

/** What `token` opens; an unknown token, or one whose customer or merchant is gone, is a 404. */
export async function openCustomerPage(
  ports: CustomerPagePorts,
  token: string,
): Promise<CustomerPageSubject> {
  const target = await ports.tokens.find(token);
  if (!target) throw new NotFoundError("Page");
  const { merchantId, customerId } = target;
  const [merchant, customer] = await Promise.all([
    ports.merchants.readMerchant(merchantId),
    ports.customers.read(merchantId, customerId),
  ]);
  if (!merchant || !customer) throw new NotFoundError("Page");
  const now = (await ports.customerClock(merchantId, customerId)).now();
  if (now.toISOString() >= target.validUntil) return { state: "expired", merchant: merchant.value };
  return { state: "valid", merchant: merchant.value, customer: customer.value, now };
}
