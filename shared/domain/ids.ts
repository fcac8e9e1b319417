/**
 * Object ids: a type prefix and a ULID, so ids sort by creation time and say what they name.
 */
import { encodeTime, monotonicFactory } from "ulid";

export const idPrefixes = {
  merchant: "mer",
  apiKey: "key",
  event: "evt",
  customer: "cus",
  paymentMethod: "pm",
  product: "prd",
  taxRate: "txr",
  discountCode: "dc",
  invoice: "inv",
  paymentLink: "plink",
  checkoutSession: "cs",
  quote: "quo",
  quoteTemplate: "qtpl",
  subscription: "sub",
  subscriptionItem: "si",
  payment: "pay",
  refund: "re",
  payout: "po",
  view: "view",
  balanceTransaction: "txn",
  testClock: "clk",
  workflow: "wf",
  workflowEnrollment: "wfe",
  task: "task",
  segment: "seg",
  webhookEndpoint: "we",
  webhookDelivery: "whd",
  webhookReplay: "whr",
  user: "usr",
} as const;

export type IdKind = keyof typeof idPrefixes;

let ulid = monotonicFactory();
let lastTime = Number.NEGATIVE_INFINITY;

/**
 * Monotonic within a millisecond. One process makes ids on several clocks (a test clock's customers
 * live years ahead), and a monotonic factory never goes back in time: once it made an id in 2030,
 * every later id would carry 2030 too, and fall outside its list's creation-time window. So time
 * going back starts a fresh factory.
 */
export function newId(kind: IdKind, now: Date): string {
  const time = now.getTime();
  if (time < lastTime) ulid = monotonicFactory();
  lastTime = time;
  return `${idPrefixes[kind]}_${ulid(time)}`;
}

/** True when `id` has the prefix of `kind` and a well-formed ULID after it. */
export function isId(kind: IdKind, id: string): boolean {
  return new RegExp(`^${idPrefixes[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`).test(id);
}

/**
 * A time a ULID can hold: milliseconds since 1970 (up to the year 10889, past any 4-digit ISO year);
 * a query's ISO date-time reaches back to year 0, and `encodeTime` throws before 1970.
 */
const ulidTime = (ms: number) => Math.max(0, ms);

/**
 * The bounds of ids of `kind` created in [from, to): ULIDs start with their creation time, so a range
 * of creation times is a range of ids (and of sort keys). Times before 1970 count as 1970; a range
 * that ends before it starts holds nothing.
 */
export function idRange(kind: IdKind, from?: Date, to?: Date): { lower: string; upper: string } {
  const prefix = `${idPrefixes[kind]}_`;
  const lower = from ? `${prefix}${encodeTime(ulidTime(from.getTime()), 10)}` : prefix;
  const upper = to ? `${prefix}${encodeTime(ulidTime(to.getTime() - 1), 10)}~` : `${prefix}~`;
  // `to` before `from` is an empty range, not a reversed one (DynamoDB refuses BETWEEN high AND low):
  // no id equals a bare time prefix, so [lower, lower] holds none.
  if (upper < lower) return { lower, upper: lower };
  return { lower, upper };
}
