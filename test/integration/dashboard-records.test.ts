/**
 * The dashboard's quote, customer, payout, payment link and task pages against DynamoDB Local, with
 * data made through the API's handlers (a payout by the payout run): each shows its facts and its
 * timeline, the quote its audit trail and PDFs, the customer everything of theirs; a task is marked
 * done and reopened from its page and the API shows it; another merchant's id is a 404.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentLinksHandler } from "../../functions/api/payment-links.ts";
import { handler as productsHandler } from "../../functions/api/products.ts";
import { handler as quotesHandler } from "../../functions/api/quotes.ts";
import { handler as subscriptionsHandler } from "../../functions/api/subscriptions.ts";
import { handler as tasksHandler } from "../../functions/api/tasks.ts";
import { tableScheduler } from "../../shared/aws/scheduler.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { NotFoundError } from "../../shared/domain/errors.ts";
import { newId } from "../../shared/domain/ids.ts";
import { balanceTransaction } from "../../shared/payments/balance.ts";
import { runDailyPayouts } from "../../shared/payouts/run.ts";
import { transact } from "../../shared/store/collection.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { dynamoPayoutStore } from "../../shared/store/payouts.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { useTestAws } from "../helpers/aws.ts";
import { openPage, pageBody, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";

let shop: TestMerchant;
let other: TestMerchant;

const api = (handler: unknown, routeKey: string, options: Parameters<typeof merchantCall>[3] = {}, m = shop, status?: number) =>
  expectStatus(merchantCall(handler, routeKey, m.secret, options), status ?? (routeKey.startsWith("POST") ? 201 : 200));

const newCustomer = async (m: TestMerchant = shop): Promise<string> =>
  (await api(customersHandler, "POST /v1/customers", {
    body: { email: `c-${randomUUID().slice(0, 8)}@records.test`, name: "Rita Records", companyName: "Records AS" },
  }, m)).id;

const lines = [{ description: "Roastery tour", quantity: 1, unitAmount: 9900 }];

beforeAll(async () => {
  await useTestAws([]);
  shop = await newMerchant("Record Roasters");
  other = await newMerchant("Other Roasters");
});

const view = (url: string, role: Parameters<typeof signedIn>[1] = "viewer") => pageBody(openPage(signedIn(shop, role), url));

describe("the quote page", () => {
  it("shows the lines, the audit trail as the signed PDF lists it, the timeline and both PDFs", async () => {
    const customerId = await newCustomer();
    const { id } = await api(quotesHandler, "POST /v1/quotes", { body: { customerId, currency: "USD", lineItems: lines, title: "Tour offer" } });
    const draft = await view(`/app/quotes/${id}`);
    expect(draft).toContain("Draft quote");
    expect(draft).toContain("Roastery tour");
    expect(draft).not.toContain(`/app/quotes/${id}/pdf`);

    await api(quotesHandler, "POST /v1/quotes/{id}/publish", { id }, shop, 200);
    await api(quotesHandler, "POST /v1/quotes/{id}/accept", { id, body: { name: "Ada Buyer", email: "ada@buyer.test" } }, shop, 200);
    const accepted = await view(`/app/quotes/${id}`);
    const { number } = await api(quotesHandler, "GET /v1/quotes/{id}", { id });
    expect(accepted).toContain(`Quote ${number}`);
    expect(accepted).toContain(`Published as quote ${number}`);
    expect(accepted).toContain("Accepted offline (outside Kassa), as recorded by the merchant");
    expect(accepted).toContain("Ada Buyer · ada@buyer.test");
    for (const title of ["Quote accepted", "Quote published", "Quote created"]) expect(accepted).toContain(title);

    expect(await openPage(signedIn(shop, "viewer"), `/app/quotes/${id}/pdf`)).toMatchObject({
      kind: "file",
      contentType: "application/pdf",
      filename: `${number}.pdf`,
    });
    expect(await openPage(signedIn(shop, "viewer"), `/app/quotes/${id}/signed-pdf`)).toMatchObject({
      kind: "file",
      filename: `${number}-signed.pdf`,
    });
  });

  it("is a 404 for another merchant's quote", async () => {
    const { id } = await api(quotesHandler, "POST /v1/quotes", { body: { customerId: await newCustomer(other), currency: "USD", lineItems: lines } }, other);
    await expect(view(`/app/quotes/${id}`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openPage(signedIn(shop), `/app/quotes/${id}/pdf`)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("the customer page", () => {
  it("lists everything of theirs and nobody else's", async () => {
    const customerId = await newCustomer();
    const elses = await newCustomer();
    const invoice = await api(invoicesHandler, "POST /v1/invoices", { body: { customerId, currency: "USD", lineItems: lines } });
    const notTheirs = await api(invoicesHandler, "POST /v1/invoices", { body: { customerId: elses, currency: "USD", lineItems: lines } });
    const subscription = await api(subscriptionsHandler, "POST /v1/subscriptions", {
      body: { customerId, items: [{ description: "Monthly beans", unitAmount: 1500 }], currency: "USD", interval: "month", collectionMethod: "send_invoice" },
    });
    const quote = await api(quotesHandler, "POST /v1/quotes", { body: { customerId, currency: "USD", lineItems: lines } });

    const page = await view(`/app/customers/${customerId}`);
    expect(page).toContain("Rita Records");
    expect(page).toContain("Records AS");
    expect(page).toContain(`href="/app/invoices/${invoice.id}"`);
    expect(page).not.toContain(notTheirs.id);
    expect(page).toContain(`href="/app/subscriptions/${subscription.id}"`);
    expect(page).toContain("Monthly beans");
    // The subscription's first period's invoice is theirs too.
    expect((page.match(/href="\/app\/invoices\//g) ?? []).length).toBe(2);
    expect(page).toContain(`href="/app/quotes/${quote.id}"`);
    expect(page).toContain("Customer created");
    expect(page).not.toContain('method="post"');
  });

  it("is a 404 for another merchant's customer", async () => {
    await expect(view(`/app/customers/${await newCustomer(other)}`)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("the payout page", () => {
  it("shows what the payout sums and its balance transactions", async () => {
    const day = "2026-05-14";
    const clock = fixedClock(new Date("2026-05-15T12:00:00Z"));
    const now = clock.now();
    const paymentId = newId("payment", now);
    const written = [
      balanceTransaction(newId("balanceTransaction", now), "charge", { id: paymentId, currency: "USD" }, 5000, 175, day, now),
      balanceTransaction(newId("balanceTransaction", now), "refund", { id: newId("refund", now), currency: "USD" }, -1000, 0, day, now),
    ];
    await transact(written.map((t) => dynamoPaymentStore.balanceWrite(shop.id, t)), "unexpected");
    const [payout] = await runDailyPayouts(
      { payouts: dynamoPayoutStore, merchants: dynamoMerchantStore, scheduler: tableScheduler, clock },
      shop.id,
      day,
    );
    if (!payout) throw new Error("no payout was made");

    const page = await view(`/app/payouts/${payout.id}`);
    expect(page).toContain("$38.25");
    expect(page).toContain("$50.00");
    expect(page).toContain("-$1.75");
    expect(page).toContain(`href="/app/payments/${paymentId}"`);
    expect(page).toContain("-$10.00");
    expect(page).toContain("Payout paid");
    await expect(openPage(signedIn(other), `/app/payouts/${payout.id}`)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("the payment link page", () => {
  it("shows what the link sells and where it lives", async () => {
    const product = await api(productsHandler, "POST /v1/products", { body: { name: "Tour ticket", unitAmount: 2500, currency: "USD" } });
    const link = await api(paymentLinksHandler, "POST /v1/payment-links", {
      body: { name: "Tour tickets", lineItems: [{ productId: product.id, quantity: 1, adjustableQuantity: { min: 1, max: 4 } }] },
    });
    const page = await view(`/app/payment-links/${link.id}`);
    expect(page).toContain("Tour tickets");
    expect(page).toContain(link.url);
    expect(page).toContain("1–4");
    expect(page).toContain("Payment link created");
    await expect(openPage(signedIn(other), `/app/payment-links/${link.id}`)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("the task page", () => {
  it("a member marks a task done and reopens it; the API shows each; a viewer sees no control", async () => {
    const customerId = await newCustomer();
    const task = await api(tasksHandler, "POST /v1/tasks", { body: { title: "Call Rita", dueDate: "2026-12-31", related: { customerId } } });
    const path = `/app/tasks/${task.id}`;
    const page = await view(path, "member");
    expect(page).toContain("Call Rita");
    expect(page).toContain(`href="/app/customers/${customerId}"`);
    expect(page).toContain("Dec 31, 2026");
    expect(page).toContain(`action="${path}/done"`);
    expect(await view(path)).not.toContain('method="post"');

    const post = (action: string) =>
      openPage(signedIn(shop, "member"), `${path}/${action}`, { form: { csrf: testCsrfToken } });
    expect(await post("done")).toEqual({ kind: "redirect", location: path, notice: "Task done" });
    expect(await api(tasksHandler, "GET /v1/tasks/{id}", { id: task.id })).toMatchObject({ status: "done", completedAt: expect.any(String) });
    const done = await view(path, "member");
    expect(done).toContain(`action="${path}/reopen"`);
    expect(done).toContain("Task updated");
    await post("reopen");
    expect(await api(tasksHandler, "GET /v1/tasks/{id}", { id: task.id })).toMatchObject({ status: "open", completedAt: null });
    await expect(
      openPage(signedIn(other, "member"), `${path}/done`, { form: { csrf: testCsrfToken } }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
