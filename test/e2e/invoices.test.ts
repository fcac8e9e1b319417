/**
 * Invoices over HTTP on the real local runtime (`npm start` in a child process): create → finalize →
 * send (the email with its PDF reaches the SES stand-in) → partial payment → payment; the void and
 * uncollectible paths; the hosted page; and the reminders and overdue timer, fired by moving the
 * local scheduler's clock with `POST /_local/clock`.
 */
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { localDynamoClient } from "../../infra/local/dynamodb.ts";
import { eventually } from "../helpers/aws.ts";
import { assertFetchedDocumented } from "../helpers/contract.ts";
import { type Json, localRuntime } from "../helpers/browser.ts";

const day = 86_400;
const buyer = "ada@buyer.test";
const reminderSubject = (number: string, when: string) => `[TEST MODE] Reminder: invoice ${number} from Corner Bakery ${when}`;

// The steps run in order and share what earlier steps created, so a failure names its step.
describe("invoices end to end over HTTP on the local runtime", () => {
  const runtime = localRuntime();
  const { running, request, ok, mailsTo } = runtime;
  let customer: Json;
  let first: Json;
  let open: Json;
  let second: Json;

  const advance = runtime.advanceLocalClock;
  const draft = (amount: number) => ({ customerId: customer.id, currency: "USD", paymentTerms: "net_7", lineItems: [{ description: "Sourdough subscription", quantity: 2, unitAmount: amount }] });

  afterAll(runtime.stop);

  it("boots the local runtime", async () => {
    await runtime.boot();
  }, 40_000);

  it("creates a merchant with two invoice reminders and a customer", async () => {
    const { apiKey } = await ok("/v1/merchants", "POST", { name: "Corner Bakery", email: "owner@corner-bakery.test" }, 201, running().info.adminToken);
    runtime.useKey(apiKey.secret);
    const settings = await ok("/v1/merchant", "PATCH", { invoiceReminders: [{ daysAfterDue: -1 }, { daysAfterDue: 3 }] });
    expect(settings.invoiceReminders).toEqual([{ daysAfterDue: -1 }, { daysAfterDue: 3 }]);
    customer = await ok("/v1/customers", "POST", { email: buyer, name: "Ada Buyer" }, 201);
  });

  it("creates, finalizes and sends an invoice: the email carries the PDF", async () => {
    first = await ok("/v1/invoices", "POST", draft(6_000), 201);
    expect(first).toMatchObject({ status: "draft", total: 12_000 });
    open = await ok(`/v1/invoices/${first.id}/finalize`, "POST");
    expect(open).toMatchObject({ status: "open", number: "INV-0001", paymentTerms: "net_7", amountRemaining: 12_000 });
    const dueDate = open.dueDate as string;
    expect(dueDate).toBe(new Date(Date.parse(`${open.issuedAt.slice(0, 10)}T00:00:00Z`) + 7 * day * 1000).toISOString().slice(0, 10));
    expect((await ok(`/v1/invoices/${first.id}/send`, "POST")).status).toBe("open");

    const invoiceMail = await eventually(async () => (await mailsTo(buyer)).find((m) => m.subject.startsWith("[TEST MODE] Invoice INV-0001 from")));
    // A merchant on the sandbox is in test mode: its invoices say so.
    expect(invoiceMail.subject).toBe("[TEST MODE] Invoice INV-0001 from Corner Bakery");
    expect(invoiceMail.attachments).toHaveLength(1);
    expect(invoiceMail.attachments[0]).toMatchObject({ filename: "INV-0001.pdf", contentType: "application/pdf" });
    expect(Buffer.from(invoiceMail.attachments[0]?.content ?? "", "base64").subarray(0, 5).toString("latin1")).toBe("%PDF-");
  });

  it("leaves the invoice open after a partial payment", async () => {
    const partial = await ok(`/v1/invoices/${first.id}/payments`, "POST", { amount: 5_000, method: "bank_transfer" }, 201);
    expect(partial).toMatchObject({ status: "open", amountPaid: 5_000, amountRemaining: 7_000 });
    expect(await ok(`/v1/invoices/${first.id}`)).toMatchObject({ status: "open", amountRemaining: 7_000 });
  });

  it("voids a second invoice, takes a third from uncollectible to paid, and refuses an illegal transition", async () => {
    second = await ok("/v1/invoices", "POST", draft(1_000), 201);
    expect((await ok(`/v1/invoices/${second.id}/finalize`, "POST")).number).toBe("INV-0002");
    expect(await ok(`/v1/invoices/${second.id}/void`, "POST")).toMatchObject({ status: "void", amountRemaining: 0 });
    const third = await ok("/v1/invoices", "POST", draft(2_500), 201);
    expect((await ok(`/v1/invoices/${third.id}/finalize`, "POST")).number).toBe("INV-0003");
    expect((await ok(`/v1/invoices/${third.id}/mark-uncollectible`, "POST")).status).toBe("uncollectible");
    expect(await ok(`/v1/invoices/${third.id}/payments`, "POST", { amount: 5_000, method: "cash" }, 201)).toMatchObject({ status: "paid", amountRemaining: 0 });
    const illegal = await request(`/v1/invoices/${second.id}/mark-uncollectible`, "POST");
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
      const events = await ok("/v1/events?type=invoice.overdue");
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
    const paid = await ok(`/v1/invoices/${first.id}/payments`, "POST", { amount: 7_000, method: "bank_transfer" }, 201);
    expect(paid).toMatchObject({ status: "paid", amountPaid: 12_000, amountRemaining: 0, paidAt: expect.any(String) });
    const types = (await ok(`/v1/events?objectId=${first.id}&limit=100`)).data.map((e: { type: string }) => e.type).reverse();
    expect(types).toEqual(["invoice.created", "invoice.finalized", "invoice.sent", "invoice.overdue", "invoice.paid"]);
  });

  it("stops cleanly on Ctrl-C", async () => {
    expect(await running().interrupt()).toBe(0);
  });
});
