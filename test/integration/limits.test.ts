/**
 * The exact, table-backed limits of abuse-sensitive actions against DynamoDB Local: declined cards on
 * an invoice's hosted pay form, the buyer's payment-failed email, and sending an invoice. Each is a
 * fixed window with TTL taken by one conditional write, so it holds under concurrency and across
 * cold starts (the count lives in the table, not in a container). And filtered lists, which evaluate
 * at most 1,000 items per request.
 */
import { randomUUID } from "node:crypto";
import {
  BatchWriteCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as hostedHandler } from "../../functions/hosted/invoice.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { newId } from "../../shared/domain/ids.ts";
import { windowLimits } from "../../shared/domain/limits.ts";
import { documentClient } from "../../shared/store/dynamo.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import { dynamoWindowCounter } from "../../shared/store/rate-windows.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";

type Handler = Parameters<typeof call>[0];

let aws: TestAws;
let shop: TestMerchant;
let buyer: { id: string; email: string };

const api = (handler: unknown, routeKey: string, options?: Parameters<typeof merchantCall>[3]) =>
  merchantCall(handler, routeKey, shop.secret, options);

async function openInvoice(amount = 10_000) {
  const draft = await expectStatus(
    api(invoicesHandler, "POST /v1/invoices", {
      body: {
        customerId: buyer.id,
        currency: "USD",
        lineItems: [{ description: "Consulting", unitAmount: amount }],
      },
    }),
    201,
  );
  return expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/finalize", { id: draft.id }));
}

const tokenOf = (invoice: { hostedUrl: string }) => invoice.hostedUrl.split("/").pop() ?? "";
const hosted = (routeKey: string, token: string, form?: Record<string, string>) =>
  call(hostedHandler as Handler, routeKey, {
    pathParameters: { token },
    ...(form
      ? {
          body: new URLSearchParams(form).toString(),
          headers: { "content-type": "application/x-www-form-urlencoded" },
        }
      : {}),
  });
const formTokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? "";
/** Submits the hosted pay form of `token` with `card`. */
async function payWith(token: string, card: string) {
  const formToken = formTokenIn((await hosted("GET /i/{token}/pay", token)).raw);
  return hosted("POST /i/{token}/pay", token, { card, formToken });
}
const declinedCard = "4000000000009995";

const secondsLeftInHour = () => 3600 - (Math.floor(Date.now() / 1000) % 3600);
const eventsOf = async (type: string, objectId: string) =>
  (await aws.scanAll()).filter((i) => i.type === "event" && i.eventType === type && i.objectId === objectId);

const sampleRecord = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!;
const record = (body: string): SQSRecord => ({ ...sampleRecord, messageId: randomUUID(), body });

