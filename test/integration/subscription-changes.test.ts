/**
 * Subscription changes end to end on a test clock (issue 12 §2), through the API and the billing
 * queue as deployed, worked by hand. March and May 2030 have 31 days, April 30; the merchant's zone
 * is UTC; every line is taxed 25 % (exclusive), per line, rounded half away from zero.
 *
 * - Mar 17, upgrade Basic 31.00 → Pro 62.00 (create_prorations): 15/31 left → credit −15.00 (tax
 *   −3.75), charge +30.00 (tax +7.50). The April invoice: Pro 62.00 + 15.50 tax, −18.75, +37.50 = 96.25,
 *   exactly as `upcoming-invoice` showed it beforehand.
 * - Apr 11, Pro × 1 → × 2 (always_invoice): 20/30 left → credit −41.33 (tax −10.33), charge +82.67
 *   (tax +20.67): 51.68 charged at once.
 * - Apr 21, back to Basic × 1 (always_invoice): 10/30 left → credit −41.33 (tax −10.33), charge
 *   +10.33 (tax +2.58): −38.75, so that invoice totals 0 and 38.75 becomes the customer's credit.
 * - May 1: Basic 31.00 + 7.75 tax = 38.75, all paid by the credit balance: amountDue 0.
 * - A declined always_invoice charge: 402, the change is not applied, its invoice void, no dunning.
 */
import type { SQSRecord } from "aws-lambda";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as paymentMethods } from "../../functions/api/payment-methods.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as subscriptions } from "../../functions/api/subscriptions.ts";
import { handler as taxRates } from "../../functions/api/tax-rates.ts";
import { handler as testClocks } from "../../functions/api/test-clocks.ts";
import { handler as billing } from "../../functions/billing/timers.ts";
import { outboxEventFromItem } from "../../shared/store/outbox.ts";
import { callForBody, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let shop: TestMerchant;

const request = (handler: unknown, routeKey: string, id?: string, body?: unknown) =>
  callForBody(handler as Parameters<typeof callForBody>[0], routeKey, {
    token: shop.secret,
    ...(id ? { pathParameters: { id } } : {}),
    ...(body ? { body: body as object } : {}),
  });

const call = async (handler: unknown, routeKey: string, id?: string, body?: unknown) => {
  const result = await request(handler, routeKey, id, body);
  expect(result.status, `${routeKey}: ${JSON.stringify(result.body)}`).toBeLessThan(300);
  return result.body;
};

let messages = 0;
/** Advances the clock through the API, then delivers its test_clock.advancing event to the billing queue. */
async function advance(clockId: string, frozenTime: string) {
  await call(testClocks, "POST /v1/test-clocks/{id}/advance", clockId, { frozenTime });
  const { Items = [] } = await aws.db.send(
    new QueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :evt)",
      ExpressionAttributeValues: { ":pk": `MERCHANT#${shop.id}`, ":evt": "EVT#" },
    }),
  );
  const [event] = Items.map(outboxEventFromItem)
    .filter((e) => e.type === "test_clock.advancing" && e.objectId === clockId)
    .slice(-1);
  const record = { messageId: `c-${messages++}`, body: JSON.stringify(event) } as SQSRecord;
  expect(await billing({ Records: [record] })).toEqual({ batchItemFailures: [] });
}

const amounts = (invoice: { lineItems: { amountSubtotal: number; amountTax: number }[] }) =>
  invoice.lineItems.map((l) => [l.amountSubtotal, l.amountTax]);

/** The fields the upcoming invoice promises of the invoice later billed. */
const billedFields = [
  "lineItems",
  "subtotal",
  "discountTotal",
  "taxTotal",
  "total",
  "appliedBalance",
  "amountDue",
  "periodStart",
  "periodEnd",
] as const;
const pick = (invoice: Record<string, unknown>) =>
  Object.fromEntries(billedFields.map((f) => [f, invoice[f]]));

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
  shop = await newMerchant("Subscription changes");
});

