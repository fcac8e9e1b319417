/**
 * The fault suite in full (`npm run soak`; reduced in test/integration/faults.test.ts): more merchants
 * and subscriptions, a fifth of DynamoDB calls failing, and every message and request delivered
 * three times, over several seeds (`KASSA_FAULT_SEED` replays one).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { runWithFaults } from "../helpers/fault-run.ts";
import { describeCounts, totalInjected } from "../helpers/faults.ts";

let aws: TestAws;
const seeds = process.env.KASSA_FAULT_SEED ? [Number(process.env.KASSA_FAULT_SEED)] : [1, 2, 3];

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
});

describe("faults lose nothing and do nothing twice, at scale", () => {
  it.each(seeds)(
    "seed %i: a fifth of DynamoDB calls failing, every delivery 3×",
    async (seed) => {
      const { counts, problems } = await runWithFaults(aws, {
        merchants: 4,
        subscriptionsPerMerchant: Number(process.env.KASSA_FAULT_SUBSCRIPTIONS ?? 15),
        dynamoFaultRate: 0.2,
        copies: 3,
        seed,
        concurrency: 12,
      });
      console.info(describeCounts(`Soak: storm ×3 + 20 % DynamoDB faults (seed ${seed})`, counts));
      expect(totalInjected(counts)).toBeGreaterThan(500);
      expect(problems).toEqual([]);
      expect(counts).toMatchObject({ lost: 0, doubled: 0 });
    },
    600_000,
  );
});
