/**
 * Entity ↔ item mapping (shared/store/items.ts): storage attributes (keys, index keys, `type`,
 * `version`, the TTL attribute `expiresAt`) are kept apart from domain fields, so no domain field can
 * overwrite one — above all a domain `expiresAt`, which DynamoDB would treat as the item's expiry.
 */
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { keyAttributes, table } from "../../infra/table.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { collection } from "../../shared/store/collection.ts";
import { itemMapping } from "../../shared/store/items.ts";
import { storageAttributes } from "../../shared/store/keys.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const now = new Date("2026-11-30T08:00:00Z");
const merchantId = "mer_01JDZ0000000000000000000AA";

/** A future entity with a domain expiry, like a payment link or a quote. */
interface Link {
  id: string;
  amount: number;
  expiresAt: string;
}
const link: Link = {
  id: "inv_01JDZ0000000000000000000AB",
  amount: 1500,
  expiresAt: "2026-12-01T00:00:00.000Z",
};
const created = newEvent("link.created", merchantId, link.id, now, {});

describe("storing an entity", () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(TransactWriteCommand).resolves({});
    process.env.TABLE_NAME = "kassa-items-test";
  });

  it("refuses a domain expiresAt that would land on the table's TTL attribute, and writes nothing", async () => {
    const links = collection<Link>({ type: "link", idKind: "invoice", label: "link" });

    await expect(links.create(merchantId, link, created)).rejects.toThrow(/expiresAt is a storage attribute/);
    expect(() => links.putNewWrite(merchantId, link)).toThrow(/expiresAt/);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("refuses every domain field named like a storage attribute", () => {
    const things = itemMapping<Record<string, unknown>>({ type: "thing" });
    for (const attribute of storageAttributes) {
      expect(() => things.toItem({ PK: "P", SK: "S" }, { id: "x", [attribute]: "domain value" }, 1)).toThrow(
        new RegExp(`${attribute} is a storage attribute`),
      );
    }
  });

  it("stores a renamed expiresAt under its own attribute, apart from the TTL attribute, and reads it back", async () => {
    const links = collection<Link>({
      type: "link",
      idKind: "invoice",
      label: "link",
      attributes: {
        toAttributes: ({ expiresAt, ...rest }) => ({ ...rest, payableUntil: expiresAt }),
        fromAttributes: ({ payableUntil, ...rest }) => ({ ...rest, expiresAt: payableUntil }) as Link,
      },
    });

    await links.create(merchantId, link, created);
    const item = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!.Item!;
    expect(item).toEqual({
      PK: `MERCHANT#${merchantId}`,
      SK: link.id,
      type: "link",
      version: 1,
      id: link.id,
      amount: 1500,
      payableUntil: "2026-12-01T00:00:00.000Z",
    });
    expect(links.replaceWrite(merchantId, link, 1, "changed").item.Put).toMatchObject({
      Item: { ...item, version: 2 },
      ConditionExpression: "version = :expected",
      ExpressionAttributeValues: { ":expected": 1 },
    });

    ddb.on(GetCommand).resolves({ Item: item });
    expect(await links.read(merchantId, link.id)).toEqual({ value: link, version: 1 });
  });

  it("reads an item back without any storage attribute", () => {
    const things = itemMapping<{ id: string; amount: number; livemode: boolean }>({
      type: "thing",
      defaults: { livemode: false },
    });
    const storage = Object.fromEntries(storageAttributes.map((name) => [name, `stored ${name}`]));

    expect(things.fromItem({ ...storage, id: "x", amount: 3 })).toEqual({
      id: "x",
      amount: 3,
      livemode: false,
    });
  });

  it("knows every key attribute and the TTL attribute of the table definition", () => {
    expect(storageAttributes).toEqual(expect.arrayContaining([...keyAttributes(), table.ttlAttribute]));
  });
});
