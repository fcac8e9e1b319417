/**
 * Off-session charges (a saved payment method, no buyer present: what a schedule will run) take the
 * same generic `charge` as the buyer's, which passes on whether the buyer is there. Against the
 * loopback Stripe fake driven by the real SDK, the request is Stripe's off-session confirmation on the
 * method's customer; the buyer's own pay stays on-session. In the sandbox, a card that needs its
 * holder to authenticate fails at once off-session, rather than waiting for a buyer who is not there.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { PaymentDeclinedError } from "../../shared/domain/errors.ts";
import { type InvoicePayPorts, payInvoice } from "../../shared/invoices/pay.ts";
import { setStripeAccount } from "../../shared/merchants/service.ts";
import { charge } from "../../shared/payments/charges.ts";
import { stripeProcessor } from "../../shared/payments/stripe.ts";
import { paymentPorts } from "../../shared/composition.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { useTestAws } from "../helpers/aws.ts";
import { type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

const clock = fixedClock(new Date());
const stripeAccount = `acct_offsession${randomUUID().slice(0, 8)}`;
let fake: StripeFake;
let stripeShop: TestMerchant;
let sandboxShop: TestMerchant;

async function newCustomer(m: TestMerchant) {
  const body = { email: `saved-${randomUUID().slice(0, 8)}@off-session.test`, name: "Sam" };
  return (await expectStatus(merchantCall(customersHandler, "POST /v1/customers", m.secret, { body }), 201))
    .id;
}

async function openInvoice(m: TestMerchant, amount = 10_000) {
  const body = {
    customerId: await newCustomer(m),
    currency: "USD",
    lineItems: [{ description: "Monthly plan", unitAmount: amount }],
  };
  const draft = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices", m.secret, { body }),
    201,
  );
  return expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", m.secret, { id: draft.id }),
  );
}

/** The deployed payment ports with Stripe at the loopback fake. */
function stripePorts(): InvoicePayPorts {
  const stripe = stripeProcessor({
    secretKey: "sk_test_off_session_0123456789",
    host: "127.0.0.1",
    port: fake.port,
    protocol: "http",
    timeoutMs: 2_000,
  });
  return { ...paymentPorts(clock), processorFor: async () => stripe };
}

const readInvoice = async (m: TestMerchant, id: string) => (await dynamoInvoiceStore.read(m.id, id))!.value;
const requestsFrom = (from: number) => fake.requests.slice(from);

beforeAll(async () => {
  await useTestAws(["stripe-events", "billing"]);
  fake = await startStripeFake();
  stripeShop = await newMerchant("Off Session Stripe");
  await setStripeAccount({ store: dynamoMerchantStore, clock }, stripeShop.id, stripeAccount, false);
  sandboxShop = await newMerchant("Off Session Sandbox");
});
afterAll(() => fake.stop());

