/**
 * Segments against DynamoDB Local, through the API and the segments consumer: behaviour filters let
 * customers in and out as sandbox payments and refunds happen and as a test clock moves past 30 days
 * (the flip's schedule, delivered by the clock's advance, drops the member at the instant, not
 * before); a build over existing customers goes from building to ready; a static segment's
 * hand-picked members; `GET /v1/customers?segmentId=`.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as segmentsHandler } from "../../functions/api/segments.ts";
import { handler as testClocksHandler } from "../../functions/api/test-clocks.ts";
import { handler as segmentsConsumer } from "../../functions/segments/run.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { queuesFor } from "../../shared/outbox/routing.ts";
import { dynamoClockWorkStore } from "../../shared/store/clock-work.ts";
import { dynamoTestClockStore } from "../../shared/store/test-clocks.ts";
import { type AdvancePorts, runAdvance } from "../../shared/test-clocks/advance.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;

const unique = () => randomUUID().slice(0, 8);

/** One merchant's view of the API and of its segments consumer. */
function shopOf(m: TestMerchant) {
  const seen = new Set<string>();
  const api = (handler: unknown, routeKey: string, options?: Parameters<typeof merchantCall>[3]) =>
    merchantCall(handler, routeKey, m.secret, options);
  const record = (body: unknown): SQSRecord =>
    ({
      messageId: randomUUID(),
      receiptHandle: "r",
      body: JSON.stringify(body),
      attributes: {},
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:segments",
      awsRegion: "us-east-1",
    }) as unknown as SQSRecord;
  const consume = async (bodies: unknown[]) => {
    for (const body of bodies) {
      const result = await segmentsConsumer({ Records: [record(body)] } as SQSEvent);
      expect(result.batchItemFailures, JSON.stringify(body).slice(0, 200)).toEqual([]);
    }
  };
  /** Build pages the consumer sent on to its own queue. */
  const drainBuilds = async () => {
    const QueueUrl = aws.queues.segments?.url;
    for (;;) {
      const { Messages = [] } = await aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
      );
      if (Messages.length === 0) return;
      await aws.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((msg, i) => ({ Id: String(i), ReceiptHandle: msg.ReceiptHandle ?? "" })),
        }),
      );
      await consume(Messages.map((msg) => JSON.parse(msg.Body ?? "null")));
    }
  };
  return {
    api,
    /** Delivers the merchant's new events the segments queue gets, in order, as the dispatcher would. */
    async deliver() {
      const events = (await dynamoClockWorkStore.eventsBetween(m.id, "", "~")).filter(
        (e) => !seen.has(e.id) && queuesFor(e.type).includes("segments"),
      );
      for (const e of events) seen.add(e.id);
      await consume(events);
      await drainBuilds();
    },
    consume,
    async customer(email: string, extra: object = {}) {
      return (
        await expectStatus(
          api(customersHandler, "POST /v1/customers", { body: { email, name: "Buyer", ...extra } }),
          201,
        )
      ).id as string;
    },
    async segment(body: object) {
      return expectStatus(api(segmentsHandler, "POST /v1/segments", { body }), 201);
    },
    get: (id: string) => expectStatus(api(segmentsHandler, "GET /v1/segments/{id}", { id })),
    removeMember: (id: string, customerId: string) =>
      call(segmentsHandler as never, "DELETE /v1/segments/{id}/members/{customerId}", {
        token: m.secret,
        pathParameters: { id, customerId },
      }),
    async members(id: string) {
      const listed = await expectStatus(
        api(segmentsHandler, "GET /v1/segments/{id}/customers", { id, query: { limit: "100" } }),
      );
      const filtered = await expectStatus(
        api(customersHandler, "GET /v1/customers", { query: { segmentId: id, limit: "100" } }),
      );
      const ids = (listed.data as { id: string }[]).map((c) => c.id);
      expect((filtered.data as { id: string }[]).map((c) => c.id)).toEqual(ids);
      return ids;
    },
    /** An invoice of the customer paid with the sandbox's test card; its payment. */
    async pay(customerId: string, amount: number) {
      const draft = await expectStatus(
        api(invoicesHandler, "POST /v1/invoices", {
          body: { customerId, currency: "USD", lineItems: [{ description: "Work", unitAmount: amount }] },
        }),
        201,
      );
      await expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/finalize", { id: draft.id }));
      const paid = await expectStatus(
        api(paymentsHandler, "POST /v1/invoices/{id}/pay", {
          id: draft.id,
          body: { paymentMethod: "pm_card_visa" },
        }),
      );
      return paid.payment as { id: string; paidAt: string };
    },
  };
}

