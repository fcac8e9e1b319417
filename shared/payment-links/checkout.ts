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
  NotFoundError,
  PaymentDeclinedError,
  requireFound,
  retryOnConflict,
  StateConflictError,
} from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { canonicalLocale } from "../i18n/locale.ts";
import type { MessageValues, Translator } from "../i18n/translator.ts";
import type { Take } from "../domain/limits.ts";
import type { Versioned } from "../domain/records.ts";
import { checkoutInvoice, type InvoicePayPorts, payInvoice } from "../invoices/pay.ts";
import type { PricedLineRequest } from "../invoices/build.ts";
import type { NewInvoice } from "../invoices/invoice.ts";
import {
  createInvoice,
  deleteInvoice,
  finalizeInvoice,
  getInvoice,
  type InvoiceOrigin,
  type InvoicePorts,
  payNothingDue,
} from "../invoices/service.ts";
import { periodInvoice } from "../subscriptions/period-invoice.ts";
import {
  draftCheckoutSubscription,
  type SubscriptionPorts,
  startCheckoutSubscription,
} from "../subscriptions/service.ts";
import type { StoredSubscription } from "../subscriptions/subscription.ts";
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
import { unredeemable } from "../discount-codes/discount-code.ts";
import type { CheckoutStatus } from "./checkout-status.ts";
import {
  type CheckoutDiscount,
  type CheckoutSession,
  type ProcessorCheckout,
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
  checkoutReader,
  type UnavailableReason,
} from "./checkout-session.ts";
import { checkoutExpirySchedule, closeProcessorCheckout } from "./expiry.ts";
import type { PaymentLink } from "./payment-link.ts";
import { withSavedView } from "../views/apply.ts";
import type { SavedViewPorts } from "../views/ports.ts";

export interface CheckoutPorts {
  links: Pick<PaymentLinkStore, "read" | "findBySlug">;
  sessions: CheckoutSessionStore;
  catalog: Pick<Catalog, "product" | "taxRate" | "discountCode">;
  merchants: Pick<MerchantStore, "readMerchant">;
  /** Completion's: the buyer's customer, the invoice of the purchase, and its payment. */
  customers: CustomerPorts;
  invoices: InvoicePorts;
  payments: InvoicePayPorts;
  /** Completion's, for recurring items: the subscription the purchase starts. */
  subscriptions: SubscriptionPorts;
  /** Saves the card a buyer paid with on their customer (once): the saved method's id. */
  keepCard(merchantId: string, customerId: string, card: string): Promise<string>;
  /** A session's window of declined cards (shared/domain/limits.ts), as the invoice pay form's. */
  cardAttempts(merchantId: string, sessionId: string): { take(): Promise<Take> };
  /** The window of sessions started on a link from one address (`checkoutStartSubject`). */
  checkoutStarts(merchantId: string, subject: string): { take(): Promise<Take> };
  /** The window of discount codes that did not apply, on a link from one address (`checkoutStartSubject`). */
  codeAttempts(
    merchantId: string,
    subject: string,
  ): { take(): Promise<Take>; retryAfter(): Promise<number | undefined> };
  /** The scheduler of a link's timed work: its test clock's when it is bound to one. */
  scheduler(merchantId: string, testClockId?: string): SchedulerPort;
  clock: Clock;
}

/** What a slug offers now. */
export type Offer =
  | { state: "missing" }
  /** A page saying why, gone for good (410). */
  | { state: "unavailable"; merchant: Merchant; link: PaymentLink; status: 410; reason: UnavailableReason }
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
  const gone = (reason: UnavailableReason): Offer => ({ state: "unavailable", ...base, status: 410, reason });
  const closed = linkUnavailable(link.value, ports.clock.now());
  if (closed) return gone(closed);
  const merchantId = found.merchantId;
  const [products, rates] = await Promise.all([
    Promise.all(link.value.lineItems.map((item) => ports.catalog.product(merchantId, item.productId))),
    Promise.all(link.value.taxRateIds.map((id) => ports.catalog.taxRate(merchantId, id))),
  ]);
  const broken =
    productsUnavailable(link.value, products) ??
    (rates.every((r) => r?.active) ? undefined : "withdrawn");
  if (broken) return gone(broken);
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
  | { session: CheckoutSession }
  | { errors: FieldError[] }
  | { tooFast: true; retryAfterSeconds: number }
  | TooManyCodes
