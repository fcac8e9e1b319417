/**
 * The one error mapper: domain errors (by their explicit `name`) become RFC 9457 problem documents.
 * Anything unexpected is a 500 whose detail names only the request id; the cause goes to the log.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { type FieldError, storeBusy } from "../domain/errors.ts";
import { log } from "../observability.ts";

const statuses: Record<string, { status: number; title: string; slug: string }> = {
  ValidationError: { status: 400, title: "Invalid request", slug: "invalid-request" },
  UnauthorizedError: { status: 401, title: "Unauthorized", slug: "unauthorized" },
  ForbiddenError: { status: 403, title: "Forbidden", slug: "forbidden" },
  NotFoundError: { status: 404, title: "Not found", slug: "not-found" },
  ConflictError: { status: 409, title: "Conflict", slug: "conflict" },
  PayloadTooLargeError: { status: 413, title: "Payload too large", slug: "payload-too-large" },
  PaymentDeclinedError: { status: 402, title: "Payment declined", slug: "payment-declined" },
  TooManyRequestsError: { status: 429, title: "Too many requests", slug: "too-many-requests" },
  ServiceUnavailableError: { status: 503, title: "Service unavailable", slug: "unavailable" },
};

/**
 * DynamoDB's own throttling errors, once the SDK's retries with backoff gave up on a single request:
 * a 503 to retry, like a throttled transaction (`ServiceUnavailableError`), never a 500.
 */
const throttled = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"]);


export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** For 402: the processor's decline code (e.g. insufficient_funds) and the failed payment. */
  declineCode?: string;
  paymentId?: string;
  requestId: string;
}

export function problemResponse(
  problem: Problem,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { "content-type": "application/problem+json", "x-request-id": problem.requestId, ...headers },
    body: JSON.stringify(problem),
  };
}

export function problemFor(thrown: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  const error = thrown instanceof Error && throttled.has(thrown.name) ? storeBusy() : thrown;
  const known = error instanceof Error ? statuses[error.name] : undefined;
  if (!known || !(error instanceof Error)) {
    log.error("Unhandled error", { requestId, error: describe(error) });
    return problemResponse({
      type: "urn:kassa:problem:internal-error",
      title: "Internal server error",
      status: 500,
      detail: `Something went wrong on our side. Quote request id ${requestId} when reporting it.`,
      requestId,
    });
  }
  const { errors, declineCode, paymentId, retryAfterSeconds } = error as {
    errors?: FieldError[];
    declineCode?: string;
    paymentId?: string;
    retryAfterSeconds?: number;
  };
  return problemResponse(
    {
      type: `urn:kassa:problem:${known.slug}`,
      title: known.title,
      status: known.status,
      detail: error.message,
      ...(errors ? { errors } : {}),
      ...(declineCode ? { declineCode } : {}),
      ...(paymentId ? { paymentId } : {}),
      requestId,
    },
    {
      ...(known.status === 401 ? { "www-authenticate": "Bearer" } : {}),
      ...(retryAfterSeconds ? { "retry-after": String(retryAfterSeconds) } : {}),
    },
  );
}

function describe(error: unknown): unknown {
  return error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : error;
}
