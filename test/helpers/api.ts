/**
 * Calls API handlers in-process the way API Gateway would, and creates merchants through the real
 * admin route, for integration tests that run against the emulators. Every response is checked
 * against the OpenAPI document (./contract.ts).
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { handler as merchantsHandler } from "../../functions/api/merchants.ts";
import { adminToken } from "./aws.ts";
import { assertDocumented } from "./contract.ts";
import { httpEvent, lambdaContext } from "./events.ts";

export type Handler = (event: ReturnType<typeof httpEvent>, context: typeof lambdaContext) => Promise<unknown>;

export interface ApiResult {
  status: number;
  headers: Record<string, string>;
  raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
  body: any;
}

export async function call(handler: Handler, routeKey: string, options: Parameters<typeof httpEvent>[1] = {}): Promise<ApiResult> {
  const result = (await handler(httpEvent(routeKey, options), lambdaContext)) as APIGatewayProxyStructuredResultV2;
  const raw = result.body ?? "";
  assertDocumented(routeKey, result);
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    body = raw;
  }
  return { status: result.statusCode ?? 200, headers: (result.headers ?? {}) as Record<string, string>, raw, body };
}

/** Status and parsed body only, for tests that compare whole responses with `toEqual`. */
export async function callForBody(handler: Handler, routeKey: string, options: Parameters<typeof httpEvent>[1] = {}) {
  const { status, body } = await call(handler, routeKey, options);
  return { status, body };
}

export interface TestMerchant {
  id: string;
  name: string;
  email: string;
  /** Its first API key's secret and id. */
  secret: string;
  keyId: string;
  /** The merchant as the API returned it. */
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field
  merchant: any;
}

/** A new merchant and its first API key secret, created through the real admin route. */
export async function newMerchant(name = "Test Merchant"): Promise<TestMerchant> {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${Math.random().toString(36).slice(2, 8)}@merchant.test`;
  const body = await expectStatus(call(merchantsHandler as Handler, "POST /v1/merchants", { token: adminToken, body: { name, email } }), 201);
  return { id: body.merchant.id, name, email, secret: body.apiKey.secret, keyId: body.apiKey.id, merchant: body.merchant };
}

/** The body of a response that must have `status`; anything else fails with the response in the message. */
export async function expectStatus(result: Promise<ApiResult>, status = 200): Promise<ApiResult["body"]> {
  const r = await result;
  if (r.status !== status) throw new Error(`Expected ${status}, got ${r.status}: ${r.raw}`);
  return r.body;
}

/** A merchant's request by token, with an optional `{id}` path parameter, body and query. */
export const merchantCall = (
  handler: unknown,
  routeKey: string,
  token: string,
  options: { id?: string; body?: object; query?: Record<string, string> } = {},
): Promise<ApiResult> =>
  call(handler as Handler, routeKey, {
    token,
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    ...(options.body ? { body: options.body } : {}),
    ...(options.query ? { query: options.query } : {}),
  });
