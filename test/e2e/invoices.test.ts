/**
 * Invoices over HTTP on the real local runtime (`npm start` in a child process): create → finalize →
 * send (the email with its PDF reaches the SES stand-in) → partial payment → payment; the void and
 * uncollectible paths; the hosted page; and the reminders and overdue timer, fired by moving the
 * local scheduler's clock with `POST /_local/clock`.
 */
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { localDynamoClient } from "../../infra/local/dynamodb.ts";
import { eventually, type MailRecord } from "../helpers/aws.ts";
import { assertFetchedDocumented } from "../helpers/contract.ts";
import { newDataDir, type RunningStack, startLocalStack } from "../helpers/local-stack.ts";

const day = 86_400;
const buyer = "ada@buyer.test";
const reminderSubject = (number: string, when: string) => `[TEST MODE] Reminder: invoice ${number} from Corner Bakery ${when}`;

// The steps run in order and share what earlier steps created, so a failure names its step.
describe("invoices end to end over HTTP on the local runtime", () => {
  let stack: RunningStack | undefined;
  let key: string;
  // biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
  let customer: any;
  // biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
  let first: any;
  // biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
  let open: any;
  // biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
  let second: any;

  const running = (): RunningStack => {
    if (!stack) throw new Error("The local runtime did not start (see the first step)");
    return stack;
  };
  // biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
  const http = async (method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; headers: Headers; body: any; text: string }> => {
    const url = `${running().info.apiUrl}${path}`;
    const response = await assertFetchedDocumented(method, url, await fetch(url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    }));
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  const ok = async (method: string, path: string, token: string | undefined, body: unknown, status: number) => {
    const r = await http(method, path, token, body);
    if (r.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${r.status} ${r.text}\n${stack?.output()}`);
    return r.body;
  };
  const mails = async (): Promise<MailRecord[]> => ((await (await fetch(`${running().info.mailUrl}/store`)).json()) as { emails: MailRecord[] }).emails;
  const mailsTo = async (email: string) => (await mails()).filter((m) => m.destination.to.some((to) => to.includes(email)));
  const advance = (seconds: number) => ok("POST", "/_local/clock", undefined, { advanceSeconds: seconds }, 200) as Promise<{ fired: number; now: string }>;
  const draft = (amount: number) => ({ customerId: customer.id, currency: "USD", paymentTerms: "net_7", lineItems: [{ description: "Sourdough subscription", quantity: 2, unitAmount: amount }] });

  afterAll(async () => {
    if (stack?.child.exitCode === null) await stack.interrupt();
  });

  it("boots the local runtime", async () => {
    stack = await startLocalStack(newDataDir());
  }, 40_000);

  it("creates a merchant with two invoice reminders and a customer", async () => {
    const { apiKey } = await ok("POST", "/v1/merchants", running().info.adminToken, { name: "Corner Bakery", email: "owner@corner-bakery.test" }, 201);
    key = apiKey.secret as string;
    const settings = await ok("PATCH", "/v1/merchant", key, { invoiceReminders: [{ daysAfterDue: -1 }, { daysAfterDue: 3 }] }, 200);
    expect(settings.invoiceReminders).toEqual([{ daysAfterDue: -1 }, { daysAfterDue: 3 }]);
    customer = await ok("POST", "/v1/customers", key, { email: buyer, name: "Ada Buyer" }, 201);
  });

  it("creates, finalizes and sends an invoice: the email carries the PDF", async () => {
    first = await ok("POST", "/v1/invoices", key, draft(6_000), 201);
    expect(first).toMatchObject({ status: "draft", total: 12_000 });
    open = await ok("POST", `/v1/invoices/${first.id}/finalize`, key, undefined, 200);
    expect(open).toMatchObject({ status: "open", number: "INV-0001", paymentTerms: "net_7", amountRemaining: 12_000 });
    const dueDate = open.dueDate as string;
    expect(dueDate).toBe(new Date(Date.parse(`${open.issuedAt.slice(0, 10)}T00:00:00Z`) + 7 * day * 1000).toISOString().slice(0, 10));
    expect((await ok("POST", `/v1/invoices/${first.id}/send`, key, undefined, 200)).status).toBe("open");

    const invoiceMail = await eventually(async () => (await mailsTo(buyer)).find((m) => m.subject.startsWith("[TEST MODE] Invoice INV-0001 from")));
    // A merchant on the sandbox is in test mode: its invoices say so.
    expect(invoiceMail.subject).toBe("[TEST MODE] Invoice INV-0001 from Corner Bakery");
    expect(invoiceMail.attachments).toHaveLength(1);
    expect(invoiceMail.attachments[0]).toMatchObject({ filename: "INV-0001.pdf", contentType: "application/pdf" });
    expect(Buffer.from(invoiceMail.attachments[0]?.content ?? "", "base64").subarray(0, 5).toString("latin1")).toBe("%PDF-");
  });

  it("leaves the invoice open after a partial payment", async () => {
    const partial = await ok("POST", `/v1/invoices/${first.id}/payments`, key, { amount: 5_000, method: "bank_transfer" }, 201);
    expect(partial).toMatchObject({ status: "open", amountPaid: 5_000, amountRemaining: 7_000 });
    expect(await ok("GET", `/v1/invoices/${first.id}`, key, undefined, 200)).toMatchObject({ status: "open", amountRemaining: 7_000 });
  });

  it("voids a second invoice, takes a third from uncollectible to paid, and refuses an illegal transition", async () => {
    second = await ok("POST", "/v1/invoices", key, draft(1_000), 201);
    expect((await ok("POST", `/v1/invoices/${second.id}/finalize`, key, undefined, 200)).number).toBe("INV-0002");
    expect(await ok("POST", `/v1/invoices/${second.id}/void`, key, undefined, 200)).toMatchObject({ status: "void", amountRemaining: 0 });
    const third = await ok("POST", "/v1/invoices", key, draft(2_500), 201);
    expect((await ok("POST", `/v1/invoices/${third.id}/finalize`, key, undefined, 200)).number).toBe("INV-0003");
    expect((await ok("POST", `/v1/invoices/${third.id}/mark-uncollectible`, key, undefined, 200)).status).toBe("uncollectible");
    expect(await ok("POST", `/v1/invoices/${third.id}/payments`, key, { amount: 5_000, method: "cash" }, 201)).toMatchObject({ status: "paid", amountRemaining: 0 });
    const illegal = await http("POST", `/v1/invoices/${second.id}/mark-uncollectible`, key, undefined);
    expect(illegal.status).toBe(409);
    expect(illegal.body.detail).toBe("Cannot mark as uncollectible an invoice whose status is void");
  });

  it("serves the hosted page publicly at hostedUrl", async () => {
    const hostedUrl = new URL(open.hostedUrl as string);
    const pageUrl = `${running().info.apiUrl}${hostedUrl.pathname}`;
    const page = await assertFetchedDocumented("GET", pageUrl, await fetch(pageUrl));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    const html = await page.text();
    expect(html).toContain("INV-0001");
    expect(html).toContain("Ada Buyer");
    expect(html).toContain("$70.00");
  });

  it("plans the invoice's schedules and sends the due-soon reminder when a week passes", async () => {
    // Wait until the billing consumer has planned INV-0001's schedules, then let time pass.
    const dynamo = localDynamoClient(running().info.endpoints.dynamodb);
    const scheduled = async (name: string) =>
      (await dynamo.send(new GetItemCommand({ TableName: "kassa", Key: { PK: { S: `SCHEDULE#kassa#${name}` }, SK: { S: "SCHEDULE" } } }))).Item;
    try {
      for (const name of [`${first.id}-reminder-m1`, `${first.id}-reminder-3`, `${first.id}-overdue`]) {
        await eventually(async () => (await scheduled(name)) ?? undefined);
      }
    } finally {
      dynamo.destroy();
    }

    const week = await advance(7 * day);
    expect(week.fired).toBeGreaterThanOrEqual(1);
    const dueSoon = await eventually(async () => (await mailsTo(buyer)).find((m) => m.subject === reminderSubject("INV-0001", "is due in 1 day")));
    expect(dueSoon.body.text).toContain("INV-0001");
    expect(dueSoon.body.text).toContain("$70.00");
  }, 40_000);

  it("sends the overdue reminder three days past due and records invoice.overdue in the events feed", async () => {
    await advance(4 * day);
    await eventually(async () => (await mailsTo(buyer)).find((m) => m.subject === reminderSubject("INV-0001", "is 3 days overdue")));
    const overdue = await eventually(async () => {
      const events = await ok("GET", "/v1/events?type=invoice.overdue", key, undefined, 200);
      return events.data.length ? events.data : undefined;
    });
    expect(overdue).toEqual([expect.objectContaining({ type: "invoice.overdue", objectId: first.id })]);
  });

  it("sends nothing for the voided or the paid invoice: one invoice email and two reminders in all", async () => {
    await new Promise((r) => setTimeout(r, 1_000));
    const subjects = (await mailsTo(buyer)).map((m) => m.subject);
    expect(subjects.filter((s) => /INV-0002|INV-0003/.test(s))).toEqual([]);
    expect(subjects.sort()).toEqual(
      ["[TEST MODE] Invoice INV-0001 from Corner Bakery", reminderSubject("INV-0001", "is due in 1 day"), reminderSubject("INV-0001", "is 3 days overdue")].sort(),
    );
  });

  it("settles the invoice when the rest is paid, with the whole lifecycle in the events feed", async () => {
    const paid = await ok("POST", `/v1/invoices/${first.id}/payments`, key, { amount: 7_000, method: "bank_transfer" }, 201);
    expect(paid).toMatchObject({ status: "paid", amountPaid: 12_000, amountRemaining: 0, paidAt: expect.any(String) });
    const types = (await ok("GET", `/v1/events?objectId=${first.id}&limit=100`, key, undefined, 200)).data.map((e: { type: string }) => e.type).reverse();
    expect(types).toEqual(["invoice.created", "invoice.finalized", "invoice.sent", "invoice.overdue", "invoice.paid"]);
  });

  it("stops cleanly on Ctrl-C", async () => {
    expect(await running().interrupt()).toBe(0);
  });
});
