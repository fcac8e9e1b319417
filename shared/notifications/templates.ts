/** The reminder email where the billing consumer imports it from. */
export { invoiceReminderEmail } from "./invoice-reminder.ts";
