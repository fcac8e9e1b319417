/**
 * The wrapper every API handler uses: authenticate, enforce the body limit, parse JSON and validate
 * it with the route's zod schema, call the handler's one service, shape the response. Errors reach
 * the problem mapper, registered as middy's onError, so no handler builds an error response itself.
 */
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { z } from "zod";
import { assertAdmin, authenticateMerchant, bearerToken, type MerchantPrincipal } from "../auth/authenticate.ts";
import { getAdminToken } from "../aws/secrets.ts";
import { PayloadTooLargeError, ValidationError } from "../domain/errors.ts";
import { dynamoMerchantStore } from "../store/merchants.ts";
import { problemFor } from "./problem.ts";
import { fieldErrors } from "./validation.ts";

export type Auth = "admin" | "merchant" | "public";

export interface ApiRequest<Body, A extends Auth> {
  event: APIGatewayProxyEventV2;
  requestId: string;
  body: Body;
  principal: A extends "merchant" ? MerchantPrincipal : undefined;
  pathParameters: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiOptions<S extends z.ZodType | undefined, A extends Auth> {
  auth: A;
  body?: S;
  /** Requests larger than this are refused with 413 before parsing (default 256 KB). */
  maxBodyBytes?: number;
}

const defaultMaxBodyBytes = 256 * 1024;

type BodyOf<S> = S extends z.ZodType ? z.output<S> : undefined;

export function api<S extends z.ZodType | undefined, A extends Auth>(
  options: ApiOptions<S, A>,
  handle: (request: ApiRequest<BodyOf<S>, A>) => Promise<ApiResponse>,
) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .onError((request) => {
      request.response = problemFor(request.error, request.event.requestContext?.requestId ?? "unknown");
    })
    .handler(async (event) => {
      const requestId = event.requestContext.requestId;
      const principal = await authenticate(options.auth, event);
      const body = options.body ? parseBody(event, options.body, options.maxBodyBytes ?? defaultMaxBodyBytes) : undefined;
      const response = await handle({
        event,
        requestId,
        body: body as BodyOf<S>,
        principal: principal as ApiRequest<BodyOf<S>, A>["principal"],
        pathParameters: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
      });
      return {
        statusCode: response.status,
        headers: {
          ...(response.body === undefined ? {} : { "content-type": "application/json" }),
          "x-request-id": requestId,
          ...response.headers,
        },
        body: response.body === undefined ? "" : JSON.stringify(response.body),
      };
    });
}

async function authenticate(auth: Auth, event: APIGatewayProxyEventV2): Promise<MerchantPrincipal | undefined> {
  if (auth === "public") return undefined;
  const presented = bearerToken(event.headers.authorization);
  if (auth === "admin") {
    assertAdmin(presented, await getAdminToken());
    return undefined;
  }
  return authenticateMerchant(dynamoMerchantStore, presented);
}

function parseBody<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S, maxBytes: number): z.output<S> {
  const raw = event.body === undefined ? "" : event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  const size = Buffer.byteLength(raw, "utf8");
  if (size > maxBytes) {
    throw new PayloadTooLargeError(`The request body is ${size} bytes; the limit is ${maxBytes} bytes`);
  }
  let json: unknown;
  try {
    json = raw === "" ? undefined : JSON.parse(raw);
  } catch {
    throw new ValidationError([{ path: "body", message: "is not valid JSON" }]);
  }
  if (json === undefined) throw new ValidationError([{ path: "body", message: "is required (a JSON object)" }]);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues));
  return parsed.data;
}

export const created = (body: unknown): ApiResponse => ({ status: 201, body });
export const ok = (body: unknown): ApiResponse => ({ status: 200, body });
