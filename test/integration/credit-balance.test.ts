/**
 * The customer's credit balance (issue 12 §2) against DynamoDB Local: finalize applies it (never
 * taxed) and what is charged is the rest, void gives it back, an invoice whose lines sum below zero
 * totals 0 and credits the rest, and concurrent finalizes never spend the same credit twice. Only
 * subscription changes credit a customer, so the tests give one through the store's own change
 * (`CustomerStore.balanceWrite`, the one a subscription change commits).
 */
import { randomUUID } from "node:crypto";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as eventsHandler } from "../../functions/api/events.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as taxRatesHandler } from "../../functions/api/tax-rates.ts";
import { clockFor, invoicePorts } from "../../shared/composition.ts";
import type { PricedLineRequest } from "../../shared/invoices/build.ts";
import { createInvoice, finalizeInvoice, payNothingDue } from "../../shared/invoices/service.ts";
import { transact } from "../../shared/store/collection.ts";
import { dynamoCustomerStore } from "../../shared/store/customers.ts";
import { keys } from "../../shared/store/keys.ts";
import { expectStatus, merchantCall, newMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

type Merchant = { id: string; secret: string };

let shop: Merchant;
let aws: TestAws;

const api = (handler: unknown, routeKey: string, options?: Parameters<typeof merchantCall>[3]) =>
  merchantCall(handler, routeKey, shop.secret, options);

const newCustomer = async (): Promise<{ id: string }> =>
  expectStatus(
    api(customersHandler, "POST /v1/customers", {
      body: { email: `c-${randomUUID().slice(0, 8)}@buyer.test` },
    }),
    201,
  );
const getCustomer = (id: string) => expectStatus(api(customersHandler, "GET /v1/customers/{id}", { id }));

/** Credits (or, negative, debits) the customer's balance as a subscription change would. */
const credit = (customerId: string, currency: string, amount: number) =>
  transact([dynamoCustomerStore.balanceWrite(shop.id, customerId, currency, amount)], "balance changed");

const draft = (customerId: string, unitAmount: number, extra: object = {}) =>
  expectStatus(
    api(invoicesHandler, "POST /v1/invoices", {
      body: { customerId, currency: "USD", lineItems: [{ description: "Plan", unitAmount, ...extra }] },
    }),
    201,
  );
const finalize = (id: string) => api(invoicesHandler, "POST /v1/invoices/{id}/finalize", { id });
const getInvoice = (id: string) => expectStatus(api(invoicesHandler, "GET /v1/invoices/{id}", { id }));
/** The invoice's item as stored, internal fields included. */
const storedInvoice = async (id: string) =>
  (await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: keys.merchantObject(shop.id, id) })))
    .Item;

