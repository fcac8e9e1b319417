/**
 * The checks of a refund still pending at the processor: one-time schedules on the billing queue,
 * named after the refund and the check's number (so planning one twice is harmless), backing off
 * from minutes to every 6 hours until the refund settles.
 */
import * as z from "zod";
import type { OneTimeSchedule } from "../aws/scheduler.ts";
import { timerQueue } from "../timers/registry.ts";
import { lazy } from "../lazy.ts";

const delaysMinutes = [5, 15, 60, 180, 360];

export const refundCheckMessage = lazy(() =>
  z.object({
    kind: z.literal("refund.check"),
    merchantId: z.string(),
    refundId: z.string(),
    check: z.number().int().min(1),
  }),
);

export type RefundCheckMessage = z.infer<ReturnType<typeof refundCheckMessage>>;

export function refundCheck(merchantId: string, refundId: string, check: number, now: Date): OneTimeSchedule {
  const minutes = delaysMinutes[Math.min(check, delaysMinutes.length) - 1] ?? 360;
  const payload: RefundCheckMessage = { kind: "refund.check", merchantId, refundId, check };
  return {
    name: `${refundId}-check-${check}`,
    at: new Date(now.getTime() + minutes * 60_000),
    queue: timerQueue,
    payload,
  };
}
