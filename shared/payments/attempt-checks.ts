/**
 * The check of a direct charge once its hold on the payable lapses: a one-time schedule on the
 * billing queue, named after the payment (so planning it twice is harmless), planned before the
 * processor is asked, so that a crash between its answer and the answer's record is covered too.
 * When it fires, a payment still `processing` asks the processor again (`askAgain`).
 */
import * as z from "zod";
import type { OneTimeSchedule } from "../aws/scheduler.ts";
import { timerQueue } from "../timers/registry.ts";
import { lazy } from "../lazy.ts";

export const attemptCheckMessage = lazy(() =>
  z.object({
    kind: z.literal("payment.check"),
    merchantId: z.string(),
    paymentId: z.string(),
  }),
);

export type AttemptCheckMessage = z.infer<ReturnType<typeof attemptCheckMessage>>;

/** The check of `paymentId`'s charge, due when its hold lapses (`at`). */
export function attemptCheck(merchantId: string, paymentId: string, at: Date): OneTimeSchedule {
  const payload: AttemptCheckMessage = { kind: "payment.check", merchantId, paymentId };
  return { name: `${paymentId}-check`, at, queue: timerQueue, payload };
}
