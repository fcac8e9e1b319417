import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSRecord } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as testClocks } from "../../functions/api/test-clocks.ts";
import { handler as billing } from "../../functions/billing/timers.ts";
import { callForBody, newMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let merchantA: string;
let keyA: string;
let keyB: string;

const call = (handler: unknown, routeKey: string, token: string, id?: string, body?: unknown) =>
  callForBody(handler as Parameters<typeof callForBody>[0], routeKey, {
    token,
    ...(id ? { pathParameters: { id } } : {}),
    ...(body ? { body: body as object } : {}),
  });
const newClock = async (token: string, frozenTime = "2030-01-01T09:00:00Z") => {
  const { status, body } = await call(testClocks, "POST /v1/test-clocks", token, undefined, { frozenTime });
  expect(status).toBe(201);
  return body.id as string;
};
let emails = 0;
const newCustomer = (token: string, testClockId?: string) =>
  call(customers, "POST /v1/customers", token, undefined, {
    email: `buyer-${emails++}-${Date.now()}@clocks.test`,
    ...(testClockId ? { testClockId } : {}),
  });
const clockItem = async (merchantId: string, id: string) =>
  (
    await aws.db.send(
      new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${merchantId}`, SK: id } }),
    )
  ).Item;
/** The advance runs on the billing queue: its test_clock.advancing event, delivered as the outbox would. */
async function runAdvance(merchantId: string, id: string) {
  const { Items = [] } = await aws.db.send(
    new QueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :evt)",
      FilterExpression: "eventType = :type AND objectId = :id",
      ExpressionAttributeValues: { ":pk": `MERCHANT#${merchantId}`, ":evt": "EVT#", ":type": "test_clock.advancing", ":id": id },
    }),
  );
  const event = Items.at(-1);
  const record = { messageId: String(event?.id), body: JSON.stringify({ ...event, type: event?.eventType }) } as SQSRecord;
  expect(await billing({ Records: [record] })).toEqual({ batchItemFailures: [] });
}
const finalizedInvoice = async (token: string, customerId: string) => {
  const draft = await call(invoices, "POST /v1/invoices", token, undefined, {
    customerId,
    currency: "USD",
    lineItems: [{ description: "Plan", quantity: 1, unitAmount: 1000 }],
  });
  expect(draft.status).toBe(201);
  const open = await call(invoices, "POST /v1/invoices/{id}/finalize", token, draft.body.id);
  expect(open.status).toBe(200);
  return { draft: draft.body, open: open.body };
};

