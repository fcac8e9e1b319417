/**
 * The customer portal (`/c/{token}`): a buyer's own page, opened by an unguessable, expiring link
 * (a fresh one in every subscription email, or one the merchant makes with `POST
 * /v1/customers/{id}/portal-link`). It shows the buyer's subscriptions, their open invoices (paid on
 * each invoice's hosted page) and past ones (PDF), and offers what the merchant's `portal` setting
 * allows: cancel at period end, pause and resume, a new card. Each action is the API's own use case
 * (same rules, same 409s), scoped to the token's merchant and customer; a disallowed one is a 403.
 */
import { ForbiddenError, NotFoundError } from "../domain/errors.ts";
import type { Invoice } from "../invoices/invoice.ts";
import type { InvoiceStore } from "../invoices/ports.ts";
import { presentInvoice } from "../invoices/service.ts";
import { type Merchant, type PortalSettings, portalOf } from "../merchants/merchant.ts";
import type { PaymentMethodStore } from "../store/payment-methods.ts";
import {
  cancelSubscription,
  listSubscriptions,
  pauseSubscription,
  resumeSubscription,
  type SubscriptionPorts,
} from "../subscriptions/service.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import type { Customer } from "./customer.ts";
import {
  type CustomerPageLinkPorts,
  type CustomerPagePorts,
  mintCustomerPageToken,
  openCustomerPage,
} from "./page-token.ts";
import type { PaymentMethod } from "./payment-method.ts";

/** How long a portal link works: a week, as the update-card link (each email carries a fresh one). */
export const portalLinkDays = 7;

/** The portal behind `token`, relative to the deployment's public base URL. */
export const portalPath = (token: string) => `/c/${token}`;

/** A fresh link to the customer's portal, valid for `portalLinkDays` from the customer's now. */
export async function portalLink(
  ports: CustomerPageLinkPorts,
  merchantId: string,
  customerId: string,
): Promise<{ url: string; expiresAt: string }> {
  const { token, validUntil } = await mintCustomerPageToken(ports, merchantId, customerId, portalLinkDays);
  return { url: `${ports.publicBaseUrl}${portalPath(token)}`, expiresAt: validUntil };
}

/**
 * A fresh link to the renew-early page of one of the customer's subscriptions (the portal's token,
 * valid as long): what a renewal reminder links for "renew now with this code".
 */
export async function renewEarlyLink(
  ports: CustomerPageLinkPorts,
  merchantId: string,
  customerId: string,
  subscriptionId: string,
): Promise<string> {
  const { url } = await portalLink(ports, merchantId, customerId);
  return `${url}/renew?subscription=${encodeURIComponent(subscriptionId)}`;
}

export interface PortalPorts extends CustomerPagePorts {
  /** The subscriptions' use cases, whose rules the portal's actions follow. */
  subscriptions: SubscriptionPorts;
  invoices: Pick<InvoiceStore, "list">;
  methods: Pick<PaymentMethodStore, "read">;
  /** A fresh link to the customer's update-card page, where the portal sends a buyer for a new card. */
  updateCardLink(merchantId: string, customerId: string): Promise<string>;
}

/** Most a portal lists of each; a buyer with more sees the newest. */
const portalListLimit = 100;

/** What the portal shows: the customer's subscriptions (not ended), open and past invoices, the card. */
export interface PortalView {
  merchant: Merchant;
  customer: Customer;
  settings: PortalSettings;
  subscriptions: Subscription[];
  openInvoices: Invoice[];
  pastInvoices: Invoice[];
  card?: PaymentMethod;
}

export type PortalSubject = { state: "valid"; view: PortalView } | { state: "expired"; merchant: Merchant };

const shownStatuses = new Set<Subscription["status"]>([
  "scheduled",
  "trialing",
  "active",
  "past_due",
  "paused",
]);
const pastStatuses = new Set<Invoice["status"]>(["paid", "uncollectible", "void"]);

