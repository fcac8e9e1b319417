/**
 * Checkout use cases: what a link offers a buyer right now (re-reading its products and tax rates,
 * so a price is never older than the page), starting a checkout session from the buyer's form, and
 * the merchant's reads of sessions. Every read is scoped to the merchant the link's slug names.
 */
import { createHash } from "node:crypto";
import { createCustomer, type CustomerPorts } from "../customers/service.ts";
import type { Clock } from "../domain/clock.ts";
import type { CurrencyCode } from "../domain/currency.ts";
import {
  ConflictError,
  type FieldError,
  PaymentDeclinedError,
  requireFound,
  retryOnConflict,
} from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Take } from "../domain/limits.ts";
import type { Versioned } from "../domain/records.ts";
import { type InvoicePayPorts, payInvoice } from "../invoices/pay.ts";
import {
  createInvoice,
  deleteInvoice,
  finalizeInvoice,
  getInvoice,
  type InvoicePorts,
} from "../invoices/service.ts";
import type { SchedulerPort } from "../aws/scheduler.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { Position } from "../http/cursor.ts";
import type { Catalog } from "../invoices/build.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { Product } from "../products/product.ts";
import type { CheckoutSessionStore } from "../store/checkout-sessions.ts";
import { listWindow } from "../store/collection.ts";
import type { PaymentLinkStore } from "../store/payment-links.ts";
import type { TaxRate } from "../tax-rates/tax-rate.ts";
import { unredeemableReason } from "../discount-codes/discount-code.ts";
import {
  type CheckoutDiscount,
  type CheckoutSession,
  type CheckoutStatus,
  attemptLive,
  checkoutSessionMinutes,
  linkUnavailable,
  presentCheckoutSession,
  priceCheckout,
  productsUnavailable,
  readBuyerForm,
  discountCodeField,
  readDiscountCode,
  readQuantities,
  type CheckoutTotals,
} from "./checkout-session.ts";
import { checkoutExpirySchedule } from "./expiry.ts";
import type { PaymentLink } from "./payment-link.ts";

