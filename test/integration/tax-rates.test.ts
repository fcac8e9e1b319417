import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/tax-rates.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { callForBody, newMerchant } from "../helpers/api.ts";

let aws: TestAws;
let merchantA: string;
let keyA: string;
let keyB: string;

const create = (token: string, body: unknown) =>
  callForBody(handler, "POST /v1/tax-rates", { token, body: body as object });
const get = (token: string, id: string) =>
  callForBody(handler, "GET /v1/tax-rates/{id}", { token, pathParameters: { id } });
const patch = (token: string, id: string, body: unknown) =>
  callForBody(handler, "PATCH /v1/tax-rates/{id}", { token, pathParameters: { id }, body: body as object });
const list = (token: string, query: Record<string, string> = {}) =>
  callForBody(handler, "GET /v1/tax-rates", { token, query });
const ids = (body: { data: { id: string }[] }) => body.data.map((t) => t.id);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const paths = (body: { errors: { path: string }[] }) => body.errors.map((e) => e.path);

describe("tax rates against DynamoDB Local", () => {
  beforeAll(async () => {
    aws = await useTestAws();
    const a = await newMerchant("Alpha");
    merchantA = a.id;
    keyA = a.secret;
    keyB = (await newMerchant("Beta")).secret;
  });

  it("creates a tax rate: 201, the exact shape, the item and its event in one write", async () => {
    const before = await aws.countItems();
    const { status, body } = await create(keyA, {
      name: "Sales tax",
      percentage: 7.25,
      inclusive: false,
      country: "us",
      region: "California",
      description: "CA state rate",
      metadata: { code: "CA" },
    });

    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.stringMatching(/^txr_[0-9A-HJKMNP-TV-Z]{26}$/),
      name: "Sales tax",
      percentage: 7.25,
      inclusive: false,
      country: "US",
      region: "California",
      description: "CA state rate",
      active: true,
      metadata: { code: "CA" },
      createdAt: body.createdAt,
      updatedAt: body.createdAt,
    });
    expect(await aws.countItems()).toBe(before + 2);
    const { Item } = await aws.db.send(
      new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${merchantA}`, SK: body.id } }),
    );
    expect(Item).toMatchObject({ type: "taxRate", version: 1, percentage: 7.25, inclusive: false });
    const events = (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === body.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventType: "tax_rate.created",
      merchantId: merchantA,
      data: { taxRate: body },
    });

    expect(await get(keyA, body.id)).toEqual({ status: 200, body });
  });

  it.each([12.5, 7.6543, 0, 100, 19])("accepts the percentage %d", async (percentage) => {
    const { status, body } = await create(keyA, { name: "VAT", percentage, inclusive: true });
    expect(status).toBe(201);
    expect(body).toMatchObject({ percentage, inclusive: true, active: true, metadata: {} });
    expect(body).not.toHaveProperty("country");
    expect((await get(keyA, body.id)).body.percentage).toBe(percentage);
  });

  it.each([
    ["5 decimals", { name: "VAT", percentage: 7.65432, inclusive: true }, "percentage"],
    ["a negative percentage", { name: "VAT", percentage: -1, inclusive: true }, "percentage"],
    ["a percentage over 100", { name: "VAT", percentage: 100.5, inclusive: true }, "percentage"],
    ["a string percentage", { name: "VAT", percentage: "20", inclusive: true }, "percentage"],
    ["a missing percentage", { name: "VAT", inclusive: true }, "percentage"],
    ["a missing inclusive", { name: "VAT", percentage: 20 }, "inclusive"],
    ["a string inclusive", { name: "VAT", percentage: 20, inclusive: "true" }, "inclusive"],
    ["a missing name", { percentage: 20, inclusive: true }, "name"],
    ["an over-long name", { name: "x".repeat(201), percentage: 20, inclusive: true }, "name"],
    ["a bad country", { name: "VAT", percentage: 20, inclusive: true, country: "DEU" }, "country"],
    [
      "an over-long region",
      { name: "VAT", percentage: 20, inclusive: true, region: "r".repeat(101) },
      "region",
    ],
    [
      "an unknown field",
      { name: "VAT", percentage: 20, inclusive: true, jurisdiction: "EU" },
      "jurisdiction",
    ],
  ])("refuses %s with a 400 naming the field and writes nothing", async (_, input, field) => {
    const before = await aws.countItems();
    const { status, body } = await create(keyA, input);
    expect(status).toBe(400);
    expect(paths(body)).toContain(field);
    expect(await aws.countItems()).toBe(before);
  });

  it("updates the mutable fields: PATCH semantics, metadata merge and an event", async () => {
    const { body: created } = await create(keyA, {
      name: "MwSt",
      percentage: 19,
      inclusive: true,
      country: "DE",
      region: "Bayern",
      metadata: { a: "1", b: "2" },
    });
    await pause(5);
    const { status, body } = await patch(keyA, created.id, {
      name: "Umsatzsteuer",
      region: null,
      description: "Standard rate",
      active: false,
      metadata: { a: null, c: "3" },
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      ...created,
      name: "Umsatzsteuer",
      region: undefined,
      description: "Standard rate",
      active: false,
      metadata: { b: "2", c: "3" },
      updatedAt: body.updatedAt,
    });
    expect(body).not.toHaveProperty("region");
    expect(body.updatedAt > created.updatedAt).toBe(true);
    expect((await get(keyA, created.id)).body).toEqual(body);
    const events = (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === created.id);
    expect(events.map((e) => e.eventType).sort()).toEqual(["tax_rate.created", "tax_rate.updated"]);
  });

  it.each([
    ["percentage", { percentage: 20 }, "percentage"],
    ["inclusive", { inclusive: false }, "inclusive"],
    ["percentage with allowed fields", { name: "New", percentage: 19 }, "percentage"],
    ["an unknown field", { rate: 20 }, "rate"],
    ["a bad country", { country: "Germany" }, "country"],
  ])(
    "refuses a PATCH of %s (400 is not a known field / invalid) and changes nothing",
    async (_, input, field) => {
      const { body: created } = await create(keyA, { name: "Fixed", percentage: 19, inclusive: true });
      const before = await aws.countItems();
      const { status, body } = await patch(keyA, created.id, input);
      expect(status).toBe(400);
      expect(paths(body)).toContain(field);
      if (field === "percentage" || field === "inclusive") {
        expect(body.errors).toContainEqual({ path: field, message: "is not a known field" });
      }
      expect(await aws.countItems()).toBe(before);
      expect((await get(keyA, created.id)).body).toEqual(created);
    },
  );

  it("has no DELETE route", async () => {
    const { body: created } = await create(keyA, { name: "Keep", percentage: 5, inclusive: false });
    const { status } = await callForBody(handler, "DELETE /v1/tax-rates/{id}", {
      token: keyA,
      pathParameters: { id: created.id },
    });
    expect(status).toBe(404);
    expect((await get(keyA, created.id)).status).toBe(200);
  });

  it("walls merchants off: B cannot read or change A's tax rate, and B's list does not show it", async () => {
    const { body: created } = await create(keyA, {
      name: "Secret",
      percentage: 10,
      inclusive: false,
      country: "FR",
    });
    expect((await get(keyB, created.id)).status).toBe(404);
    expect((await patch(keyB, created.id, { name: "Hijacked" })).status).toBe(404);
    expect((await get(keyA, created.id)).body).toEqual(created);

    await create(keyB, { name: "B's own", percentage: 8, inclusive: true });
    expect((await list(keyB, { limit: "100" })).body.data.map((t: { name: string }) => t.name)).toEqual([
      "B's own",
    ]);
    expect((await list(keyB, { country: "FR" })).body).toEqual({ data: [], nextCursor: null });
  });

  it("answers 404 for an unknown id and 401 without a key", async () => {
    expect((await get(keyA, "txr_01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
    expect((await patch(keyA, "txr_01ARZ3NDEKTSV4RRFFQ69G5FAV", { name: "x" })).status).toBe(404);
    expect((await list("")).status).toBe(401);
  });

  describe("listing", () => {
    let key: string;
    let t1: string;
    let t2: string;
    let t3: string;
    let t4: string;
    let between: string;

    beforeAll(async () => {
      key = (await newMerchant("Lister")).secret;
      const make = async (body: object) => {
        const { status, body: created } = await create(key, body);
        expect(status).toBe(201);
        await pause(5);
        return created.id as string;
      };
      t1 = await make({ name: "DE standard", percentage: 19, inclusive: true, country: "DE" });
      t2 = await make({ name: "US CA", percentage: 7.25, inclusive: false, country: "US", region: "CA" });
      between = new Date().toISOString();
      await pause(5);
      t3 = await make({
        name: "DE reduced (old)",
        percentage: 7,
        inclusive: true,
        country: "DE",
        active: false,
      });
      t4 = await make({ name: "Generic", percentage: 10, inclusive: false });
    });

    it("lists newest first", async () => {
      const { status, body } = await list(key);
      expect(status).toBe(200);
      expect(ids(body)).toEqual([t4, t3, t2, t1]);
      expect(body.nextCursor).toBeNull();
    });

    it.each([
      [{ active: "true" }, () => [t4, t2, t1]],
      [{ active: "false" }, () => [t3]],
      [{ inclusive: "true" }, () => [t3, t1]],
      [{ inclusive: "false" }, () => [t4, t2]],
      [{ country: "de" }, () => [t3, t1]],
      [{ country: "US" }, () => [t2]],
      [{ country: "DE", active: "true", inclusive: "true" }, () => [t1]],
      [{ country: "JP" }, () => []],
    ])("filters by %o", async (query, expected) => {
      const { status, body } = await list(key, query);
      expect(status).toBe(200);
      expect(ids(body)).toEqual(expected());
      expect(body.nextCursor).toBeNull();
    });

    it("filters by creation time", async () => {
      expect(ids((await list(key, { createdAfter: between })).body)).toEqual([t4, t3]);
      expect(ids((await list(key, { createdBefore: between })).body)).toEqual([t2, t1]);
      expect(ids((await list(key, { createdBefore: between, inclusive: "false" })).body)).toEqual([t2]);
    });

    it.each([
      [{ active: "no" }, "active"],
      [{ inclusive: "1" }, "inclusive"],
      [{ country: "DEU" }, "country"],
      [{ createdBefore: "2024-13-01" }, "createdBefore"],
      [{ limit: "101" }, "limit"],
      [{ percentage: "19" }, "percentage"],
    ])("refuses the query %o with a 400 naming the parameter", async (query, field) => {
      const { status, body } = await list(key, query);
      expect(status).toBe(400);
      expect(paths(body)).toContain(field);
    });

    it("pages across two pages with limit and cursor", async () => {
      const first = await list(key, { limit: "2" });
      expect(ids(first.body)).toEqual([t4, t3]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await list(key, { limit: "2", cursor: first.body.nextCursor });
      expect(ids(second.body)).toEqual([t2, t1]);
      expect(second.body.nextCursor).toBeNull();
    });

    it("pages a filtered list", async () => {
      const first = await list(key, { limit: "2", active: "true" });
      expect(ids(first.body)).toEqual([t4, t2]);
      const second = await list(key, { limit: "2", active: "true", cursor: first.body.nextCursor });
      expect(ids(second.body)).toEqual([t1]);
      expect(second.body.nextCursor).toBeNull();
      expect((await list(key, { limit: "2", active: "false", cursor: first.body.nextCursor })).status).toBe(
        400,
      );
    });
  });
});
