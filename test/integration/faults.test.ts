/**
 * The fault suite, reduced (the full one is test/soak/faults.test.ts): a billing run, refunds through
 * the API, payout runs and notification mail, while DynamoDB throttles and cancels transactions on a
 * fraction of calls, and then again with every message and request delivered three times. Afterwards
 * every invoice, payment, refund and payout exists exactly once and every mail went at least once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { documentClient } from "../../shared/store/dynamo.ts";
import { call, expectStatus, merchantCall, newMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { runWithFaults } from "../helpers/fault-run.ts";
import { describeCounts, failEvery, totalInjected } from "../helpers/faults.ts";

let aws: TestAws;
const seed = Number(process.env.KASSA_FAULT_SEED ?? 19);

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
});

/** A new merchant's invoice paid in the sandbox: its API key and the payment. */
async function paidPayment(name: string) {
  const shop = await newMerchant(name);
  const customer = await expectStatus(
    merchantCall(customersHandler, "POST /v1/customers", shop.secret, {
      body: { email: "refund@fault.test" },
    }),
    201,
  );
  const draft = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices", shop.secret, {
      body: {
        customerId: customer.id,
        currency: "USD",
        lineItems: [{ description: "Plan", unitAmount: 5_000 }],
      },
    }),
    201,
  );
  await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", shop.secret, { id: draft.id }),
  );
  const paid = await expectStatus(
    merchantCall(paymentsHandler, "POST /v1/invoices/{id}/pay", shop.secret, {
      id: draft.id,
      body: { paymentMethod: "pm_card_visa" },
    }),
  );
  return { token: shop.secret, paymentId: String(paid.payment.id) };
}

/** Refunds 10.00 of the payment through the API with an Idempotency-Key. */
const refundOf = (token: string, paymentId: string, key: string) =>
  call(paymentsHandler as Parameters<typeof call>[0], "POST /v1/payments/{id}/refunds", {
    token,
    pathParameters: { id: paymentId },
    body: { amount: 1_000 },
    headers: { "idempotency-key": key },
  });

/** A whole run under faults: ~10–25 s alone, well over the default 30 s beside the full suite on 2 cores. */
const faultRunTimeoutMs = 120_000;

describe("faults lose nothing and do nothing twice", () => {
  it("DynamoDB throttling and transaction conflicts on 10 % of calls", async () => {
    const { counts, problems } = await runWithFaults(aws, {
      merchants: 2,
      subscriptionsPerMerchant: 3,
      dynamoFaultRate: 0.1,
      copies: 1,
      seed,
    });
    console.info(describeCounts(`DynamoDB faults (seed ${seed})`, counts));
    expect(totalInjected(counts)).toBeGreaterThan(20);
    expect(counts.survived).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, doubled: 0 });
  }, faultRunTimeoutMs);

  it("a redelivery storm: every message and request delivered 3 times at once, with the same faults", async () => {
    const { counts, problems } = await runWithFaults(aws, {
      merchants: 2,
      subscriptionsPerMerchant: 3,
      dynamoFaultRate: 0.1,
      copies: 3,
      seed: seed + 1,
    });
    console.info(describeCounts(`Storm ×3 + DynamoDB faults (seed ${seed + 1})`, counts));
    expect(totalInjected(counts)).toBeGreaterThan(20);
    expect(problems).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, doubled: 0 });
  }, faultRunTimeoutMs);

  it("a refund whose processor answered stands when recording the answer fails: the retry with its key replays it, nothing is refunded twice", async () => {
    const { token, paymentId } = await paidPayment("Refund Settle Fault");
    // The refund is recorded (the first transaction), the sandbox refunds it, then every write that
    // would record the answer meets a conflict.
    const faults = failEvery(documentClient(), "TransactWriteItemsCommand", { after: 1 });
    const first = await refundOf(token, paymentId, "settle-fault-1").finally(() => faults.stop());
    expect(faults.failed).toBeGreaterThan(0);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ amount: 1_000, status: "pending" });

    const again = await refundOf(token, paymentId, "settle-fault-1");
    expect(again.status).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    const refunds = (await aws.scanAll()).filter((i) => i.type === "refund" && i.paymentId === paymentId);
    expect(refunds).toHaveLength(1);
  });

  it("a refund whose idempotency record meets conflicts is answered once; its retry replays it, nothing is refunded twice", async () => {
    const { token, paymentId } = await paidPayment("Idempotency Complete Fault");
    // The refund goes through; recording its response for the key meets two conflicts.
    const faults = failEvery(documentClient(), "UpdateItemCommand", {
      matching: "#status = :completed",
      times: 2,
    });
    const first = await refundOf(token, paymentId, "complete-fault-1").finally(() => faults.stop());
    expect(first.status).toBe(201);
    expect(faults.failed).toBe(2);

    const again = await refundOf(token, paymentId, "complete-fault-1");
    expect(again.status).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body).toEqual(first.body);
    const refunds = (await aws.scanAll()).filter((i) => i.type === "refund" && i.paymentId === paymentId);
    expect(refunds).toHaveLength(1);
  });
});
