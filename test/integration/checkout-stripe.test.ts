/**
 * The checkout page of a payment link for a merchant on Stripe (issue 13 §2/§3) against DynamoDB
 * Local and the loopback Stripe fake, driven by the real SDK: the session's pay POST holds a
 * redemption, makes the customer and the invoice, and sends the buyer to Stripe Checkout in payment
 * mode for the invoice's amount due; the payment's webhook pays the invoice and its invoice.paid
 * (billing queue) finishes the session exactly once; the cancel URL and the session's expiry close
 * the Stripe session and give the hold back.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as invoicesApi } from "../../functions/api/invoices.ts";
import { handler as links } from "../../functions/api/payment-links.ts";
import { handler as products } from "../../functions/api/products.ts";
import { billingTimerRegistry } from "../../functions/billing/timers.ts";
import { billingTimerPorts, stripeEventPorts } from "../../shared/composition.ts";
import { fixedClock, systemClock } from "../../shared/domain/clock.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { setStripeAccount } from "../../shared/merchants/service.ts";
import { handleStripeEvent } from "../../shared/payments/stripe-events-handler.ts";
import { paymentIntentEvent } from "../../shared/stripe-shapes/payment-intents.ts";
import { dynamoCheckoutSessionStore } from "../../shared/store/checkout-sessions.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { formTokenIn, newPaymentLink, page, post, sessionIdOf } from "../helpers/checkout.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

const clock = systemClock;
let aws: TestAws;
let fake: StripeFake;
let shop: TestMerchant & { accountId: string };
let beans = "";

/** A merchant on Stripe: its connected account recorded and switched to Stripe. */
async function stripeMerchant(name: string) {
  const m = await newMerchant(name);
  const accountId = `acct_${randomUUID().slice(0, 12)}`;
  await setStripeAccount({ store: dynamoMerchantStore, clock }, m.id, accountId, false);
  const found = (await dynamoMerchantStore.readMerchant(m.id))!;
  const merchant = { ...found.value, processor: "stripe" as const, stripeChargesEnabled: true };
  await dynamoMerchantStore.replaceMerchant(
    merchant,
    found.version,
    newEvent("merchant.updated", m.id, m.id, clock.now(), { merchant, changed: ["processor"] }),
  );
  return { ...m, accountId };
}

const newLink = (body: object) => newPaymentLink(shop.secret, body);

/** The buyer's first POST: a session of `slug`, open. */
async function start(slug: string, email = `buyer-${randomUUID().slice(0, 8)}@stripe.test`) {
  const r = await post(slug, { formToken: formTokenIn((await page(slug)).raw), email });
  expect(r.status).toBe(303);
  return sessionIdOf(r.headers.location);
}
/** The session page's pay button. */
const pay = async (slug: string, sessionId: string) =>
  post(slug, { formToken: formTokenIn((await page(slug, { session: sessionId })).raw), session: sessionId });

const stored = async (id: string) => (await dynamoCheckoutSessionStore.read(shop.id, id))!.value;
const linkOf = async (id: string) =>
  expectStatus(merchantCall(links, "GET /v1/payment-links/{id}", shop.secret, { id }));
const held = async (linkId: string) =>
  (await aws.scanAll()).find((i) => i.SK === `PLINKHOLDS#${linkId}`)?.held;
const eventsOf = async (type: string, objectId: string) =>
  (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === objectId && i.eventType === type);
const checkoutRequests = (from: number) =>
  fake.requests.slice(from).filter((q) => q.path.startsWith("/v1/checkout/sessions"));

/** Stripe reports the Checkout's payment succeeded (from the merchant's account). */
async function succeeded(session: { invoiceId?: string; processorCheckout?: { paymentId: string } }) {
  const payment = (await dynamoPaymentStore.read(shop.id, session.processorCheckout!.paymentId))!.value;
  return paymentIntentEvent("payment_intent.succeeded", {
    id: `pi_${randomUUID().replaceAll("-", "").slice(0, 20)}`,
    amount: payment.amount,
    currency: "usd",
    created: Math.floor(Date.now() / 1000),
    metadata: {
      kassa_merchant_id: shop.id,
      kassa_payment_id: session.processorCheckout!.paymentId,
      kassa_invoice_id: session.invoiceId!,
    },
    paymentMethodId: "pm_card_visa",
    accountId: shop.accountId,
  });
}