describe("segments", () => {
  let m: TestMerchant;
  let shop: ReturnType<typeof shopOf>;

  beforeAll(async () => {
    aws = await useTestAws(["stripe-events", "billing", "segments", "notifications"]);
    m = await newMerchant("Segment Shop");
    shop = shopOf(m);
  });

  it("lets customers in and out as payments and refunds happen, and keeps the count", async () => {
    const ada = await shop.customer(`ada-${unique()}@acme.test`);
    const bob = await shop.customer(`bob-${unique()}@acme.test`);
    const segment = await shop.segment({
      name: "Recent big payers",
      type: "active",
      filters: [{ paidInLastDays: 30 }, { totalPaidGte: { amount: 5_000, currency: "usd" } }],
    });
    expect(segment).toMatchObject({
      status: "building",
      memberCount: 0,
      filters: [
        { type: "paidInLastDays", days: 30 },
        { type: "totalPaidGte", amount: 5_000, currency: "USD" },
      ],
    });
    await shop.deliver();
    expect(await shop.get(segment.id)).toMatchObject({ status: "ready", memberCount: 0 });

    const payment = await shop.pay(ada, 10_000);
    await shop.pay(bob, 3_000);
    await shop.deliver();
    expect(await shop.members(segment.id)).toEqual([ada]);
    expect(await shop.get(segment.id)).toMatchObject({ memberCount: 1 });

    // Redelivered events change nothing (the stats are applied once per event id).
    await shop.deliver();
    const all = (await dynamoClockWorkStore.eventsBetween(m.id, "", "~")).filter(
      (e) => e.type === "payment.succeeded",
    );
    await shop.consume(all);
    expect(await shop.get(segment.id)).toMatchObject({ memberCount: 1 });

    await expectStatus(
      shop.api(paymentsHandler, "POST /v1/payments/{id}/refunds", {
        id: payment.id,
        body: { amount: 6_000 },
      }),
      201,
    );
    await shop.deliver();
    expect(await shop.members(segment.id)).toEqual([]);
    expect(await shop.get(segment.id)).toMatchObject({ memberCount: 0 });

    await shop.pay(bob, 2_000);
    await shop.deliver();
    expect(await shop.members(segment.id)).toEqual([bob]);
  });

  it("drops a test clock's customer at exactly last payment + 30 days, and lets lastPaymentBefore take it in then", async () => {
    // A merchant of its own: the first test's customers paid lately too.
    const clockShop = await newMerchant("Clock Shop");
    const own = shopOf(clockShop);
    const clock = await expectStatus(
      own.api(testClocksHandler, "POST /v1/test-clocks", { body: { frozenTime: "2030-01-01T00:00:00Z" } }),
      201,
    );
    const recent = await own.segment({
      name: "Paid lately",
      type: "active",
      filters: [{ paidInLastDays: 30 }],
    });
    const lapsed = await own.segment({
      name: "Lapsed",
      type: "active",
      filters: [{ lastPaymentBefore: 30 }],
    });
    const cleo = await own.customer(`cleo-${unique()}@clock.test`, { testClockId: clock.id });
    await own.deliver();
    const payment = await own.pay(cleo, 4_200);
    expect(payment.paidAt).toBe("2030-01-01T00:00:00.000Z");
    await own.deliver();
    expect(await own.members(recent.id)).toEqual([cleo]);
    expect(await own.members(lapsed.id)).toEqual([]);

    const delivered: { queue: string; message: Record<string, unknown> }[] = [];
    const advance: AdvancePorts = {
      testClocks: dynamoTestClockStore,
      work: dynamoClockWorkStore,
      runOn: async () => {},
      deliver: async (queue, message) => {
        delivered.push({ queue, message });
      },
      continueLater: async () => {
        throw new Error("fits in one invocation");
      },
      outOfTime: () => false,
      clock: systemClock,
    };
    const advanceTo = async (frozenTime: string) => {
      await expectStatus(
        own.api(testClocksHandler, "POST /v1/test-clocks/{id}/advance", {
          id: clock.id,
          body: { frozenTime },
        }),
      );
      await runAdvance(advance, clockShop.id, clock.id);
    };

    // A minute before the instant: no flip yet, still a member.
    await advanceTo("2030-01-30T23:59:00Z");
    expect(delivered.filter((d) => d.queue === "segments")).toEqual([]);
    expect(await own.members(recent.id)).toEqual([cleo]);

    await advanceTo("2030-02-05T00:00:00Z");
    const flips = delivered.filter((d) => d.queue === "segments");
    expect(flips).toEqual([
      {
        queue: "segments",
        message: expect.objectContaining({
          kind: "segment.flip",
          customerId: cleo,
          testClockId: clock.id,
          scheduledAt: "2030-01-31T00:00:00.000Z",
        }),
      },
    ]);
    await own.consume(flips.map((f) => f.message));
    expect(await own.members(recent.id)).toEqual([]);
    expect(await own.members(lapsed.id)).toEqual([cleo]);
    // A flip delivered twice changes nothing.
    await own.consume(flips.map((f) => f.message));
    expect(await own.get(recent.id)).toMatchObject({ memberCount: 0 });
    expect(await own.get(lapsed.id)).toMatchObject({ memberCount: 1 });
  });

  it("builds a new segment over the existing customers, follows their changes and deletions", async () => {
    const domain = `build-${unique()}.test`;
    const ids = [];
    for (const name of ["a", "b", "c"]) ids.push(await shop.customer(`${name}@${domain}`));
    const other = await shop.customer(`d@else-${unique()}.test`);
    await shop.deliver();
    const segment = await shop.segment({
      name: "Domain",
      type: "active",
      filters: [{ emailDomain: domain }],
    });
    expect(segment.status).toBe("building");
    await shop.deliver();
    expect(await shop.get(segment.id)).toMatchObject({ status: "ready", memberCount: 3 });
    expect(await shop.members(segment.id)).toEqual([...ids].reverse());

    await expectStatus(
      shop.api(customersHandler, "PATCH /v1/customers/{id}", { id: other, body: { email: `d@${domain}` } }),
    );
    await expectStatus(shop.api(customersHandler, "DELETE /v1/customers/{id}", { id: ids[0] }), 204);
    await shop.deliver();
    expect(await shop.members(segment.id)).toEqual([other, ids[2], ids[1]]);
    expect(await shop.get(segment.id)).toMatchObject({ memberCount: 3 });

    // New filters rebuild it.
    const patched = await expectStatus(
      shop.api(segmentsHandler, "PATCH /v1/segments/{id}", {
        id: segment.id,
        body: { filters: [{ emailDomain: domain }, { type: "createdAt", before: "2000-01-01" }] },
      }),
    );
    expect(patched).toMatchObject({ status: "building" });
    await shop.deliver();
    expect(await shop.get(segment.id)).toMatchObject({ status: "ready", memberCount: 0 });
    expect(await shop.members(segment.id)).toEqual([]);
  });

  it("keeps a static segment's snapshot and hand-picked members; refuses picking on an active one", async () => {
    const domain = `static-${unique()}.test`;
    const first = await shop.customer(`one@${domain}`);
    await shop.deliver();
    const snapshot = await shop.segment({
      name: "Snapshot",
      type: "static",
      filters: [{ emailDomain: domain }],
    });
    expect(snapshot.status).toBe("building");
    await shop.deliver();
    expect(await shop.members(snapshot.id)).toEqual([first]);
    // A later customer matching the filters does not join a snapshot.
    const second = await shop.customer(`two@${domain}`);
    await shop.deliver();
    expect(await shop.members(snapshot.id)).toEqual([first]);

    const picked = await shop.segment({ name: "VIPs", type: "static" });
    expect(picked).toMatchObject({ status: "ready", memberCount: 0, filters: [] });
    const added = await expectStatus(
      shop.api(segmentsHandler, "POST /v1/segments/{id}/members", {
        id: picked.id,
        body: { customerIds: [first, second, first] },
      }),
    );
    expect(added).toMatchObject({ memberCount: 2 });
    await expectStatus(
      shop.api(segmentsHandler, "POST /v1/segments/{id}/members", {
        id: picked.id,
        body: { customerIds: [second] },
      }),
    );
    expect(await shop.get(picked.id)).toMatchObject({ memberCount: 2 });
    expect((await shop.removeMember(picked.id, first)).status).toBe(204);
    expect((await shop.removeMember(picked.id, first)).status).toBe(404);
    expect(await shop.members(picked.id)).toEqual([second]);

    const active = await shop.segment({ name: "Active", type: "active", filters: [] });
    const refused = await shop.api(segmentsHandler, "POST /v1/segments/{id}/members", {
      id: active.id,
      body: { customerIds: [first] },
    });
    expect(refused.status).toBe(409);
    expect((await shop.removeMember(active.id, first)).status).toBe(409);
    const refilter = await shop.api(segmentsHandler, "PATCH /v1/segments/{id}", {
      id: picked.id,
      body: { filters: [{ country: "DE" }] },
    });
    expect(refilter.status).toBe(409);
    const unknown = await shop.api(segmentsHandler, "POST /v1/segments/{id}/members", {
      id: picked.id,
      body: { customerIds: [second, `cus_${"9".repeat(26)}`] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: "customerIds.1", message: "is not one of your customers" }]);

    await expectStatus(shop.api(segmentsHandler, "DELETE /v1/segments/{id}", { id: picked.id }), 204);
    await shop.deliver();
    expect((await shop.api(segmentsHandler, "GET /v1/segments/{id}", { id: picked.id })).status).toBe(404);
    expect((await aws.scanAll()).filter((i) => String(i.SK).startsWith(`SEGMEMBER#${picked.id}#`))).toEqual(
      [],
    );
  });

  it("answers 400 on segmentId for a segment that is not the merchant's, or beside another filter", async () => {
    const r = await shop.api(customersHandler, "GET /v1/customers", {
      query: { segmentId: `seg_${"7".repeat(26)}` },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: "segmentId", message: "is not one of your segments" }]);
    const combined = await shop.api(customersHandler, "GET /v1/customers", {
      query: { segmentId: `seg_${"7".repeat(26)}`, email: "a@b.test" },
    });
    expect(combined.status).toBe(400);
    expect(combined.body.errors.map((e: { path: string }) => e.path)).toEqual(["segmentId"]);
  });
});
