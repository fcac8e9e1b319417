/**
 * Calls API handlers in-process the way API Gateway would, and creates merchants through the real
 * admin route, for integration tests that run against the emulators.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { handler as merchantsHandler } from "../../functions/api/merchants.ts";
import { adminToken } from "./aws.ts";
import { httpEvent, lambdaContext } from "./events.ts";

type Handler = (event: ReturnType<typeof httpEvent>, context: typeof lambdaContext) => Promise<unknown>;

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
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    body = raw;
  }
  return { status: result.statusCode ?? 200, headers: (result.headers ?? {}) as Record<string, string>, raw, body };
}

/** A new merchant and its first API key secret. */
export async function newMerchant(name = "Test Merchant"): Promise<{ id: string; secret: string; keyId: string }> {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${Math.random().toString(36).slice(2, 8)}@merchant.test`;
  const { status, body } = await call(merchantsHandler as Handler, "POST /v1/merchants", { token: adminToken, body: { name, email } });
  if (status !== 201) throw new Error(`Creating a merchant failed: ${status} ${JSON.stringify(body)}`);
  return { id: body.merchant.id, secret: body.apiKey.secret, keyId: body.apiKey.id };
}
