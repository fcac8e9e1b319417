/**
 * The limit on starting checkouts (issue 13, abuse): at most 60 sessions per payment link and buyer
 * address in 10 minutes. Past it the buyer gets the form again with a clear message, a 429 with
 * `Retry-After`, and nothing is written; other addresses, and other links, are not held back.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as links } from "../../functions/api/payment-links.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as hosted } from "../../functions/hosted/checkout.ts";
import { windowLimits, windowOf } from "../../shared/domain/limits.ts";
import { checkoutStartSubject } from "../../shared/payment-links/checkout.ts";
import { keys } from "../../shared/store/keys.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";

let aws: TestAws;
let shop: TestMerchant;
let beans = "";
/** The address every test event comes from (events/apigw-post-merchants.json). */
const sampleIp = "203.0.113.7";

const newLink = async () => {
  const link = await expectStatus(
    merchantCall(links, "POST /v1/payment-links", shop.secret, {
      body: { name: "Beans", lineItems: [{ productId: beans }] },
    }),
    201,
  );
  return { id: link.id as string, slug: String(link.url).slice(`${testPublicBaseUrl}/l/`.length) };
};
const formTokenOf = async (slug: string) =>
  /name="formToken" value="([^"]+)"/.exec(
    (await call(hosted as never, "GET /l/{slug}", { pathParameters: { slug } })).raw,
  )?.[1] ?? "";
/** The buyer's form posted from `sourceIp`. */
const start = async (slug: string, sourceIp = sampleIp) => {
  const event = httpEvent("POST /l/{slug}", {
    pathParameters: { slug },
    body: new URLSearchParams({ formToken: await formTokenOf(slug), email: "buyer@example.com" }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  event.requestContext.http.sourceIp = sourceIp;
  const r = (await hosted(event, lambdaContext as never)) as APIGatewayProxyStructuredResultV2;
  return { status: r.statusCode, headers: (r.headers ?? {}) as Record<string, string>, raw: String(r.body) };
};
/** The link's window for `sourceIp`, as if its 60 starts were used up. */
const useUp = (linkId: string, sourceIp = sampleIp) => {
  const limit = windowLimits.checkoutStarts;
  return aws.db.send(
    new UpdateCommand({
      TableName: aws.tableName,
      Key: keys.rateWindow(
        shop.id,
        limit.name,
        checkoutStartSubject(linkId, sourceIp),
        windowOf(limit, new Date()).start,
      ),
      UpdateExpression: "SET #count = :max, expiresAt = :end",
      ExpressionAttributeNames: { "#count": "count" },
      ExpressionAttributeValues: { ":max": limit.max, ":end": windowOf(limit, new Date()).end },
    }),
  );
};

beforeAll(async () => {
  aws = await useTestAws(["stripe-events"]);
  shop = await newMerchant("Limited Shop");
  beans = (
    await expectStatus(
      merchantCall(products, "POST /v1/products", shop.secret, {
        body: { name: "Beans", unitAmount: 1299, currency: "USD" },
      }),
      201,
    )
  ).id as string;
});

describe("starting checkouts too fast", () => {
  it("counts each session started on a link from one address: 60 in 10 minutes, then 429 with the form and nothing written", async () => {
    const link = await newLink();
    expect((await start(link.slug)).status).toBe(303);
    const limit = windowLimits.checkoutStarts;
    const window = await aws.db.send(
      new GetCommand({
        TableName: aws.tableName,
        Key: keys.rateWindow(
          shop.id,
          limit.name,
          checkoutStartSubject(link.id, sampleIp),
          windowOf(limit, new Date()).start,
        ),
        ConsistentRead: true,
      }),
    );
    expect(window.Item?.count).toBe(1);
    // The table holds no address: only its hash names the window.
    expect(JSON.stringify(await aws.scanAll())).not.toContain(sampleIp);

    await useUp(link.id);
    const before = await aws.countItems();
    const r = await start(link.slug);

    expect(r.status).toBe(429);
    expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(r.headers["retry-after"])).toBeLessThanOrEqual(600);
    expect(r.raw).toContain("Too many checkouts were started from your connection. Please try again in");
    expect(r.raw).toContain('role="alert"');
    expect(r.raw).toContain('value="buyer@example.com"');
    expect(await aws.countItems()).toBe(before);
  });

  it("holds back neither another address on the same link nor the same address on another link", async () => {
    const link = await newLink();
    const other = await newLink();
    await useUp(link.id);

    expect((await start(link.slug)).status).toBe(429);
    expect((await start(link.slug, "198.51.100.23")).status).toBe(303);
    expect((await start(other.slug)).status).toBe(303);
  });

  it("does not count a form sent back with problems", async () => {
    const link = await newLink();
    const before = await aws.countItems();
    const r = await call(hosted as never, "POST /l/{slug}", {
      pathParameters: { slug: link.slug },
      body: new URLSearchParams({ formToken: await formTokenOf(link.slug), email: "nope" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(r.status).toBe(400);
    // Nothing written, not even the window's counter.
    expect(await aws.countItems()).toBe(before);
  });
});
