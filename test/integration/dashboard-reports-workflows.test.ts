/**
 * The reports and workflows pages against DynamoDB Local. Reports: payments made through the sandbox
 * and counted by the real outbox (stream → dispatcher → reports queue → consumer); each page's figures
 * and its CSV are the API report's for the same range and currency, another merchant's never show, a
 * bad range is a 400 naming the field. Workflows: one made from a template is the API's; edits go
 * through the update use case (a refused one names the step's field, 400, and writes nothing);
 * enable/disable, add and remove steps, delete; an enrollment the engine ran shows with its step log;
 * another merchant's workflow is a 404; viewers read but may not change; every page under 150 KB.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as reportsApi } from "../../functions/api/reports.ts";
import { handler as subscriptionsHandler } from "../../functions/api/subscriptions.ts";
import { handler as enrollmentsApi } from "../../functions/api/workflow-enrollments.ts";
import { handler as workflowsApi } from "../../functions/api/workflows.ts";
import type { Poller } from "../../infra/local/sqs-poller.ts";
import { merchantPorts, paymentPorts, workflowEnginePorts } from "../../shared/composition.ts";
import type { DashboardResult } from "../../shared/dashboard/context.ts";
import { allPageRoutes } from "../../shared/dashboard/pages/index.ts";
import { dashboardRouter } from "../../shared/dashboard/router.ts";
import { type Clock, systemClock } from "../../shared/domain/clock.ts";
import { NotFoundError, StateConflictError, ValidationError } from "../../shared/domain/errors.ts";
import { formatMoney } from "../../shared/domain/format.ts";
import { payInvoice } from "../../shared/invoices/pay.ts";
import { getMerchant } from "../../shared/merchants/service.ts";
import { can } from "../../shared/users/roles.ts";
import { enrollOnEvent } from "../../shared/workflows/engine.ts";
import type { WorkflowEnginePorts } from "../../shared/workflows/ports.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { eventually, useTestAws } from "../helpers/aws.ts";
import { paymentSucceeded } from "../helpers/events.ts";
import { firstLoadBytes, openPage, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";
import { consumeQueue, dispatchedQueues, dispatchFromStream } from "../helpers/pipeline.ts";

const pageRoutes = await allPageRoutes();

const pollers: Poller[] = [];
let shop: TestMerchant;
let stranger: TestMerchant;
let today: string;

const unique = () => randomUUID().slice(0, 8);
/** Today in `timeZone`, read independently of shared/domain/calendar.ts. */
const dateIn = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone }).format(instant);
const daysBefore = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
const sumOf = (rows: Record<string, number>[], field: string) =>
  rows.reduce((a, r) => a + (r[field] ?? 0), 0);
const statOf = (body: string, label: string) =>
  new RegExp(`<p class="stat-label">${label}</p><p class="stat-value">(.*?)</p>`).exec(body)?.[1];
const report = (m: TestMerchant, name: string, query: Record<string, string>) =>
  expectStatus(merchantCall(reportsApi, `GET /v1/reports/${name}`, m.secret, { query }));

async function customer(m: TestMerchant, name: string) {
  return (
    await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", m.secret, {
        body: { email: `${name.toLowerCase().replace(/\W/g, "")}-${unique()}@reports.test`, name },
      }),
      201,
    )
  ).id as string;
}

async function openInvoice(m: TestMerchant, customerId: string, currency: string, unitAmount: number) {
  const draft = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices", m.secret, {
      body: { customerId, currency, lineItems: [{ description: "Work", unitAmount }] },
    }),
    201,
  );
  return (
    await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", m.secret, { id: draft.id }),
    )
  ).id as string;
}

async function pay(m: TestMerchant, customerId: string, currency: string, amount: number) {
  const invoiceId = await openInvoice(m, customerId, currency, amount);
  const { payment } = await payInvoice(paymentPorts(systemClock), m.id, invoiceId, "pm_card_visa");
  expect(payment.status).toBe("succeeded");
}

/** A page's result, which must be a page with `status` (200 unless said). */
async function page(result: Promise<DashboardResult>, status = 200) {
  const r = await result;
  if (r.kind !== "page") throw new Error(`Expected a page, got ${JSON.stringify(r).slice(0, 300)}`);
  expect(r.status ?? 200, r.body.slice(0, 2000)).toBe(status);
  return r.body;
}

