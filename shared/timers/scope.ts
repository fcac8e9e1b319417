/**
 * Whose work a billing-queue message is: its merchant, and the test clock of its customer when it has
 * one — named by the message itself (a schedule's payload), or by its event's invoice, customer or
 * quote, or its data (a payment method's event names its customer's clock). The consumer resolves the
 * clock the work runs on from it.
 */
import * as z from "zod";
import { lazy } from "../lazy.ts";

const named = lazy(() => z.string().optional());
const scoped = lazy(() =>
  z.looseObject({
    merchantId: named(),
    testClockId: named(),
    data: z
      .looseObject({
        invoice: z.looseObject({ testClockId: named() }).optional(),
        customer: z.looseObject({ testClockId: named() }).optional(),
        quote: z.looseObject({ testClockId: named() }).optional(),
        testClockId: named(),
      })
      .optional(),
  }),
);

export function messageScope(body: unknown): { merchantId?: string; testClockId?: string } {
  const scope = scoped().safeParse(body).data;
  const data = scope?.data;
  const testClockId =
    scope?.testClockId ??
    data?.invoice?.testClockId ??
    data?.customer?.testClockId ??
    data?.quote?.testClockId ??
    data?.testClockId;
  return {
    ...(scope?.merchantId ? { merchantId: scope.merchantId } : {}),
    ...(testClockId ? { testClockId } : {}),
  };
}
