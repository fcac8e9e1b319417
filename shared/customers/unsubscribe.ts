/**
 * A buyer's unsubscription from workflow emails (issue 15 §1, recipients): every buyer-facing
 * workflow email links to `/u/{token}` and names it in `List-Unsubscribe`; the page's button or a
 * mail client's RFC 8058 one-click POST sets the customer's `unsubscribedAt`, after which the engine
 * skips that buyer's workflow emails (receipts and invoices still go). The token is a customer page
 * token of its own kind, valid a year: an unsubscribe link must keep working long after the email.
 */
import { NotFoundError, retryOnConflict } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { CustomerStore } from "../store/customers.ts";
import type { Customer } from "./customer.ts";
import {
  type CustomerPageLinkPorts,
  type CustomerPagePorts,
  mintCustomerPageToken,
  openCustomerPage,
} from "./page-token.ts";
import { presentCustomer } from "./service.ts";

/** How long an unsubscribe link works: a year, since mail is read (and unsubscribed from) late. */
export const unsubscribeLinkDays = 365;

/** The unsubscribe page behind `token`, relative to the deployment's public base URL. */
export const unsubscribePath = (token: string) => `/u/${token}`;

/** A fresh unsubscribe link for the customer (the engine's port: one per buyer-facing workflow email). */
export async function unsubscribeLink(
  ports: CustomerPageLinkPorts,
  merchantId: string,
  customerId: string,
): Promise<string> {
  const { token } = await mintCustomerPageToken(ports, merchantId, customerId, unsubscribeLinkDays);
  return `${ports.publicBaseUrl}${unsubscribePath(token)}`;
}

export interface UnsubscribePorts extends CustomerPagePorts {
  customers: Pick<CustomerStore, "read" | "replace">;
}

/** What a token's page shows, or what a POST did. */
export type UnsubscribeSubject =
  | { state: "expired"; merchant: Merchant }
  | { state: "subscribed" | "unsubscribed" | "already"; merchant: Merchant; customer: Customer };

/** GET: whether the token's customer still gets workflow emails. */
export async function unsubscribeView(ports: UnsubscribePorts, token: string): Promise<UnsubscribeSubject> {
  const subject = await openCustomerPage(ports, token);
  if (subject.state === "expired") return subject;
  const { merchant, customer } = subject;
  return { state: customer.unsubscribedAt ? "already" : "subscribed", merchant, customer };
}

/**
 * POST: sets `unsubscribedAt` (the customer's now) with a `customer.updated` event, conditioned on
 * the customer's version; a lost race re-reads, so a second POST (or a concurrent one) says
 * `already` and writes nothing.
 */
export async function unsubscribe(ports: UnsubscribePorts, token: string): Promise<UnsubscribeSubject> {
  return retryOnConflict(3, async () => {
    const subject = await openCustomerPage(ports, token);
    if (subject.state === "expired") return subject;
    const { merchant, now } = subject;
    const found = await ports.customers.read(merchant.id, subject.customer.id);
    if (!found) throw new NotFoundError("Page");
    const { value, version } = found;
    if (value.unsubscribedAt) return { state: "already", merchant, customer: value };
    const at = now.toISOString();
    const next: Customer = { ...value, unsubscribedAt: at, updatedAt: at };
    await ports.customers.replace(
      merchant.id,
      value,
      next,
      version,
      newEvent("customer.updated", merchant.id, value.id, now, { customer: presentCustomer(next) }),
    );
    return { state: "unsubscribed", merchant, customer: next };
  });
}
