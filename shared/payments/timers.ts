/**
 * The payments' timed work on the billing queue: the checks of refunds still pending at the
 * processor (refund-checks.ts), the checks of direct charges whose hold lapsed (attempt-checks.ts),
 * and the sandbox's bank debits settling once their delay is over.
 */
import * as z from "zod";
import { type TimerRegistrations, work } from "../timers/registry.ts";
import { attemptCheckMessage } from "./attempt-checks.ts";
import { askAgain } from "./charges.ts";
import { refundCheckMessage } from "./refund-checks.ts";
import type { SandboxProcessor } from "./sandbox.ts";
import type { PaymentPorts } from "./ports.ts";
import { checkRefund } from "./refunds.ts";
import { lazy } from "../lazy.ts";

/** Delivered by the schedule the sandbox plans for a bank debit (`sandboxFor` in shared/composition.ts). */
export const sandboxSettlementMessage = lazy(() =>
  z.object({
    kind: z.literal("sandbox.settle"),
    paymentIntentId: z.string(),
    metadata: z.object({
      kassa_merchant_id: z.string(),
      kassa_payment_id: z.string(),
      kassa_invoice_id: z.string().optional(),
    }),
    accountId: z.string().optional(),
    description: z.string().optional(),
  }),
);

/** What the sandbox's wiring schedules: typed by the schema that reads it, so the two cannot drift. */
export type SandboxSettlementMessage = z.input<ReturnType<typeof sandboxSettlementMessage>>;

export interface PaymentTimerPorts {
  payments: () => PaymentPorts;
  sandbox: () => Promise<SandboxProcessor>;
}

export function paymentTimers(ports: PaymentTimerPorts): TimerRegistrations {
  return {
    timers: {
      "refund.check": work(refundCheckMessage, (message) =>
        checkRefund(ports.payments(), message.merchantId, message.refundId, message.check),
      ),
      "payment.check": work(attemptCheckMessage, async (message) => {
        // An answer that never came again changes nothing: the processor's events settle it, or the
        // next attempt on the payable asks again first.
        await askAgain(ports.payments(), message.merchantId, message.paymentId);
      }),
      "sandbox.settle": work(sandboxSettlementMessage, async (message) => {
        // The bank debit's delay is over: the sandbox reports it settled, like a bank would.
        await (await ports.sandbox()).settleBankDebit(message.paymentIntentId, {
          metadata: message.metadata,
          ...(message.accountId ? { accountId: message.accountId } : {}),
          ...(message.description ? { description: message.description } : {}),
        });
      }),
    },
  };
}
