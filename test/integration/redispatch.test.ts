/**
 * `npm run redispatch`: outbox events of a time range, read back from the table after the stream
 * lost them, go to the same queues with the same bodies as the dispatcher sent them.
 */
import { DeleteMessageCommand } from "@aws-sdk/client-sqs";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import { dispatcher } from "../../functions/dispatcher/outbox.ts";
import { outboxPorts } from "../../shared/composition.ts";
import { sqsQueue } from "../../shared/aws/queue.ts";
import { type DomainEvent, newEvent } from "../../shared/domain/events.ts";
import { parseRedispatchArgs, redispatch } from "../../shared/outbox/redispatch.ts";
import { eventPut } from "../../shared/store/outbox.ts";
import { allMerchantIds, outboxEventsBetween } from "../../shared/store/outbox-range.ts";
import { newMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;

beforeAll(async () => {
  aws = await useTestAws(["notifications", "billing", "workflows", "reports", "segments", "ledger", "webhooks"]);
});

const at = (iso: string) => new Date(iso);

/**
 * An outbox event item written at `occurredAt`. Its id is a plain ULID of that time: the shared
 * monotonic factory would never go back to a time before the ids this process made already.
 */
async function writeEvent(type: string, merchantId: string, occurredAt: string): Promise<DomainEvent> {
  const event: DomainEvent = {
    ...newEvent(type, merchantId, "inv_x", new Date(occurredAt), { at: occurredAt }),
    id: `evt_${ulid(Date.parse(occurredAt))}`,
  };
  await aws.db.send(new PutCommand(eventPut(event).Put));
  return event;
}

/** Every message on the queue, bodies only. */
async function drain(queue: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const batch = await aws.receive(queue);
    if (batch.length === 0) return bodies;
    bodies.push(...batch.map((m) => m.body));
    for (const m of batch)
      await aws.sqs.send(
        new DeleteMessageCommand({ QueueUrl: aws.queues[queue]!.url, ReceiptHandle: m.receiptHandle }),
      );
  }
}

describe("redispatch", () => {
  it("re-queues every merchant's events of [since, until), oldest first, exactly as the dispatcher sends them", async () => {
    const a = await newMerchant("Redispatch A");
    const b = await newMerchant("Redispatch B");
    await drain("notifications");
    await drain("billing");
    await drain("workflows");
    await drain("segments");
    await drain("ledger");
    await drain("webhooks");
    const finalizedA = await writeEvent("invoice.finalized", a.id, "2026-01-01T12:00:00Z");
    const paidA = await writeEvent("invoice.paid", a.id, "2026-01-01T18:00:00Z");
    const finalizedB = await writeEvent("invoice.finalized", b.id, "2026-01-01T00:00:00Z");
    await writeEvent("invoice.finalized", a.id, "2025-12-31T23:59:59Z");
    await writeEvent("invoice.finalized", b.id, "2026-01-02T00:00:00Z");

    const summary = await redispatch(
      { merchantIds: allMerchantIds, eventsBetween: outboxEventsBetween, queue: sqsQueue },
      { from: at("2026-01-01T00:00:00Z"), to: at("2026-01-02T00:00:00Z") },
    );

    const billing = await drain("billing");
    expect(billing).toHaveLength(3);
    expect(billing).toEqual(
      expect.arrayContaining([finalizedA, paidA, finalizedB].map((e) => JSON.parse(JSON.stringify(e)))),
    );
    const ofA = billing
      .filter((m) => (m as DomainEvent).merchantId === a.id)
      .map((m) => (m as DomainEvent).id);
    expect(ofA).toEqual([finalizedA.id, paidA.id]);
    const notifications = (await drain("notifications")) as DomainEvent[];
    expect(notifications.every((m) => [finalizedA.id, paidA.id, finalizedB.id].includes(m.id))).toBe(true);
    // invoice.paid starts workflows too: the one paid event goes to the workflows queue as well.
    const workflows = (await drain("workflows")) as DomainEvent[];
    expect(workflows.map((m) => m.id)).toEqual([paidA.id]);
    // …and leaves its invoice's customer with no overdue invoice: the segments queue gets it too.
    const segments = (await drain("segments")) as DomainEvent[];
    expect(segments.map((m) => m.id)).toEqual([paidA.id]);
    // Finalized and paid invoices move money: the ledger queue gets all three.
    const ledger = (await drain("ledger")) as DomainEvent[];
    expect(ledger.map((m) => m.id).sort()).toEqual([finalizedA.id, paidA.id, finalizedB.id].sort());
    // Every one is catalogued for merchants' webhook endpoints: the webhooks queue gets all three.
    const webhooks = (await drain("webhooks")) as DomainEvent[];
    expect(webhooks.map((m) => m.id).sort()).toEqual([finalizedA.id, paidA.id, finalizedB.id].sort());
    expect(summary).toEqual({
      events: 3,
      messages: 3 + notifications.length + workflows.length + segments.length + ledger.length + webhooks.length,
    });

    // What the stream's dispatcher sends for the same item is the same message.
    const image = (await aws.scanAll()).find((item) => item.id === paidA.id)!;
    await dispatcher({ ...outboxPorts(), queue: sqsQueue })({
      Records: [
        { eventName: "INSERT", dynamodb: { NewImage: marshall(image) as never, SequenceNumber: "1" } },
      ],
    });
    const again = await drain("billing");
    expect(again).toEqual([billing.find((m) => (m as DomainEvent).id === paidA.id)]);
  });
});

describe("redispatch arguments", () => {
  const now = at("2026-03-01T10:00:00Z");

  it("takes --since and an optional --until (default now)", () => {
    expect(parseRedispatchArgs(["--since", "2026-02-28T00:00:00Z"], now)).toEqual({
      from: at("2026-02-28T00:00:00Z"),
      to: now,
    });
    expect(parseRedispatchArgs(["--since", "2026-02-01", "--until", "2026-02-02T12:00:00Z"], now)).toEqual({
      from: at("2026-02-01T00:00:00Z"),
      to: at("2026-02-02T12:00:00Z"),
    });
  });

  it("refuses a missing, malformed or empty range with one line saying what to pass", () => {
    expect(() => parseRedispatchArgs([], now)).toThrow(
      /^--since is required\. Usage: npm run redispatch -- --since <ISO time>/,
    );
    expect(() => parseRedispatchArgs(["--since", "yesterday"], now)).toThrow(
      /--since must be an ISO 8601 time/,
    );
    expect(() => parseRedispatchArgs(["--from", "2026-01-01"], now)).toThrow(/^Usage:/);
    expect(() => parseRedispatchArgs(["--since", "2026-03-02T00:00:00Z"], now)).toThrow(
      /--since must be before --until/,
    );
  });
});
