/**
 * The quote's state machine (DESIGN §5): `draft → open (published) → accepted | declined | expired |
 * canceled | superseded`. Only a draft is edited; only an open quote is acted on.
 */
import { StateConflictError } from "./errors.ts";

export type QuoteStatus = "draft" | "open" | "accepted" | "declined" | "expired" | "canceled" | "superseded";

export const quoteStatuses = [
  "draft",
  "open",
  "accepted",
  "declined",
  "expired",
  "canceled",
  "superseded",
] as const satisfies readonly QuoteStatus[];

const allowedFrom = {
  edit: ["draft"],
  delete: ["draft"],
  publish: ["draft"],
  cancel: ["open"],
  accept: ["open"],
  revise: ["open"],
} as const satisfies Record<string, readonly QuoteStatus[]>;

export type QuoteAction = keyof typeof allowedFrom;

/** Throws a 409 naming the current status when `action` is not allowed from it. */
export function assertQuoteCan(action: QuoteAction, status: QuoteStatus): void {
  if (!(allowedFrom[action] as readonly QuoteStatus[]).includes(status)) {
    throw new StateConflictError(`Cannot ${action} a quote whose status is ${status}`);
  }
}

/** `Q-0001`, and its revisions `Q-0001-2`, `Q-0001-3`, … */
export const quoteNumber = (sequence: number, revision = 1): string =>
  `Q-${String(sequence).padStart(4, "0")}${revision > 1 ? `-${revision}` : ""}`;
