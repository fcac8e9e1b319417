/**
 * Checkout use cases: what a link offers a buyer right now (re-reading its products and tax rates,
 * so a price is never older than the page), starting a checkout session from the buyer's form, and
 * the merchant's reads of sessions. Every read is scoped to the merchant the link's slug names.
 */
import type { Clock } from "../domain/clock.ts";
import type { FieldError } from "../domain/errors.ts";
import { requireFound } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import type { Position } from "../http/cursor.ts";
import type { Catalog } from "../invoices/build.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { Product } from "../products/product.ts";
import type { CheckoutSessionStore } from "../store/checkout-sessions.ts";
import { listWindow } from "../store/collection.ts";
import type { PaymentLinkStore } from "../store/payment-links.ts";
import type { TaxRate } from "../tax-rates/tax-rate.ts";
import {
  type CheckoutSession,
  type CheckoutStatus,
  checkoutSessionMinutes,
  linkUnavailable,
  presentCheckoutSession,
  priceCheckout,
  productsUnavailable,
  readBuyerForm,
} from "./checkout-session.ts";
import type { PaymentLink } from "./payment-link.ts";

export interface CheckoutPorts {
  links: Pick<PaymentLinkStore, "read" | "findBySlug">;
  sessions: CheckoutSessionStore;
  catalog: Pick<Catalog, "product" | "taxRate">;
  merchants: Pick<MerchantStore, "readMerchant">;
  clock: Clock;
}

/** What a slug offers now. */
export type Offer =
  | { state: "missing" }
  /** A page saying why, with its status: 410 (gone for good) or 409 (not sold here yet). */
  | { state: "unavailable"; merchant: Merchant; link: PaymentLink; status: 409 | 410; reason: string }
  | { state: "open"; merchant: Merchant; link: PaymentLink; products: Product[]; rates: TaxRate[] };

export async function offerOf(ports: CheckoutPorts, slug: string): Promise<Offer> {
  const found = await ports.links.findBySlug(slug);
  if (!found) return { state: "missing" };
  const [link, merchant] = await Promise.all([
    ports.links.read(found.merchantId, found.paymentLinkId),
    ports.merchants.readMerchant(found.merchantId),
  ]);
  if (!link || !merchant) return { state: "missing" };
  const base = { merchant: merchant.value, link: link.value };
  const gone = (reason: string): Offer => ({ state: "unavailable", ...base, status: 410, reason });
  const closed = linkUnavailable(link.value, ports.clock.now());
  if (closed) return gone(closed);
  const merchantId = found.merchantId;
  const [products, rates] = await Promise.all([
    Promise.all(link.value.lineItems.map((item) => ports.catalog.product(merchantId, item.productId))),
    Promise.all(link.value.taxRateIds.map((id) => ports.catalog.taxRate(merchantId, id))),
  ]);
  const broken =
    productsUnavailable(link.value, products) ??
    (rates.every((r) => r?.active) ? undefined : "This offer is no longer available.");
  if (broken) return gone(broken);
  if (link.value.interval) {
    return {
      state: "unavailable",
      ...base,
      status: 409,
      reason: `Subscriptions cannot be bought through this page yet. Please contact ${merchant.value.name} at ${merchant.value.supportEmail ?? merchant.value.email}.`,
    };
  }
  return { state: "open", ...base, products: products as Product[], rates: rates as TaxRate[] };
}

/** The totals the page shows before the buyer picks quantities: the link's own quantities. */
export const defaultPricing = (offer: Extract<Offer, { state: "open" }>) =>
  priceCheckout(
    offer.link,
    offer.products,
    offer.rates,
    offer.link.lineItems.map((item) => item.quantity),
  );

/**
 * Starts a checkout from the buyer's form: the quantities and answers checked against the link
 * (every problem named, nothing written), then a session with the prices fixed now, open for 30
 * minutes.
 */
export async function startCheckout(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  form: URLSearchParams,
): Promise<{ session: CheckoutSession } | { errors: FieldError[] }> {
  const read = readBuyerForm(offer.link, form);
  if ("errors" in read) return read;
  const now = ports.clock.now();
  const session: CheckoutSession = {
    id: newId("checkoutSession", now),
    paymentLinkId: offer.link.id,
    status: "open",
    ...priceCheckout(offer.link, offer.products, offer.rates, read.quantities),
    taxRateIds: offer.link.taxRateIds,
    ...read.answers,
    expiresAt: new Date(now.getTime() + checkoutSessionMinutes * 60_000).toISOString(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await ports.sessions.create(offer.merchant.id, session);
  return { session };
}

/** A session of the offer's link (another link's, or another merchant's, is none). */
export async function sessionOfOffer(
  ports: CheckoutPorts,
  offer: Exclude<Offer, { state: "missing" }>,
  sessionId: string,
): Promise<CheckoutSession | undefined> {
  const found = await ports.sessions.read(offer.merchant.id, sessionId);
  return found && found.value.paymentLinkId === offer.link.id
    ? presentCheckoutSession(found.value, ports.clock.now())
    : undefined;
}

export async function getCheckoutSession(ports: CheckoutPorts, merchantId: string, id: string) {
  const { value } = requireFound(await ports.sessions.read(merchantId, id), "Checkout session");
  return presentCheckoutSession(value, ports.clock.now());
}

export async function listCheckoutSessions(
  ports: CheckoutPorts,
  merchantId: string,
  query: {
    limit: number;
    after?: Position;
    paymentLinkId?: string;
    status?: CheckoutStatus;
    createdAfter?: string;
    createdBefore?: string;
  },
) {
  const now = ports.clock.now();
  const page = await ports.sessions.list(merchantId, {
    ...listWindow(query),
    ...(query.paymentLinkId ? { paymentLinkId: query.paymentLinkId } : {}),
    ...(query.status ? { status: { is: query.status, now } } : {}),
  });
  return { ...page, items: page.items.map((session) => presentCheckoutSession(session, now)) };
}
