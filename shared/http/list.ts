/**
 * List pagination for API handlers: `?limit=` and a signed `?cursor=` in, `{ data, nextCursor }` out,
 * or (asked for CSV) up to 2,000 rows as `text/csv` with a `Link: <…>; rel="next"` header. A cursor is
 * bound to its merchant, its operation, its path parameters and its filters — not to `limit` or
 * `format`, so a JSON page's cursor continues in CSV and back.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { freshSecret, verifyWithSecret } from "../aws/secrets.ts";
import type { Clock } from "../domain/clock.ts";
import { ValidationError } from "../domain/errors.ts";
import { HttpResponse } from "./api.ts";
import type { CsvColumn } from "./csv.ts";
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

/** Query parameters a cursor is not bound to: the position itself, the page size and the format. */
const unbound = new Set(["cursor", "limit", "format"]);

/** The list a cursor belongs to: the merchant, the operation, its path (whose object's list) and its filters. */
function contextOf(request: ListRequest): string {
  const path = joined(Object.entries(request.event.pathParameters ?? {}));
  const filters = joined(
    Object.entries(request.event.queryStringParameters ?? {}).filter(
      ([name]) => !unbound.has(name),
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

/** What one CSV response holds at most; `pageRows` is what it asks the store for at a time. */
export const csvLimits = {
  rows: 2_000,
  /** Under 5 MB (and Lambda's 6 MB response limit). */
  bytes: 5_000_000,
  pageRows: 100,
  /** Store requests per response: a filter that rarely matches answers with fewer rows and a Link. */
  pages: 60,
};

/** CSV when `?format=csv`, or without `format` when the Accept header prefers `text/csv` to JSON. */
export function wantsCsv(event: APIGatewayProxyEventV2, format: "csv" | "json" | undefined): boolean {
  if (format) return format === "csv";
  const accepted = (event.headers?.accept ?? "")
    .split(",")
    .map((range, order) => {
      const [type = "", ...params] = range.split(";").map((p) => p.trim().toLowerCase());
      const q = params.find((p) => p.startsWith("q="));
      return { type, q: q ? Number(q.slice(2)) : 1, order };
    })
    .filter((r) => r.q > 0 && (r.type === "text/csv" || r.type === "application/json"))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return accepted[0]?.type === "text/csv";
}

type ListQuery = { limit: number; cursor?: string | undefined; format?: "csv" | "json" | undefined };
type Filters<Q> = Omit<Q, "limit" | "cursor" | "format">;
type PageOf<T> = { items: T[]; next?: Position | undefined };

/**
 * A list operation's response: one page as `{ data, nextCursor }`, or, when the client asks for CSV,
 * pages of the store read on until 2,000 rows (or 5 MB) as `text/csv` with a `Link` to the rest.
 * `fetch` reads one page with the query's filters (its saved view included).
 */
export async function listResponse<Q extends ListQuery, T>(
  request: ListRequest & { query: Q; operation: { csv: readonly CsvColumn<T>[] } },
  fetch: (filters: Filters<Q>, page: { limit: number; after?: Position }) => Promise<PageOf<T>>,
) {
  const { limit: _limit, cursor: _cursor, format, ...filters } = request.query;
  const start = await pageRequest(request);
  if (!wantsCsv(request.event, format)) return pageResponse(request, await fetch(filters, start));
  const { csvHeader, csvLine } = await import("./csv-writer.ts");
  const columns = request.operation.csv;
  const header = csvHeader(columns);
  const lines: string[] = [];
  let bytes = Buffer.byteLength(header);
  let after = start.after;
  for (let pages = 0; pages < csvLimits.pages && lines.length < csvLimits.rows; pages++) {
    const position = after ? { after } : {};
    const limit = Math.min(csvLimits.pageRows, csvLimits.rows - lines.length);
    const page = await fetch(filters, { limit, ...position });
    const encoded = page.items.map((row) => csvLine(columns, row));
    let fit = 0;
    for (const line of encoded) {
      if (bytes + Buffer.byteLength(line) > csvLimits.bytes) break;
      bytes += Buffer.byteLength(line);
      fit++;
    }
    if (fit < encoded.length) {
      // Cut inside a page: read just the rows that fit again, so the cursor lands after the last one sent.
      const cut = fit > 0 ? await fetch(filters, { limit: fit, ...position }) : { items: [], next: after };
      lines.push(...cut.items.map((row) => csvLine(columns, row)));
      after = cut.next;
      break;
    }
    lines.push(...encoded);
    after = page.next;
    if (!after) break;
  }
  const link = after ? await nextLink(request, after) : undefined;
  return new HttpResponse(
    200,
    undefined,
    { "content-type": "text/csv; charset=utf-8", ...(link ? { link } : {}) },
    { body: header + lines.join("") },
  );
}

/** `<{path}?{the same query, cursor = next}>; rel="next"`, relative to the request's own URL. */
async function nextLink(request: ListRequest, next: Position): Promise<string> {
  const cursor = encodeCursor(await freshSecret("cursorSecret", request.clock), contextOf(request), next);
  const query = new URLSearchParams(
    Object.entries(request.event.queryStringParameters ?? {}).filter(
      (entry): entry is [string, string] => entry[0] !== "cursor" && entry[1] !== undefined,
    ),
  );
  query.set("cursor", cursor);
  return `<${request.event.rawPath}?${query}>; rel="next"`;
}