async function csvOf(url: string) {
  const r = await openPage(signedIn(shop, "viewer"), url);
  if (r.kind !== "file") throw new Error(`Expected a file, got ${r.kind}`);
  expect(r.contentType).toBe("text/csv; charset=utf-8");
  return String(r.body).split("\r\n");
}

beforeAll(async () => {
  const aws = await useTestAws(["stripe-events", ...dispatchedQueues]);
  pollers.push(await dispatchFromStream(aws));
  pollers.push(await consumeQueue(aws, "reports", "reports"));
  shop = await newMerchant("Reports Shop");
  stranger = await newMerchant("Stranger Shop");
  today = dateIn(new Date(), shop.merchant.timeZone);
  const ada = await customer(shop, "Ada Lovelace");
  const bob = await customer(shop, "Bob Builder");
  await pay(shop, ada, "USD", 10_000);
  await pay(shop, bob, "USD", 2_500);
  await pay(shop, ada, "EUR", 20_000);
  await pay(stranger, await customer(stranger, "Sven Stranger"), "USD", 77_700);
  await openInvoice(shop, bob, "USD", 4_200);
  await expectStatus(
    merchantCall(subscriptionsHandler, "POST /v1/subscriptions", shop.secret, {
      body: {
        customerId: bob,
        items: [{ description: "Retainer", unitAmount: 30_000 }],
        currency: "USD",
        interval: "month",
        collectionMethod: "send_invoice",
      },
    }),
    201,
  );
  await eventually(async () => {
    const [usd, eur, mrr] = await Promise.all([
      report(shop, "revenue", { from: today, to: today, currency: "USD" }),
      report(shop, "revenue", { from: today, to: today, currency: "EUR" }),
      report(shop, "subscriptions", { from: today, to: today, currency: "USD" }),
    ]);
    return sumOf(usd.data, "paymentCount") === 2 &&
      sumOf(eur.data, "paymentCount") === 1 &&
      mrr.data[0]?.mrr === 30_000
      ? true
      : undefined;
  }, 30_000);
}, 90_000);

