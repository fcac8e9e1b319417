/**
 * A checkout paid through the processor's hosted checkout completes when its invoice is paid: the
 * invoice.paid event (on the billing queue) of an invoice a checkout made — its metadata names the
 * session — finishes that session (`finishCheckout`). The card form finishes its session at once;
 * its own event then finds it complete, as does a webhook or event delivered twice.
 */
import * as z from "zod";
import { eventMessage } from "../outbox/message.ts";
import { type TimerRegistrations, work } from "../timers/registry.ts";
import { type CheckoutPorts, finishCheckout } from "./checkout.ts";
import { lazy } from "../lazy.ts";

const invoicePaidEvent = lazy(() =>
  eventMessage().extend({
    data: z.object({
      invoice: z.object({
        id: z.string(),
        metadata: z.object({ checkoutSessionId: z.string().optional() }).optional(),
      }),
    }),
  }),
);

export interface CheckoutCompletionPorts {
  checkouts: () => CheckoutPorts;
}

/** Finishes the session an invoice was made for, with the payment that paid it. */
export async function checkoutInvoicePaid(
  ports: CheckoutPorts,
  merchantId: string,
  invoiceId: string,
  sessionId: string,
): Promise<void> {
  const found = await ports.sessions.read(merchantId, sessionId);
  if (found?.value.status !== "open" || found.value.invoiceId !== invoiceId) return;
  // Its payments since the session began: a key range, not the merchant's every payment.
  const paid = await ports.payments.payments.list(
    merchantId,
    { invoiceId, status: "succeeded", createdAfter: found.value.createdAt },
    { limit: 1 },
  );
  // None: it owed nothing (a 100 % discount), and was paid as it was.
  await finishCheckout(ports, merchantId, sessionId, { invoiceId, paymentId: paid.items[0]?.id });
}

export function checkoutCompletion(ports: CheckoutCompletionPorts): TimerRegistrations {
  return {
    events: {
      "invoice.paid": work(invoicePaidEvent, async (event) => {
        const sessionId = event.data.invoice.metadata?.checkoutSessionId;
        if (sessionId)
          await checkoutInvoicePaid(ports.checkouts(), event.merchantId, event.data.invoice.id, sessionId);
      }),
    },
  };
}
