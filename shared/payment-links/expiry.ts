/**
 * A checkout session's end: a one-time schedule, named after the session and planned when it is
 * created, fires at its `expiresAt`. An open session then becomes `expired` with its
 * `checkout.expired` event, and a redemption held by a payment that crashed before completing is
 * given back, all in one transaction on the session's version: a second firing finds it expired and
 * changes nothing, and a session completed in the meantime is left alone. The processor's checkout
 * the buyer was sent to, if one is open, is expired first: once it is closed unpaid the hold goes
 * back with the session; if it was paid after all, the session stays open for its payment to finish.
 * The invoice an abandoned session leaves open (a declined card, never paid) is voided first: it was
 * the session's, and paying it later would complete nothing — and a payment racing the expiry then
 * finds it void, never charged.
 */
import * as z from "zod";
import type { OneTimeSchedule } from "../aws/scheduler.ts";
import type { Clock } from "../domain/clock.ts";
import { retryOnConflict } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { cancelInvoiceCheckout } from "../invoices/pay.ts";
import { voidInvoice } from "../invoices/service.ts";
import type { PaymentPorts } from "../payments/ports.ts";
import type { CheckoutSessionStore } from "../store/checkout-sessions.ts";
import { type TimerRegistrations, timerQueue, work } from "../timers/registry.ts";
import type { CheckoutPorts } from "./checkout.ts";
import { attemptLive, type CheckoutSession } from "./checkout-session.ts";
import { lazy } from "../lazy.ts";

/** What a session's expiry schedule delivers. */
export const checkoutExpireMessage = lazy(() =>
  z.object({
    kind: z.literal("checkout.expire"),
    merchantId: z.string(),
    checkoutSessionId: z.string(),
    /** The link's test clock: the firing runs on its time (functions/billing/timers.ts). */
    testClockId: z.string().optional(),
  }),
);

export const checkoutExpiryName = (sessionId: string) => `${sessionId}-expiry`;

export function checkoutExpirySchedule(
  merchantId: string,
  session: Pick<CheckoutSession, "id" | "expiresAt">,
  testClockId?: string,
): OneTimeSchedule {
  return {
    name: checkoutExpiryName(session.id),
    at: new Date(session.expiresAt),
    queue: timerQueue,
    payload: {
      kind: "checkout.expire",
      merchantId,
      checkoutSessionId: session.id,
      ...(testClockId ? { testClockId } : {}),
    } satisfies z.input<ReturnType<typeof checkoutExpireMessage>>,
  };
}

export interface CheckoutExpiryPorts {
  checkoutSessions: Pick<CheckoutSessionStore, "read" | "expire">;
  /** To close a session's open processor checkout. */
  payments: () => PaymentPorts;
  /** To void the invoice an abandoned session leaves open. */
  checkouts: () => Pick<CheckoutPorts, "invoices">;
  clock: Clock;
}

/**
 * Closes the processor checkout a session's buyer was sent to (none: nothing to do). True when it is
 * over unpaid, so the session's hold can be given back; false when it was paid after all (its
 * payment, reported by the processor, finishes the session).
 */
export async function closeProcessorCheckout(
  payments: PaymentPorts,
  merchantId: string,
  session: CheckoutSession,
): Promise<boolean> {
  const open = session.processorCheckout;
  if (!open || !session.invoiceId) return true;
  await cancelInvoiceCheckout(payments, merchantId, session.invoiceId, open.paymentId);
  return (await payments.payments.read(merchantId, open.paymentId))?.value.status === "failed";
}

export async function expireCheckout(
  ports: CheckoutExpiryPorts,
  merchantId: string,
  sessionId: string,
): Promise<void> {
  await retryOnConflict(5, async () => {
    const found = await ports.checkoutSessions.read(merchantId, sessionId);
    // A redelivery after a crash between the void and the expiry finishes the void.
    if (found?.value.status === "expired") await voidAbandoned(ports, merchantId, found.value);
    if (found?.value.status !== "open") return;
    const now = ports.clock.now();
    // A payment that may still be running could yet complete: the message comes back after the
    // queue's visibility timeout (minutes), when that payment has either ended or is stale.
    if (attemptLive(found.value, now))
      throw new Error(`Checkout session ${sessionId} has a payment under way; its expiry is retried`);
    if (!(await closeProcessorCheckout(ports.payments(), merchantId, found.value))) return;
    await voidAbandoned(ports, merchantId, found.value);
    // The subscription a recurring checkout built is never written: its draft goes with the session.
    const { payingSince: _, redemptionHeld, pendingSubscription: __, ...rest } = found.value;
    const next: CheckoutSession = { ...rest, status: "expired", updatedAt: now.toISOString() };
    await ports.checkoutSessions.expire(
      merchantId,
      next,
      found.version,
      redemptionHeld === true,
      newEvent("checkout.expired", merchantId, sessionId, now, { checkoutSession: next }),
    );
  });
}

/** Voids the session's invoice if it is still open and nothing of it was paid. */
async function voidAbandoned(ports: CheckoutExpiryPorts, merchantId: string, session: CheckoutSession) {
  if (!session.invoiceId) return;
  const { invoices } = ports.checkouts();
  const invoice = (await invoices.invoices.read(merchantId, session.invoiceId))?.value;
  if (invoice?.status === "open" && invoice.amountPaid === 0)
    await voidInvoice(invoices, merchantId, invoice.id);
}

export function checkoutTimers(ports: CheckoutExpiryPorts): TimerRegistrations {
  return {
    timers: {
      "checkout.expire": work(checkoutExpireMessage, (message) =>
        expireCheckout(ports, message.merchantId, message.checkoutSessionId),
      ),
    },
  };
}
