/**
 * Dunning's pure rules: which declines may be retried, and when the retries of a failure fall.
 */
import { sameLocalTimeDaysLater } from "./calendar.ts";

/**
 * Declines the card networks say never to retry (the card is gone, or the issuer advises against
 * any further attempt): retrying them only earns the merchant penalties.
 */
const hardDeclineCodes: ReadonlySet<string> = new Set([
  "lost_card",
  "stolen_card",
  "pickup_card",
  "restricted_card",
  "revocation_of_all_authorizations",
  "revocation_of_authorization",
  "stop_payment_order",
  "do_not_try_again",
]);

export const isHardDecline = (declineCode: string) => hardDeclineCodes.has(declineCode);

/** The retries of a failure at `failedAt`: each `retryDays` later, at the same local time of day. */
export const retryInstants = (failedAt: Date, retryDays: readonly number[], timeZone: string): string[] =>
  retryDays.map((days) => sameLocalTimeDaysLater(failedAt, days, timeZone).toISOString());