> {
  const read = readBuyerForm(offer.link, form, checkoutReader(offer.merchant, form.get("locale")));
  const priced = await priceOrder(ports, offer, form, buyer);
  if ("tooManyCodes" in priced) return priced;
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
  // The buyer's choice of language on the page (`?locale=`, carried by the form); a tag the
  // platform cannot format is ignored, as on the page.
  const locale = canonicalLocale(form.get("locale") ?? "");
  const session: CheckoutSession = {
    id: newId("checkoutSession", now),
    paymentLinkId: offer.link.id,
    status: "open",
    ...priced.totals,
    taxRateIds: offer.link.taxRateIds,
    ...read.answers,
    ...(locale ? { locale } : {}),
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

/** Too many discount codes that did not apply, from this buyer on this link: every code is refused until the window ends. */
export interface TooManyCodes {
  tooManyCodes: true;
  retryAfterSeconds: number;
}

/**
 * The buyer's quantities and discount code priced by the money engine (what a session started with
 * them would fix), or each problem. A code that makes the order free is refused: a checkout is paid
 * by card, and a card cannot pay nothing. Codes are guessable: one that is not the merchant's, or not
 * redeemable, counts against the link and buyer address (`windowLimits.failedCodeAttempts`); at the
 * limit no code is looked up until the window ends.
 */
export async function priceOrder(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  form: URLSearchParams,
  buyer: { sourceIp: string },
): Promise<{ totals: CheckoutTotals } | { errors: FieldError[] } | TooManyCodes> {
  const tr = checkoutReader(offer.merchant, form.get("locale"));
  const { quantities, errors } = readQuantities(offer.link, form, tr);
  const code = readDiscountCode(offer.link, form);
  const attempts = ports.codeAttempts(offer.merchant.id, checkoutStartSubject(offer.link.id, buyer.sourceIp));
  const full = code ? await attempts.retryAfter() : undefined;
  if (full) return { tooManyCodes: true, retryAfterSeconds: full };
  const discount = await discountOf(ports, offer, code, tr);
  if ("error" in discount && discount.counts) {
    const take = await attempts.take();
    if (!take.taken) return { tooManyCodes: true, retryAfterSeconds: take.retryAfterSeconds };
  }
  if ("error" in discount) errors.push(discount.error);
  if (errors.length > 0 || "error" in discount) return { errors };
  const totals = priceCheckout(offer.link, offer.products, offer.rates, quantities, discount.discount);
  if (discount.discount && totals.total === 0)
    return {
      errors: [
        {
          path: discountCodeField,
          message: tr.t("page.checkout.codeProblem", { why: "free", code: discount.discount.code }),
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
  tr: Translator,
): Promise<{ discount?: CheckoutDiscount } | { error: FieldError; counts?: true }> {
  if (!code) return {};
  const refuse = (values: MessageValues) => ({
    path: discountCodeField,
    message: tr.t("page.checkout.codeProblem", values),
  });
  // A trial's checkout charges only the one-time items today: a code has no invoice of the
  // subscription's to apply to yet (Stripe Payment Links refuse the pair likewise).
  if (offer.link.interval && offer.link.trialDays) return { error: refuse({ why: "trial", code }) };
  const found = await ports.catalog.discountCode(offer.merchant.id, code);
  const currency = offer.link.currency;
  const unusable = found && unredeemable(found, ports.clock.now());
  const problem: MessageValues | undefined = !found
    ? { why: "unknown", code }
    : unusable
      ? {
          why: unusable.why,
          code: found.code,
          at: unusable.why === "expired" ? unusable.expiresAt : "",
          max: unusable.why === "used_up" ? unusable.maxRedemptions : 0,
        }
      : found.amountOff !== undefined && found.currency !== currency
        ? { why: "currency", code: found.code, codeCurrency: found.currency ?? "", currency }
        : undefined;
  // A code looked up in vain counts as a guess (the trial's refusal above does not).
  if (problem || !found) return { error: refuse(problem ?? { why: "unknown", code }), counts: true };
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
  ports: Pick<CheckoutPorts, "sessions" | "clock"> & SavedViewPorts,
  merchantId: string,
  {
    limit,
    after,
    view,
    ...own
  }: {
    limit: number;
    after?: Position;
    view?: string | undefined;
    paymentLinkId?: string | undefined;
    status?: CheckoutStatus | undefined;
    createdAfter?: string | undefined;
    createdBefore?: string | undefined;
  },
) {
  const query = {
    limit,
    ...(after ? { after } : {}),
    ...(await withSavedView(ports.views, merchantId, "checkout_sessions", view, own)),
  };
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
 * session so a retry after a decline reuses them; then the card pays the invoice (or, with nothing
 * due now, is saved for the subscription's first charge), and the session is finished.
 */
export async function payCheckout(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  sessionId: string,
  card: string,
): Promise<PayResult> {
  const merchantId = offer.merchant.id;
  const found = await openSessionOf(ports, offer, sessionId);
  if ("state" in found) return found;
  const attempt = await ports.cardAttempts(merchantId, sessionId).take();
  if (!attempt.taken) return { state: "too_many_declines", retryAfterSeconds: attempt.retryAfterSeconds };
  let held: Held | undefined;
  try {
    held = await holdRedemption(ports, offer, found);
  } catch (error) {
    await attempt.slot.giveBack();
    throw error;
  }
  if (!held) {
    await attempt.slot.giveBack();
    return { state: "sold_out" };
  }
  let paid: PaidCheckout;
  try {
    paid = await payPurchase(ports, offer, await purchaseOf(ports, offer, held.claimed), card);
  } catch (error) {
    await held.giveBack();
    // Only a decline keeps its slot: it is what card testing looks like.
    if (error instanceof PaymentDeclinedError) return { state: "declined", declineCode: error.declineCode };
    await attempt.slot.giveBack();
    throw error;
  }
  await attempt.slot.giveBack();
  const session = await finishCheckout(ports, merchantId, sessionId, paid);
  if (!session) throw new NotFoundError("Checkout session");
  return { state: "paid", session };
}

/**
 * What paid a session: its invoice and that invoice's payment (none when nothing was due now: a
 * trial's card was saved instead), and the card kept for the subscription's renewals.
 */
export interface PaidCheckout {
  invoiceId?: string | undefined;
  paymentId?: string | undefined;
  paymentMethodId?: string | undefined;
}

/** Charges the purchase's invoice to the card (saving the card for a subscription), or saves it alone. */
async function payPurchase(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  session: CheckoutSession,
  card: string,
): Promise<PaidCheckout> {
  const merchantId = offer.merchant.id;
  const customerId = session.customerId as string;
  // Nothing due now (a trial comes first): saving the card checks it, as Stripe's setup does.
  if (!session.invoiceId) return { paymentMethodId: await ports.keepCard(merchantId, customerId, card) };
  const invoice = await getInvoice(ports.invoices, merchantId, session.invoiceId);
  let paymentId: string | undefined;
  if (invoice.amountRemaining === 0) {
    // A free purchase (a 100 % discount): paid as it is; the card is only saved, for the renewals.
    await payNothingDue(ports.invoices, merchantId, invoice.id);
  } else {
    const paid = await payInvoice(ports.payments, merchantId, invoice.id, card);
    if (paid.status !== "paid") throw new PaymentDeclinedError("incomplete", "The payment did not complete");
    paymentId = paid.payment.id;
  }
  if (!session.pendingSubscription) return { invoiceId: invoice.id, paymentId };
  // The payment stands whatever happens to saving its card: the renewals then charge the
  // customer's default method, as any subscription without its own (keepCard logs the failure).
  const paymentMethodId = await ports.keepCard(merchantId, customerId, card).catch(() => undefined);
  return { invoiceId: invoice.id, paymentId, paymentMethodId };
}

export type RedirectResult =
  /** To the processor's hosted checkout (a new one, or the one the buyer left open). */
  { state: "redirect"; url: string } | { state: "closed"; session?: CheckoutSession } | { state: "sold_out" };

/**
 * Sends the buyer of an open session to the processor's hosted checkout (Stripe Checkout, in
 * payment mode: Kassa bills, the processor only charges). As the card form, it holds a redemption
 * first and makes the customer and the invoice; then the invoice's checkout opens, and the session
 * keeps it (`processorCheckout`) with the hold until the invoice's payment finishes the session
 * (`finishCheckout`, on its invoice.paid), the buyer cancels (`cancelProcessorCheckout`) or the session expires.
 * A second submit while it is open goes back to the same checkout, so nothing is paid twice.
 */
export async function redirectCheckout(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  sessionId: string,
  urls: { successUrl: string; cancelUrl: (paymentId: string) => string },
): Promise<RedirectResult> {
  const merchantId = offer.merchant.id;
  const found = await openSessionOf(ports, offer, sessionId);
  if ("state" in found) return found;
  const open = found.value.processorCheckout;
  if (open) return { state: "redirect", url: open.url };
  const held = await holdRedemption(ports, offer, found);
  if (!held) return { state: "sold_out" };
  try {
    const { invoiceId } = await purchaseOf(ports, offer, held.claimed);
    // A trial with nothing else bought has nothing to charge: Checkout's setup mode would save the card.
    if (!invoiceId)
      throw new StateConflictError(
        "This checkout has nothing to pay now, and saving a card alone through Stripe is not supported yet",
      );
    const checkout = await checkoutInvoice(ports.payments, merchantId, invoiceId, urls);
    await keepProcessorCheckout(ports, merchantId, sessionId, held.claimed.value.payingSince, {
      paymentId: checkout.paymentId,
      sessionId: checkout.id,
      url: checkout.url,
    });
    return { state: "redirect", url: checkout.url };
  } catch (error) {
    await held.giveBack();
    throw error;
  }
}

/**
 * The buyer came back by the processor's cancel URL: its checkout is closed and, unless it was paid
 * after all (its payment then finishes the session), the session's hold is given back so the buyer
 * can try again at once. A cancel URL of another attempt, or one used twice, changes nothing.
 */
export async function cancelProcessorCheckout(
  ports: CheckoutPorts,
  offer: Exclude<Offer, { state: "missing" }>,
  sessionId: string,
  paymentId: string,
): Promise<void> {
  const merchantId = offer.merchant.id;
  const found = await ports.sessions.read(merchantId, sessionId);
  if (!found || found.value.paymentLinkId !== offer.link.id) return;
  if (found.value.processorCheckout?.paymentId !== paymentId) return;
  if (!(await closeProcessorCheckout(ports.payments, merchantId, found.value))) return;
  const released = await retryOnConflict(5, async () => {
    const current = await ports.sessions.read(merchantId, sessionId);
    if (current?.value.status !== "open" || current.value.processorCheckout?.paymentId !== paymentId)
      return false;
    const { processorCheckout: _, redemptionHeld, ...rest } = current.value;
    await ports.sessions.replace(
      merchantId,
      { ...rest, updatedAt: ports.clock.now().toISOString() },
      current.version,
    );
    return redemptionHeld === true;
  });
  // The mark went first: a crash between leaves a unit unsold, never sold twice.
  if (released) await ports.sessions.releaseRedemption(merchantId, offer.link.id);
}

/** The session to pay: this link's and open, or why not. */
async function openSessionOf(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  sessionId: string,
): Promise<Versioned<CheckoutSession> | { state: "closed"; session?: CheckoutSession }> {
  const found = await ports.sessions.read(offer.merchant.id, sessionId);
  if (!found || found.value.paymentLinkId !== offer.link.id) return { state: "closed" };
  const shown = presentCheckoutSession(found.value, ports.clock.now());
  return shown.status === "open" ? found : { state: "closed", session: shown };
}

/** A payment attempt's claim on its session and the redemption it holds. */
interface Held {
  claimed: Versioned<CheckoutSession>;
  /** Ends the claim and gives the redemption back (the payment failed, or never started). */
  giveBack(): Promise<void>;
}

/**
 * Claims the session for a payment attempt and holds one of the link's redemptions, marked on the
 * session; undefined (the claim ended) when none is left.
 */
async function holdRedemption(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  found: Versioned<CheckoutSession>,
): Promise<Held | undefined> {
  const merchantId = offer.merchant.id;
  const claimed = await claimAttempt(ports, merchantId, found);
  const endAttempt = () => unclaimAttempt(ports, merchantId, found.value.id, claimed.value.payingSince);
  if (!(await ports.sessions.reserveRedemption(merchantId, offer.link.id, offer.link.maxRedemptions))) {
    await endAttempt();
    return undefined;
  }
  const giveBack = async () => {
    // The mark goes before the hold: a crash between leaves a unit unsold, never sold twice.
    await endAttempt();
    await ports.sessions.releaseRedemption(merchantId, offer.link.id);
  };
  try {
    return { claimed: await markHeld(ports, merchantId, claimed), giveBack };
  } catch (error) {
    await giveBack();
    throw error;
  }
}

/**
 * Records the processor's checkout on the session, ending the attempt's claim (the buyer is now on
 * the processor's page: the hold stays, marked, with the checkout).
 */
function keepProcessorCheckout(
  ports: CheckoutPorts,
  merchantId: string,
  sessionId: string,
  since: string | undefined,
  checkout: ProcessorCheckout,
) {
  return retryOnConflict(5, async () => {
    const found = await ports.sessions.read(merchantId, sessionId);
    if (!found || found.value.payingSince !== since) throw new StateConflictError(inProgress);
    const { payingSince: _, ...rest } = found.value;
    await ports.sessions.replace(
      merchantId,
      { ...rest, processorCheckout: checkout, updatedAt: ports.clock.now().toISOString() },
      found.version,
    );
  });
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
 * The purchase as the first payment attempt prepares it, reused by every later one: the buyer's
 * customer — found by email (an existing customer's details are never changed by what the buyer
 * typed: those stay on the session) or created with them —, for recurring items the subscription
 * they start (built, written once paid), and the invoice of what is due now, finalized. The draft is
 * claimed on the session before it is finalized: a concurrent attempt that loses the claim deletes
 * its own draft (a 409), so a session never leaves a second open invoice behind.
 */
async function purchaseOf(
  ports: CheckoutPorts,
  offer: Extract<Offer, { state: "open" }>,
  { value: session, version }: Versioned<CheckoutSession>,
): Promise<CheckoutSession> {
  const merchantId = offer.merchant.id;
  if (session.customerId) {
    // A previous attempt may have stopped between the claim and the finalize.
    if (session.invoiceId && (await getInvoice(ports.invoices, merchantId, session.invoiceId)).status === "draft")
      await finalizeInvoice(ports.invoices, merchantId, session.invoiceId);
    return session;
  }
  const customerId = await customerOf(ports, offer, session);
  const recurring = session.lineItems.filter((line) => line.interval !== undefined);
  const subscription = recurring.length
    ? await draftCheckoutSubscription(ports.subscriptions, merchantId, {
        customerId,
        items: recurring.map(({ productId, description, unitAmount, quantity }) => ({
          productId,
          description,
          unitAmount,
          quantity,
        })),
        taxRateIds: session.taxRateIds,
        ...(session.recurring?.trialDays ? { trialDays: session.recurring.trialDays } : {}),
        // The code's terms bill the later periods by its duration; today's invoice redeems it.
        ...(session.discountCode ? { discounts: [{ code: session.discountCode }] } : {}),
        metadata: { paymentLinkId: offer.link.id, checkoutSessionId: session.id },
      })
    : undefined;
  const purchase = purchaseInvoice(session, customerId, subscription);
  const draft = purchase
    ? await createInvoice(ports.invoices, merchantId, purchase.request, purchase.origin)
    : undefined;
  const next: CheckoutSession = {
    ...session,
    customerId,
    ...(draft ? { invoiceId: draft.id } : {}),
    ...(subscription ? { subscriptionId: subscription.id, pendingSubscription: subscription } : {}),
    updatedAt: ports.clock.now().toISOString(),
  };
  try {
    await ports.sessions.replace(merchantId, next, version);
  } catch (error) {
    if (draft) await deleteInvoice(ports.invoices, merchantId, draft.id);
    throw error;
  }
  if (draft) await finalizeInvoice(ports.invoices, merchantId, draft.id);
  return next;
}

/**
 * The invoice of what a session charges now, in the session's line order: its one-time lines and,
 * unless a trial comes first, the subscription's period 0 (the engine's own period lines, so the
 * period billed is the subscription's; tied to it by `subscriptionId`, which also makes a hosted
 * checkout keep the card). Undefined when nothing is due now (a trial, nothing else bought).
 */
function purchaseInvoice(
  session: CheckoutSession,
  customerId: string,
  subscription: StoredSubscription | undefined,
): { request: NewInvoice; origin?: InvoiceOrigin } | undefined {
  const metadata = { paymentLinkId: session.paymentLinkId, checkoutSessionId: session.id };
  const billsPeriod = subscription !== undefined && !subscription.trialEnd;
  const period = billsPeriod ? periodInvoice(subscription, 0) : undefined;
  const periodLines = [...(period?.request.lineItems ?? [])];
  const lineItems = session.lineItems.flatMap((line) => {
    if (line.interval !== undefined) return period ? [periodLines.shift() as PricedLineRequest] : [];
    return [
      {
        productId: line.productId,
        description: line.description,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        taxRateIds: session.taxRateIds,
      },
    ];
  });
  if (lineItems.length === 0) return undefined;
  const request: NewInvoice = {
    ...(period?.request ?? {}),
    customerId,
    currency: session.currency as CurrencyCode,
    lineItems,
    // The session's code, never the subscription's copy of its terms (which bill the later periods):
    // redeemed once, when this invoice is finalized, so a retry after a decline pays the same invoice.
    ...(session.discountCode ? { discounts: [{ code: session.discountCode }] } : {}),
    metadata,
  };
  if (!subscription) return { request };
  const fields = period?.fields ?? { subscriptionId: subscription.id };
  return { request, origin: { fields, changes: () => [] } };
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
        ...(session.locale ? { locale: session.locale } : {}),
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

/**
 * Finishes a paid session, exactly once: the one place a checkout's payment completes it (the card
 * form's charge, or the invoice.paid reaction of a processor's checkout). It completes an open
 * session paid by its own invoice — even one past its time, whose payment started while it was
 * open — writing first the subscription its recurring items start (period 0 the session's invoice),
 * then the session, with `timesRedeemed` +1 and checkout.completed; a repeat finds it complete and
 * changes nothing. Undefined: no such session; a session of another invoice is left as it is.
 */
export async function finishCheckout(
  ports: CheckoutPorts,
  merchantId: string,
  sessionId: string,
  paid: PaidCheckout,
): Promise<CheckoutSession | undefined> {
  const paidBy = (session: CheckoutSession) =>
    session.status === "open" && session.invoiceId === paid.invoiceId;
  const before = await ports.sessions.read(merchantId, sessionId);
  // Expired, its hold given back: only a payment that started before can still arrive, and expiry
  // leaves a session whose checkout was paid open for it.
  if (!before || !paidBy(before.value)) return before && presentCheckoutSession(before.value, ports.clock.now());
  const pending = before.value.pendingSubscription;
  if (pending) await startCheckoutSubscription(ports.subscriptions, merchantId, pending, paid);
  return retryOnConflict(5, async () => {
    const [found, merchant] = await Promise.all([
      ports.sessions.read(merchantId, sessionId),
      ports.merchants.readMerchant(merchantId),
    ]);
    if (!found || !merchant) return undefined;
    const { value, version } = found;
    if (!paidBy(value)) return presentCheckoutSession(value, ports.clock.now());
    const now = ports.clock.now();
    // The held redemption is now a completed one; the subscription is written, its draft done with.
    const { payingSince: _, redemptionHeld: __, pendingSubscription: ___, ...rest } = value;
    const next: CheckoutSession = {
      ...rest,
      status: "complete",
      ...(paid.paymentId ? { paymentId: paid.paymentId } : {}),
      updatedAt: now.toISOString(),
    };
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
        merchantLivemode(merchant.value),
      ),
    );
    return next;
  });
}
