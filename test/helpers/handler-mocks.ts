/**
 * For handler tests that run an API function against a mocked DynamoDB document client: a merchant
 * whose API key the mock answers, and a call that returns status, headers and parsed body (and checks
 * the response against the OpenAPI document: ./contract.ts).
 */
import { createHash } from "node:crypto";
import { BatchGetCommand, GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { AwsStub } from "aws-sdk-client-mock";
import { assertDocumented } from "./contract.ts";
import { httpEvent, lambdaContext } from "./events.ts";

export const tableName = "kassa-handler-test";
/** The deployment's public base URL the handlers are configured with. */
export const publicBaseUrl = "https://pay.kassa.test";
export const merchantId = "mer_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9";
export const merchantPk = `MERCHANT#${merchantId}`;
export const apiSecret = "sk_handler_test_secret_0123456789abcdefghijklmno";
export const apiKeyPk = `APIKEY#${createHash("sha256").update(apiSecret).digest("hex")}`;

/** The stored item of the test merchant (Acme Coffee, Europe/Berlin, EUR), as its routes read it. */
export const merchantItem = {
  PK: merchantPk,
  SK: "MERCHANT",
  type: "merchant",
  version: 1,
  id: merchantId,
  name: "Acme Coffee",
  email: "owner@acme.test",
  timeZone: "Europe/Berlin",
  defaultCurrency: "EUR",
  branding: {},
  invoiceNumberPrefix: "ACME",
  defaultPaymentTerms: "net_30",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

// biome-ignore lint/suspicious/noExplicitAny: the mock's input/output types differ per client
type DocumentStub = AwsStub<any, any, DynamoDBDocumentClient["config"]>;

/**
 * Points the handlers at the test table and answers the API-key lookup with an active key of
 * `merchantId`, used recently enough that authentication writes nothing. Any other GetItem (or
 * BatchGetItem) finds nothing unless a test answers it.
 */
export function useMerchantKey(ddb: DocumentStub): void {
  process.env.TABLE_NAME = tableName;
  process.env.PUBLIC_BASE_URL = publicBaseUrl;
  ddb.on(GetCommand).resolves({});
  ddb.on(BatchGetCommand).resolves({});
  ddb.on(GetCommand, { Key: { PK: apiKeyPk, SK: "APIKEY" } }).resolves({
    Item: {
      PK: apiKeyPk,
      SK: "APIKEY",
      type: "apiKey",
      id: "key_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
      merchantId,
      status: "active",
      lastUsedAt: "9999-12-31T23:59:59.999Z",
    },
  });
}

/** Every key the handler read, alone (GetItem) or in a batch (BatchGetItem), in order. */
export const keysRead = (ddb: DocumentStub): Record<string, unknown>[] =>
  ddb
    .calls()
    .flatMap((call) =>
      call.args[0] instanceof GetCommand
        ? [call.args[0].input.Key ?? {}]
        : call.args[0] instanceof BatchGetCommand
          ? (call.args[0].input.RequestItems?.[tableName]?.Keys ?? [])
          : [],
    );

export interface HandlerResult {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
  body: any;
}

export async function callHandler(
  handler: (event: ReturnType<typeof httpEvent>, context: typeof lambdaContext) => Promise<unknown>,
  routeKey: string,
  options: Parameters<typeof httpEvent>[1] = {},
): Promise<HandlerResult> {
  const result = (await handler(
    httpEvent(routeKey, { token: apiSecret, ...options }),
    lambdaContext,
  )) as APIGatewayProxyStructuredResultV2;
  const raw = result.body ?? "";
  assertDocumented(routeKey, result);
  return {
    status: result.statusCode ?? 200,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: raw ? JSON.parse(raw) : undefined,
  };
}
