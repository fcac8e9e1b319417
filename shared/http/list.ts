/**
 * List pagination for API handlers: `?limit=` and a signed `?cursor=` in, `{ data, nextCursor }` out.
 * A cursor is bound to its merchant, its operation, its path parameters and its filters.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { freshSecret, verifyWithSecret } from "../aws/secrets.ts";
import type { Clock } from "../domain/clock.ts";
import { ValidationError } from "../domain/errors.ts";
import { decodeCursor, encodeCursor, type Position } from "./cursor.ts";

interface ListRequest {
  event: APIGatewayProxyEventV2;
  operation: { id: string };
  principal?: { merchantId: string } | undefined;
  query: { limit: number; cursor?: string | undefined };
  clock: Clock;
}

const joined = (entries: [string, string | undefined][]) =>
  entries
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");

/** The list a cursor belongs to: the merchant, the operation, its path (whose object's list) and its filters. */
function contextOf(request: ListRequest): string {
  const path = joined(Object.entries(request.event.pathParameters ?? {}));
  const filters = joined(
    Object.entries(request.event.queryStringParameters ?? {}).filter(
      ([name]) => name !== "cursor" && name !== "limit",
    ),
  );
  return `${request.principal?.merchantId ?? "admin"}|${request.operation.id}|${path}|${filters}`;
}

/** The page size and the position to continue after, from the request's `limit` and `cursor`. */
export async function pageRequest(request: ListRequest): Promise<{ limit: number; after?: Position }> {
  const { limit, cursor } = request.query;
  if (!cursor) return { limit };
  // A cursor another container signed after a rotation fails with this one's old secret: re-read.
  const after = await verifyWithSecret(
    "cursorSecret",
    request.clock,
    (secret) => decodeCursor(secret, contextOf(request), cursor),
    (error) => error instanceof ValidationError,
  );
  return { limit, after };
}

export async function pageResponse<T>(request: ListRequest, page: { items: T[]; next?: Position }) {
  return {
    data: page.items,
    nextCursor: page.next
      ? encodeCursor(await freshSecret("cursorSecret", request.clock), contextOf(request), page.next)
      : null,
  };
}
