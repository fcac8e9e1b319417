/**
 * The invoice as a payable (the payments' `Payable` port): an attempt pays what it still owes and
 * holds it by its payment lock (`PaymentLock`); a success pays it (invoice.paid once nothing remains,
 * and the customer's open count drops); an outcome ends the lock as `lockAfterOutcome` says.
 */
import { ConflictError, NotFoundError, retryOnConflict, StateConflictError } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import { newEvent } from "../domain/events.ts";
import {
  assertInvoiceCan,
  assertNoPaymentInFlight,
  countsAsOpen,
  isPayable,
  lockAfterOutcome,
} from "../domain/invoice-lifecycle.ts";
import type { Versioned } from "../domain/records.ts";
import type { OutcomeOfPayment, Payable } from "../payments/payable.ts";
import type { InvoiceStore, StoredInvoice } from "./ports.ts";
import { presentInvoice } from "./service.ts";

/**
 * `opening`: an invoice as the request already read it (with its merchant, in one request): the
 * first attempt on it opens on that read (absent: not found) rather than reading again. Its hold is
 * conditional on the version read, so a change since is a lost race, as after any read; an attempt
 * opened again (after a lapsed one's outcome) reads afresh.
 */
export function payableInvoices(
  invoices: InvoiceStore,
  opening?: { invoiceId: string; found: Versioned<StoredInvoice> | undefined },
): Payable {
  let prefetched = opening;
  return {
    async open(merchantId, invoiceId, { paymentId, via, until, now }) {
      const found =
        prefetched?.invoiceId === invoiceId ? prefetched.found : await invoices.read(merchantId, invoiceId);
      prefetched = undefined;
      if (!found) throw new NotFoundError("Invoice");
      const { value: invoice, version } = found;
      assertInvoiceCan("recordPayment", invoice.status);
      if (invoice.amountRemaining <= 0) throw new ConflictError("Nothing is due on this invoice");
      assertNoPaymentInFlight(invoice.paymentLock, now);
      // Past the check above, a lock left on the invoice is an attempt whose hold lapsed without an outcome.
      const lapsed = invoice.paymentLock?.paymentId;
      const attempt = (invoice.paymentAttempts ?? 0) + 1;
      const held: StoredInvoice = {
        ...invoice,
        paymentLock: { paymentId, via, until },
        paymentAttempts: attempt,
        updatedAt: now.toISOString(),
      };
      const [hold] = invoices.replaceWrites(merchantId, held, version);
      if (!hold) throw new Error("unreachable: replacing an invoice is a change");
      return {
        amount: invoice.amountRemaining,
        currency: invoice.currency,
        customerId: invoice.customerId,
        customerEmail: invoice.customer.email,
        description: `Invoice ${invoice.number ?? invoice.id}`,
        attempt,
        ...(invoice.subscriptionId || invoice.savesCard ? { saveMethod: true } : {}),
        ...(lapsed ? { lapsed } : {}),
        hold,
        held,
      };
    },

    async atOutcome(merchantId, invoiceId, paymentId) {
      const found = await invoices.read(merchantId, invoiceId);
      if (!found) return undefined;
      const { value: invoice, version } = found;
      return {
        owed: isPayable(invoice) ? invoice.amountRemaining : 0,
        ...(invoice.hostedUrl ? { hostedUrl: invoice.hostedUrl } : {}),
        settle: (outcome) => settle(invoices, merchantId, invoice, version, paymentId, outcome),
      };
    },

    async recordCheckoutSession(merchantId, invoiceId, paymentId, sessionId) {
      await retryOnConflict(5, async () => {
        const found = await invoices.read(merchantId, invoiceId);
        const lock = found?.value.paymentLock;
        if (!found || lock?.paymentId !== paymentId) {
          throw new StateConflictError("The invoice is no longer locked to this payment");
        }
        await invoices.replaceLock(merchantId, invoiceId, found.version, {
          ...lock,
          checkoutSessionId: sessionId,
        });
      });
    },

    async checkoutSessionOf(merchantId, invoiceId, paymentId) {
      const lock = (await invoices.read(merchantId, invoiceId))?.value.paymentLock;
      return lock?.paymentId === paymentId ? lock.checkoutSessionId : undefined;
    },
  };
}

/**
 * What an outcome of `paymentId` changes of the invoice. A duplicate or stale outcome (`moves`
 * false) only ends the lock, leaving the rest untouched; one that moves the payment adds what it
 * took to the amount paid and replaces the invoice with the lock as it ends.
 */
function settle(
  invoices: InvoiceStore,
  merchantId: string,
  invoice: StoredInvoice,
  version: number,
  paymentId: string,
  outcome: OutcomeOfPayment,
) {
  const lock = invoice.paymentLock?.paymentId === paymentId ? invoice.paymentLock : undefined;
  const nextLock = lock ? lockAfterOutcome(lock, outcome.status, outcome.sessionOver) : undefined;
  const lockChanged = lock !== undefined && nextLock !== lock;
  if (!outcome.moves) {
    return {
      changes: lockChanged ? [invoices.paymentLockWrite(merchantId, invoice.id, version, nextLock)] : [],
      events: [],
    };
  }
  const { now, taken } = outcome;
  const at = now.toISOString();
  let next: StoredInvoice | undefined;
  const events: DomainEvent[] = [];
  let customerDelta: -1 | undefined;
  if (outcome.status === "succeeded" && taken > 0) {
    const remaining = invoice.amountRemaining - taken;
    next = {
      ...invoice,
      amountPaid: invoice.amountPaid + taken,
      amountRemaining: remaining,
      ...(remaining === 0 ? { status: "paid" as const, paidAt: at } : {}),
      updatedAt: at,
    };
    if (remaining === 0) {
      events.push(
        newEvent(
          "invoice.paid",
          merchantId,
          invoice.id,
          now,
          { invoice: presentInvoice(next, now) },
          outcome.livemode,
        ),
      );
      if (countsAsOpen(invoice.status)) customerDelta = -1;
    }
  }
  if (lockChanged) {
    const { paymentLock: _, ...rest } = next ?? invoice;
    next = { ...rest, ...(nextLock ? { paymentLock: nextLock } : {}), updatedAt: at };
  }
  return next
    ? { changes: invoices.replaceWrites(merchantId, next, version, customerDelta), events, after: next }
    : { changes: [], events };
}
