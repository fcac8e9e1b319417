import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as discountCodesHandler } from "../../functions/api/discount-codes.ts";
import { handler } from "../../functions/api/events.ts";
import { PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { newEvent } from "../../shared/domain/events.ts";
import { keys } from "../../shared/store/keys.ts";
import { eventPut } from "../../shared/store/outbox.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { callForBody, newMerchant } from "../helpers/api.ts";

const list = (token: string, query: Record<string, string> = {}) => callForBody(handler, "GET /v1/events", { token, query });
const get = (token: string, id: string) => callForBody(handler, "GET /v1/events/{id}", { token, pathParameters: { id } });
const typesOf = (body: { data: { type: string }[] }) => body.data.map((e) => e.type);

async function all(token: string, query: Record<string, string>) {
  const pages: { type: string; id: string }[][] = [];
  let cursor: string | undefined;
  do {
    const { status, body } = await list(token, { ...query, ...(cursor ? { cursor } : {}) });
    expect(status).toBe(200);
    pages.push(body.data);
    cursor = body.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

describe("the events feed against DynamoDB Local", () => {
  let aws: TestAws;
  let a: Awaited<ReturnType<typeof newMerchant>>;
  let b: Awaited<ReturnType<typeof newMerchant>>;
  // biome-ignore lint/suspicious/noExplicitAny: API responses
  let customer: any;
  // biome-ignore lint/suspicious/noExplicitAny: API responses
  let updatedCustomer: any;
  // biome-ignore lint/suspicious/noExplicitAny: API responses
  let discountCode: any;
  // biome-ignore lint/suspicious/noExplicitAny: API responses
  let updatedCode: any;

  beforeAll(async () => {
    aws = await useTestAws();
    a = await newMerchant("Alpha");
    b = await newMerchant("Beta");
    customer = (await callForBody(customersHandler, "POST /v1/customers", { token: a.secret, body: { email: "ada@buyer.test", name: "Ada" } }))
      .body;
    discountCode = (
      await callForBody(discountCodesHandler, "POST /v1/discount-codes", {
        token: a.secret,
        body: { code: "WELCOME", percentOff: 15, duration: "once" },
      })
    ).body;
    updatedCustomer = (
      await callForBody(customersHandler, "PATCH /v1/customers/{id}", {
        token: a.secret,
        pathParameters: { id: customer.id },
        body: { name: "Ada Lovelace" },
      })
    ).body;
    updatedCode = (
      await callForBody(discountCodesHandler, "PATCH /v1/discount-codes/{id}", {
        token: a.secret,
        pathParameters: { id: discountCode.id },
        body: { active: false },
      })
    ).body;
    expect([customer.id, discountCode.id, updatedCustomer.name, updatedCode.active]).toEqual([
      expect.stringMatching(/^cus_/),
      expect.stringMatching(/^dc_/),
      "Ada Lovelace",
      false,
    ]);
  });

  it("lists the merchant's events newest first, in the API's shape", async () => {
    const { status, body } = await list(a.secret);

    expect(status).toBe(200);
    expect(body.nextCursor).toBeNull();
    expect(body.data).toEqual([
      {
        id: expect.stringMatching(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/),
        type: "discount_code.updated",
        objectId: discountCode.id,
        occurredAt: updatedCode.updatedAt,
        createdAt: updatedCode.updatedAt,
        sequence: 2,
        livemode: false,
        data: { object: updatedCode, discountCode: updatedCode },
      },
      {
        id: expect.stringMatching(/^evt_/),
        type: "customer.updated",
        objectId: customer.id,
        occurredAt: updatedCustomer.updatedAt,
        createdAt: updatedCustomer.updatedAt,
        sequence: 2,
        livemode: false,
        data: { object: updatedCustomer, customer: updatedCustomer },
      },
      {
        id: expect.stringMatching(/^evt_/),
        type: "discount_code.created",
        objectId: discountCode.id,
        occurredAt: discountCode.createdAt,
        createdAt: discountCode.createdAt,
        sequence: 1,
        livemode: false,
        data: { object: discountCode, discountCode },
      },
      {
        id: expect.stringMatching(/^evt_/),
        type: "customer.created",
        objectId: customer.id,
        occurredAt: customer.createdAt,
        createdAt: customer.createdAt,
        sequence: 1,
        livemode: false,
        data: { object: customer, customer },
      },
      {
        id: expect.stringMatching(/^evt_/),
        type: "merchant.created",
        objectId: a.merchant.id,
        occurredAt: a.merchant.createdAt,
        createdAt: a.merchant.createdAt,
        sequence: 1,
        livemode: false,
        // Its owner: the welcome email carries their invitation.
        data: {
          object: a.merchant,
          merchant: a.merchant,
          owner: expect.objectContaining({ email: a.email, role: "owner", status: "invited" }),
        },
      },
    ]);
    const ids = body.data.map((e: { id: string }) => e.id);
    expect(ids).toEqual([...ids].sort().reverse());
  });

  it("shows each event's livemode: live money's events true, events moving no money and events written before modes false", async () => {
    const c = await newMerchant("Gamma");
    const now = new Date();
    const live = newEvent("payment.succeeded", c.id, "pay_live", now, { payment: { id: "pay_live" } }, true);
    const sandbox = newEvent("payment.succeeded", c.id, "pay_test", now, { payment: { id: "pay_test" } });
    await aws.db.send(new TransactWriteCommand({ TransactItems: [eventPut(live), eventPut(sandbox)] }));
    const old = { ...newEvent("payment.succeeded", c.id, "pay_old", now, {}), id: "evt_01J00000000000000000000001" };
    const { livemode: _, ...oldItem } = eventPut(old).Put.Item;
    await aws.db.send(new PutCommand({ TableName: aws.tableName, Item: { ...oldItem, ...keys.event(c.id, old.id) } }));

    const modes = Object.fromEntries(
      (await list(c.secret)).body.data.map((e: { objectId: string; livemode: boolean }) => [e.objectId, e.livemode]),
    );

    expect(modes).toEqual({ pay_live: true, pay_test: false, pay_old: false, [c.id]: false });
    expect((await get(c.secret, old.id)).body.livemode).toBe(false);
  });

  it("shows createdAt, the object's sequence and data.object on GET /v1/events/{id}: a deletion shows { id, deleted }, an event written before sequences none", async () => {
    const c = await newMerchant("Delta");
    const doomed = (await callForBody(customersHandler, "POST /v1/customers", { token: c.secret, body: { email: "gone@buyer.test" } })).body;
    await callForBody(customersHandler, "PATCH /v1/customers/{id}", { token: c.secret, pathParameters: { id: doomed.id }, body: { name: "Soon gone" } });
    expect((await callForBody(customersHandler, "DELETE /v1/customers/{id}", { token: c.secret, pathParameters: { id: doomed.id } })).status).toBe(204);
    const events = (await list(c.secret, { objectId: doomed.id })).body.data;

    expect(events.map((e: { type: string; sequence: number }) => [e.type, e.sequence])).toEqual([
      ["customer.deleted", 3],
      ["customer.updated", 2],
      ["customer.created", 1],
    ]);
    const deleted = (await get(c.secret, events[0].id)).body;
    expect(deleted).toEqual(expect.objectContaining({ createdAt: deleted.occurredAt, sequence: 3 }));
    expect(deleted.data.object).toEqual(expect.objectContaining({ id: doomed.id, name: "Soon gone" }));

    const old = newEvent("view.deleted", c.id, "view_old", new Date(), { viewId: "view_old" });
    await aws.db.send(new TransactWriteCommand({ TransactItems: [eventPut(old)] }));
    const shown = (await get(c.secret, old.id)).body;
    expect(shown.data).toEqual({ object: { id: "view_old", deleted: true }, viewId: "view_old" });
    expect(shown).not.toHaveProperty("sequence");
    expect(shown.createdAt).toBe(old.occurredAt);
  });

  it("gets one event by id, exactly as listed; an unknown id is a 404", async () => {
    const [newest] = (await list(a.secret, { limit: "1" })).body.data;

    expect(await get(a.secret, newest.id)).toEqual({ status: 200, body: newest });
    expect((await get(a.secret, "evt_01J00000000000000000000000")).status).toBe(404);
    expect((await get(a.secret, discountCode.id)).status).toBe(404);
  });

  it("filters by type, by objectId, and by both", async () => {
    expect(typesOf((await list(a.secret, { type: "customer.created" })).body)).toEqual(["customer.created"]);
    expect((await list(a.secret, { type: "customer.created" })).body.data[0].objectId).toBe(customer.id);
    expect(typesOf((await list(a.secret, { objectId: discountCode.id })).body)).toEqual(["discount_code.updated", "discount_code.created"]);
    expect(typesOf((await list(a.secret, { objectId: customer.id, type: "customer.updated" })).body)).toEqual(["customer.updated"]);
    expect((await list(a.secret, { objectId: customer.id, type: "discount_code.created" })).body).toEqual({ data: [], nextCursor: null });
  });

  it("pages with a cursor, unfiltered and filtered, without gaps or repeats", async () => {
    const everything = (await list(a.secret)).body.data.map((e: { id: string }) => e.id);

    const pages = await all(a.secret, { limit: "2" });
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((e) => e.id)).toEqual(everything);

    const codePages = await all(a.secret, { objectId: discountCode.id, limit: "1" });
    expect(codePages.flat().map((e) => e.type)).toEqual(["discount_code.updated", "discount_code.created"]);
  });

  it("refuses bad queries and a cursor taken to another filter with a 400", async () => {
    expect((await list(a.secret, { type: "Customer Created" })).status).toBe(400);
    expect((await list(a.secret, { limit: "0" })).status).toBe(400);
    expect((await list(a.secret, { limit: "101" })).status).toBe(400);
    expect((await list(a.secret, { unknown: "x" })).status).toBe(400);
    const { nextCursor } = (await list(a.secret, { limit: "1" })).body;
    expect((await list(a.secret, { limit: "1", type: "customer.created", cursor: nextCursor })).status).toBe(400);
  });

  it("needs a valid API key", async () => {
    expect((await list("")).status).toBe(401);
    expect((await list("sk_not_a_real_key")).status).toBe(401);
  });

  it("keeps merchants apart: B sees only its own events, gets 404 for A's and cannot use A's cursor", async () => {
    const mine = await list(b.secret);
    expect(mine.body).toEqual({
      data: [expect.objectContaining({ type: "merchant.created", objectId: b.merchant.id })],
      nextCursor: null,
    });
    expect((await list(b.secret, { objectId: customer.id })).body.data).toEqual([]);
    expect((await list(b.secret, { type: "customer.created" })).body.data).toEqual([]);

    const theirs = (await list(a.secret)).body.data;
    for (const event of theirs) expect((await get(b.secret, event.id)).status).toBe(404);

    const { nextCursor } = (await list(a.secret, { limit: "1" })).body;
    expect((await list(b.secret, { limit: "1", cursor: nextCursor })).status).toBe(400);
  });
});
