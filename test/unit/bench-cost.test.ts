import { describe, expect, it } from "vitest";
import { downstream, prices, renewalCost, stripeBillingUsd } from "../../bench/cost.ts";

const billing = { ms: 1000, memoryMb: 1024, invocations: 0.1, readUnits: 10, writeUnits: 20, sqsRequests: 1 };
const none = { ...downstream, events: 0, schedulerInvocations: 0, emails: 0 };

describe("bench cost model", () => {
  it("prices the billing step from its measured time, memory and capacity units", () => {
    const { lines, totalUsd } = renewalCost(1_000, billing, none);
    const usd = (item: string) => lines.find((l) => l.item === item)?.usd;
    expect(usd("Lambda GB-s, billing")).toBeCloseTo(1_000 * prices.lambdaGbSecond);
    expect(usd("DynamoDB writes, billing")).toBeCloseTo(20_000 * prices.dynamoWriteUnit);
    expect(usd("DynamoDB reads, billing")).toBeCloseTo(10_000 * prices.dynamoReadUnit);
    expect(usd("SQS requests")).toBeCloseTo(1_000 * prices.sqsRequest);
    expect(totalUsd).toBeCloseTo(
      1_000 * prices.lambdaGbSecond +
        100 * prices.lambdaRequest +
        20_000 * prices.dynamoWriteUnit +
        10_000 * prices.dynamoReadUnit +
        1_000 * prices.sqsRequest,
    );
  });

  it("adds one email per renewal at SES's price", () => {
    const without = renewalCost(1_000, billing, none).totalUsd;
    const withMail = renewalCost(1_000, billing, { ...none, emails: 1 }).totalUsd;
    expect(withMail - without).toBeCloseTo(0.1);
  });

  it("takes Stripe Billing's 0.7 % of 50 USD per renewal", () => {
    expect(stripeBillingUsd(1_000)).toBe(350);
  });
});