/** The billing queue's consumer receiving the invoice's invoice.paid events, as the dispatcher routes them. */
async function deliverInvoicePaid(invoiceId: string) {
  const paid = await eventsOf("invoice.paid", invoiceId);
  expect(paid).toHaveLength(1);
  await billingTimerRegistry(billingTimerPorts(clock)).dispatch(
    JSON.parse(JSON.stringify(eventFromItem(paid[0]!))),
  );
}

/** A session sent to Stripe Checkout: its record and the Checkout session Stripe was asked for. */
async function sentToStripe(slug: string) {
  const id = await start(slug);
  const from = fake.requests.length;
  const r = await pay(slug, id);
  expect(r.status).toBe(303);
  const created = checkoutRequests(from).find(
    (q) => q.method === "POST" && q.path === "/v1/checkout/sessions",
  );
  return { id, response: r, stripe: created!, session: await stored(id) };
}

beforeAll(async () => {
  aws = await useTestAws(["stripe-events"]);
  fake = await startStripeFake();
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${fake.port}`;
  process.env.STRIPE_SECRET_KEY = "sk_test_checkout_stripe_0123456789";
  shop = await stripeMerchant("Stripe Checkout Shop");
  beans = (
    await expectStatus(
      merchantCall(products, "POST /v1/products", shop.secret, {
        body: { name: "Beans", unitAmount: 1299, currency: "USD" },
      }),
      201,
    )
  ).id as string;
});
afterAll(async () => {
  await fake.stop();
  delete process.env.STRIPE_API_BASE;
  delete process.env.STRIPE_SECRET_KEY;
});

describe("paying a checkout through Stripe Checkout", () => {
  it("shows a pay button to Stripe on the session's page, with no card field and no sandbox test cards", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: beans, quantity: 2 }] });
    const id = await start(link.slug);
    const r = await page(link.slug, { session: id });
    expect(r.status).toBe(200);
    expect(r.raw).toContain("Pay $25.98");
    expect(r.raw).not.toContain('name="card"');
    expect(r.raw).not.toContain("Sandbox test cards");
  });

  it("sends the buyer to Stripe Checkout in payment mode for the invoice's amount due, holding a redemption", async () => {
    const link = await newLink({
      name: "Beans",
      lineItems: [{ productId: beans, quantity: 2 }],
      maxRedemptions: 3,
    });
    const { id, response, stripe, session } = await sentToStripe(link.slug);

    expect(response.headers.location).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    const invoice = await expectStatus(
      merchantCall(invoicesApi, "GET /v1/invoices/{id}", shop.secret, { id: session.invoiceId }),
    );
    expect(invoice).toMatchObject({ status: "open", amountDue: 2_598, metadata: { checkoutSessionId: id } });
    const back = `${testPublicBaseUrl}/l/${link.slug}?session=${id}`;
    const paymentId = session.processorCheckout?.paymentId ?? "";
    expect(stripe.headers["stripe-account"]).toBe(shop.accountId);
    expect(stripe.body).toMatchObject({
      mode: "payment",
      line_items: [
        { price_data: { currency: "usd", unit_amount: String(invoice.amountDue) }, quantity: "1" },
      ],
      customer_email: session.email,
      success_url: back,
      cancel_url: `${back}&canceled=${paymentId}`,
      metadata: { kassa_merchant_id: shop.id, kassa_payment_id: paymentId, kassa_invoice_id: invoice.id },
    });
    // Not a subscription's invoice: nothing is saved for later.
    expect(stripe.body.payment_intent_data).not.toHaveProperty("setup_future_usage");
    expect(session).toMatchObject({
      status: "open",
      redemptionHeld: true,
      processorCheckout: {
        paymentId: expect.stringMatching(/^pay_/),
        sessionId: expect.stringMatching(/^cs_test_/),
        url: response.headers.location,
      },
    });
    expect(session).not.toHaveProperty("payingSince");
    expect(await held(link.id)).toBe(1);
    expect((await linkOf(link.id)).timesRedeemed).toBe(0);
  });

  it("shows the payment being confirmed on the way back, and never opens a second Stripe session on a reload or a second click", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: beans }] });
    const { id, response } = await sentToStripe(link.slug);
    const from = fake.requests.length;

    const back = await page(link.slug, { session: id });
    expect(back.status).toBe(200);
    expect(back.raw).toContain("We are confirming your payment");
    expect(back.raw).not.toContain("Pay $12.99");
    const again = await pay(link.slug, id);

    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(response.headers.location);
    expect(checkoutRequests(from)).toEqual([]);
    expect(await held(link.id)).toBe(1);
  });

  it("completes the session once the webhook pays the invoice: paid invoice, timesRedeemed +1, one checkout.completed; a duplicate changes nothing", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: beans, quantity: 2 }] });
    const { id, session } = await sentToStripe(link.slug);
    const webhook = await succeeded(session);

    await handleStripeEvent(stripeEventPorts(clock), webhook);
    expect((await stored(id)).status).toBe("open");
    await deliverInvoicePaid(session.invoiceId!);

    const done = await stored(id);
    expect(done).toMatchObject({
      status: "complete",
      invoiceId: session.invoiceId,
      paymentId: session.processorCheckout!.paymentId,
    });
    expect(done).not.toHaveProperty("redemptionHeld");
    const payment = (await dynamoPaymentStore.read(shop.id, done.paymentId!))!.value;
    expect(payment).toMatchObject({ status: "succeeded", amount: 2_598, invoiceId: session.invoiceId });
    const invoice = await expectStatus(
      merchantCall(invoicesApi, "GET /v1/invoices/{id}", shop.secret, { id: session.invoiceId }),
    );
    expect(invoice).toMatchObject({ status: "paid", amountPaid: 2_598, amountRemaining: 0 });
    expect((await linkOf(link.id)).timesRedeemed).toBe(1);
    expect(await eventsOf("checkout.completed", id)).toHaveLength(1);
    const confirmed = await page(link.slug, { session: id });
    expect(confirmed.raw).toContain("Paid. Thank you!");

    // The webhook and the event delivered again.
    const before = await aws.countItems();
    await handleStripeEvent(stripeEventPorts(clock), webhook);
    await deliverInvoicePaid(session.invoiceId!);

    expect(await aws.countItems()).toBe(before);
    expect(await stored(id)).toEqual(done);
    expect((await linkOf(link.id)).timesRedeemed).toBe(1);
    expect(await eventsOf("checkout.completed", id)).toHaveLength(1);
    expect((await dynamoPaymentStore.read(shop.id, done.paymentId!))!.value.status).toBe("succeeded");
  });

  it("ignores an invoice.paid whose metadata names a session the invoice does not pay", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: beans }] });
    const { id, session } = await sentToStripe(link.slug);
    const paid = eventFromItem({
      id: `evt_${randomUUID()}`,
      eventType: "invoice.paid",
      merchantId: shop.id,
      objectId: "inv_other",
      occurredAt: new Date().toISOString(),
      data: { invoice: { id: "inv_other", metadata: { checkoutSessionId: id } } },
    });

    await billingTimerRegistry(billingTimerPorts(clock)).dispatch(JSON.parse(JSON.stringify(paid)));

    expect(await stored(id)).toEqual(session);
    expect((await linkOf(link.id)).timesRedeemed).toBe(0);
  });

  it("the cancel URL expires the Stripe session and gives the hold back; the buyer can pay again through a new one", async () => {
    const link = await newLink({ name: "Last beans", lineItems: [{ productId: beans }], maxRedemptions: 1 });
    const { id, session } = await sentToStripe(link.slug);
    const first = session.processorCheckout!;
    const from = fake.requests.length;

    const canceled = await page(link.slug, { session: id, canceled: first.paymentId });

    expect(canceled.status).toBe(200);
    expect(canceled.raw).toContain("Pay $12.99");
    expect(checkoutRequests(from).map((q) => `${q.method} ${q.path}`)).toContain(
      `POST /v1/checkout/sessions/${first.sessionId}/expire`,
    );
    expect((await dynamoPaymentStore.read(shop.id, first.paymentId))!.value.status).toBe("failed");
    const after = await stored(id);
    expect(after.status).toBe("open");
    expect(after).not.toHaveProperty("processorCheckout");
    expect(after).not.toHaveProperty("redemptionHeld");
    expect(await held(link.id)).toBe(0);

    // The same cancel URL again changes nothing.
    const before = await aws.countItems();
    await page(link.slug, { session: id, canceled: first.paymentId });
    expect(await aws.countItems()).toBe(before);
    expect(await held(link.id)).toBe(0);

    // The last unit is still the buyer's to buy: a new Stripe session for the same invoice.
    const retry = await pay(link.slug, id);
    expect(retry.status).toBe(303);
    const second = (await stored(id)).processorCheckout!;
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.paymentId).not.toBe(first.paymentId);
    expect((await stored(id)).invoiceId).toBe(session.invoiceId);
    expect(await held(link.id)).toBe(1);
    await handleStripeEvent(stripeEventPorts(clock), await succeeded(await stored(id)));
    await deliverInvoicePaid(session.invoiceId!);
    expect((await stored(id)).status).toBe("complete");
    expect((await linkOf(link.id)).timesRedeemed).toBe(1);
  });

  it("a cancel URL naming another payment changes nothing", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: beans }] });
    const { id, session } = await sentToStripe(link.slug);
    const from = fake.requests.length;

    await page(link.slug, { session: id, canceled: `pay_${"0".repeat(26)}` });

    expect(checkoutRequests(from)).toEqual([]);
    expect(await stored(id)).toEqual(session);
    expect(await held(link.id)).toBe(1);
  });
});

describe("a Stripe checkout session's expiry", () => {
  const fire = (id: string) =>
    billingTimerRegistry(billingTimerPorts(fixedClock(new Date(Date.now() + 31 * 60_000)))).dispatch({
      kind: "checkout.expire",
      merchantId: shop.id,
      checkoutSessionId: id,
    });

  it("expires its open Stripe session with it and gives the hold back", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: beans }], maxRedemptions: 1 });
    const { id, session } = await sentToStripe(link.slug);
    const from = fake.requests.length;

    await fire(id);

    expect(checkoutRequests(from).map((q) => `${q.method} ${q.path}`)).toContain(
      `POST /v1/checkout/sessions/${session.processorCheckout!.sessionId}/expire`,
    );
    expect((await dynamoPaymentStore.read(shop.id, session.processorCheckout!.paymentId))!.value.status).toBe(
      "failed",
    );
    expect((await stored(id)).status).toBe("expired");
    expect(await held(link.id)).toBe(0);
    expect(await eventsOf("checkout.expired", id)).toHaveLength(1);
  });

  it("leaves a session whose Stripe Checkout was paid just before open, for its webhook to complete", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: beans }], maxRedemptions: 1 });
    const { id, session } = await sentToStripe(link.slug);
    fake.completeSession(session.processorCheckout!.sessionId);

    await fire(id);

    expect(await stored(id)).toMatchObject({ status: "open", redemptionHeld: true });
    expect(await held(link.id)).toBe(1);
    expect(await eventsOf("checkout.expired", id)).toEqual([]);
    await handleStripeEvent(stripeEventPorts(clock), await succeeded(session));
    await deliverInvoicePaid(session.invoiceId!);
    expect((await stored(id)).status).toBe("complete");
    expect((await linkOf(link.id)).timesRedeemed).toBe(1);
  });
});
