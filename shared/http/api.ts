/**
 * The wrapper every API function uses. For the operation matching the request's route key it:
 * authenticates, enforces the body limit, parses and validates path parameters, query and JSON body
 * with the operation's zod schemas, applies `Idempotency-Key` to POSTs, calls the route's handler
 * (which calls one service) and shapes the response. Errors reach the problem mapper, registered as
 * middy's onError, so no handler builds an error response itself.
 */
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type * as z from "zod";
import {
  assertAdmin,
  authenticateMerchant,
  bearerToken,
  type MerchantPrincipal,
} from "../auth/authenticate.ts";
import { dataSealer } from "../auth/sealed.ts";
import { verifyWithSecret } from "../aws/secrets.ts";
import { clockFor, httpPorts } from "../composition.ts";
import type { Clock } from "../domain/clock.ts";
import { ForbiddenError, NotFoundError, PayloadTooLargeError, ValidationError } from "../domain/errors.ts";
import { type BucketSettings, merchantApiBucket } from "../domain/limits.ts";
import { apiRequestLog, inApiLogContext, logContext } from "../observability.ts";
import { can, permissionFor } from "../users/roles.ts";
import { assertIdempotencyKey, idempotencyHeader, withIdempotency } from "./idempotency.ts";
import { type Operation, routeKeyOf } from "./operation.ts";
import { problemFor } from "./problem.ts";
import { merchantRateLimit } from "./rate-limit.ts";
import { fieldErrors } from "./validation.ts";

type Parsed<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

export interface ApiRequest<O extends Operation> {
  event: APIGatewayProxyEventV2;
  requestId: string;
  operation: O;
  clock: Clock;
  body: Parsed<O["body"], undefined>;
  query: Parsed<O["query"], Record<string, string | undefined>>;
  params: Parsed<O["params"], Record<string, string | undefined>>;
  principal: O["auth"] extends "merchant" ? MerchantPrincipal : undefined;
}

/** A response other than the operation's JSON success: another status, headers, or a binary body. */
export class HttpResponse {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
    /** A ready body (HTML, PDF as base64 with `isBase64Encoded`), sent as is. */
    readonly raw?: { body: string; isBase64Encoded?: boolean },
  ) {}
}

export interface Route<O extends Operation = Operation> {
  operation: O;
  handle(request: ApiRequest<O>): Promise<unknown>;
}

export const route = <O extends Operation>(
  operation: O,
  handle: (request: ApiRequest<O>) => Promise<unknown>,
): Route => ({ operation, handle }) as unknown as Route;

const defaultMaxBodyBytes = 256 * 1024;

export interface ApiOptions {
  /** Resolves each request's clock; the composition root's `clockFor` unless a test pins one. */
  clockFor?: typeof clockFor;
  /** The per-merchant API limit of this function's containers (shared/domain/limits.ts). */
  merchantBucket?: BucketSettings;
}