afterAll(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

describe("the reports pages", () => {
  it("revenue: the last 30 days per day in the default currency, equal to GET /v1/reports/revenue, as a chart and a table", async () => {
    const api = await report(shop, "revenue", { from: daysBefore(today, 29), to: today, currency: "USD" });
    const body = await page(openPage(signedIn(shop, "viewer"), "/app/reports"));
    expect(statOf(body, "Gross volume")).toBe(`<span class="num">${formatMoney(12_500, "USD")}</span>`);
    expect(statOf(body, "Net volume")).toBe(
      `<span class="num">${formatMoney(sumOf(api.data, "netVolume"), "USD")}</span>`,
    );
    expect(body.match(/<rect class="bar-a"/g)).toHaveLength(30);
    expect(body).toContain(`<td>${today}</td><td class="num">${formatMoney(12_500, "USD")}</td>`);
    expect(body).toContain(`name="from"`);
    expect(body).toContain(`value="${daysBefore(today, 29)}"`);
    expect(body).toContain('<a href="/app/reports" aria-current="page">Revenue</a>');
    expect(body).not.toMatch(/ style=|<script/);
    expect(body).not.toContain(formatMoney(77_700, "USD"));
  });

  it("revenue: another currency and grain are the API's; the CSV holds the same rows", async () => {
    const month = today.slice(0, 7);
    const url = `/app/reports?from=${today}&to=${today}&groupBy=month&currency=EUR`;
    const body = await page(openPage(signedIn(shop), url));
    expect(body).toContain('<option value="EUR" selected>EUR</option>');
    expect(body).toContain(`<td>${month}</td><td class="num">${formatMoney(20_000, "EUR")}</td>`);
    const api = await report(shop, "revenue", { from: today, to: today, groupBy: "month", currency: "EUR" });
    const lines = await csvOf(`${url}&format=csv`);
    expect(lines[0]).toBe(
      "period,currency,grossVolume,refunds,disputesLost,fees,netVolume,paymentCount,refundCount",
    );
    const row = api.data[0];
    expect(lines[1]).toBe(
      [
        month,
        "EUR",
        "200.00",
        "0.00",
        "0.00",
        (row.fees / 100).toFixed(2),
        (row.netVolume / 100).toFixed(2),
        1,
        0,
      ].join(","),
    );
    expect(lines).toHaveLength(3); // header, one row, the final CRLF
  });

  it.each([
    ["from=2026-13-01", "from"],
    ["from=2026-03-10&to=2026-03-09", "to"],
    ["from=2025-01-01&to=2026-03-09", "to"],
    ["groupBy=year", "groupBy"],
    ["currency=EURO", "currency"],
    ["format=xml", "format"],
  ])("revenue: %s is a 400 naming %s", async (query, field) => {
    const body = await page(openPage(signedIn(shop), `/app/reports?${query}`), 400);
    expect(body).toContain('role="alert"');
    expect(body).toContain(`<li><strong>${field}</strong>`);
    expect(body).not.toContain("<svg");
  });

  it("MRR: the month's level and movements as GET /v1/reports/subscriptions gives them", async () => {
    const from = daysBefore(today, 60);
    const api = await report(shop, "subscriptions", { from, to: today, currency: "USD" });
    const body = await page(openPage(signedIn(shop, "viewer"), `/app/reports/mrr?from=${from}&to=${today}`));
    const current = api.data.at(-1);
    expect(current).toMatchObject({ period: today.slice(0, 7), mrr: 30_000, newMrr: 30_000 });
    expect(statOf(body, "MRR")?.startsWith(`<span class="num">${formatMoney(30_000, "USD")}</span>`)).toBe(
      true,
    );
    expect(body).toContain(`<td>${today.slice(0, 7)}</td><td class="num">${formatMoney(30_000, "USD")}</td>`);
    expect(body).toContain("<svg");
    const lines = await csvOf(`/app/reports/mrr?from=${from}&to=${today}&format=csv`);
    expect(lines[0]).toContain("period,currency,mrr,arr,activeSubscriptions,newMrr");
    expect(
      lines.filter((l) => l.startsWith(`${today.slice(0, 7)},USD,300.00,3600.00,1,300.00`)),
    ).toHaveLength(1);
  });

  it("receivables: open invoices by age as GET /v1/reports/receivables counts them", async () => {
    const api = await report(shop, "receivables", { currency: "USD" });
    const body = await page(openPage(signedIn(shop, "viewer"), "/app/reports/receivables"));
    // The invoice left open, and the subscription's first invoice (sent, not yet paid).
    const open = sumOf(api.data, "amount");
    expect(open).toBe(4_200 + 30_000);
    expect(statOf(body, "Open")?.startsWith(`<span class="num">${formatMoney(open, "USD")}</span>`)).toBe(
      true,
    );
    expect(body).toContain(
      `<td>Not yet due</td><td class="num">2</td><td class="num">${formatMoney(open, "USD")}</td>`,
    );
    const lines = await csvOf("/app/reports/receivables?format=csv");
    expect(lines.slice(0, -1)).toEqual([
      "currency,bucket,count,amount",
      ...api.data.map(
        (r: { bucket: string; count: number; amount: number }) =>
          `USD,${r.bucket},${r.count},${(r.amount / 100).toFixed(2)}`,
      ),
    ]);
  });

  it("top customers: who paid most, linked, net of refunds, as GET /v1/reports/top-customers", async () => {
    const api = await report(shop, "top-customers", {
      from: daysBefore(today, 29),
      to: today,
      currency: "USD",
    });
    const body = await page(openPage(signedIn(shop, "viewer"), "/app/reports/top-customers"));
    const [first, second] = api.data;
    expect(first).toMatchObject({ name: "Ada Lovelace", grossPaid: 10_000 });
    expect(second).toMatchObject({ name: "Bob Builder", grossPaid: 2_500 });
    const ada = body.indexOf(`<a href="/app/customers/${first.customerId}">Ada Lovelace</a>`);
    const bob = body.indexOf(`<a href="/app/customers/${second.customerId}">Bob Builder</a>`);
    expect(ada).toBeGreaterThan(0);
    expect(bob).toBeGreaterThan(ada);
    expect(body).not.toContain("Sven Stranger");
    const lines = await csvOf("/app/reports/top-customers?limit=1&format=csv");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^${first.customerId},Ada Lovelace,`));
    await page(openPage(signedIn(shop), "/app/reports/top-customers?limit=0"), 400);
  });

  it("keeps each report page's first load under 150 KB", async () => {
    const user = signedIn(shop, "viewer");
    const merchant = await getMerchant(merchantPorts(systemClock), shop.id);
    for (const url of [
      "/app/reports",
      "/app/reports/mrr",
      "/app/reports/receivables",
      "/app/reports/top-customers",
    ])
      expect(firstLoadBytes(await openPage(user, url), user, merchant)).toBeLessThan(150 * 1024);
  });
});

// ── Workflows ────────────────────────────────────────────────────────────────────────────────

const workflowApi = (routeKey: string, options: Parameters<typeof merchantCall>[3] = {}, m = shop) =>
  merchantCall(workflowsApi, routeKey, m.secret, options);
const workflowOf = (id: string) => expectStatus(workflowApi("GET /v1/workflows/{id}", { id }));
const post = (url: string, form: Record<string, string> = {}, role: "owner" | "admin" = "admin") =>
  openPage(signedIn(shop, role), url, { form: { csrf: testCsrfToken, ...form } });
const redirectOf = async (result: Promise<DashboardResult>) => {
  const r = await result;
  if (r.kind !== "redirect") throw new Error(`Expected a redirect, got ${JSON.stringify(r).slice(0, 2000)}`);
  return r;
};

/** The purchase follow-up template's steps as the editor's form sends them, with `changes`. */
const followUpForm = (changes: Record<string, string> = {}) => ({
  name: "Follow-up",
  "trigger.event": "payment.succeeded",
  "trigger.filters": "[]",
  reenroll: "true",
  "steps.0.type": "send_email",
  "steps.0.to": "account_owner",
  "steps.0.to.userEmail": "",
  "steps.0.subject": "New purchase: {{ customer.name }}",
  "steps.0.body": "{{ customer.name }} paid {{ payment.amount | money }}.",
  "steps.1.type": "create_task",
  "steps.1.title": "Call {{ customer.name }}",
  "steps.1.body": "",
  "steps.1.dueInDays": "2",
  ...changes,
});

/** The engine's real ports, with a mailer that records and stand-in links (no SES in this suite). */
const enginePorts = (clock: Clock): WorkflowEnginePorts => {
  const real = workflowEnginePorts(clock);
  return {
    ...real,
    reads: {
      ...real.reads,
      links: {
        unsubscribe: async (_m, customerId) => `https://pay.kassa.test/u/tok-${customerId}`,
        renewEarly: async () => "https://pay.kassa.test/c/tok/renew",
      },
    },
    mailer: { send: async () => ({ messageId: "ses-1" }) },
  };
};

describe("the workflows pages", () => {
  let workflowId: string;

  it("lists the three templates, each with a create button; nothing made yet", async () => {
    const m = await newMerchant("Empty Workflows");
    const body = await page(openPage(signedIn(m, "admin"), "/app/workflows"));
    expect(body).toContain("No workflows yet");
    for (const id of ["welcome_email", "renewal_reminder_with_code", "purchase_follow_up"])
      expect(body).toContain(`name="fromTemplate" value="${id}"`);
    const read = await page(openPage(signedIn(m, "viewer"), "/app/workflows"));
    expect(read).not.toContain('name="fromTemplate"');
  });

  it("creates a workflow from a template, as GET /v1/workflows/{id} shows it; a double submit creates one", async () => {
    const form = { fromTemplate: "purchase_follow_up", once: randomUUID() };
    const first = await redirectOf(post("/app/workflows/new", form));
    const again = await redirectOf(post("/app/workflows/new", form));
    expect(again.location).toBe(first.location);
    workflowId = first.location.split("/").at(-1) ?? "";
    expect(await workflowOf(workflowId)).toMatchObject({
      template: "purchase_follow_up",
      active: true,
      version: 1,
      trigger: { event: "payment.succeeded" },
    });
    const listed = await expectStatus(workflowApi("GET /v1/workflows"));
    expect(
      listed.data.filter((w: { template?: string }) => w.template === "purchase_follow_up"),
    ).toHaveLength(1);
  });

  it("refuses a template that is none, naming fromTemplate, and writes nothing", async () => {
    const before = (await expectStatus(workflowApi("GET /v1/workflows"))).data.length;
    const bad = post("/app/workflows/new", { fromTemplate: "nope", once: randomUUID() });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    await expect(bad).rejects.toMatchObject({ errors: [expect.objectContaining({ path: "fromTemplate" })] });
    expect((await expectStatus(workflowApi("GET /v1/workflows"))).data).toHaveLength(before);
  });

  it("shows the workflow's steps as named controls, and saves an edit as a new version", async () => {
    const body = await page(openPage(signedIn(shop, "admin"), `/app/workflows/${workflowId}`));
    expect(body).toContain('name="steps.0.subject"');
    expect(body).toContain('name="steps.1.type" value="create_task"');
    expect(body).toContain('<option value="account_owner" selected>');
    const saved = await redirectOf(
      post(`/app/workflows/${workflowId}`, followUpForm({ "steps.1.dueInDays": "3" })),
    );
    expect(saved.location).toBe(`/app/workflows/${workflowId}`);
    const after = await workflowOf(workflowId);
    expect(after).toMatchObject({ name: "Follow-up", version: 2, reenroll: true });
    expect(after.steps).toEqual([
      {
        type: "send_email",
        to: "account_owner",
        subject: "New purchase: {{ customer.name }}",
        body: "{{ customer.name }} paid {{ payment.amount | money }}.",
      },
      { type: "create_task", title: "Call {{ customer.name }}", dueInDays: 3 },
    ]);
  });

  it.each([
    [{ "steps.0.subject": "Hi {{ customer.nickname }}" }, "steps.0.subject"],
    [{ "steps.1.dueInDays": "soon" }, "steps.1.dueInDays"],
    [{ "steps.0.to": "user", "steps.0.to.userEmail": "stranger@elsewhere.test" }, "steps.0.to.userEmail"],
    [{ "trigger.filters": "[oops" }, "trigger.filters"],
    [{ "trigger.event": "payment.maybe" }, "trigger.event"],
    [{ name: "" }, "name"],
  ])(
    "refuses %j with a 400 naming %s at its control, as typed, and writes nothing",
    async (changes, path) => {
      const before = await workflowOf(workflowId);
      const body = await page(post(`/app/workflows/${workflowId}`, followUpForm(changes)), 400);
      expect(body).toContain(`<li><strong>${path}</strong>`);
      expect(body).toMatch(new RegExp(`name="${path.replaceAll(".", "\\.")}"[^>]*aria-invalid="true"`));
      // What was typed comes back as typed (a select offers only its options).
      for (const [name, value] of Object.entries(changes))
        if (name !== "trigger.event")
          expect(body).toContain(`value="${value}"`.replace(/^value="(\[.*)"$/, ">$1<"));
      expect(await workflowOf(workflowId)).toEqual(before);
    },
  );

  it("adds a step to the form as typed without saving, and removes a ticked one when saved", async () => {
    const before = await workflowOf(workflowId);
    const added = await page(
      post(
        `/app/workflows/${workflowId}`,
        followUpForm({ intent: "add", add: "delay", "steps.0.subject": "Typed" }),
      ),
    );
    expect(added).toContain('name="steps.2.type" value="delay"');
    expect(added).toContain('name="steps.2.duration"');
    expect(added).toContain('value="Typed"');
    expect(await workflowOf(workflowId)).toEqual(before);
    await expect(
      post(`/app/workflows/${workflowId}`, followUpForm({ intent: "add", add: "fax" })),
    ).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: "add" })],
    });

    await redirectOf(post(`/app/workflows/${workflowId}`, followUpForm({ "steps.1.remove": "true" })));
    expect((await workflowOf(workflowId)).steps.map((s: { type: string }) => s.type)).toEqual(["send_email"]);
    await redirectOf(post(`/app/workflows/${workflowId}`, followUpForm()));
  });

  it("a webhook step: an unsafe URL is a 400 at steps.1.url; a good one shows the signing secret once", async () => {
    const form = { fromTemplate: "welcome_email", once: randomUUID() };
    const id = (await redirectOf(post("/app/workflows/new", form))).location.split("/").at(-1) ?? "";
    const welcome = await workflowOf(id);
    const withHook = (url: string) => ({
      name: welcome.name,
      "trigger.event": "payment.succeeded",
      "trigger.filters": "[]",
      reenroll: "false",
      "steps.0.type": "send_email",
      "steps.0.to": "customer",
      "steps.0.subject": welcome.steps[0].subject,
      "steps.0.body": welcome.steps[0].body,
      "steps.1.type": "send_webhook",
      "steps.1.url": url,
    });
    const refused = await page(post(`/app/workflows/${id}`, withHook("https://10.0.0.1/hook")), 400);
    expect(refused).toContain("<li><strong>steps.1.url</strong>");
    expect(refused).toMatch(/name="steps\.1\.url"[^>]*aria-invalid="true"/);
    expect(await workflowOf(id)).toEqual(welcome);

    const shown = await page(post(`/app/workflows/${id}`, withHook("http://127.0.0.1:9/hook")));
    const secret = /id="webhook-secret" readonly value="(whsec_[\w-]+)"/.exec(shown)?.[1];
    expect(secret).toBeDefined();
    expect(shown).toContain('data-copy="webhook-secret"');
    const saved = await workflowOf(id);
    expect(saved).toMatchObject({ version: 2, webhookSecretCreatedAt: expect.any(String) });
    expect(JSON.stringify(saved)).not.toContain(secret);
    // Saved again: the secret is not shown again.
    await redirectOf(
      post(`/app/workflows/${id}`, { ...withHook("http://127.0.0.1:9/other"), "steps.0.to": "merchant" }),
    );
    await redirectOf(post(`/app/workflows/${id}/delete`));
  });

  it("disables and enables a workflow from the list, as the API's active", async () => {
    const off = await redirectOf(
      post(`/app/workflows/${workflowId}/active`, { active: "false", back: "list" }),
    );
    expect(off.location).toBe("/app/workflows");
    expect((await workflowOf(workflowId)).active).toBe(false);
    const list = await page(openPage(signedIn(shop, "admin"), "/app/workflows"));
    expect(list).toContain(`action="/app/workflows/${workflowId}/active"`);
    expect(list).toContain('<input type="hidden" name="active" value="true">');
    const on = await redirectOf(post(`/app/workflows/${workflowId}/active`, { active: "true" }));
    expect(on.location).toBe(`/app/workflows/${workflowId}`);
    expect((await workflowOf(workflowId)).active).toBe(true);
    await expect(post(`/app/workflows/${workflowId}/active`, { active: "maybe" })).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: "active" })],
    });
  });

  it("shows an enrollment the engine ran, with its step log, on the workflow's page and its own", async () => {
    const customerId = await customer(shop, "Cleo Buyer");
    await enrollOnEvent(enginePorts(systemClock), paymentSucceeded(shop.id, customerId, 4200));
    const [enrollment] = (
      await expectStatus(
        merchantCall(enrollmentsApi, "GET /v1/workflows/{id}/enrollments", shop.secret, { id: workflowId }),
      )
    ).data;
    expect(enrollment).toMatchObject({ status: "completed", customerId });
    const wf = await page(openPage(signedIn(shop, "viewer"), `/app/workflows/${workflowId}`));
    expect(wf).toContain(`href="/app/workflows/${workflowId}/enrollments/${enrollment.id}"`);
    expect(wf).toContain("Cleo Buyer");
    expect(wf).not.toContain('<form method="post"');

    const body = await page(
      openPage(signedIn(shop, "viewer"), `/app/workflows/${workflowId}/enrollments/${enrollment.id}`),
    );
    const task = enrollment.log.find((s: { type: string }) => s.type === "create_task");
    expect(body).toContain(
      `<td>0</td><td>Send email</td><td><span class="badge badge-good">completed</span>`,
    );
    expect(body).toContain(`Email to ${enrollment.log[0].result.to}`);
    expect(body).toContain(`<a href="/app/tasks/${task.result.taskId}">`);
    // It ended: no cancel button, even for those who may cancel.
    const admin = await page(
      openPage(signedIn(shop, "admin"), `/app/workflows/${workflowId}/enrollments/${enrollment.id}`),
    );
    expect(admin).not.toContain("Cancel enrollment");

    const user = signedIn(shop, "viewer");
    const merchant = await getMerchant(merchantPorts(systemClock), shop.id);
    for (const url of [
      "/app/workflows",
      `/app/workflows/${workflowId}`,
      `/app/workflows/${workflowId}/enrollments/${enrollment.id}`,
    ])
      expect(firstLoadBytes(await openPage(user, url), user, merchant)).toBeLessThan(150 * 1024);
    const editor = signedIn(shop, "admin");
    expect(
      firstLoadBytes(await openPage(editor, `/app/workflows/${workflowId}`), editor, merchant),
    ).toBeLessThan(150 * 1024);
  });

  it("cancels a running enrollment from its page (those who may, while it runs); then the API's 409", async () => {
    const form = { fromTemplate: "welcome_email", once: randomUUID() };
    const id = (await redirectOf(post("/app/workflows/new", form))).location.split("/").at(-1) ?? "";
    const welcome = await workflowOf(id);
    await redirectOf(
      post(`/app/workflows/${id}`, {
        name: welcome.name,
        "trigger.event": "payment.succeeded",
        reenroll: "false",
        "steps.0.type": "delay",
        "steps.0.duration": "P1D",
        "steps.1.type": "send_email",
        "steps.1.to": "customer",
        "steps.1.subject": welcome.steps[0].subject,
        "steps.1.body": welcome.steps[0].body,
      }),
    );
    expect((await workflowOf(id)).steps[0]).toEqual({ type: "delay", duration: "P1D" });
    const customerId = await customer(shop, "Dora Waiting");
    await enrollOnEvent(enginePorts(systemClock), paymentSucceeded(shop.id, customerId, 100));
    const [waiting] = (
      await expectStatus(
        merchantCall(enrollmentsApi, "GET /v1/workflows/{id}/enrollments", shop.secret, { id }),
      )
    ).data;
    expect(waiting).toMatchObject({ status: "running", customerId });
    const url = `/app/workflows/${id}/enrollments/${waiting.id}`;
    expect(await page(openPage(signedIn(shop, "viewer"), url))).not.toContain("Cancel enrollment");
    const shown = await page(openPage(signedIn(shop, "admin"), url));
    expect(shown).toContain(`action="${url}/cancel"`);
    expect(shown).toContain('<span class="badge badge-neutral">waiting</span>');

    expect((await redirectOf(post(`${url}/cancel`))).location).toBe(url);
    const api = await expectStatus(
      call(enrollmentsApi as never, "GET /v1/workflows/{id}/enrollments/{eid}", {
        token: shop.secret,
        pathParameters: { id, eid: waiting.id },
      }),
    );
    expect(api.status).toBe("canceled");
    await expect(post(`${url}/cancel`)).rejects.toBeInstanceOf(StateConflictError);
    await redirectOf(post(`/app/workflows/${id}/delete`));
  });

  it("lets viewers read every page and change nothing (the routes' permissions)", () => {
    const route = dashboardRouter(pageRoutes);
    const permission = (method: "GET" | "POST", path: string) => {
      const found = route(method, path);
      if (typeof found !== "object") throw new Error(`No route ${method} ${path}`);
      return found.route.permission;
    };
    for (const path of [
      "/app/reports",
      "/app/reports/mrr",
      "/app/workflows",
      "/app/workflows/w",
      "/app/workflows/w/enrollments/e",
    ])
      expect(can("viewer", permission("GET", path))).toBe(true);
    for (const path of [
      "/app/workflows/new",
      "/app/workflows/w",
      "/app/workflows/w/active",
      "/app/workflows/w/delete",
      "/app/workflows/w/enrollments/e/cancel",
    ]) {
      expect(can("viewer", permission("POST", path))).toBe(false);
      expect(can("admin", permission("POST", path))).toBe(true);
    }
  });

  it("finds no other merchant's workflow (404), and deletes its own", async () => {
    const theirs = (
      await expectStatus(
        workflowApi("POST /v1/workflows", { body: { fromTemplate: "welcome_email" } }, stranger),
        201,
      )
    ).id;
    await expect(openPage(signedIn(shop), `/app/workflows/${theirs}`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(post(`/app/workflows/${theirs}/active`, { active: "false" })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(post(`/app/workflows/${theirs}`, followUpForm())).rejects.toBeInstanceOf(NotFoundError);
    await expect(post(`/app/workflows/${theirs}/delete`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      openPage(signedIn(shop), `/app/workflows/${theirs}/enrollments/enr_x`),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await workflowApi("GET /v1/workflows/{id}", { id: theirs })).status).toBe(404);
    expect((await expectStatus(workflowApi("GET /v1/workflows/{id}", { id: theirs }, stranger))).active).toBe(
      true,
    );

    const gone = await redirectOf(post(`/app/workflows/${workflowId}/delete`));
    expect(gone.location).toBe("/app/workflows");
    expect((await workflowApi("GET /v1/workflows/{id}", { id: workflowId })).status).toBe(404);
  });
});
