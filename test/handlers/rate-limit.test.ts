import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import * as ops from "../../shared/api/customers.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { merchantApiBucket } from "../../shared/domain/limits.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { callHandler, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);

/** A function serving one cheap route, on a clock the test moves. */
function functionOnClock() {
  const clock = fixedClock(new Date("2026-03-01T12:00:00.000Z"));
  const handler = apiHandler([route(ops.listCustomers, async () => ({ data: [], nextCursor: null }))], {
    clockFor: () => clock,
  });
  const list = () => callHandler(handler, "GET /v1/customers");
  return { clock, list };
}

describe("the per-merchant API limit (a token bucket per container)", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
  });

  it("is 50 requests a second sustained with bursts of 100", () => {
    expect(merchantApiBucket).toMatchObject({ ratePerSecond: 50, burst: 100 });
  });

  it("lets a burst of 100 through, then answers 429 problem+json with Retry-After in whole seconds", async () => {
    const { list } = functionOnClock();
    for (let i = 0; i < 100; i++) expect((await list()).status).toBe(200);

    const refused = await list();

    expect(refused.status).toBe(429);
    expect(refused.headers["content-type"]).toBe("application/problem+json");
    expect(refused.headers["retry-after"]).toBe("1");
    expect(refused.body).toMatchObject({ type: "urn:kassa:problem:too-many-requests", status: 429 });
  });

  it("refills at 50 a second: after one second, 50 more requests pass and the 51st is refused", async () => {
    const { clock, list } = functionOnClock();
    for (let i = 0; i < 100; i++) await list();
    expect((await list()).status).toBe(429);

    clock.advance(1000);
    const statuses = [];
    for (let i = 0; i < 51; i++) statuses.push((await list()).status);

    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.at(-1)).toBe(429);
  });
});