describe("test clocks against DynamoDB Local", () => {
  beforeAll(async () => {
    aws = await useTestAws();
    const a = await newMerchant("Clockwork");
    merchantA = a.id;
    keyA = a.secret;
    keyB = (await newMerchant("Other Shop")).secret;
  });

  it("creates, lists, gets and deletes a clock; another merchant's clock is a 404 on every route", async () => {
    const created = await call(testClocks, "POST /v1/test-clocks", keyA, undefined, {
      frozenTime: "2030-01-01T10:00:00+01:00",
      name: "Renewals",
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^clk_[0-9A-HJKMNP-TV-Z]{26}$/),
      name: "Renewals",
      frozenTime: "2030-01-01T09:00:00.000Z",
      status: "ready",
      createdAt: expect.any(String),
    });
    const { id } = created.body;
    expect((await call(testClocks, "GET /v1/test-clocks/{id}", keyA, id)).body).toEqual(created.body);
    expect((await call(testClocks, "GET /v1/test-clocks", keyA)).body.data).toContainEqual(created.body);
    expect((await call(testClocks, "GET /v1/test-clocks", keyB)).body.data).toEqual([]);
    for (const [routeKey, body] of [
      ["GET /v1/test-clocks/{id}", undefined],
      ["POST /v1/test-clocks/{id}/advance", { frozenTime: "2031-01-01T00:00:00Z" }],
      ["DELETE /v1/test-clocks/{id}", undefined],
    ] as const) {
      expect((await call(testClocks, routeKey, keyB, id, body)).status, routeKey).toBe(404);
    }
    expect((await call(testClocks, "DELETE /v1/test-clocks/{id}", keyA, id)).status).toBe(204);
    expect((await call(testClocks, "GET /v1/test-clocks/{id}", keyA, id)).status).toBe(404);
  });

  it("advances forward only, and not while the clock is advancing", async () => {
    const id = await newClock(keyA);
    const advance = (frozenTime: string) =>
      call(testClocks, "POST /v1/test-clocks/{id}/advance", keyA, id, { frozenTime });

    const moved = await advance("2030-03-01T00:00:00Z");
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id, frozenTime: "2030-03-01T00:00:00.000Z", status: "advancing" });
    expect((await advance("2030-04-01T00:00:00Z")).status).toBe(409);
    await runAdvance(merchantA, id);
    expect((await call(testClocks, "GET /v1/test-clocks/{id}", keyA, id)).body).toMatchObject({
      frozenTime: "2030-03-01T00:00:00.000Z",
      status: "ready",
    });
    const back = await advance("2030-02-01T00:00:00Z");
    expect(back.status).toBe(400);
    expect(back.body.errors.map((e: { path: string }) => e.path)).toEqual(["frozenTime"]);

    await aws.db.send(
      new UpdateCommand({
        TableName: aws.tableName,
        Key: { PK: `MERCHANT#${merchantA}`, SK: id },
        UpdateExpression: "SET #status = :advancing",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":advancing": "advancing" },
      }),
    );
    expect((await advance("2030-04-01T00:00:00Z")).status).toBe(409);
    expect((await clockItem(merchantA, id))?.frozenTime).toBe("2030-03-01T00:00:00.000Z");
  });

  it("binds a customer at creation only: testClockId shows, a PATCH naming it is a 400, another merchant's clock a 400", async () => {
    const id = await newClock(keyA);
    const bound = await newCustomer(keyA, id);
    expect(bound.status).toBe(201);
    expect(bound.body.testClockId).toBe(id);

    const patched = await call(customers, "PATCH /v1/customers/{id}", keyA, bound.body.id, {
      testClockId: id,
    });
    expect(patched.status).toBe(400);
    expect(patched.body.errors).toEqual([{ path: "testClockId", message: "is not a known field" }]);

    const before = await aws.countItems();
    const foreign = await newCustomer(keyB, id);
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([{ path: "testClockId", message: "is not one of your test clocks" }]);
    expect(await aws.countItems()).toBe(before);
  });

  it("takes at most 100 customers per clock (the 101st is a 409); deleting one frees its place", async () => {
    const id = await newClock(keyA);
    const ids: string[] = [];
    for (let n = 0; n < 100; n++) {
      const { status, body } = await newCustomer(keyA, id);
      expect(status).toBe(201);
      ids.push(body.id);
    }
    const before = await aws.countItems();
    const refused = await newCustomer(keyA, id);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/100 customers/);
    expect(await aws.countItems()).toBe(before);
    expect((await clockItem(merchantA, id))?.customerCount).toBe(100);

    expect((await call(customers, "DELETE /v1/customers/{id}", keyA, ids[0])).status).toBe(204);
    expect((await clockItem(merchantA, id))?.customerCount).toBe(99);
    expect((await newCustomer(keyA, id)).status).toBe(201);
    // 102 customers, one at a time: slow on a loaded machine.
  }, 90_000);

  it("refuses clocks to a live merchant: creating one and binding a customer are 409s", async () => {
    const live = await newMerchant("Live Shop");
    const id = await newClock(live.secret);
    await aws.db.send(
      new UpdateCommand({
        TableName: aws.tableName,
        Key: { PK: `MERCHANT#${live.id}`, SK: "MERCHANT" },
        UpdateExpression: "SET processor = :stripe, stripeLivemode = :live",
        ExpressionAttributeValues: { ":stripe": "stripe", ":live": true },
      }),
    );

    const create = await call(testClocks, "POST /v1/test-clocks", live.secret, undefined, {
      frozenTime: "2030-01-01T00:00:00Z",
    });
    expect(create.status).toBe(409);
    expect(create.body.detail).toMatch(/test mode only/);
    const bind = await newCustomer(live.secret, id);
    expect(bind.status).toBe(409);
  });

  it("dates a bound customer's invoice by its clock: created, issued and due on the clock's time, then on the advanced time", async () => {
    const id = await newClock(keyA, "2030-01-01T09:00:00Z");
    const customer = (await newCustomer(keyA, id)).body.id;

    const first = await finalizedInvoice(keyA, customer);
    expect(first.draft.createdAt).toBe("2030-01-01T09:00:00.000Z");
    expect(first.open).toMatchObject({ issuedAt: "2030-01-01T09:00:00.000Z", dueDate: "2030-01-31" });

    await call(testClocks, "POST /v1/test-clocks/{id}/advance", keyA, id, {
      frozenTime: "2030-06-15T12:00:00Z",
    });
    await runAdvance(merchantA, id);
    const second = await finalizedInvoice(keyA, customer);
    expect(second.open).toMatchObject({ issuedAt: "2030-06-15T12:00:00.000Z", dueDate: "2030-07-15" });
  });

  it("leaves other customers on the wall clock, and a deleted clock's customers return to it", async () => {
    const id = await newClock(keyA, "2030-01-01T09:00:00Z");
    const bound = (await newCustomer(keyA, id)).body.id;
    const free = (await newCustomer(keyA)).body.id;
    const idle = (await newCustomer(keyA, id)).body.id;
    const wallYear = String(new Date().getUTCFullYear());

    expect((await finalizedInvoice(keyA, free)).open.issuedAt.slice(0, 4)).toBe(wallYear);
    expect((await call(testClocks, "DELETE /v1/test-clocks/{id}", keyA, id)).status).toBe(204);
    const after = await call(customers, "GET /v1/customers/{id}", keyA, bound);
    expect(after.body.testClockId).toBe(id);
    expect((await finalizedInvoice(keyA, bound)).open.issuedAt.slice(0, 4)).toBe(wallYear);
    // With its clock gone, deleting a bound customer has no count left to release.
    expect((await call(customers, "DELETE /v1/customers/{id}", keyA, idle)).status).toBe(204);
  });
});
