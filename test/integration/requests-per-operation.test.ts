/**
 * DynamoDB requests per operation, pinned: the real handlers against DynamoDB Local, every request
 * of the handlers' document client counted as the bench counts them (bench/dynamodb.ts), after a
 * warm-up call so the cached API-key lookup is not counted. A change that adds a read to finalizing
 * or paying an invoice fails here, not only in the bench's table.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { tallied } from "../../bench/dynamodb.ts";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as testClocksHandler } from "../../functions/api/test-clocks.ts";
import { handler as usersHandler } from "../../functions/api/users.ts";
import { dashboardPorts } from "../../shared/composition.ts";
import { resolveSession, startSession } from "../../shared/dashboard/sessions.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { keys } from "../../shared/store/keys.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let shop: TestMerchant;
let customerId: string;
let aws: TestAws;

const api = (handler: unknown, routeKey: string, options?: Parameters<typeof merchantCall>[3]) =>
  merchantCall(handler, routeKey, shop.secret, options);

async function draft(customer = customerId): Promise<string> {
  const body = await expectStatus(
    api(invoicesHandler, "POST /v1/invoices", {
      body: {
        customerId: customer,
        currency: "USD",
        lineItems: [{ description: "Consulting", unitAmount: 12_000 }],
      },
    }),
    201,
  );
  return body.id;
}

const finalize = (id: string) =>
  expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/finalize", { id }));

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", "billing", "notifications"]);
  shop = await newMerchant("Requests Pin");
  customerId = (
    await expectStatus(
      api(customersHandler, "POST /v1/customers", { body: { email: "pin@buyer.test", name: "Pin" } }),
      201,
    )
  ).id;
  // Warm: the key lookup is cached from here on, and the counter exists (a first number creates it).
  await finalize(await draft());
});

describe("DynamoDB requests per operation", () => {
  it("finalize: the invoice, its merchant and the counter in one BatchGetItem, one transaction (the customer as the draft recorded it)", async () => {
    const id = await draft();

    const tally = await tallied(() => finalize(id));

    // The floor of 2: the customer is not read, its version is checked in the transaction.
    expect(tally.requests).toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });
  });

  it("finalize of a draft whose customer was edited since: the new billed-to, at 5 requests", async () => {
    const id = await draft();
    await expectStatus(
      api(customersHandler, "PATCH /v1/customers/{id}", {
        id: customerId,
        body: { name: "Pin Renamed", email: "renamed@buyer.test" },
      }),
    );

    let open: Record<string, unknown> = {};
    const tally = await tallied(async () => {
      open = await finalize(id);
    });

    expect(open).toMatchObject({
      status: "open",
      customer: { id: customerId, name: "Pin Renamed", email: "renamed@buyer.test" },
    });
    // The first run's transaction fails on the customer's version, then today's path: the batch again,
    // the customer's read, the transaction.
    expect(tally.requests).toEqual({ BatchGetItem: 2, GetItem: 1, TransactWriteItems: 2 });
  });

  it("finalize of a draft saved before drafts recorded their customer, or on a test clock: the customer read (and its clock)", async () => {
    const old = await draft();
    await aws.db.send(
      new UpdateCommand({
        TableName: aws.tableName,
        Key: keys.merchantObject(shop.id, old),
        UpdateExpression: "REMOVE pricedCustomer",
      }),
    );
    const clock = await expectStatus(
      api(testClocksHandler, "POST /v1/test-clocks", { body: { frozenTime: "2030-01-01T09:00:00Z" } }),
      201,
    );
    const clocked = await expectStatus(
      api(customersHandler, "POST /v1/customers", {
        body: { email: "clocked@buyer.test", testClockId: clock.id },
      }),
      201,
    );
    const onClock = await draft(clocked.id);

    const unrecorded = await tallied(() => finalize(old));
    const clockedTally = await tallied(async () => {
      // Issued on the clock's time, as before.
      expect(await finalize(onClock)).toMatchObject({
        testClockId: clock.id,
        issuedAt: "2030-01-01T09:00:00.000Z",
      });
    });

    expect(unrecorded.requests).toEqual({ BatchGetItem: 1, GetItem: 1, TransactWriteItems: 1 });
    expect(clockedTally.requests).toEqual({ BatchGetItem: 1, GetItem: 2, TransactWriteItems: 1 });
  });

  it("pay by API (sandbox card): the invoice and merchant in one read, the attempt, the invoice at its outcome, the outcome", async () => {
    const id = await draft();
    await finalize(id);

    const tally = await tallied(async () => {
      const paid = await expectStatus(
        api(paymentsHandler, "POST /v1/invoices/{id}/pay", { id, body: { paymentMethod: "pm_card_visa" } }),
      );
      expect(paid).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
    });

    expect(tally.requests).toEqual({ BatchGetItem: 1, GetItem: 1, TransactWriteItems: 2 });
    // The charge's check (`attemptCheck`), in the local scheduler's table; deployed, an EventBridge
    // Scheduler request beside the attempt's transaction, not DynamoDB's.
    expect(tally.scheduler).toBe(1);
  });

  it("get and list an invoice: one request each", async () => {
    const id = await draft();

    const get = await tallied(() => expectStatus(api(invoicesHandler, "GET /v1/invoices/{id}", { id })));
    const list = await tallied(() => expectStatus(api(invoicesHandler, "GET /v1/invoices")));

    expect(get.requests).toEqual({ GetItem: 1 });
    expect(list.requests).toEqual({ Query: 1 });
  });

  it("a dashboard request's session: the session, its user and its merchant in one BatchGetItem", async () => {
    const ports = dashboardPorts(systemClock);
    const [owner] = (await expectStatus(api(usersHandler, "GET /v1/users"))).data;
    const cookie = await startSession(ports, { ...owner, sessionsValidAfter: null }, undefined);

    const tally = await tallied(async () => {
      const signedIn = await resolveSession(ports, cookie);
      expect(signedIn?.user).toMatchObject({ id: owner.id, role: "owner" });
      expect(signedIn?.merchant).toMatchObject({ id: shop.id, name: "Requests Pin" });
    });

    expect(tally.requests).toEqual({ BatchGetItem: 1 });
  });
});
