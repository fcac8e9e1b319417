/**
 * Events stay far below SQS's message limit whatever the document size: an invoice as large as the
 * API accepts goes through the real outbox path (stream → dispatcher → the SQS stand-in, which
 * rejects messages over 256 KiB like SQS) with bounded snapshots, and the invoice email still shows
 * the whole invoice, read back by id.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as eventsHandler } from "../../functions/api/events.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { functionNamed, queueMaxMessageBytes } from "../../infra/manifest.ts";
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import { type Poller, pollQueue } from "../../infra/local/sqs-poller.ts";
import { eventDataBudget } from "../../shared/domain/events.ts";
import { expectStatus, merchantCall, newMerchant } from "../helpers/api.ts";
import { eventually, type TestAws, useTestAws } from "../helpers/aws.ts";
import { dispatchedQueues, dispatchFromStream } from "../helpers/pipeline.ts";
import { takeQueued } from "../helpers/fixtures.ts";
import { pdfText } from "../helpers/pdf-text.ts";

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
/**
 * A text of the longest length the API takes, mostly in two-byte characters (UTF-8 `é`), as far as
 * one request body (at most 256 KiB) carries 250 of them.
 */
const longText = (label: string, length: number) => `${label} ${"é".repeat(420)}`.padEnd(length, "x");

describe("events of the largest invoice the API accepts", () => {
  let aws: TestAws;
  const pollers: Poller[] = [];

  beforeAll(async () => {
    aws = await useTestAws([...dispatchedQueues]);
  });
  afterAll(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
  });

  it("are bounded snapshots delivered through SQS, and the invoice email still carries the whole invoice", async () => {
    const merchant = await newMerchant("Bulk Seller");
    const buyer = `bulk-${Date.now()}@buyer.test`;
    const customer = await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", merchant.secret, {
        body: { email: buyer, name: "Bulk Buyer" },
      }),
      201,
    );
    const lineItems = Array.from({ length: 250 }, (_, i) => ({
      description: longText(`Line ${i + 1}`, 500),
      quantity: 1,
      unitAmount: 100,
    }));
    const metadata = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`key_${String(i).padStart(36, "0")}`, "é".repeat(500)]),
    );
    const draft = await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices", merchant.secret, {
        body: {
          customerId: customer.id,
          currency: "EUR",
          lineItems,
          memo: "n".repeat(2000),
          footer: "f".repeat(2000),
        },
      }),
      201,
    );
    await expectStatus(
      merchantCall(invoicesHandler, "PATCH /v1/invoices/{id}", merchant.secret, {
        id: draft.id,
        body: { metadata },
      }),
    );
    const finalized = await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", merchant.secret, { id: draft.id }),
    );
    // The document itself is beyond what one message can carry.
    expect(bytes(finalized)).toBeGreaterThan(queueMaxMessageBytes);
    await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/send", merchant.secret, { id: draft.id }),
    );
    await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/payments", merchant.secret, {
        id: draft.id,
        body: { amount: finalized.total, method: "bank_transfer" },
      }),
      201,
    );

    const notifications = functionNamed("notifications");
    const queue = {
      ...aws.queues.notifications!,
      dlqUrl: "",
      dlqArn: "",
      definition: { visibilityTimeoutSeconds: 30, maxReceiveCount: 3, retentionDays: 1 },
    };
    pollers.push(pollQueue(aws.sqs, queue, notifications, await loadHandler(notifications)));
    pollers.push(
      await dispatchFromStream(aws, {
        checkpointFile: join(mkdtempSync(join(tmpdir(), "kassa-stream-")), "checkpoint.json"),
      }),
    );

    // The billing queue gets the invoice's finalized and paid events: delivered, each under budget.
    const billing: { type: string; objectId: string; data: Record<string, unknown> }[] = [];
    await eventually(async () => {
      billing.push(...((await takeQueued(aws, "billing")) as typeof billing));
      return billing.some((e) => e.type === "invoice.paid") ? true : undefined;
    }, 20_000);
    const ofInvoice = billing.filter((e) => e.objectId === draft.id);
    expect(ofInvoice.map((e) => e.type).sort()).toEqual(["invoice.finalized", "invoice.paid"]);
    for (const event of ofInvoice) {
      expect(bytes(event.data)).toBeLessThanOrEqual(eventDataBudget);
      expect(event.data.invoice).toMatchObject({
        id: draft.id,
        truncated: true,
        omitted: { lineItems: 250 },
        total: finalized.total,
      });
    }
    expect(await takeQueued(aws, "dispatch-failures")).toEqual([]);

    // The invoice email re-reads the invoice: its PDF lists every line.
    const mail = await eventually(
      async () => (await aws.mailTo(buyer)).find((m) => m.subject.includes(`Invoice ${finalized.number} `)),
      20_000,
    );
    const text = await pdfText(Buffer.from(mail.attachments[0]!.content, "base64"));
    for (const n of [1, 125, 250]) expect(text).toMatch(new RegExp(`^Line ${n}$`, "m"));
    expect(text).toContain("é".repeat(20));

    // The events feed shows the same bounded snapshots, within its documented contract.
    const feed = await expectStatus(
      merchantCall(eventsHandler, "GET /v1/events", merchant.secret, {
        query: { objectId: draft.id, limit: "100" },
      }),
    );
    expect(feed.data.length).toBeGreaterThanOrEqual(4);
    for (const event of feed.data) expect(bytes(event.data)).toBeLessThanOrEqual(eventDataBudget);
  }, 60_000);
});