describe("changing a subscription on a test clock", () => {
  let clockId: string;
  let customerId: string;
  let subscriptionId: string;
  let itemId: string;
  let pro: string;
  let basic: string;

  it("starts Basic on Mar 1, 2030 (period 0 paid)", async () => {
    clockId = (
      await call(testClocks, "POST /v1/test-clocks", undefined, { frozenTime: "2030-03-01T00:00:00Z" })
    ).id;
    customerId = (
      await call(customers, "POST /v1/customers", undefined, {
        email: "changes@buyer.test",
        testClockId: clockId,
      })
    ).id;
    await call(paymentMethods, "POST /v1/customers/{id}/payment-methods", customerId, {
      paymentMethod: "pm_card_visa",
    });
    const product = (name: string, unitAmount: number) =>
      call(products, "POST /v1/products", undefined, {
        name,
        unitAmount,
        currency: "USD",
        recurring: { interval: "month" },
      });
    basic = (await product("Basic", 3_100)).id;
    pro = (await product("Pro", 6_200)).id;
    const vat = await call(taxRates, "POST /v1/tax-rates", undefined, {
      name: "VAT",
      percentage: 25,
      inclusive: false,
    });
    const created = await call(subscriptions, "POST /v1/subscriptions", undefined, {
      customerId,
      items: [{ productId: basic }],
      billingAnchorDay: 1,
      taxRateIds: [vat.id],
    });
    expect(created.status).toBe("active");
    subscriptionId = created.id;
    itemId = created.items[0].id;
    expect(await call(invoices, "GET /v1/invoices/{id}", created.latestInvoiceId)).toMatchObject({
      status: "paid",
      total: 3_875,
    });
  });

  it("Mar 17, an upgrade with create_prorations: the April invoice is exactly the one previewed", async () => {
    await advance(clockId, "2030-03-17T00:00:00Z");
    const changed = await call(subscriptions, "PATCH /v1/subscriptions/{id}", subscriptionId, {
      items: [{ id: itemId, productId: pro }],
    });
    expect(changed.items).toMatchObject([{ id: itemId, productId: pro, unitAmount: 6_200, quantity: 1 }]);

    const upcoming = await call(subscriptions, "GET /v1/subscriptions/{id}/upcoming-invoice", subscriptionId);
    expect(amounts(upcoming)).toEqual([
      [6_200, 1_550],
      [-1_500, -375],
      [3_000, 750],
    ]);
    expect(upcoming).toMatchObject({
      total: 9_625,
      appliedBalance: 0,
      amountDue: 9_625,
      periodStart: "2030-04-01T00:00:00.000Z",
      periodEnd: "2030-05-01T00:00:00.000Z",
      billingAt: "2030-04-01T00:00:00.000Z",
      billingReason: "subscription_cycle",
    });
    expect(upcoming.lineItems[1]).toMatchObject({
      description: "Unused time on Basic (from 2030-03-17 to 2030-04-01)",
      proration: true,
    });

    await advance(clockId, "2030-04-01T06:00:00Z");
    const april = await call(
      invoices,
      "GET /v1/invoices/{id}",
      (await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId)).latestInvoiceId,
    );
    expect(april.status).toBe("paid");
    expect(pick(april)).toEqual(pick(upcoming));
  });

  it("Apr 11, two seats with always_invoice: the prorations are charged at once", async () => {
    await advance(clockId, "2030-04-11T00:00:00Z");
    const change = { items: [{ id: itemId, quantity: 2 }], prorationBehavior: "always_invoice" };
    const preview = await call(
      subscriptions,
      "POST /v1/subscriptions/{id}/preview-change",
      subscriptionId,
      change,
    );
    expect(preview.subscription.items[0].quantity).toBe(2);
    expect(
      preview.invoices.map((i: { billingReason: string; total: number }) => [i.billingReason, i.total]),
    ).toEqual([
      ["subscription_update", 5_168],
      // May: Pro × 2 = 12400 + 3100 tax.
      ["subscription_cycle", 15_500],
    ]);
    // The preview wrote nothing.
    expect((await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId)).items[0].quantity).toBe(
      1,
    );
    const changed = await call(subscriptions, "PATCH /v1/subscriptions/{id}", subscriptionId, change);
    expect(changed.items[0].quantity).toBe(2);
    const { data: items } = await call(invoices, "GET /v1/invoices", undefined);
    const now = items.find((i: { billingReason?: string }) => i.billingReason === "subscription_update");
    expect(amounts(now)).toEqual([
      [-4_133, -1_033],
      [8_267, 2_067],
    ]);
    expect(now).toMatchObject({ status: "paid", total: 5_168, amountPaid: 5_168, subscriptionId });
    expect(pick(now)).toMatchObject({
      ...pick(preview.invoices[0]),
      periodStart: undefined,
      periodEnd: undefined,
    });
  });

  it("Apr 21, a downgrade with always_invoice: the net credit is the customer's balance, used up on May 1", async () => {
    await advance(clockId, "2030-04-21T00:00:00Z");
    await call(subscriptions, "PATCH /v1/subscriptions/{id}", subscriptionId, {
      items: [{ id: itemId, productId: basic, quantity: 1 }],
      prorationBehavior: "always_invoice",
    });
    const { data: items } = await call(invoices, "GET /v1/invoices", undefined);
    const credit = items.filter(
      (i: { billingReason?: string }) => i.billingReason === "subscription_update",
    )[0];
    expect(amounts(credit)).toEqual([
      [-4_133, -1_033],
      [1_033, 258],
    ]);
    expect(credit).toMatchObject({ status: "paid", total: 0, creditedToBalance: 3_875, amountDue: 0 });
    expect((await call(customers, "GET /v1/customers/{id}", customerId)).balance).toEqual({ USD: 3_875 });

    const upcoming = await call(subscriptions, "GET /v1/subscriptions/{id}/upcoming-invoice", subscriptionId);
    expect(upcoming).toMatchObject({ total: 3_875, appliedBalance: 3_875, amountDue: 0 });
    await advance(clockId, "2030-05-01T06:00:00Z");
    const may = await call(
      invoices,
      "GET /v1/invoices/{id}",
      (await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId)).latestInvoiceId,
    );
    expect(pick(may)).toEqual(pick(upcoming));
    expect(may.status).toBe("paid");
    expect((await call(customers, "GET /v1/customers/{id}", customerId)).balance).toEqual({});
  });

  it("a declined always_invoice charge is a 402: nothing changes, its invoice is void and never dunned", async () => {
    const failing = await call(paymentMethods, "POST /v1/customers/{id}/payment-methods", customerId, {
      paymentMethod: "pm_card_chargeCustomerFail",
    });
    await call(customers, "PATCH /v1/customers/{id}", customerId, { defaultPaymentMethodId: failing.id });
    const before = await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId);
    const declined = await request(subscriptions, "PATCH /v1/subscriptions/{id}", subscriptionId, {
      items: [{ id: itemId, productId: pro }],
      prorationBehavior: "always_invoice",
    });
    expect(declined.status).toBe(402);
    expect(declined.body.declineCode).toBeTruthy();
    const after = await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId);
    expect(after.items).toEqual(before.items);
    expect(after.status).toBe("active");
    const { data: items } = await call(invoices, "GET /v1/invoices", undefined);
    expect(items[0]).toMatchObject({
      billingReason: "subscription_update",
      status: "void",
      nextPaymentAttemptAt: null,
    });
  });

  it("409 for a prorating change while the period's invoice is unpaid", async () => {
    // The June renewal is declined on the failing card: its invoice stays open (past_due).
    await advance(clockId, "2030-06-01T06:00:00Z");
    expect((await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId)).status).toBe("past_due");
    const refused = await request(subscriptions, "PATCH /v1/subscriptions/{id}", subscriptionId, {
      items: [{ id: itemId, productId: pro }],
    });
    expect(refused.status).toBe(409);
    expect((await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId)).items[0].productId).toBe(
      basic,
    );
  });
});
