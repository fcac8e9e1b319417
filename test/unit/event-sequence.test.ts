/**
 * Events' `sequence` (shared/store/outbox.ts `sequenceEvents`): every store path that writes an event
 * beside its object gives the event the version the transaction leaves the object at, so a receiver
 * can order one object's events and drop stale ones. Asserted on the exact TransactWriteItems sent.
 */
import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { newEvent } from "../../shared/domain/events.ts";
import { collection, type TransactItem, transact } from "../../shared/store/collection.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { keys } from "../../shared/store/keys.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { presentEvent } from "../../shared/events/service.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { eventPut, outboxEventFromItem, sequenceEvents } from "../../shared/store/outbox.ts";
import { dynamoRenewalNoticeStore } from "../../shared/store/renewal-notices.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const now = new Date("2026-12-01T10:00:00Z");
const merchantId = "mer_01JDZ0000000000000000000AA";
const widgetId = "cus_01JDZ0000000000000000000AB";
const widgets = collection<{ id: string; name: string }>({
  type: "widget",
  idKind: "customer",
  label: "widget",
});
const event = (type: string, objectId = widgetId) => newEvent(type, merchantId, objectId, now, {});

/** The `sequence` of each event item in the last transaction sent. */
function sentSequences() {
  const [call] = ddb.commandCalls(TransactWriteCommand).slice(-1);
  return (call?.args[0].input.TransactItems ?? [])
    .map((item) => item.Put?.Item)
    .filter((item) => item?.type === "event")
    .map((item) => [item?.eventType, item?.sequence]);
}

beforeEach(() => {
  process.env.TABLE_NAME = "kassa-sequence-test";
  ddb.reset();
  ddb.on(TransactWriteCommand).resolves({});
});

describe("an event's sequence is its object's version after the change", () => {
  it("collections: create → 1, each replace → the version written, remove → one past the last", async () => {
    await widgets.create(merchantId, { id: widgetId, name: "a" }, event("widget.created"));
    expect(sentSequences()).toEqual([["widget.created", 1]]);
    await widgets.replace(merchantId, { id: widgetId, name: "b" }, 1, event("widget.updated"));
    expect(sentSequences()).toEqual([["widget.updated", 2]]);
    await widgets.replace(merchantId, { id: widgetId, name: "c" }, 2, event("widget.updated"));
    expect(sentSequences()).toEqual([["widget.updated", 3]]);
    await widgets.remove(merchantId, widgetId, 3, event("widget.deleted"));
    expect(sentSequences()).toEqual([["widget.deleted", 4]]);
  });

  it("takes the version of the event's own object, not of another object in the transaction", async () => {
    const otherId = "cus_01JDZ0000000000000000000AC";
    await transact(
      [
        widgets.replaceWrite(merchantId, { id: otherId, name: "other" }, 7),
        widgets.replaceWrite(merchantId, { id: widgetId, name: "mine" }, 2),
        { item: eventPut(event("widget.updated")) },
        { item: eventPut(event("widget.updated", otherId)) },
      ],
      "conflict",
    );
    expect(sentSequences()).toEqual([
      ["widget.updated", 3],
      ["widget.updated", 8],
    ]);
  });

  it("the merchant (keys.merchant) on create and replace", async () => {
    const merchant = { id: merchantId, name: "Alpha" } as never;
    const key = { id: "key_01JDZ0000000000000000000AD", merchantId, createdAt: now.toISOString() } as never;
    await dynamoMerchantStore.createMerchant(merchant, key, "hash", event("merchant.created", merchantId));
    expect(sentSequences()).toEqual([["merchant.created", 1]]);
    await dynamoMerchantStore.replaceMerchant(merchant, 4, event("merchant.updated", merchantId));
    expect(sentSequences()).toEqual([["merchant.updated", 5]]);
  });

  it("an API key (kept under its secret's hash): created → 1, revoked → 2", async () => {
    const keyId = "key_01JDZ0000000000000000000AD";
    const key = { id: keyId, merchantId, status: "active", createdAt: now.toISOString() } as never;
    await dynamoMerchantStore.createApiKey(key, "hash", event("api_key.created", keyId));
    expect(sentSequences()).toEqual([["api_key.created", 1]]);
    // The read-back after the revoke finds nothing in this mock: only the transaction sent matters here.
    await dynamoMerchantStore
      .revokeApiKey("hash", merchantId, now.toISOString(), event("api_key.revoked", keyId))
      .catch(() => {});
    expect(sentSequences()).toEqual([["api_key.revoked", 2]]);
  });

  it("an update that moves the version (an invoice's payment lock) → expected + 1", async () => {
    const invoiceId = "inv_01JDZ0000000000000000000AE";
    await transact(
      [
        dynamoInvoiceStore.paymentLockWrite(merchantId, invoiceId, 6, undefined),
        { item: eventPut(event("invoice.updated", invoiceId)) },
      ] as never,
      "conflict",
    );
    expect(sentSequences()).toEqual([["invoice.updated", 7]]);
  });

  it("a condition check of the version (a renewal notice) → that version, unchanged", async () => {
    const subscriptionId = "sub_01JDZ0000000000000000000AF";
    await dynamoRenewalNoticeStore.record(
      merchantId,
      subscriptionId,
      9,
      3,
      event("subscription.renewal_upcoming", subscriptionId),
    );
    expect(sentSequences()).toEqual([["subscription.renewal_upcoming", 9]]);
  });

  it("keeps a sequence the service set, and leaves none where the transaction does not version the object", () => {
    const invoiceId = "inv_01JDZ0000000000000000000AE";
    const overdue = {
      Update: {
        TableName: "t",
        Key: keys.merchantObject(merchantId, invoiceId),
        UpdateExpression: "SET overdueNotifiedAt = :at",
        ExpressionAttributeValues: { ":at": now.toISOString() },
      },
    };
    const set: TransactItem[] = sequenceEvents<TransactItem>([
      overdue,
      eventPut({ ...event("invoice.overdue", invoiceId), sequence: 4 }),
    ]);
    const unset: TransactItem[] = sequenceEvents<TransactItem>([
      overdue,
      eventPut(event("invoice.overdue", invoiceId)),
    ]);
    expect(set[1]?.Put?.Item?.sequence).toBe(4);
    expect(unset[1]?.Put?.Item).not.toHaveProperty("sequence");
  });

  it("travels from the item through the dispatcher's message to a consumer's presentEvent (a webhook body)", () => {
    const item = eventPut({
      ...newEvent("customer.updated", merchantId, widgetId, now, { customer: { id: widgetId } }),
      sequence: 5,
    }).Put.Item;
    const message = eventMessage().parse(JSON.parse(JSON.stringify(outboxEventFromItem(item))));
    expect(presentEvent(message)).toMatchObject({
      sequence: 5,
      createdAt: now.toISOString(),
      data: { object: { id: widgetId } },
    });
  });
});
