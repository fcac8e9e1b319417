/**
 * List pagination for API handlers: `?limit=` and a signed `?cursor=` in, `{ data, nextCursor }` out.
 * A cursor is bound to its merchant, its operation and its filters.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { getSecret } from "../aws/secrets.ts";
import { decodeCursor, encodeCursor, type Position } from "./cursor.ts";

interface ListRequest {
  event: APIGatewayProxyEventV2;
  operation: { id: string };
  principal?: { merchantId: string } | undefined;
  query: { limit: number; cursor?: string | undefined };
}

function contextOf(request: ListRequest): string {
  const filters = Object.entries(request.event.queryStringParameters ?? {})
    .filter(([name]) => name !== "cursor" && name !== "limit")
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  return `${request.principal?.merchantId ?? "admin"}|${request.operation.id}|${filters}`;
}

/** The page size and the position to continue after, from the request's `limit` and `cursor`. */
export async function pageRequest(request: ListRequest): Promise<{ limit: number; after?: Position }> {
  const { limit, cursor } = request.query;
  if (!cursor) return { limit };
  return { limit, after: decodeCursor(await getSecret("cursorSecret"), contextOf(request), cursor) };
}

export async function pageResponse<T>(request: ListRequest, page: { items: T[]; next?: Position }) {
  return {
    data: page.items,
    nextCursor: page.next
      ? encodeCursor(await getSecret("cursorSecret"), contextOf(request), page.next)
      : null,
  };
}
