/**
 * DynamoDB requests per operation, pinned: the real handlers against DynamoDB Local, every request
 * of the handlers' document client counted as the bench counts them (bench/dynamodb.ts), after a
 * warm-up call so the cached API-key lookup is not counted. A change that adds a read to finalizing
 * or paying an invoice fails here, not only in the bench's table.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { tallied } from "../../bench/dynamodb.ts";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as usersHandler } from "../../functions/api/users.ts";
import { dashboardPorts } from "../../shared/composition.ts";
import { resolveSession, startSession } from "../../shared/dashboard/sessions.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { useTestAws } from "../helpers/aws.ts";

let shop: TestMerchant;
let customerId: string;

const api = (handler: unknown, routeKey: string, options?: Parameters<typeof merchantCall>[3]) =>
  merchantCall(handler, routeKey, shop.secret, options);

async function draft(): Promise<string> {
  const body = await expectStatus(
    api(invoicesHandler, "POST /v1/invoices", {
      body: { customerId, currency: "USD", lineItems: [{ description: "Consulting", unitAmount: 12_000 }] },
    }),
    201,
  );
  return body.id;
}

const finalize = (id: string) =>
  expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/finalize", { id }));

beforeAll(async () => {
  await useTestAws(["stripe-events", "billing", "notifications"]);
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
  it("finalize: the invoice, its merchant and the counter in one BatchGetItem, the customer once, one transaction", async () => {
    const id = await draft();

    const tally = await tallied(() => finalize(id));

    // 3, not the floor of 2: the customer's id is on the invoice, so its read waits for it.
    expect(tally.requests).toEqual({ BatchGetItem: 1, GetItem: 1, TransactWriteItems: 1 });
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

    // The PutItem is the charge's check (`attemptCheck`) in the local scheduler's table; deployed, it
    // is an EventBridge Scheduler request, sent beside the attempt's transaction.
    expect(tally.requests).toEqual({ BatchGetItem: 1, GetItem: 1, PutItem: 1, TransactWriteItems: 2 });
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