export interface CheckoutPorts {
  links: Pick<PaymentLinkStore, "read" | "findBySlug">;
  sessions: CheckoutSessionStore;
  catalog: Pick<Catalog, "product" | "taxRate" | "discountCode">;
  merchants: Pick<MerchantStore, "readMerchant">;
  /** Completion's: the buyer's customer, the invoice of the purchase, and its payment. */
  customers: CustomerPorts;
  invoices: InvoicePorts;
  payments: InvoicePayPorts;
  /** A session's window of declined cards (shared/domain/limits.ts), as the invoice pay form's. */
  cardAttempts(merchantId: string, sessionId: string): { take(): Promise<Take> };
  /** The window of sessions started on a link from one address (`checkoutStartSubject`). */
  checkoutStarts(merchantId: string, subject: string): { take(): Promise<Take> };
  /** The scheduler of a link's timed work: its test clock's when it is bound to one. */
  scheduler(merchantId: string, testClockId?: string): SchedulerPort;
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
 * minutes. Its expiry is planned first: a schedule whose session was never written finds nothing,
 * a session without its schedule would never give back a crashed payment's redemption.
 */
export async function startCheckout(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  form: URLSearchParams,
  buyer: { sourceIp: string },
): Promise<
  { session: CheckoutSession } | { errors: FieldError[] } | { tooFast: true; retryAfterSeconds: number }
> {
  const read = readBuyerForm(offer.link, form);
  const priced = await priceOrder(ports, offer, form);
  if ("errors" in read || "errors" in priced) {
    // The quantities' problems are the buyer form's too: each is named once.
    const errors = "errors" in read ? read.errors : [];
    const more = "errors" in priced ? priced.errors.filter((e) => e.path === discountCodeField) : [];
    return { errors: [...errors, ...more] };
  }
  // Counted only when a session is about to be written: a form sent back with problems costs nothing.
  const start = await ports
    .checkoutStarts(offer.merchant.id, checkoutStartSubject(offer.link.id, buyer.sourceIp))
    .take();
  if (!start.taken) return { tooFast: true, retryAfterSeconds: start.retryAfterSeconds };
  const now = ports.clock.now();
  const session: CheckoutSession = {
    id: newId("checkoutSession", now),
    paymentLinkId: offer.link.id,
    status: "open",
    ...priced.totals,
    taxRateIds: offer.link.taxRateIds,
    ...read.answers,
    expiresAt: new Date(now.getTime() + checkoutSessionMinutes * 60_000).toISOString(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await ports
    .scheduler(offer.merchant.id, offer.link.testClockId)
    .scheduleOnce(checkoutExpirySchedule(offer.merchant.id, session, offer.link.testClockId));
  await ports.sessions.create(offer.merchant.id, session);
  return { session };
}

/** Whose checkout starts count together: one link, one buyer address (hashed: the table keeps no IP). */
export const checkoutStartSubject = (paymentLinkId: string, sourceIp: string) =>
  `${paymentLinkId}:${createHash("sha256").update(sourceIp, "utf8").digest("base64url").slice(0, 22)}`;

/**
 * The buyer's quantities and discount code priced by the money engine (what a session started with
 * them would fix), or each problem. A code that makes the order free is refused: a checkout is paid
 * by card, and a card cannot pay nothing.
 */
export async function priceOrder(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  form: URLSearchParams,
): Promise<{ totals: CheckoutTotals } | { errors: FieldError[] }> {
  const { quantities, errors } = readQuantities(offer.link, form);
  const discount = await discountOf(ports, offer, readDiscountCode(offer.link, form));
  if ("error" in discount) errors.push(discount.error);
  if (errors.length > 0 || "error" in discount) return { errors };
  const totals = priceCheckout(offer.link, offer.products, offer.rates, quantities, discount.discount);
  if (discount.discount && totals.total === 0)
    return {
      errors: [
        {
          path: discountCodeField,
          message: `The discount code ${discount.discount.code} makes this order free, which cannot be checked out here.`,
        },
      ],
    };
  return { totals };
}

/**
 * The terms of the discount code the buyer typed (none typed: no discount), checked as the purchase's
 * invoice will check them when it is finalized and redeems the code; or why it does not apply, in
 * the buyer's words, on the form's `discountCode` field.
 */
async function discountOf(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  code: string | undefined,
): Promise<{ discount?: CheckoutDiscount } | { error: FieldError }> {
  if (!code) return {};
  const found = await ports.catalog.discountCode(offer.merchant.id, code);
  const currency = offer.link.currency;
  const problem = !found
    ? "This discount code is not valid"
    : (unredeemableReason(found, ports.clock.now()) ??
      (found.amountOff !== undefined && found.currency !== currency
        ? `The discount code ${found.code} is for amounts in ${found.currency}, not ${currency}`
        : undefined));
  if (problem || !found) return { error: { path: discountCodeField, message: `${problem}.` } };
  return {
    discount: {
      code: found.code,
      ...(found.percentOff !== undefined
        ? { percentOff: found.percentOff }
        : { amountOff: found.amountOff ?? 0 }),
    },
  };
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

export type PayResult =
  | { state: "paid"; session: CheckoutSession }
  /** Not this link's session, or not open (complete or expired): nothing charged. */
  | { state: "closed"; session?: CheckoutSession }
  | { state: "sold_out" }
  | { state: "declined"; declineCode: string }
  /** Too many declined cards on this session: card testing stops until the window ends. */
  | { state: "too_many_declines"; retryAfterSeconds: number };

/**
 * Pays an open session with a card, the buyer present (the sandbox card form). A redemption is held
 * first (none left: refused before anything is written or charged) and given back when the charge
 * fails; then the buyer's customer and the purchase's invoice (numbered, open) exist, recorded on the
 * session so a retry after a decline reuses them; then the card pays the invoice, and the session
 * completes.
 */
export async function payCheckout(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  sessionId: string,
  card: string,
): Promise<PayResult> {
  const merchantId = offer.merchant.id;
  const found = await ports.sessions.read(merchantId, sessionId);
  if (!found || found.value.paymentLinkId !== offer.link.id) return { state: "closed" };
  const shown = presentCheckoutSession(found.value, ports.clock.now());
  if (shown.status !== "open") return { state: "closed", session: shown };
  const attempt = await ports.cardAttempts(merchantId, sessionId).take();
  if (!attempt.taken) return { state: "too_many_declines", retryAfterSeconds: attempt.retryAfterSeconds };
  let claimed: Versioned<CheckoutSession>;
  try {
    claimed = await claimAttempt(ports, merchantId, found);
  } catch (error) {
    await attempt.slot.giveBack();
    throw error;
  }
  const endAttempt = () => unclaimAttempt(ports, merchantId, sessionId, claimed.value.payingSince);
  if (!(await ports.sessions.reserveRedemption(merchantId, offer.link.id, offer.link.maxRedemptions))) {
    await Promise.all([attempt.slot.giveBack(), endAttempt()]);
    return { state: "sold_out" };
  }
  let paymentId: string;
  try {
    claimed = await markHeld(ports, merchantId, claimed);
    const invoiceId = await invoiceOf(ports, offer, claimed);
    const paid = await payInvoice(ports.payments, merchantId, invoiceId, card);
    if (paid.status !== "paid") throw new PaymentDeclinedError("incomplete", "The payment did not complete");
    paymentId = paid.payment.id;
  } catch (error) {
    // The mark goes before the hold: a crash between leaves a unit unsold, never sold twice.
    await endAttempt();
    await ports.sessions.releaseRedemption(merchantId, offer.link.id);
    // Only a decline keeps its slot: it is what card testing looks like.
    if (error instanceof PaymentDeclinedError) return { state: "declined", declineCode: error.declineCode };
    await attempt.slot.giveBack();
    throw error;
  }
  await attempt.slot.giveBack();
  return { state: "paid", session: await completeCheckout(ports, offer, sessionId, paymentId) };
}

const inProgress = "A payment for this order is already in progress";

/**
 * Marks the session as being paid (`payingSince`), on its version: of concurrent attempts on one
 * session (a double submit) one goes on and the others are a 409 before they hold a redemption.
 */
async function claimAttempt(
  ports: CheckoutPorts,
  merchantId: string,
  { value, version }: Versioned<CheckoutSession>,
): Promise<Versioned<CheckoutSession>> {
  const now = ports.clock.now();
  if (attemptLive(value, now)) throw new ConflictError(inProgress);
  const next = { ...value, payingSince: now.toISOString(), updatedAt: now.toISOString() };
  await ports.sessions.replace(merchantId, next, version).catch((error) => {
    throw error instanceof ConflictError ? new ConflictError(inProgress) : error;
  });
  return { value: next, version: version + 1 };
}

/** Records on the session that its payment holds a redemption (see `redemptionHeld`). */
async function markHeld(
  ports: CheckoutPorts,
  merchantId: string,
  { value, version }: Versioned<CheckoutSession>,
): Promise<Versioned<CheckoutSession>> {
  const next: CheckoutSession = {
    ...value,
    redemptionHeld: true,
    updatedAt: ports.clock.now().toISOString(),
  };
  await ports.sessions.replace(merchantId, next, version);
  return { value: next, version: version + 1 };
}

/** Ends this attempt's marks (a later attempt's, or a completed session, is left alone). */
function unclaimAttempt(ports: CheckoutPorts, merchantId: string, sessionId: string, since?: string) {
  return retryOnConflict(5, async () => {
    const found = await ports.sessions.read(merchantId, sessionId);
    if (!found || found.value.payingSince !== since) return;
    const { payingSince: _, redemptionHeld: __, ...rest } = found.value;
    await ports.sessions.replace(
      merchantId,
      { ...rest, updatedAt: ports.clock.now().toISOString() },
      found.version,
    );
  });
}

/**
 * The invoice the session is paid by, finalized: the one a previous attempt made, or a new one for
 * the buyer's customer — found by email (an existing customer's details are never changed by what the
 * buyer typed: those stay on the session) or created with them. The draft is claimed on the session
 * before it is finalized: a concurrent attempt that loses the claim deletes its own draft (a 409),
 * so a session never leaves a second open invoice behind.
 */
async function invoiceOf(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  { value: session, version }: Versioned<CheckoutSession>,
): Promise<string> {
  const merchantId = offer.merchant.id;
  if (session.invoiceId) {
    // A previous attempt may have stopped between the claim and the finalize.
    if ((await getInvoice(ports.invoices, merchantId, session.invoiceId)).status === "draft")
      await finalizeInvoice(ports.invoices, merchantId, session.invoiceId);
    return session.invoiceId;
  }
  const customerId = session.customerId ?? (await customerOf(ports, offer, session));
  const draft = await createInvoice(ports.invoices, merchantId, {
    customerId,
    currency: session.currency as CurrencyCode,
    lineItems: session.lineItems.map((line) => ({
      productId: line.productId,
      description: line.description,
      quantity: line.quantity,
      unitAmount: line.unitAmount,
      taxRateIds: session.taxRateIds,
    })),
    // Redeemed once, when this invoice is finalized: a retry after a decline pays the same invoice.
    ...(session.discountCode ? { discounts: [{ code: session.discountCode }] } : {}),
    metadata: { paymentLinkId: offer.link.id, checkoutSessionId: session.id },
  });
  const next = { ...session, customerId, invoiceId: draft.id, updatedAt: ports.clock.now().toISOString() };
  try {
    await ports.sessions.replace(merchantId, next, version);
  } catch (error) {
    await deleteInvoice(ports.invoices, merchantId, draft.id);
    throw error;
  }
  await finalizeInvoice(ports.invoices, merchantId, draft.id);
  return draft.id;
}

async function customerOf(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  session: CheckoutSession,
): Promise<string> {
  const merchantId = offer.merchant.id;
  const existing = await ports.customers.store.findIdByEmail(merchantId, session.email);
  if (existing) return existing;
  try {
    return (
      await createCustomer(ports.customers, merchantId, {
        email: session.email,
        ...(session.name ? { name: session.name } : {}),
        ...(session.phone ? { phone: session.phone } : {}),
        ...(session.billingAddress ? { address: session.billingAddress } : {}),
        ...(offer.link.testClockId ? { testClockId: offer.link.testClockId } : {}),
      })
    ).id;
  } catch (error) {
    // Another checkout by the same email created the customer first: it is theirs to share.
    const raced =
      error instanceof ConflictError &&
      (await ports.customers.store.findIdByEmail(merchantId, session.email));
    if (raced) return raced;
    throw error;
  }
}

/** Completes a paid session exactly once: a repeat finds it complete and changes nothing. */
function completeCheckout(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  sessionId: string,
  paymentId: string,
): Promise<CheckoutSession> {
  const merchantId = offer.merchant.id;
  return retryOnConflict(5, async () => {
    const { value, version } = requireFound(
      await ports.sessions.read(merchantId, sessionId),
      "Checkout session",
    );
    if (value.status === "complete") return value;
    const now = ports.clock.now();
    // The held redemption is now a completed one.
    const { payingSince: _, redemptionHeld: __, ...rest } = value;
    const next: CheckoutSession = { ...rest, status: "complete", paymentId, updatedAt: now.toISOString() };
    await ports.sessions.complete(
      merchantId,
      next,
      version,
      newEvent(
        "checkout.completed",
        merchantId,
        sessionId,
        now,
        { checkoutSession: next },
        merchantLivemode(offer.merchant),
      ),
    );
    return next;
  });
}
