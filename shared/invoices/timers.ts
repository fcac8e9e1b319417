/**
 * The invoices' timed work on the billing queue: a finalized invoice's reminder and overdue
 * schedules are planned, a paid or voided one's are cancelled, and when one fires it sends the
 * reminder email (at most once) or records the invoice.overdue event (exactly once).
 */
import * as z from "zod";
import type { Mailer } from "../aws/mailer.ts";
import type { SchedulerPort } from "../aws/scheduler.ts";
import type { Clock } from "../domain/clock.ts";
import { newEvent } from "../domain/events.ts";
import { invoiceReminderEmail } from "../notifications/invoice-reminder.ts";
import { eventMessage } from "../outbox/message.ts";
import type { InvoiceStore } from "./ports.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { Once } from "../timers/once.ts";
import { type TimerRegistrations, work } from "../timers/registry.ts";
import {
  invoiceOverdueMessage,
  invoiceReminderMessage,
  invoiceScheduleNames,
  invoiceSchedules,
} from "./reminders.ts";
import { presentInvoice } from "./service.ts";
import { lazy } from "../lazy.ts";

const finalizedEvent = lazy(() =>
  eventMessage().extend({
    data: z.object({
      invoice: z.object({ id: z.string(), dueDate: z.string() }),
      timeZone: z.string(),
      reminderDays: z.array(z.number().int()),
      overdueAt: z.string(),
    }),
  }),
);

export interface InvoiceTimerPorts {
  invoices: InvoiceStore;
  merchants: MerchantStore;
  mailer: Mailer;
  scheduler: () => SchedulerPort;
  /** The reminder email goes out once per invoice and reminder day. */
  once: Once;
  clock: Clock;
}

export function invoiceTimers(ports: InvoiceTimerPorts): TimerRegistrations {
  const cancelSchedules = work(eventMessage, async (event) => {
    const found = await ports.invoices.read(event.merchantId, event.objectId ?? "");
    if (!found) return;
    for (const name of invoiceScheduleNames(found.value.id, found.value.reminderDays ?? []))
      await ports.scheduler().cancel(name);
  });

  return {
    timers: {
      "invoice.reminder": work(invoiceReminderMessage, async (message) => {
        const now = ports.clock.now();
        const found = await ports.invoices.read(message.merchantId, message.invoiceId);
        if (!found) return;
        const invoice = found.value;
        if (
          !(invoice.status === "open" || invoice.status === "uncollectible") ||
          invoice.amountRemaining === 0
        )
          return;
        const merchant = await ports.merchants.readMerchant(message.merchantId);
        if (!merchant) return;
        const key = `${invoice.id}:reminder:${message.daysAfterDue}`;
        await ports.once(
          { consumer: "invoice-reminders", key, clock: ports.clock, claimSeconds: 60 },
          async () => {
            await ports.mailer.send(
              invoiceReminderEmail(presentInvoice(invoice, now), merchant.value, message.daysAfterDue),
            );
          },
        );
      }),
      "invoice.overdue": work(invoiceOverdueMessage, async (message) => {
        const now = ports.clock.now();
        const found = await ports.invoices.read(message.merchantId, message.invoiceId);
        if (!found) return;
        const invoice = found.value;
        // Marking it overdue moves no version: the event's sequence is that of the snapshot it carries.
        await ports.invoices.markOverdue(message.merchantId, invoice.id, now.toISOString(), {
          ...newEvent("invoice.overdue", message.merchantId, invoice.id, now, {
            invoice: presentInvoice(invoice, now),
          }),
          sequence: found.version,
        });
      }),
    },
    events: {
      "invoice.finalized": work(finalizedEvent, async (event) => {
        const schedules = invoiceSchedules(
          {
            merchantId: event.merchantId,
            invoiceId: event.data.invoice.id,
            dueDate: event.data.invoice.dueDate,
            overdueAt: event.data.overdueAt,
            reminderDays: event.data.reminderDays,
            timeZone: event.data.timeZone,
          },
          ports.clock.now(),
        );
        for (const schedule of schedules) await ports.scheduler().scheduleOnce(schedule);
      }),
      "invoice.paid": cancelSchedules,
      "invoice.voided": cancelSchedules,
    },
  };
}
