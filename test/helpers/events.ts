/** Factories for Lambda events, built from the samples in events/ so tests use real payload shapes. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { type DomainEvent, newEvent } from "../../shared/domain/events.ts";
import { newId } from "../../shared/domain/ids.ts";

export function sampleEvent<T>(file: string): T {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, "../../events", file), "utf8")) as T;
}

export function httpEvent(
  routeKey: string,
  options: {
    body?: string | object;
    token?: string;
    headers?: Record<string, string>;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2 {
  const base = sampleEvent<APIGatewayProxyEventV2>("apigw-post-merchants.json");
  const [method = "GET", path = "/"] = routeKey.split(" ");
  const body = typeof options.body === "object" ? JSON.stringify(options.body) : options.body;
  return {
    ...base,
    routeKey,
    rawPath: path,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : { pathParameters: undefined }),
    ...(options.query ? { queryStringParameters: options.query } : { queryStringParameters: undefined }),
    requestContext: { ...base.requestContext, routeKey, http: { ...base.requestContext.http, method, path } },
    body,
    isBase64Encoded: false,
  };
}

export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: "test",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:test",
  memoryLimitInMB: "1024",
  awsRequestId: "test-request",
  logGroupName: "/aws/lambda/test",
  logStreamName: "test",
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} satisfies Context;

/** A card payment's `payment.succeeded` (USD, no fee) for `customerId`, as workflows enroll on it. */
export const paymentSucceeded = (
  merchantId: string,
  customerId: string,
  amount = 4200,
  at = new Date(),
): DomainEvent =>
  newEvent("payment.succeeded", merchantId, undefined, at, {
    payment: {
      id: newId("payment", at),
      amount,
      currency: "USD",
      fee: 0,
      net: amount,
      status: "succeeded",
      customerId,
      method: { type: "card", brand: "visa", last4: "4242" },
    },
  });
