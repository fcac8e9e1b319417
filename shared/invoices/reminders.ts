/**
 * The timed work of an open invoice: one reminder per configured day (09:00 in the merchant's time
 * zone, relative to the due date) and the moment it becomes overdue. Schedules are named after the
 * invoice, so creating them twice is harmless and cancelling needs no lookup.
 */
import * as z from "zod";
import type { OneTimeSchedule } from "../aws/scheduler.ts";
import { addDays, localTime } from "../domain/calendar.ts";
import { timerQueue } from "../timers/registry.ts";
import { lazy } from "../lazy.ts";

/** What a reminder schedule delivers (read by invoices/timers.ts). */
export const invoiceReminderMessage = lazy(() =>
  z.object({
    kind: z.literal("invoice.reminder"),
    merchantId: z.string(),
    invoiceId: z.string(),
    daysAfterDue: z.number().int(),
  }),
);

/** What the overdue schedule delivers (read by invoices/timers.ts). */
export const invoiceOverdueMessage = lazy(() =>
  z.object({
    kind: z.literal("invoice.overdue"),
    merchantId: z.string(),
    invoiceId: z.string(),
  }),
);

const reminderName = (invoiceId: string, days: number) =>
  `${invoiceId}-reminder-${days < 0 ? `m${-days}` : days}`;
const overdueName = (invoiceId: string) => `${invoiceId}-overdue`;

export function invoiceSchedules(
  input: {
    merchantId: string;
    invoiceId: string;
    dueDate: string;
    overdueAt: string;
    reminderDays: number[];
    timeZone: string;
  },
  now: Date,
): OneTimeSchedule[] {
  const reminders = input.reminderDays.map(
    (days): OneTimeSchedule => ({
      name: reminderName(input.invoiceId, days),
      at: localTime(addDays(input.dueDate, days), 9, input.timeZone),
      queue: timerQueue,
      payload: {
        kind: "invoice.reminder",
        merchantId: input.merchantId,
        invoiceId: input.invoiceId,
        daysAfterDue: days,
      } satisfies z.input<ReturnType<typeof invoiceReminderMessage>>,
    }),
  );
  const overdue: OneTimeSchedule = {
    name: overdueName(input.invoiceId),
    at: new Date(input.overdueAt),
    queue: timerQueue,
    payload: {
      kind: "invoice.overdue",
      merchantId: input.merchantId,
      invoiceId: input.invoiceId,
    } satisfies z.input<ReturnType<typeof invoiceOverdueMessage>>,
  };
  // A reminder whose time has already passed at finalize would only arrive late: skip it.
  return [...reminders, overdue].filter((s) => s.at.getTime() > now.getTime());
}

export function invoiceScheduleNames(invoiceId: string, reminderDays: number[]): string[] {
  return [...reminderDays.map((d) => reminderName(invoiceId, d)), overdueName(invoiceId)];
}
