import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/products.ts";
import { ConflictError } from "../../shared/domain/errors.ts";
import { dynamoProductStore } from "../../shared/store/products.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { callForBody, newMerchant } from "../helpers/api.ts";

let aws: TestAws;
let keyA: string;
let keyB: string;

const create = (token: string, body: unknown) =>
  callForBody(handler, "POST /v1/products", { token, body: body as object });
const get = (token: string, id: string) =>
  callForBody(handler, "GET /v1/products/{id}", { token, pathParameters: { id } });
const patch = (token: string, id: string, body: unknown) =>
  callForBody(handler, "PATCH /v1/products/{id}", { token, pathParameters: { id }, body: body as object });
const remove = (token: string, id: string) =>
  callForBody(handler, "DELETE /v1/products/{id}", { token, pathParameters: { id } });
const list = (token: string, query: Record<string, string> = {}) =>
  callForBody(handler, "GET /v1/products", { token, query });
const ids = (body: { data: { id: string }[] }) => body.data.map((p) => p.id);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let merchantA: string;

async function markReferenced(merchantId: string, id: string) {
  // What an invoice or quote does when one of its lines first uses the product.
  await aws.db.send(
    new UpdateCommand({
      TableName: aws.tableName,
      Key: { PK: `MERCHANT#${merchantId}`, SK: id },
      UpdateExpression: "SET referenced = :true, version = version + :one",
      ExpressionAttributeValues: { ":true": true, ":one": 1 },
    }),
  );
}

