/**
 * What billing a subscription's period is, as timed work on the billing queue: the message a
 * period's one-time schedule (wall clock), the sweep (missed periods) and a test clock's advance
 * (the clock's customers) all deliver, and the schedule's name — derived from the subscription and
 * the period, so planning it twice is harmless and a firing names the period it bills.
 */
import * as z from "zod";
import { lazy } from "../lazy.ts";

export const subscriptionBillMessage = lazy(() =>
  z.object({
    kind: z.literal("subscription.bill"),
    merchantId: z.string(),
    subscriptionId: z.string(),
    /** The period this firing bills (0 first); a firing for a period already billed does nothing. */
    period: z.number().int().min(0),
    /** The customer's test clock: the work runs on its time (absent: the wall clock). */
    testClockId: z.string().optional(),
  }),
);

export type SubscriptionBillMessage = z.input<ReturnType<typeof subscriptionBillMessage>>;

export const billingScheduleName = (subscriptionId: string, period: number) =>
  `${subscriptionId}-period-${period}`;