/** The portal behind `token`: an unknown one is a 404, one past its week says so. */
export async function portalView(ports: PortalPorts, token: string): Promise<PortalSubject> {
  const subject = await openCustomerPage(ports, token);
  if (subject.state === "expired") return subject;
  const { merchant, customer, now } = subject;
  const [subscriptions, invoices, card] = await Promise.all([
    listSubscriptions(
      ports.subscriptions,
      merchant.id,
      { customerId: customer.id },
      { limit: portalListLimit },
    ),
    ports.invoices.list(merchant.id, { customerId: customer.id }, { limit: portalListLimit }, now),
    customer.defaultPaymentMethodId
      ? ports.methods.read(merchant.id, customer.defaultPaymentMethodId)
      : undefined,
  ]);
  const shown = invoices.items.map((invoice) => presentInvoice(invoice, now));
  return {
    state: "valid",
    view: {
      merchant,
      customer,
      settings: portalOf(merchant),
      subscriptions: subscriptions.items.filter((s) => shownStatuses.has(s.status)),
      openInvoices: shown.filter((i) => i.status === "open"),
      pastInvoices: shown.filter((i) => pastStatuses.has(i.status)),
      ...(card ? { card: card.value } : {}),
    },
  };
}

export type PortalAction = "cancel" | "pause" | "resume" | "updateCard";

/** Whether the merchant's setting allows `action`; the page offers only these. */
export function portalAllows(settings: PortalSettings, action: PortalAction): boolean {
  if (action === "cancel") return settings.cancel === "at_period_end";
  if (action === "updateCard") return settings.updatePaymentMethod;
  return settings.pause;
}

const settingOf: Record<PortalAction, string> = {
  cancel: "portal.cancel",
  pause: "portal.pause",
  resume: "portal.pause",
  updateCard: "portal.updatePaymentMethod",
};

function requireAllowed(merchant: Merchant, action: PortalAction): void {
  if (!portalAllows(portalOf(merchant), action))
    throw new ForbiddenError(
      `The customer portal does not allow this (the merchant's setting ${settingOf[action]})`,
    );
}

/** What an action reached: done (with the subscription it changed, or the update-card link), or a link past its week. */
export type PortalOutcome<T> = { state: "done"; result: T } | { state: "expired"; merchant: Merchant };

/**
 * Cancels at period end, pauses or resumes one of the buyer's subscriptions through the API's use
 * case. Refused when the merchant does not allow it (403, nothing written); another customer's
 * subscription is a 404, as an unknown one; the use case's own rules answer 409.
 */
export async function portalSubscriptionAction(
  ports: PortalPorts,
  token: string,
  subscriptionId: string,
  action: Exclude<PortalAction, "updateCard">,
): Promise<PortalOutcome<Subscription>> {
  const subject = await openCustomerPage(ports, token);
  if (subject.state === "expired") return subject;
  const { merchant, customer } = subject;
  requireAllowed(merchant, action);
  // A subscription never changes customer, so checking its owner before the use case is enough.
  const found = await ports.subscriptions.subscriptions.read(merchant.id, subscriptionId);
  if (found?.value.customerId !== customer.id) throw new NotFoundError("Subscription");
  const { subscriptions } = ports;
  const result =
    action === "cancel"
      ? await cancelSubscription(subscriptions, merchant.id, subscriptionId, { atPeriodEnd: true })
      : action === "pause"
        ? await pauseSubscription(subscriptions, merchant.id, subscriptionId, {})
        : await resumeSubscription(subscriptions, merchant.id, subscriptionId);
  return { state: "done", result };
}

/** A fresh link to the buyer's update-card page, when the merchant allows a new card (else 403). */
export async function portalUpdateCard(ports: PortalPorts, token: string): Promise<PortalOutcome<string>> {
  const subject = await openCustomerPage(ports, token);
  if (subject.state === "expired") return subject;
  requireAllowed(subject.merchant, "updateCard");
  return { state: "done", result: await ports.updateCardLink(subject.merchant.id, subject.customer.id) };
}