describe("the customer's credit balance", () => {
  beforeAll(async () => {
    aws = await useTestAws(["notifications", "stripe-events"]);
    shop = await newMerchant("Balance Shop");
  });

  it("shows per currency on the customer, {} when none, and is not settable through the API", async () => {
    const c = await newCustomer();
    expect((await getCustomer(c.id)).balance).toEqual({});
    await credit(c.id, "USD", 2500);
    await credit(c.id, "EUR", 700);
    expect((await getCustomer(c.id)).balance).toEqual({ USD: 2500, EUR: 700 });
    const listed = await expectStatus(
      api(customersHandler, "GET /v1/customers", { query: { limit: "100" } }),
    );
    expect(listed.data.find((x: { id: string }) => x.id === c.id).balance).toEqual({ USD: 2500, EUR: 700 });

    const patch = await api(customersHandler, "PATCH /v1/customers/{id}", {
      id: c.id,
      body: { balance: { USD: 1_000_000 } },
    });
    expect(patch.status).toBe(400);
    // An edit of other fields keeps the balance as it is.
    const renamed = await expectStatus(
      api(customersHandler, "PATCH /v1/customers/{id}", { id: c.id, body: { name: "Renamed" } }),
    );
    expect(renamed.balance).toEqual({ USD: 2500, EUR: 700 });
    expect((await getCustomer(c.id)).balance).toEqual({ USD: 2500, EUR: 700 });
  });

  it("refuses a debit the balance does not hold (a conflict), leaving it as it was", async () => {
    const c = await newCustomer();
    await credit(c.id, "USD", 100);
    await expect(credit(c.id, "USD", -101)).rejects.toThrow(/balance/);
    await expect(credit(c.id, "EUR", -1)).rejects.toThrow(/balance/);
    await credit(c.id, "USD", -100);
    expect((await getCustomer(c.id)).balance).toEqual({});
  });

  it("applies at finalize up to the total after tax, and the card is charged only the amount due", async () => {
    const c = await newCustomer();
    await credit(c.id, "USD", 3000);
    const tax = await expectStatus(
      api(taxRatesHandler, "POST /v1/tax-rates", {
        body: { name: "Sales tax", percentage: 10, inclusive: false },
      }),
      201,
    );
    // 10000 + 10 % tax = 11000; the 3000 credit is applied after tax and is itself never taxed.
    const d = await draft(c.id, 10_000, { taxRateIds: [tax.id] });
    expect(d).toMatchObject({ total: 11_000, appliedBalance: 0, amountDue: 11_000, amountRemaining: 11_000 });
    const open = await expectStatus(finalize(d.id));
    expect(open).toMatchObject({
      status: "open",
      taxTotal: 1000,
      total: 11_000,
      appliedBalance: 3000,
      amountDue: 8000,
      amountRemaining: 8000,
      creditedToBalance: 0,
    });
    expect((await getCustomer(c.id)).balance).toEqual({});

    const paid = await expectStatus(
      api(paymentsHandler, "POST /v1/invoices/{id}/pay", {
        id: d.id,
        body: { paymentMethod: "pm_card_visa" },
      }),
    );
    expect(paid.payment).toMatchObject({ amount: 8000, status: "succeeded" });
    expect(await getInvoice(d.id)).toMatchObject({
      status: "paid",
      amountPaid: 8000,
      amountRemaining: 0,
      appliedBalance: 3000,
    });
  });

  it("covers a whole invoice: nothing is due, it is paid as it is, and the rest stays on the balance", async () => {
    const c = await newCustomer();
    await credit(c.id, "USD", 5000);
    await credit(c.id, "EUR", 9999);
    const d = await draft(c.id, 1200);
    const open = await expectStatus(finalize(d.id));
    expect(open).toMatchObject({ total: 1200, appliedBalance: 1200, amountDue: 0, amountRemaining: 0 });
    // Only the invoice's currency is touched.
    expect((await getCustomer(c.id)).balance).toEqual({ USD: 3800, EUR: 9999 });
    const paid = await payNothingDue(invoicePorts(clockFor({ merchantId: shop.id })), shop.id, d.id);
    expect(paid).toMatchObject({ status: "paid", amountPaid: 0, amountRemaining: 0 });
  });

  it("gives the applied balance back when the invoice is voided", async () => {
    const c = await newCustomer();
    await credit(c.id, "USD", 5000);
    const d = await draft(c.id, 3000);
    expect(await expectStatus(finalize(d.id))).toMatchObject({ appliedBalance: 3000, amountDue: 0 });
    expect((await getCustomer(c.id)).balance).toEqual({ USD: 2000 });
    const voided = await expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/void", { id: d.id }));
    expect(voided).toMatchObject({ status: "void", amountRemaining: 0 });
    expect((await getCustomer(c.id)).balance).toEqual({ USD: 5000 });
    // The customer no longer counts the voided invoice as open: it can be deleted.
    expect((await api(customersHandler, "DELETE /v1/customers/{id}", { id: c.id })).status).toBe(204);
  });

  it("keeps the applied balance consumed when the invoice is marked uncollectible", async () => {
    const c = await newCustomer();
    await credit(c.id, "USD", 1000);
    const d = await draft(c.id, 3000);
    expect(await expectStatus(finalize(d.id))).toMatchObject({ appliedBalance: 1000, amountDue: 2000 });
    const marked = await expectStatus(
      api(invoicesHandler, "POST /v1/invoices/{id}/mark-uncollectible", { id: d.id }),
    );
    expect(marked).toMatchObject({ status: "uncollectible", appliedBalance: 1000, amountRemaining: 2000 });
    expect((await getCustomer(c.id)).balance).toEqual({});
  });

  it("totals 0 when credits outweigh charges, crediting the rest to the customer at finalize", async () => {
    const c = await newCustomer();
    await credit(c.id, "USD", 500);
    // A downgrade: 1000 for the new plan's rest of the period, −4000 back for the old one's.
    const lineItems: PricedLineRequest[] = [
      { description: "Basic (rest of period)", quantity: 1, unitAmount: 1000, proration: true },
      { description: "Unused time on Pro", quantity: 1, unitAmount: -4000, proration: true },
    ];
    const ports = invoicePorts(clockFor({ merchantId: shop.id }));
    const d = await createInvoice(ports, shop.id, { customerId: c.id, currency: "USD", lineItems });
    expect(d).toMatchObject({
      subtotal: -3000,
      total: 0,
      creditedToBalance: 3000,
      appliedBalance: 0,
      amountDue: 0,
      amountRemaining: 0,
    });
    expect(d.lineItems[1]).toMatchObject({ unitAmount: -4000, amountTotal: -4000, proration: true });
    // The draft credits nothing yet: that happens at finalize.
    expect((await getCustomer(c.id)).balance).toEqual({ USD: 500 });
    const open = await expectStatus(finalize(d.id));
    expect(open).toMatchObject({ total: 0, creditedToBalance: 3000, appliedBalance: 0, amountDue: 0 });
    expect((await getCustomer(c.id)).balance).toEqual({ USD: 3500 });
    expect(await getInvoice(d.id)).toMatchObject({
      lineItems: [{ amountTotal: 1000 }, { amountTotal: -4000 }],
    });
  });

  it("applies the balance as it is at finalize when it moved after the draft was priced", async () => {
    const spent = await newCustomer();
    await credit(spent.id, "USD", 5000);
    const first = await draft(spent.id, 3000);
    expect((await storedInvoice(first.id))?.pricedCustomer).toMatchObject({ balance: 5000 });
    await credit(spent.id, "USD", -4000);
    // The draft recorded 5000: the transaction refuses it (the customer moved on), the re-run reads 1000.
    expect(await expectStatus(finalize(first.id))).toMatchObject({ appliedBalance: 1000, amountDue: 2000 });
    expect((await getCustomer(spent.id)).balance).toEqual({});

    const credited = await newCustomer();
    const second = await draft(credited.id, 3000);
    expect((await storedInvoice(second.id))?.pricedCustomer).toMatchObject({ balance: 0 });
    await credit(credited.id, "USD", 2000);
    expect(await expectStatus(finalize(second.id))).toMatchObject({ appliedBalance: 2000, amountDue: 1000 });
    expect((await getCustomer(credited.id)).balance).toEqual({});
  });

  it("records the new customer when a draft's customer is changed, and applies that customer's balance", async () => {
    // Both customers at the same version (created, credited once): only the draft's new record tells
    // the finalize whose balance it holds.
    const first = await newCustomer();
    const second = await newCustomer();
    await credit(first.id, "USD", 300);
    await credit(second.id, "USD", 700);
    const d = await draft(first.id, 3000);
    await expectStatus(
      api(invoicesHandler, "PATCH /v1/invoices/{id}", { id: d.id, body: { customerId: second.id } }),
    );
    expect((await storedInvoice(d.id))?.pricedCustomer).toMatchObject({ balance: 700 });
    expect(await expectStatus(finalize(d.id))).toMatchObject({
      customer: { id: second.id },
      appliedBalance: 700,
      amountDue: 2300,
    });
    expect((await getCustomer(second.id)).balance).toEqual({});
    expect((await getCustomer(first.id)).balance).toEqual({ USD: 300 });
  });

  it("keeps what the draft recorded of its customer out of the API and the events, and drops it at finalize", async () => {
    const c = await newCustomer();
    await credit(c.id, "USD", 500);
    const d = await draft(c.id, 3000);
    const edited = await expectStatus(
      api(invoicesHandler, "PATCH /v1/invoices/{id}", { id: d.id, body: { memo: "Edited" } }),
    );
    expect((await storedInvoice(d.id))?.pricedCustomer).toMatchObject({ balance: 500 });
    const open = await expectStatus(finalize(d.id));
    expect(open).toMatchObject({ appliedBalance: 500, amountDue: 2500 });
    expect(await storedInvoice(d.id)).not.toHaveProperty("pricedCustomer");

    const feed = await expectStatus(
      api(eventsHandler, "GET /v1/events", { query: { objectId: d.id, limit: "100" } }),
    );
    expect(feed.data.map((e: { type: string }) => e.type).sort()).toEqual([
      "invoice.created",
      "invoice.finalized",
      "invoice.updated",
    ]);
    for (const shown of [d, edited, open, await getInvoice(d.id), ...feed.data])
      expect(JSON.stringify(shown)).not.toContain("pricedCustomer");
  });

  it("never applies the same credit twice when invoices of one customer are finalized at once", async () => {
    const c = await newCustomer();
    await credit(c.id, "USD", 5000);
    const drafts = await Promise.all(Array.from({ length: 4 }, () => draft(c.id, 3000)));
    // Each draft recorded the whole credit: only the customer's version in each transaction keeps
    // the finalizes from all applying it.
    for (const d of drafts)
      expect((await storedInvoice(d.id))?.pricedCustomer).toMatchObject({ balance: 5000 });
    const results = await Promise.all(drafts.map((d) => finalize(d.id)));
    expect(results.map((r) => [r.status, r.status === 200 ? "" : r.raw])).toEqual(
      [200, 200, 200, 200].map((s) => [s, ""]),
    );
    const applied = results.map((r) => r.body.appliedBalance as number);
    // 5000 of credit over four 3000 invoices: 3000 + 2000 + 0 + 0 in some order, no more.
    expect(applied.reduce((a, x) => a + x, 0)).toBe(5000);
    expect([...applied].sort((a, b) => b - a)).toEqual([3000, 2000, 0, 0]);
    for (const r of results) expect(r.body.amountDue).toBe(3000 - r.body.appliedBalance);
    expect((await getCustomer(c.id)).balance).toEqual({});
  });

  it("re-reads the balance when it was spent between the finalize's read and its write", async () => {
    // Finalizes of one merchant are already serialized by the invoice counter; what else spends the
    // credit meanwhile (a subscription change) is caught by the customer write's guard alone. A
    // draft saved before drafts recorded their customer reads it, as every re-run does.
    const c = await newCustomer();
    await credit(c.id, "USD", 5000);
    const d = await draft(c.id, 3000);
    await aws.db.send(
      new UpdateCommand({
        TableName: aws.tableName,
        Key: keys.merchantObject(shop.id, d.id),
        UpdateExpression: "REMOVE pricedCustomer",
      }),
    );
    const ports = invoicePorts(clockFor({ merchantId: shop.id }));
    let reads = 0;
    const racing = {
      ...ports,
      customerBalance: async (merchantId: string, customerId: string, currency: string) => {
        const balance = await ports.customerBalance(merchantId, customerId, currency);
        if (reads++ === 0) await credit(c.id, "USD", -4000);
        return balance;
      },
    };
    const open = await finalizeInvoice(racing, shop.id, d.id);
    expect(reads).toBe(2);
    expect(open).toMatchObject({ appliedBalance: 1000, amountDue: 2000, amountRemaining: 2000 });
    expect((await getCustomer(c.id)).balance).toEqual({});
  });

  it("shows an invoice stored before the credit balance as nothing applied, its total due", async () => {
    const c = await newCustomer();
    const d = await draft(c.id, 700);
    const open = await expectStatus(finalize(d.id));
    await aws.db.send(
      new UpdateCommand({
        TableName: aws.tableName,
        Key: keys.merchantObject(shop.id, open.id),
        UpdateExpression: "REMOVE appliedBalance, amountDue, creditedToBalance",
      }),
    );
    expect(await getInvoice(d.id)).toMatchObject({ appliedBalance: 0, amountDue: 700, creditedToBalance: 0 });
  });
});
