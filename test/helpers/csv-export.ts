/**
 * CSV export helpers: seed many customers straight into the table (through the store's own item
 * mapping, 25 a batch, four writers), and follow an export's `Link` headers to its end.
 */
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import { newId } from "../../shared/domain/ids.ts";
import { customerCollection } from "../../shared/store/customers.ts";
import { type ApiResult, call, type Handler } from "./api.ts";
import type { TestAws } from "./aws.ts";

/** `count` customers with ids (and so list order) after `from`, written without the API. */
export async function seedCustomers(aws: TestAws, merchantId: string, count: number, from = Date.now()) {
  const ids: string[] = [];
  const items = Array.from({ length: count }, (_, i) => {
    const at = new Date(from + i);
    const id = newId("customer", at);
    ids.push(id);
    const customer: Customer = {
      id,
      email: `buyer-${i}@seed.test`,
      name: `Buyer, number ${i}`,
      taxIds: [],
      metadata: {},
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    } as Customer;
    return customerCollection.putNewWrite(merchantId, customer).item.Put!.Item!;
  });
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, b) => items.slice(b * 25, b * 25 + 25));
  await Promise.all(
    [0, 1, 2, 3].map(async (lane) => {
      for (let b = lane; b < batches.length; b += 4) {
        let request: Record<string, unknown>[] = batches[b]!.map((Item) => ({ PutRequest: { Item } }));
        while (request.length) {
          const out = await aws.db.send(new BatchWriteCommand({ RequestItems: { [aws.tableName]: request as never } }));
          request = (out.UnprocessedItems?.[aws.tableName] ?? []) as Record<string, unknown>[];
        }
      }
    }),
  );
  return ids;
}

/** The CSV's records (header first), split on CRLF outside quotes. */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  expect(field === "" && record.length === 0, "the CSV ends with CRLF").toBe(true);
  return records;
}

/** The `?query` of a `Link: <path?query>; rel="next"` header, or undefined. */
export function nextOf(response: ApiResult): Record<string, string> | undefined {
  const link = response.headers.link;
  if (!link) return undefined;
  const match = /^<([^>]+)>; rel="next"$/.exec(link);
  expect(match, link).not.toBeNull();
  return Object.fromEntries(new URL(match![1]!, "https://kassa.test").searchParams);
}

/** Every response of an export, following `Link` from `query` to the end. */
export async function exportAll(
  handler: unknown,
  routeKey: string,
  token: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const responses: ApiResult[] = [];
  let next: Record<string, string> | undefined = query;
  while (next) {
    const response = await call(handler as Handler, routeKey, { token, query: next, headers });
    expect(response.status, response.raw.slice(0, 300)).toBe(200);
    expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(response.raw.charCodeAt(0), "no BOM").not.toBe(0xfeff);
    expect(Buffer.byteLength(response.raw)).toBeLessThan(5_000_000);
    responses.push(response);
    next = nextOf(response);
  }
  return responses;
}