describe("an off-session charge through Stripe", () => {
  it("confirms the saved method off-session on its customer, without automatic methods, and pays the invoice", async () => {
    const invoice = await openInvoice(stripeShop);
    const from = fake.requests.length;

    const charged = await charge(
      stripePorts(),
      stripeShop.id,
      { kind: "invoice", id: invoice.id },
      { paymentMethod: "pm_card_mastercard", processorCustomerId: "cus_Saved01", offSession: true },
    );

    const requests = requestsFrom(from);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/payment_intents"]);
    expect(requests[0]!.form).toEqual({
      amount: "10000",
      currency: "usd",
      payment_method: "pm_card_mastercard",
      customer: "cus_Saved01",
      confirm: "true",
      off_session: "true",
      description: `Invoice ${invoice.number}`,
      "metadata[kassa_merchant_id]": stripeShop.id,
      "metadata[kassa_payment_id]": charged.payment.id,
      "metadata[kassa_invoice_id]": invoice.id,
      "expand[0]": "latest_charge.balance_transaction",
      "expand[1]": "payment_method",
    });
    expect(requests[0]!.headers["idempotency-key"]).toBe(`${invoice.id}-attempt-1`);
    expect(requests[0]!.headers["stripe-account"]).toBe(stripeAccount);
    expect(charged.payment).toMatchObject({
      status: "succeeded",
      processor: "stripe",
      amount: 10_000,
      invoiceId: invoice.id,
      for: { kind: "invoice", id: invoice.id },
      method: { type: "card", brand: "mastercard", last4: "4444" },
    });
    const paid = await readInvoice(stripeShop, invoice.id);
    expect(paid).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
    expect(paid.paymentLock).toBeUndefined();
  });

  it("fails a card that needs its holder to authenticate, and releases the invoice for the next attempt", async () => {
    const invoice = await openInvoice(stripeShop);

    const error = await charge(
      stripePorts(),
      stripeShop.id,
      { kind: "invoice", id: invoice.id },
      {
        paymentMethod: "pm_card_authenticationRequired",
        processorCustomerId: "cus_Saved01",
        offSession: true,
      },
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect(error).toMatchObject({ declineCode: "authentication_required" });
    const payment = (await dynamoPaymentStore.read(
      stripeShop.id,
      (error as PaymentDeclinedError).paymentId!,
    ))!.value;
    expect(payment).toMatchObject({ status: "failed", failure: { declineCode: "authentication_required" } });
    const open = await readInvoice(stripeShop, invoice.id);
    expect(open).toMatchObject({ status: "open", amountPaid: 0, amountRemaining: 10_000 });
    expect(open.paymentLock).toBeUndefined();
  });

  it("keeps the buyer's own pay on-session: automatic methods without redirects, no customer", async () => {
    const invoice = await openInvoice(stripeShop);
    const from = fake.requests.length;

    await payInvoice(stripePorts(), stripeShop.id, invoice.id, "pm_card_visa");

    const [request] = requestsFrom(from);
    expect(request!.form).toMatchObject({
      off_session: "false",
      "automatic_payment_methods[enabled]": "true",
      "automatic_payment_methods[allow_redirects]": "never",
    });
    expect(request!.form.customer).toBeUndefined();
  });
});

describe("an off-session charge in the sandbox", () => {
  it("pays with a card that needs no authentication", async () => {
    const invoice = await openInvoice(sandboxShop);

    const charged = await charge(
      paymentPorts(clock),
      sandboxShop.id,
      { kind: "invoice", id: invoice.id },
      { paymentMethod: "pm_card_visa", offSession: true },
    );

    expect(charged.payment).toMatchObject({ status: "succeeded", processor: "sandbox", amount: 10_000 });
    expect(await readInvoice(sandboxShop, invoice.id)).toMatchObject({ status: "paid", amountRemaining: 0 });
  });

  it("declines a card that needs authentication with Stripe's off-session decline, not a request for the buyer to act", async () => {
    const offSession = await openInvoice(sandboxShop);
    const onSession = await openInvoice(sandboxShop);
    const attempt = (invoiceId: string, off: boolean) =>
      charge(
        paymentPorts(clock),
        sandboxShop.id,
        { kind: "invoice", id: invoiceId },
        { paymentMethod: "pm_card_authenticationRequired", offSession: off },
      ).catch((e: unknown) => e as PaymentDeclinedError);

    const [off, on] = [await attempt(offSession.id, true), await attempt(onSession.id, false)];

    expect(off).toMatchObject({
      declineCode: "authentication_required",
      message: "Your card was declined. This transaction requires authentication.",
    });
    expect(on).toMatchObject({
      declineCode: "authentication_required",
      message: "The buyer must authenticate this payment (3-D Secure).",
    });
    for (const invoice of [offSession, onSession]) {
      const open = await readInvoice(sandboxShop, invoice.id);
      expect(open).toMatchObject({ status: "open", amountRemaining: 10_000 });
      expect(open.paymentLock).toBeUndefined();
    }
  });
});
