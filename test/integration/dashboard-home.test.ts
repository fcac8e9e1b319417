/**
 * The dashboard's home page against DynamoDB Local, with payments made through the sandbox and the
 * reports kept by the real outbox (stream → dispatcher → reports queue → consumer): the last 30 days'
 * gross and net volume equal the revenue report's over the same local days, in the merchant's default
 * currency or the one picked; open receivables equal the receivables report's; the latest payments
 * link to their pages; open tasks are listed and done ones are not; a subscription renewing within 14
 * days is listed, and its MRR is the subscriptions report's; another merchant's figures never show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as reportsApi } from "../../functions/api/reports.ts";
import { handler as subscriptionsHandler } from "../../functions/api/subscriptions.ts";
import { handler as tasksHandler } from "../../functions/api/tasks.ts";
import type { Poller } from "../../infra/local/sqs-poller.ts";
import { paymentPorts } from "../../shared/composition.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { formatMoney } from "../../shared/domain/format.ts";
import { payInvoice } from "../../shared/invoices/pay.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { eventually, useTestAws } from "../helpers/aws.ts";
import { openPage, pageBody, signedIn } from "../helpers/dashboard-pages.ts";
import { consumeQueue, dispatchedQueues, dispatchFromStream } from "../helpers/pipeline.ts";

const pollers: Poller[] = [];
let shop: TestMerchant;
let stranger: TestMerchant;
const paymentIds: string[] = [];
let openTask: string;
let doneTask: string;

/** Today in `timeZone`, read independently of shared/domain/calendar.ts. */
const dateIn = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone }).format(instant);
const daysBefore = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

async function invoice(m: TestMerchant, currency: string, unitAmount: number, finalize = true) {
  const customerId = (
    await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", m.secret, {
        body: { email: `home-${Math.random().toString(36).slice(2, 8)}@home.test`, name: "Hanna Home" },
      }),
      201,
    )
  ).id;
  const draft = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices", m.secret, {
      body: { customerId, currency, lineItems: [{ description: "Work", unitAmount }] },
    }),
    201,
  );
  if (!finalize) return draft.id as string;
  return (
    await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", m.secret, { id: draft.id }),
    )
  ).id as string;
}

async function pay(m: TestMerchant, currency: string, amount: number) {
  const { payment } = await payInvoice(
    paymentPorts(systemClock),
    m.id,
    await invoice(m, currency, amount),
    "pm_card_visa",
  );
  expect(payment.status).toBe("succeeded");
  return payment.id;
}

const revenue = (m: TestMerchant, currency: string) => {
  const to = dateIn(new Date(), m.merchant.timeZone);
  return expectStatus(
    merchantCall(reportsApi, "GET /v1/reports/revenue", m.secret, {
      query: { from: daysBefore(to, 29), to, groupBy: "day", currency },
    }),
  );
};
const sumOf = (rows: Record<string, number>[], field: string) =>
  rows.reduce((a, r) => a + (r[field] ?? 0), 0);
const statOf = (body: string, label: string) =>
  new RegExp(`<p class="stat-label">${label}</p><p class="stat-value">(.*?)</p>`).exec(body)?.[1];

beforeAll(async () => {
  const aws = await useTestAws(["stripe-events", ...dispatchedQueues]);
  pollers.push(await dispatchFromStream(aws));
  pollers.push(await consumeQueue(aws, "reports", "reports"));
  shop = await newMerchant("Home Shop");
  stranger = await newMerchant("Stranger Shop");
  paymentIds.push(
    await pay(shop, "USD", 10_000),
    await pay(shop, "USD", 5_000),
    await pay(shop, "EUR", 20_000),
  );
  await pay(stranger, "USD", 77_700);
  await invoice(shop, "USD", 4_200);
  openTask = (
    await expectStatus(
      merchantCall(tasksHandler, "POST /v1/tasks", shop.secret, { body: { title: "Call the bank" } }),
      201,
    )
  ).id;
  doneTask = (
    await expectStatus(
      merchantCall(tasksHandler, "POST /v1/tasks", shop.secret, { body: { title: "Filed taxes" } }),
      201,
    )
  ).id;
  await expectStatus(
    merchantCall(tasksHandler, "PATCH /v1/tasks/{id}", shop.secret, {
      id: doneTask,
      body: { status: "done" },
    }),
  );
  await eventually(async () => {
    const [usd, eur] = await Promise.all([revenue(shop, "USD"), revenue(shop, "EUR")]);
    return sumOf(usd.data, "paymentCount") === 2 && sumOf(eur.data, "paymentCount") === 1 ? true : undefined;
  }, 30_000);
}, 90_000);