describe("exact limits (fixed windows in the table)", () => {
  beforeAll(async () => {
    aws = await useTestAws(["notifications", "stripe-events", "billing"]);
    shop = await newMerchant("Limits Shop");
    buyer = await expectStatus(
      api(customersHandler, "POST /v1/customers", {
        body: { email: `bea-${randomUUID().slice(0, 8)}@buyer.test`, name: "Bea" },
      }),
      201,
    );
  });

  describe("the window store", () => {
    it("grants exactly max slots to 25 concurrent takes, says when the window ends, and lets the item expire then", async () => {
      const limit = { name: "test-window", max: 10, windowSeconds: 3600 };
      const now = new Date("2026-03-01T12:20:00.000Z");
      const takes = await Promise.all(
        Array.from({ length: 25 }, () => dynamoWindowCounter.take(limit, shop.id, "inv_concurrent", now)),
      );
      expect(takes.filter((t) => t.taken)).toHaveLength(10);
      expect(takes.filter((t) => !t.taken)).toEqual(
        Array(15).fill({ taken: false, retryAfterSeconds: 40 * 60 }),
      );
      const [item] = (await aws.scanAll()).filter(
        (i) => i.type === "rate-window" && String(i.PK).includes("test-window"),
      );
      expect(item).toMatchObject({ count: 10, expiresAt: Date.parse("2026-03-01T13:00:00.000Z") / 1000 });

      // A slot given back is free again; the next window starts from zero.
      const taken = takes.find((t) => t.taken);
      if (taken?.taken) await taken.slot.giveBack();
      expect((await dynamoWindowCounter.take(limit, shop.id, "inv_concurrent", now)).taken).toBe(true);
      const nextHour = new Date("2026-03-01T13:00:00.000Z");
      expect((await dynamoWindowCounter.take(limit, shop.id, "inv_concurrent", nextHour)).taken).toBe(true);
    });
  });

  describe("declined cards on the hosted pay form", () => {
    it("answers 429 with Retry-After after 10 declined cards within the hour, and then charges no card at all", async () => {
      const invoice = await openInvoice(4_200);
      const token = tokenOf(invoice);
      for (let i = 0; i < 10; i++) expect((await payWith(token, declinedCard)).status).toBe(402);

      // Measured before asking: the window's end is at most this far away, whatever second it answers in.
      const atMost = secondsLeftInHour();
      const page = await hosted("GET /i/{token}/pay", token);
      expect(page.status).toBe(429);
      expect(page.raw).toContain("Too many declined cards for this invoice");
      expect(Number(page.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      const refused = await payWith(token, "4242424242424242");

      expect(refused.status).toBe(429);
      expect(refused.headers["content-type"]).toMatch(/^text\/html/);
      expect(refused.raw).toContain("Too many declined cards for this invoice");
      const retryAfter = Number(refused.headers["retry-after"]);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= atMost).toBe(true);
      expect(
        await expectStatus(api(invoicesHandler, "GET /v1/invoices/{id}", { id: invoice.id })),
      ).toMatchObject({
        status: "open",
        amountPaid: 0,
      });
      const payments = (await aws.scanAll()).filter(
        (i) => i.type === "payment" && i.invoiceId === invoice.id,
      );
      expect(payments.map((p) => p.status)).toEqual(Array(10).fill("failed"));
    });

    it("counts only declines: a card that pays is not an attempt held against the invoice", async () => {
      const invoice = await openInvoice(1_000);
      const token = tokenOf(invoice);
      for (let i = 0; i < 9; i++) expect((await payWith(token, declinedCard)).status).toBe(402);
      expect((await payWith(token, "4242424242424242")).status).toBe(303);
      const [item] = (await aws.scanAll()).filter(
        (i) => i.type === "rate-window" && String(i.PK).endsWith(`#failed-pay#${invoice.id}`),
      );
      expect(item?.count).toBe(9);
    });
  });

  describe("the buyer's payment-failed email", () => {
    it("is sent once per invoice and hour: later declines within the hour send the buyer no mail", async () => {
      const invoice = await openInvoice(3_300);
      const token = tokenOf(invoice);
      for (let i = 0; i < 3; i++) expect((await payWith(token, declinedCard)).status).toBe(402);
      const failed = (await aws.scanAll()).filter(
        (i) =>
          i.type === "event" &&
          i.eventType === "payment.failed" &&
          (i.data as { payment: { invoiceId: string } }).payment.invoiceId === invoice.id,
      );
      expect(failed).toHaveLength(3);

      for (const event of failed)
        expect(
          await notificationsHandler({ Records: [record(JSON.stringify(eventFromItem(event)))] }),
        ).toEqual({ batchItemFailures: [] });

      const mails = (await aws.mailTo(buyer.email)).filter(
        (m) => m.subject.includes("did not go through") && m.body.text.includes(invoice.number),
      );
      expect(mails).toHaveLength(1);
    });
  });

  describe("POST /v1/invoices/{id}/send", () => {
    it("sends at most 5 times per invoice and hour: the 6th is a 429 with Retry-After and sends nothing", async () => {
      const invoice = await openInvoice();
      for (let i = 0; i < 5; i++)
        await expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/send", { id: invoice.id }));

      const atMost = secondsLeftInHour();
      const refused = await api(invoicesHandler, "POST /v1/invoices/{id}/send", { id: invoice.id });

      expect(refused.status).toBe(429);
      expect(refused.headers["content-type"]).toBe("application/problem+json");
      expect(refused.body).toMatchObject({ type: "urn:kassa:problem:too-many-requests", status: 429 });
      const retryAfter = Number(refused.headers["retry-after"]);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= atMost).toBe(true);
      expect(await eventsOf("invoice.sent", invoice.id)).toHaveLength(5);
    });

    it("counts only sends that happen: refused sends (a draft) leave the window untouched", async () => {
      const draft = await expectStatus(
        api(invoicesHandler, "POST /v1/invoices", {
          body: {
            customerId: buyer.id,
            currency: "USD",
            lineItems: [{ description: "Draft", unitAmount: 100 }],
          },
        }),
        201,
      );
      for (let i = 0; i < 6; i++)
        expect((await api(invoicesHandler, "POST /v1/invoices/{id}/send", { id: draft.id })).status).toBe(
          409,
        );
      const [item] = (await aws.scanAll()).filter(
        (i) => i.type === "rate-window" && String(i.PK).endsWith(`#invoice-send#${draft.id}`),
      );
      expect(item?.count ?? 0).toBe(0);
    });
  });

  it("names its limits: 10 declines, 1 failure email, 5 sends, each per invoice and hour; 60 checkouts started per link and buyer address in 10 minutes; 10 failed discount codes per renew link, or per payment link and buyer address, in 15 minutes; 500 workflow emails per merchant and day; 5 webhook replays per endpoint and hour; 5 sign-in links per address in 15 minutes; 30 dashboard sign-in requests per source address and hour", () => {
    expect(windowLimits).toEqual({
      failedPayAttempts: { name: "failed-pay", max: 10, windowSeconds: 3600 },
      paymentFailedEmail: { name: "payment-failed-email", max: 1, windowSeconds: 3600 },
      invoiceSend: { name: "invoice-send", max: 5, windowSeconds: 3600 },
      checkoutStarts: { name: "checkout-start", max: 60, windowSeconds: 600 },
      failedCodeAttempts: { name: "failed-code", max: 10, windowSeconds: 900 },
      workflowEmails: { name: "workflow-email", max: 500, windowSeconds: 86_400 },
      webhookReplays: { name: "webhook-replay", max: 5, windowSeconds: 3600 },
      signInRequests: { name: "sign-in-request", max: 5, windowSeconds: 900 },
      dashboardSignIns: { name: "dashboard-sign-in", max: 30, windowSeconds: 3600 },
    });
  });

  describe("bounded filtered reads", () => {
    it("evaluates at most 1,000 items per request: 1,200 non-matching invoices before an overdue one give empty pages with a cursor, then the match", async () => {
      const reader = await newMerchant("Sparse Shop");
      const as = (routeKey: string, options?: Parameters<typeof merchantCall>[3]) =>
        merchantCall(invoicesHandler, routeKey, reader.secret, options);
      const customer = await expectStatus(
        merchantCall(customersHandler, "POST /v1/customers", reader.secret, {
          body: { email: "sparse@buyer.test", name: "Sparse" },
        }),
        201,
      );
      // The match is the oldest invoice, so newest first it comes after 1,200 that do not match.
      const draftOf = (unitAmount: number) =>
        expectStatus(
          as("POST /v1/invoices", {
            body: {
              customerId: customer.id,
              currency: "USD",
              lineItems: [{ description: "Line", unitAmount }],
            },
          }),
          201,
        );
      const overdue = await expectStatus(
        as("POST /v1/invoices/{id}/finalize", { id: (await draftOf(2_500)).id }),
      );
      await aws.db.send(
        new UpdateCommand({
          TableName: aws.tableName,
          Key: { PK: `MERCHANT#${reader.id}`, SK: overdue.id },
          UpdateExpression: "SET overdueAt = :past",
          ExpressionAttributeValues: { ":past": new Date(Date.now() - 60_000).toISOString() },
        }),
      );
      // 1,200 drafts: one made by the API, 1,199 copies of it with later ids.
      const draft = await draftOf(100);
      const [draftItem] = (await aws.scanAll()).filter(
        (i) => i.PK === `MERCHANT#${reader.id}` && i.SK === draft.id,
      );
      const later = Date.now() + 1_000;
      const copies = Array.from({ length: 1_199 }, (_, i) => {
        const id = newId("invoice", new Date(later + i));
        return { ...draftItem, SK: id, id };
      });
      // Four writers at once, 25 items a batch (the most one batch takes).
      const batches = Array.from({ length: Math.ceil(copies.length / 25) }, (_, b) =>
        copies.slice(b * 25, b * 25 + 25),
      );
      await Promise.all(
        [0, 1, 2, 3].map(async (lane) => {
          for (let b = lane; b < batches.length; b += 4) {
            const out = await aws.db.send(
              new BatchWriteCommand({
                RequestItems: { [aws.tableName]: batches[b]!.map((Item) => ({ PutRequest: { Item } })) },
              }),
            );
            expect(out.UnprocessedItems?.[aws.tableName] ?? []).toEqual([]);
          }
        }),
      );

      const send = vi.spyOn(documentClient(), "send");
      const scanned = async () => {
        let total = 0;
        for (const [index, [command]] of send.mock.calls.entries())
          if (command instanceof QueryCommand)
            total +=
              ((await send.mock.results[index]?.value) as QueryCommandOutput | undefined)?.ScannedCount ?? 0;
        send.mockClear();
        return total;
      };
      const pages: { data: { id: string }[]; nextCursor: string | null }[] = [];
      let cursor: string | undefined;
      const evaluated: number[] = [];
      do {
        const page = await expectStatus(
          as("GET /v1/invoices", {
            query: { status: "overdue", limit: "10", ...(cursor ? { cursor } : {}) },
          }),
        );
        pages.push(page);
        evaluated.push(await scanned());
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      send.mockRestore();

      expect(pages[0]).toEqual({ data: [], nextCursor: expect.any(String) });
      expect(evaluated[0]).toBe(1_000);
      expect(Math.max(...evaluated)).toBeLessThanOrEqual(1_000);
      expect(pages.flatMap((p) => p.data.map((i) => i.id))).toEqual([overdue.id]);
    });
  });
});
