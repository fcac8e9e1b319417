import { describe, expect, it } from "vitest";
import { compileRoute, fromHandlerResult, matchRoute, toApiGatewayEvent } from "../../infra/local/apigateway.ts";
import { matchesPattern } from "../../infra/local/filter.ts";
import { rateMs } from "../../infra/local/scheduler.ts";
import { repairEmptyMaps } from "../../infra/local/stream-poller.ts";
import { outboxFilter } from "../../infra/manifest.ts";

describe("Lambda event filter patterns", () => {
  const record = (eventName: string, type?: string) => ({
    eventName,
    dynamodb: { NewImage: type ? { type: { S: type } } : undefined },
  });

  it("passes outbox event inserts and nothing else", () => {
    expect(matchesPattern(record("INSERT", "event"), outboxFilter)).toBe(true);
    expect(matchesPattern(record("MODIFY", "event"), outboxFilter)).toBe(false);
    expect(matchesPattern(record("REMOVE", "event"), outboxFilter)).toBe(false);
    expect(matchesPattern(record("INSERT", "merchant"), outboxFilter)).toBe(false);
    expect(matchesPattern(record("INSERT"), outboxFilter)).toBe(false);
  });
});

describe("local API Gateway routing", () => {
  const routes = [
    compileRoute({ method: "GET", path: "/v1/invoices/{id}", auth: "merchant" }, "get"),
    compileRoute({ method: "GET", path: "/v1/invoices/views", auth: "merchant" }, "views"),
    compileRoute({ method: "POST", path: "/v1/invoices/{id}/finalize", auth: "merchant" }, "finalize"),
    compileRoute({ method: "GET", path: "/hosted/{proxy+}", auth: "public" }, "hosted"),
  ];

  it("prefers literal segments, decodes parameters and supports greedy ones", () => {
    const hit = (method: string, path: string) => {
      const m = matchRoute(routes, method, path);
      return typeof m === "string" ? m : { target: m.match.target, params: m.pathParameters };
    };
    expect(hit("GET", "/v1/invoices/views")).toEqual({ target: "views", params: {} });
    expect(hit("GET", "/v1/invoices/inv%5F1")).toEqual({ target: "get", params: { id: "inv_1" } });
    expect(hit("POST", "/v1/invoices/inv_1/finalize")).toEqual({ target: "finalize", params: { id: "inv_1" } });
    expect(hit("GET", "/hosted/a/b/c")).toEqual({ target: "hosted", params: { proxy: "a/b/c" } });
    expect(hit("DELETE", "/v1/invoices/inv_1")).toBe("method_not_allowed");
    expect(hit("GET", "/v1/nothing")).toBe("not_found");
  });

  it("builds a payload 2.0 event with the route key, query, cookies and a base64 body for binary content", () => {
    const route = { method: "POST" as const, path: "/v1/files/{id}", auth: "merchant" as const };
    const event = toApiGatewayEvent({
      method: "POST",
      url: new URL("http://localhost/v1/files/f1?a=1&a=2&b=x"),
      headers: { "content-type": "application/octet-stream", cookie: "s=1; t=2", "X-Custom": "v" },
      body: Buffer.from([0, 1, 2]),
      route,
      pathParameters: { id: "f1" },
      sourceIp: "127.0.0.1",
    });
    expect(event.routeKey).toBe("POST /v1/files/{id}");
    expect(event.rawQueryString).toBe("a=1&a=2&b=x");
    expect(event.queryStringParameters).toEqual({ a: "1,2", b: "x" });
    expect(event.cookies).toEqual(["s=1", "t=2"]);
    expect(event.headers["x-custom"]).toBe("v");
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? "", "base64")).toEqual(Buffer.from([0, 1, 2]));
    expect(event.pathParameters).toEqual({ id: "f1" });
  });

  it("reads handler results as API Gateway does", () => {
    expect(fromHandlerResult({ statusCode: 201, headers: { "Content-Type": "application/json" }, body: "{}" })).toMatchObject({
      statusCode: 201,
      headers: { "content-type": "application/json" },
    });
    expect(fromHandlerResult({ ok: true } as never).body.toString()).toBe('{"ok":true}');
    expect(fromHandlerResult({ statusCode: 200, body: Buffer.from("pdf").toString("base64"), isBase64Encoded: true }).body.toString()).toBe("pdf");
  });
});

describe("local scheduler rate expressions", () => {
  it("reads rate(N unit) and refuses what it cannot run", () => {
    expect(rateMs("rate(1 day)")).toBe(86_400_000);
    expect(rateMs("rate(15 minutes)")).toBe(900_000);
    expect(() => rateMs("cron(0 0 * * ? *)")).toThrow(/rate\(N minute\|hour\|day\)/);
  });
});

describe("stream records from DynamoDB Local", () => {
  it("get back the empty maps the SDK's Streams client reads as {}", () => {
    const image = {
      PK: { S: "a" },
      branding: {},
      data: { M: { merchant: { M: { branding: {}, tags: { L: [{}, { S: "x" }] } } } } },
      none: { NULL: true },
    };
    expect(repairEmptyMaps(image)).toEqual({
      PK: { S: "a" },
      branding: { M: {} },
      data: { M: { merchant: { M: { branding: { M: {} }, tags: { L: [{ M: {} }, { S: "x" }] } } } } },
      none: { NULL: true },
    });
  });
});