afterAll(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

describe("home", () => {
  it("shows the last 30 days' gross and net volume equal to the revenue report's, in the default currency", async () => {
    const report = (await revenue(shop, "USD")).data;
    expect(sumOf(report, "grossVolume")).toBe(15_000);
    const body = await pageBody(openPage(signedIn(shop), "/app/"));
    expect(statOf(body, "Gross volume, last 30 days")).toBe(
      `<span class="num">${formatMoney(15_000, "USD")}</span>`,
    );
    expect(statOf(body, "Net volume, last 30 days")).toBe(
      `<span class="num">${formatMoney(sumOf(report, "netVolume"), "USD")}</span>`,
    );
    expect(sumOf(report, "netVolume")).toBeLessThan(15_000);
    // The chart: one figure per day, the total in its summary.
    expect(body).toContain(
      `gross ${formatMoney(15_000, "USD")}, net ${formatMoney(sumOf(report, "netVolume"), "USD")}`,
    );
    expect(body.match(/<rect class="bar-a"/g)).toHaveLength(30);
    expect(body.match(/<h1[ >]/g)).toHaveLength(1);
    expect(body).not.toMatch(/ style=|<script/);
    // Another merchant's payment is not in these figures.
    expect(body).not.toContain(formatMoney(77_700, "USD"));
  });

  it("picks another currency the merchant has figures in", async () => {
    const body = await pageBody(openPage(signedIn(shop), "/app/?currency=eur"));
    expect(body).toContain('<option value="EUR" selected>EUR</option>');
    expect(statOf(body, "Gross volume, last 30 days")).toBe(
      `<span class="num">${formatMoney(20_000, "EUR")}</span>`,
    );
    const report = (await revenue(shop, "EUR")).data;
    expect(statOf(body, "Net volume, last 30 days")).toBe(
      `<span class="num">${formatMoney(sumOf(report, "netVolume"), "EUR")}</span>`,
    );
    await expect(openPage(signedIn(shop), "/app/?currency=EURO")).rejects.toMatchObject({
      name: "ValidationError",
      errors: [{ path: "currency" }],
    });
  });

  it("shows open receivables as the receivables report counts them", async () => {
    const owed = await expectStatus(
      merchantCall(reportsApi, "GET /v1/reports/receivables", shop.secret, { query: { currency: "USD" } }),
    );
    const amount = sumOf(owed.data, "amount");
    expect(amount).toBe(4_200);
    const body = await pageBody(openPage(signedIn(shop), "/app/"));
    expect(statOf(body, "Open receivables")).toBe(`<span class="num">${formatMoney(amount, "USD")}</span>`);
    expect(body).toContain('href="/app/invoices?status=open&amp;currency=USD">1 open invoice</a>');
    expect(statOf(body, "Overdue")).toBe(`<span class="num">${formatMoney(0, "USD")}</span>`);
    expect(body).toContain(">0 overdue invoices</a>");
  });

  it("lists the latest payments, linked to their pages, and the open tasks only", async () => {
    const body = await pageBody(openPage(signedIn(shop, "viewer"), "/app/"));
    for (const id of paymentIds) expect(body).toContain(`href="/app/payments/${id}"`);
    expect(body).toContain(`<a href="/app/tasks/${openTask}">Call the bank</a>`);
    expect(body).not.toContain(doneTask);
    expect(body).toContain("Hanna Home");
  });

  it("lists the subscriptions renewing in the next 14 days, and shows their MRR as the subscriptions report does", async () => {
    // Its own merchant: the subscription's invoices stay out of the figures above.
    const m = await newMerchant("Renewal Shop");
    const customerId = (
      await expectStatus(
        merchantCall(customersHandler, "POST /v1/customers", m.secret, { body: { email: "rita@home.test" } }),
        201,
      )
    ).id;
    const anchor = new Date(Date.now() + 5 * 86_400_000);
    const renewing = await expectStatus(
      merchantCall(subscriptionsHandler, "POST /v1/subscriptions", m.secret, {
        body: {
          customerId,
          items: [{ description: "Roastery retainer", unitAmount: 30_000 }],
          currency: "USD",
          interval: "month",
          collectionMethod: "send_invoice",
          billingAnchorDay: Number(dateIn(anchor, m.merchant.timeZone).slice(8, 10)),
        },
      }),
      201,
    );
    expect(renewing.status).toBe("active");
    expect(Date.parse(renewing.currentPeriodEnd)).toBeLessThan(Date.now() + 14 * 86_400_000);
    const body = await pageBody(openPage(signedIn(m), "/app/"));
    expect(body).toContain(`<a href="/app/subscriptions/${renewing.id}">Roastery retainer</a>`);
    expect(body).toContain(`<time datetime="${renewing.currentPeriodEnd}">`);

    // Its MRR, once the reports consumer has counted it, is the subscriptions report's.
    const today = dateIn(new Date(), m.merchant.timeZone);
    const mrr = await eventually(async () => {
      const report = await expectStatus(
        merchantCall(reportsApi, "GET /v1/reports/subscriptions", m.secret, {
          query: { from: today, to: today, currency: "USD" },
        }),
      );
      return report.data[0]?.mrr > 0 ? (report.data[0].mrr as number) : undefined;
    }, 30_000);
    expect(mrr).toBe(30_000);
    const after = await pageBody(openPage(signedIn(m), "/app/"));
    expect(statOf(after, "MRR")).toBe(`<span class="num">${formatMoney(mrr, "USD")}</span>`);
  });
});
