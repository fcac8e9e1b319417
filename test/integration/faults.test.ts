/**
 * The fault suite, reduced (the full one is test/soak/faults.test.ts): a billing run, refunds through
 * the API, payout runs and notification mail, while DynamoDB throttles and cancels transactions on a
 * fraction of calls, and then again with every message and request delivered three times. Afterwards
 * every invoice, payment, refund and payout exists exactly once and every mail went at least once.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { runWithFaults } from "../helpers/fault-run.ts";
import { describeCounts, totalInjected } from "../helpers/faults.ts";

let aws: TestAws;
const seed = Number(process.env.KASSA_FAULT_SEED ?? 19);

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
});

describe("faults lose nothing and do nothing twice", () => {
  it("DynamoDB throttling and transaction conflicts on 10 % of calls", async () => {
    const { counts, problems } = await runWithFaults(aws, {
      merchants: 2,
      subscriptionsPerMerchant: 4,
      dynamoFaultRate: 0.1,
      copies: 1,
      seed,
    });
    console.info(describeCounts(`DynamoDB faults (seed ${seed})`, counts));
    expect(totalInjected(counts)).toBeGreaterThan(20);
    expect(counts.survived).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, doubled: 0 });
  });

  it("a redelivery storm: every message and request delivered 3 times at once, with the same faults", async () => {
    const { counts, problems } = await runWithFaults(aws, {
      merchants: 2,
      subscriptionsPerMerchant: 4,
      dynamoFaultRate: 0.1,
      copies: 3,
      seed: seed + 1,
    });
    console.info(describeCounts(`Storm ×3 + DynamoDB faults (seed ${seed + 1})`, counts));
    expect(totalInjected(counts)).toBeGreaterThan(20);
    expect(problems).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, doubled: 0 });
  });
});
