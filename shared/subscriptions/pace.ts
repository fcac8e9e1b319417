/**
 * How fast one merchant's renewals are billed (docs/scale.md). A merchant's items share one DynamoDB
 * partition (1,000 WCU/s); a renewal end to end costs 104 WCU (`npm run bench`) and its next ticket 1,
 * so billing at 8 per second takes 840 WCU/s and leaves the merchant's API traffic and event
 * consumers the rest.
 * Renewals due at one instant take numbered slots, 8 to a second after the instant; the period an
 * invoice bills is the message's, so only the moment of the invoice and charge moves, never `periodStart`.
 */

/** Renewals of one merchant billed per second. */
export const renewalPace = 8;

/** When the renewal holding `slot` (1 for the first) of those due at `due` fires: ⌊(slot − 1) / pace⌋ s late. */
export const pacedFiring = (due: Date, slot: number, pace = renewalPace): Date =>
  new Date(due.getTime() + Math.floor((Math.max(slot, 1) - 1) / pace) * 1000);

/** The sweep's interval (the manifest's `rate(15 minutes)`), in seconds. */
export const sweepIntervalSeconds = 900;

/** The most of one merchant's due subscriptions one sweep sends: an interval's worth at the pace. */
export const sweepQuota = renewalPace * sweepIntervalSeconds;
