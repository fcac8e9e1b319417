/**
 * Every notification, by the domain event that sends it: the notifications consumer looks the event
 * up here, and the outbox routes exactly these event types to the notifications queue.
 */
import { checkoutCompleted } from "./checkout-completed.ts";
import { excessRefunded } from "./excess-refunded.ts";
import { invoiceSent } from "./invoice-email.ts";
import type { Notification } from "./notification.ts";
import { paymentFailed } from "./payment-failed.ts";
import { payoutSummary } from "./payout-summary.ts";
import { quoteAccepted } from "./quote-accepted.ts";
import { quoteCountersign } from "./quote-countersign.ts";
import { quotePublished } from "./quote-published.ts";
import { receipt } from "./receipt.ts";
import { refund } from "./refund.ts";
import { renewalFailedNotice } from "./renewal-failed.ts";
import { renewalUpcoming } from "./renewal-upcoming.ts";
import { subscriptionCanceled } from "./subscription-canceled.ts";
import { subscriptionCreated } from "./subscription-created.ts";
import { taskCreated } from "./task-created.ts";
import { invitation, signInLink } from "./team.ts";
import { trialWillEnd } from "./trial-will-end.ts";
import { webhookEndpointDisabled } from "./webhook-endpoint-disabled.ts";
import { welcome } from "./welcome.ts";

export const notifications: readonly Notification[] = [
  welcome,
  invoiceSent,
  receipt,
  paymentFailed,
  refund,
  excessRefunded,
  payoutSummary,
  subscriptionCreated,
  subscriptionCanceled,
  renewalUpcoming,
  trialWillEnd,
  renewalFailedNotice,
  checkoutCompleted,
  quotePublished,
  quoteCountersign,
  quoteAccepted,
  taskCreated,
  webhookEndpointDisabled,
  invitation,
  signInLink,
];

const byEventType = new Map(notifications.map((n) => [n.eventType, n]));

/** The notification an event of this type sends, if any. */
export const notificationFor = (eventType: string): Notification | undefined => byEventType.get(eventType);

/** The event types that send a notification: what the outbox routes to the notifications queue. */
export const notificationEventTypes: readonly string[] = [...byEventType.keys()];
