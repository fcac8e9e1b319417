/**
 * Consumer of the billing queue, for invoices: plans an open invoice's reminder and overdue
 * schedules when it is finalized, cancels them when it is paid or voided, and acts when one fires —
 * a reminder email (at most once), or the invoice.overdue event (exactly once). It also runs the
 * daily payouts (starts a new merchant's chain, runs each day's run, and the sweep that re-seeds
 * dead chains) and the checks of refunds still pending at the processor.
 */
import * as z from "zod";
import { type Mailer, sesMailer } from "../../shared/aws/mailer.ts";
import { scheduler, type SchedulerPort } from "../../shared/aws/scheduler.ts";
import { type Clock, systemClock } from "../../shared/domain/clock.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { invoiceScheduleNames, invoiceSchedules } from "../../shared/invoices/reminders.ts";
import { presentInvoice } from "../../shared/invoices/service.ts";
import { invoiceReminderEmail } from "../../shared/notifications/templates.ts";
import { refundCheckMessage } from "../../shared/payments/refund-checks.ts";
import type { SandboxProcessor } from "../../shared/payments/sandbox.ts";
import { checkRefund, type PaymentPorts } from "../../shared/payments/service.ts";
import { paymentPorts, payoutPorts, sandboxFor } from "../../shared/payments/wiring.ts";
import {
  handlePayoutRun,
  type PayoutSweepPorts,
  payoutRunMessage,
  payoutSweepMessage,
  startPayoutChain,
  sweepPayoutChains,
} from "../../shared/payouts/run.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { dynamoInvoiceStore, type InvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore, type MerchantStore } from "../../shared/store/merchants.ts";
import { once } from "../../shared/store/processed.ts";
import { eventMessage } from "../../shared/outbox/message.ts";

const timer = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("invoice.reminder"),
    merchantId: z.string(),
    invoiceId: z.string(),
    daysAfterDue: z.number().int(),
  }),
  z.object({ kind: z.literal("invoice.overdue"), merchantId: z.string(), invoiceId: z.string() }),
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
]);

const billingMessage = z.union([timer, refundCheckMessage, payoutRunMessage, payoutSweepMessage, eventMessage]);

const finalized = z.object({
  invoice: z.object({ id: z.string(), dueDate: z.string() }),
  timeZone: z.string(),
  reminderDays: z.array(z.number().int()),
  overdueAt: z.string(),
});

interface Ports {
  invoices: InvoiceStore;
  merchants: MerchantStore;
  mailer: Mailer;
  scheduler: () => SchedulerPort;
  sandbox: () => SandboxProcessor;
  payouts: () => PayoutSweepPorts;
  payments: () => PaymentPorts;
  clock: Clock;
}

export function billingInvoices(ports: Ports) {
  return sqsConsumer(billingMessage, async (message) => {
    const now = ports.clock.now();
    if ("kind" in message && message.kind === "payouts.run") {
      await handlePayoutRun(ports.payouts(), message);
      return;
    }
    if ("kind" in message && message.kind === "payouts.sweep") {
      await sweepPayoutChains(ports.payouts());
      return;
    }
    if ("kind" in message && message.kind === "refund.check") {
      await checkRefund(ports.payments(), message.merchantId, message.refundId, message.check);
      return;
    }
    if ("kind" in message && message.kind === "sandbox.settle") {
      // A sandbox bank debit's delay is over: the sandbox reports it settled, like a bank would.
      await ports.sandbox().settleBankDebit(message.paymentIntentId, {
        metadata: message.metadata,
        ...(message.accountId ? { accountId: message.accountId } : {}),
        ...(message.description ? { description: message.description } : {}),
      });
      return;
    }
    if ("kind" in message) {
      const found = await ports.invoices.read(message.merchantId, message.invoiceId);
      if (!found) return;
      const invoice = found.value;
      if (message.kind === "invoice.overdue") {
        await ports.invoices.markOverdue(
          message.merchantId,
          invoice.id,
          now.toISOString(),
          newEvent("invoice.overdue", message.merchantId, invoice.id, now, {
            invoice: presentInvoice(invoice, now),
          }),
        );
        return;
      }
      if (!(invoice.status === "open" || invoice.status === "uncollectible") || invoice.amountRemaining === 0)
        return;
      const merchant = await ports.merchants.readMerchant(message.merchantId);
      if (!merchant) return;
      const key = `${invoice.id}:reminder:${message.daysAfterDue}`;
      await once({ consumer: "invoice-reminders", key, clock: ports.clock, claimSeconds: 60 }, async () => {
        await ports.mailer.send(
          invoiceReminderEmail(presentInvoice(invoice, now), merchant.value, message.daysAfterDue),
        );
      });
      return;
    }
    switch (message.type) {
      case "merchant.created":
        // Start the merchant's daily payout chain: each run schedules the next.
        await startPayoutChain(ports.payouts(), message.merchantId);
        return;
      case "invoice.finalized": {
        const data = finalized.parse(message.data);
        const schedules = invoiceSchedules(
          {
            merchantId: message.merchantId,
            invoiceId: data.invoice.id,
            dueDate: data.invoice.dueDate,
            overdueAt: data.overdueAt,
            reminderDays: data.reminderDays,
            timeZone: data.timeZone,
          },
          now,
        );
        for (const schedule of schedules) await ports.scheduler().scheduleOnce(schedule);
        return;
      }
      case "invoice.paid":
      case "invoice.voided": {
        const found = await ports.invoices.read(message.merchantId, message.objectId ?? "");
        if (!found) return;
        for (const name of invoiceScheduleNames(found.value.id, found.value.reminderDays ?? []))
          await ports.scheduler().cancel(name);
        return;
      }
      default:
        return;
    }
  });
}

export const handler = billingInvoices({
  invoices: dynamoInvoiceStore,
  merchants: dynamoMerchantStore,
  mailer: sesMailer,
  scheduler,
  sandbox: () => sandboxFor(systemClock),
  payouts: () => payoutPorts(systemClock),
  payments: () => paymentPorts(systemClock),
  clock: systemClock,
});