/** The Lambda handler serving `routes`; the route is chosen by the event's route key. */
export function apiHandler(routes: Route[], options: ApiOptions = {}) {
  const byKey = new Map(routes.map((r) => [routeKeyOf(r.operation), r]));
  const resolveClock = options.clockFor ?? clockFor;
  const limitMerchant = merchantRateLimit(options.merchantBucket ?? merchantApiBucket);
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(apiRequestLog())
    .onError((request) => {
      request.response = problemFor(request.error, request.event.requestContext?.requestId ?? "unknown");
    })
    .handler(async (event, context) => {
      const found = byKey.get(event.routeKey);
      if (!found) throw new NotFoundError(`Route ${event.routeKey}`);
      const { operation } = found;
      const requestId = event.requestContext.requestId;
      // Per request, never at import: the clock may depend on whose request it is.
      const principal = await authenticate(operation, event, resolveClock());
      logContext({ merchantId: principal?.merchantId });
      const clock = resolveClock({ merchantId: principal?.merchantId });
      if (principal) {
        limitMerchant(principal.merchantId, clock);
        assertPermitted(operation, principal);
      }
      const params = parse(operation.params, event.pathParameters ?? {});
      const query = parse(operation.query, event.queryStringParameters ?? {});
      const rawBody = readBody(event, operation.maxBodyBytes ?? defaultMaxBodyBytes);
      const body = operation.body
        ? parse(operation.body, operation.bodyOptional && rawBody.trim() === "" ? {} : parseJson(rawBody))
        : undefined;
      const run = async () => {
        const result = await found.handle({
          event,
          requestId,
          operation,
          clock,
          body,
          query,
          params,
          principal,
        } as never);
        return toResponse(operation, result, requestId);
      };
      const key = event.headers[idempotencyHeader];
      if (operation.method !== "POST" || key === undefined || operation.auth === "public") return run();
      assertIdempotencyKey(key);
      const scope = principal?.merchantId ?? "admin";
      return withIdempotency(
        {
          store: httpPorts.idempotency,
          clock,
          scope,
          key,
          request: { method: operation.method, path: event.rawPath, body: rawBody },
          lockMs: Math.max(context?.getRemainingTimeInMillis?.() ?? 30_000, 1000),
          ...(operation.responseCarriesSecret
            ? { sealer: await dataSealer(`idempotency ${scope} ${key}`, clock) }
            : {}),
        },
        run,
      );
    });
  return (event: APIGatewayProxyEventV2, context: Context) =>
    inApiLogContext(event, context, () => handler(event, context));
}

async function authenticate(
  operation: Operation,
  event: APIGatewayProxyEventV2,
  clock: Clock,
): Promise<MerchantPrincipal | undefined> {
  if (operation.auth === "public") return undefined;
  const presented = bearerToken(event.headers.authorization);
  if (operation.auth === "admin") {
    await verifyWithSecret("adminToken", clock, (token) => assertAdmin(presented, token));
    return undefined;
  }
  return authenticateMerchant(httpPorts.merchants, presented, clock);
}

/** Refuses an operation the key's role may not run: before any input is read, so nothing is learned or written. */
function assertPermitted(operation: Operation, principal: MerchantPrincipal): void {
  const needed = permissionFor(operation);
  if (!can(principal.role, needed))
    throw new ForbiddenError(
      `An API key with the ${principal.role} role may not call ${routeKeyOf(operation)}: it needs the ${needed} permission`,
    );
}

function readBody(event: APIGatewayProxyEventV2, maxBytes: number): string {
  const raw =
    event.body === undefined
      ? ""
      : event.isBase64Encoded
        ? Buffer.from(event.body, "base64").toString("utf8")
        : event.body;
  const size = Buffer.byteLength(raw, "utf8");
  if (size > maxBytes)
    throw new PayloadTooLargeError(`The request body is ${size} bytes; the limit is ${maxBytes} bytes`);
  return raw;
}

function parseJson(raw: string): unknown {
  if (raw.trim() === "")
    throw new ValidationError([{ path: "body", message: "is required (a JSON object)" }]);
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError([{ path: "body", message: "is not valid JSON" }]);
  }
}

function parse(schema: z.ZodType | undefined, input: unknown): never {
  if (!schema) return input as never;
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues, input));
  return parsed.data as never;
}

function toResponse(
  operation: Operation,
  result: unknown,
  requestId: string,
): APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string } {
  if (result instanceof HttpResponse) {
    const raw = result.raw;
    return {
      statusCode: result.status,
      headers: {
        ...(raw ? {} : { "content-type": "application/json" }),
        "x-request-id": requestId,
        ...result.headers,
      },
      body: raw ? raw.body : JSON.stringify(result.body),
      ...(raw?.isBase64Encoded ? { isBase64Encoded: true } : {}),
    };
  }
  if (operation.status === 204) return { statusCode: 204, headers: { "x-request-id": requestId }, body: "" };
  return {
    statusCode: operation.status,
    headers: { "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify(result),
  };
}