describe("products against DynamoDB Local", () => {
  beforeAll(async () => {
    aws = await useTestAws();
    const a = await newMerchant("Alpha");
    merchantA = a.id;
    keyA = a.secret;
    keyB = (await newMerchant("Beta")).secret;
  });

  it("creates a product: 201, the exact shape, the item and its event in one write", async () => {
    const before = await aws.countItems();
    const { status, body } = await create(keyA, {
      name: "  Pro plan ",
      description: "Everything included",
      unitAmount: 4900,
      currency: "usd",
      recurring: { interval: "month" },
      metadata: { tier: "pro" },
    });

    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.stringMatching(/^prd_[0-9A-HJKMNP-TV-Z]{26}$/),
      name: "Pro plan",
      description: "Everything included",
      unitAmount: 4900,
      currency: "USD",
      recurring: { interval: "month" },
      active: true,
      metadata: { tier: "pro" },
      createdAt: body.createdAt,
      updatedAt: body.createdAt,
    });
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
    expect(await aws.countItems()).toBe(before + 2);
    const { Item } = await aws.db.send(
      new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${merchantA}`, SK: body.id } }),
    );
    expect(Item).toMatchObject({ type: "product", version: 1, unitAmount: 4900, currency: "USD" });
    const events = (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === body.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventType: "product.created",
      merchantId: merchantA,
      data: { product: body },
    });

    expect(await get(keyA, body.id)).toEqual({ status: 200, body });
  });

  it.each([
    ["JPY", 1500],
    ["KWD", 12_345],
    ["kwd", 1],
    ["USD", 0],
  ])("accepts %s amounts in its minor unit", async (currency, unitAmount) => {
    const { status, body } = await create(keyA, { name: "Thing", unitAmount, currency });
    expect(status).toBe(201);
    expect(body).toMatchObject({ unitAmount, currency: currency.toUpperCase(), active: true, metadata: {} });
    expect(body).not.toHaveProperty("recurring");
    expect(body).not.toHaveProperty("description");
  });

  it.each([
    ["an unknown currency", { name: "A", unitAmount: 100, currency: "XYZ" }, "currency"],
    ["a missing currency", { name: "A", unitAmount: 100 }, "currency"],
    ["a fractional unitAmount", { name: "A", unitAmount: 10.5, currency: "USD" }, "unitAmount"],
    ["a negative unitAmount", { name: "A", unitAmount: -1, currency: "USD" }, "unitAmount"],
    ["a string unitAmount", { name: "A", unitAmount: "100", currency: "USD" }, "unitAmount"],
    ["a missing unitAmount", { name: "A", currency: "USD" }, "unitAmount"],
    ["a missing name", { unitAmount: 100, currency: "USD" }, "name"],
    ["a blank name", { name: "   ", unitAmount: 100, currency: "USD" }, "name"],
    ["an over-long name", { name: "x".repeat(201), unitAmount: 100, currency: "USD" }, "name"],
    [
      "an unknown interval",
      { name: "A", unitAmount: 100, currency: "USD", recurring: { interval: "week" } },
      "recurring.interval",
    ],
    ["an unknown field", { name: "A", unitAmount: 100, currency: "USD", sku: "A-1" }, "sku"],
    ["a read-only field", { name: "A", unitAmount: 100, currency: "USD", referenced: true }, "referenced"],
    ["a non-boolean active", { name: "A", unitAmount: 100, currency: "USD", active: "yes" }, "active"],
  ])("refuses %s with a 400 naming the field and writes nothing", async (_, input, field) => {
    const before = await aws.countItems();
    const { status, body } = await create(keyA, input);
    expect(status).toBe(400);
    expect(body.errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await aws.countItems()).toBe(before);
  });

  it("updates a product: PATCH semantics, metadata merge, updatedAt and an event", async () => {
    const { body: created } = await create(keyA, {
      name: "Starter",
      description: "Small",
      unitAmount: 900,
      currency: "EUR",
      recurring: { interval: "year" },
      metadata: { a: "1", b: "2" },
    });
    await pause(5);
    const { status, body } = await patch(keyA, created.id, {
      name: "Starter+",
      description: null,
      unitAmount: 1200,
      currency: "GBP",
      recurring: null,
      metadata: { a: null, c: "3" },
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      ...created,
      name: "Starter+",
      description: undefined,
      unitAmount: 1200,
      currency: "GBP",
      recurring: undefined,
      metadata: { b: "2", c: "3" },
      updatedAt: body.updatedAt,
    });
    expect(body).not.toHaveProperty("description");
    expect(body.updatedAt > created.updatedAt).toBe(true);
    expect((await get(keyA, created.id)).body).toEqual(body);
    const events = (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === created.id);
    expect(events.map((e) => e.eventType).sort()).toEqual(["product.created", "product.updated"]);

    const archived = await patch(keyA, created.id, { active: false });
    expect(archived).toMatchObject({ status: 200, body: { active: false } });
  });

  it("caps the merged metadata: 45 keys plus 10 new is a 400 naming metadata and writes nothing", async () => {
    const keys = (from: number, count: number, value = "v") =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${from + i}`, value]));
    const { body: created } = await create(keyA, {
      name: "Tagged",
      unitAmount: 100,
      currency: "USD",
      metadata: keys(0, 45),
    });
    const before = await aws.scanAll();

    const refused = await patch(keyA, created.id, { name: "Renamed", metadata: keys(45, 10) });

    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(["metadata"]);
    expect(await aws.scanAll()).toEqual(before);
    expect((await get(keyA, created.id)).body).toEqual(created);

    // Removing keys in the same PATCH makes room: the merged result is what counts.
    const removeFive = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, null]));
    const { status, body } = await patch(keyA, created.id, { metadata: { ...removeFive, ...keys(45, 10) } });
    expect(status).toBe(200);
    expect(Object.keys(body.metadata)).toHaveLength(50);
  });

  it.each([
    ["an unknown field", { sku: "x" }, "sku"],
    ["a read-only field", { id: "prd_01ARZ3NDEKTSV4RRFFQ69G5FAV" }, "id"],
    ["a bad currency", { currency: "EURO" }, "currency"],
    ["a fractional unitAmount", { unitAmount: 1.5 }, "unitAmount"],
    ["a null name", { name: null }, "name"],
  ])("refuses a PATCH with %s (400) and changes nothing", async (_, input, field) => {
    const { body: created } = await create(keyA, { name: "Fixed", unitAmount: 100, currency: "USD" });
    const before = await aws.countItems();
    const { status, body } = await patch(keyA, created.id, input);
    expect(status).toBe(400);
    expect(body.errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await aws.countItems()).toBe(before);
    expect((await get(keyA, created.id)).body).toEqual(created);
  });

  it("answers 404 for an unknown product id", async () => {
    expect((await get(keyA, "prd_01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
    expect((await patch(keyA, "prd_01ARZ3NDEKTSV4RRFFQ69G5FAV", { name: "x" })).status).toBe(404);
    expect((await remove(keyA, "prd_01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
  });

  it("deletes a product no document has used: 204, then 404, with a product.deleted event", async () => {
    const { body: created } = await create(keyA, { name: "Temp", unitAmount: 100, currency: "USD" });
    const { status } = await remove(keyA, created.id);
    expect(status).toBe(204);
    expect((await get(keyA, created.id)).status).toBe(404);
    expect((await remove(keyA, created.id)).status).toBe(404);
    const events = (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === created.id);
    expect(events.map((e) => e.eventType).sort()).toEqual(["product.created", "product.deleted"]);
  });

  it("keeps a referenced product: DELETE and repricing are 409, archiving and renaming work, the flag stays hidden", async () => {
    const { body: created } = await create(keyA, { name: "Used", unitAmount: 2500, currency: "USD" });
    await markReferenced(merchantA, created.id);

    const before = await aws.countItems();
    const deleted = await remove(keyA, created.id);
    expect(deleted.status).toBe(409);
    expect(deleted.body.detail).toMatch(/archive it instead with PATCH \{ "active": false \}/);
    expect(await aws.countItems()).toBe(before);
    const still = await get(keyA, created.id);
    expect(still).toEqual({ status: 200, body: created });
    expect(still.body).not.toHaveProperty("referenced");

    for (const change of [{ unitAmount: 3000 }, { currency: "EUR" }, { unitAmount: 3000, name: "Used v2" }]) {
      const { status, body } = await patch(keyA, created.id, change);
      expect(status).toBe(409);
      expect(body.detail).toMatch(/unitAmount and currency/);
    }
    expect(await aws.countItems()).toBe(before);

    // Sending the current price is not a change.
    const same = await patch(keyA, created.id, { unitAmount: 2500, currency: "usd", name: "Used v2" });
    expect(same).toMatchObject({ status: 200, body: { name: "Used v2", unitAmount: 2500, currency: "USD" } });
    const archived = await patch(keyA, created.id, { active: false });
    expect(archived).toMatchObject({ status: 200, body: { active: false } });
    expect(archived.body).not.toHaveProperty("referenced");
    const { Item } = await aws.db.send(
      new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${merchantA}`, SK: created.id } }),
    );
    expect(Item).toMatchObject({ referenced: true, active: false });
    const updated = (await aws.scanAll()).filter(
      (i) => i.eventType === "product.updated" && i.objectId === created.id,
    );
    expect(updated).toHaveLength(2);
    for (const event of updated) expect(event.data).not.toHaveProperty("product.referenced");
  });

  it("is marked referenced by a document only at the price it was priced with, once, and never if deleted", async () => {
    const { body: product } = await create(keyA, { name: "Marked", unitAmount: 1200, currency: "USD" });
    const stored = async () =>
      (await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${merchantA}`, SK: product.id } }))).Item;

    // Repriced after the document read it: a conflict (the finalize re-prices), nothing marked.
    await expect(dynamoProductStore.markReferenced(merchantA, [{ ...product, unitAmount: 1000 }])).rejects.toThrow(ConflictError);
    expect(await stored()).toMatchObject({ version: 1 });
    expect(await stored()).not.toHaveProperty("referenced");

    await dynamoProductStore.markReferenced(merchantA, [product]);
    await dynamoProductStore.markReferenced(merchantA, [product]);
    expect(await stored()).toMatchObject({ referenced: true, version: 2 });

    const { body: gone } = await create(keyA, { name: "Gone", unitAmount: 500, currency: "USD" });
    expect((await remove(keyA, gone.id)).status).toBe(204);
    await expect(dynamoProductStore.markReferenced(merchantA, [gone])).rejects.toThrow(ConflictError);
    expect(await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${merchantA}`, SK: gone.id } }))).not.toHaveProperty("Item");
  });

  it("walls merchants off: B cannot read, change or delete A's product, and B's list does not show it", async () => {
    const { body: created } = await create(keyA, { name: "Secret", unitAmount: 100, currency: "USD" });
    expect((await get(keyB, created.id)).status).toBe(404);
    expect((await patch(keyB, created.id, { name: "Hijacked" })).status).toBe(404);
    expect((await remove(keyB, created.id)).status).toBe(404);
    expect((await get(keyA, created.id)).body).toEqual(created);

    await create(keyB, { name: "B's own", unitAmount: 1, currency: "JPY" });
    const { body } = await list(keyB, { limit: "100" });
    expect(body.data.map((p: { name: string }) => p.name)).toEqual(["B's own"]);
    expect((await list(keyB, { currency: "USD" })).body).toEqual({ data: [], nextCursor: null });
  });

  it("refuses unauthenticated requests", async () => {
    expect((await list("")).status).toBe(401);
    expect((await create("sk_nope", { name: "A", unitAmount: 1, currency: "USD" })).status).toBe(401);
  });

  describe("listing", () => {
    let key: string;
    let p1: string;
    let p2: string;
    let p3: string;
    let p4: string;
    let between: string;

    beforeAll(async () => {
      key = (await newMerchant("Lister")).secret;
      const make = async (body: object) => {
        const { status, body: created } = await create(key, body);
        expect(status).toBe(201);
        await pause(5);
        return created.id as string;
      };
      p1 = await make({ name: "One-time USD", unitAmount: 100, currency: "USD" });
      p2 = await make({
        name: "Monthly JPY",
        unitAmount: 1000,
        currency: "JPY",
        recurring: { interval: "month" },
      });
      between = new Date().toISOString();
      await pause(5);
      p3 = await make({
        name: "Yearly USD",
        unitAmount: 9900,
        currency: "USD",
        recurring: { interval: "year" },
        active: false,
      });
      p4 = await make({ name: "One-time KWD", unitAmount: 1500, currency: "KWD" });
    });

    it("lists newest first, without the internal flag", async () => {
      const { status, body } = await list(key);
      expect(status).toBe(200);
      expect(ids(body)).toEqual([p4, p3, p2, p1]);
      expect(body.nextCursor).toBeNull();
      for (const product of body.data) expect(product).not.toHaveProperty("referenced");
    });

    it.each([
      [{ active: "true" }, () => [p4, p2, p1]],
      [{ active: "false" }, () => [p3]],
      [{ currency: "usd" }, () => [p3, p1]],
      [{ currency: "KWD" }, () => [p4]],
      [{ recurring: "true" }, () => [p3, p2]],
      [{ recurring: "false" }, () => [p4, p1]],
      [{ currency: "USD", recurring: "false", active: "true" }, () => [p1]],
      [{ currency: "EUR" }, () => []],
    ])("filters by %o", async (query, expected) => {
      const { status, body } = await list(key, query);
      expect(status).toBe(200);
      expect(ids(body)).toEqual(expected());
      expect(body.nextCursor).toBeNull();
    });

    it("filters by creation time", async () => {
      expect(ids((await list(key, { createdAfter: between })).body)).toEqual([p4, p3]);
      expect(ids((await list(key, { createdBefore: between })).body)).toEqual([p2, p1]);
      expect(ids((await list(key, { createdAfter: between, currency: "USD" })).body)).toEqual([p3]);
    });

    it.each([
      [{ active: "yes" }, "active"],
      [{ recurring: "1" }, "recurring"],
      [{ currency: "ABC" }, "currency"],
      [{ createdAfter: "yesterday" }, "createdAfter"],
      [{ limit: "0" }, "limit"],
      [{ sort: "name" }, "sort"],
    ])("refuses the query %o with a 400 naming the parameter", async (query, field) => {
      const { status, body } = await list(key, query);
      expect(status).toBe(400);
      expect(body.errors.map((e: { path: string }) => e.path)).toContain(field);
    });

    it("pages across two pages with limit and cursor", async () => {
      const first = await list(key, { limit: "2" });
      expect(ids(first.body)).toEqual([p4, p3]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await list(key, { limit: "2", cursor: first.body.nextCursor });
      expect(ids(second.body)).toEqual([p2, p1]);
      expect(second.body.nextCursor).toBeNull();
    });

    it("pages a filtered list, and a cursor only works for its own filters", async () => {
      const first = await list(key, { limit: "2", active: "true" });
      expect(ids(first.body)).toEqual([p4, p2]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await list(key, { limit: "2", active: "true", cursor: first.body.nextCursor });
      expect(ids(second.body)).toEqual([p1]);
      expect(second.body.nextCursor).toBeNull();

      const misused = await list(key, { limit: "2", active: "false", cursor: first.body.nextCursor });
      expect(misused.status).toBe(400);
      expect((await list(keyA, { limit: "2", active: "true", cursor: first.body.nextCursor })).status).toBe(
        400,
      );
    });
  });
});
