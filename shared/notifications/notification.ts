/**
 * A notification: the email(s) one domain event calls for. Each lives in its own module and names its
 * event type, what it reads of the event's data and how it renders; `registry.ts` lists them and the
 * notifications consumer sends what the registered one renders, once per event.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { BilledCustomer, Invoice } from "../invoices/invoice.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Payment } from "../payments/payment.ts";
import type { NotificationPorts } from "./ports.ts";
import { lazy } from "../lazy.ts";

/** The domain event as a notification sees it: its data as the notification's schema read it. */
export interface NotificationEvent<Data> {
  id: string;
  type: string;
  merchantId: string;
  objectId?: string | undefined;
  data: Data;
}

export interface Notification<Data = unknown> {
  /** The domain event that sends it: the outbox routes exactly these to the notifications queue. */
  eventType: string;
  /**
   * What it reads of the event's data; a record that does not parse fails, to be retried. A `lazy()`
   * thunk (shared/lazy.ts): the registry lists every notification, and a function that imports it
   * builds only the schemas of the events it reads.
   */
  data: () => z.ZodType<Data>;
  /** Its mails for one event: none when the event calls for none. */
  render(event: NotificationEvent<Data>, ports: NotificationPorts): Promise<Mail[]>;
}

type FieldKind = "string" | "integer" | "object" | "array";

const isKind: Record<FieldKind, (value: unknown) => boolean> = {
  string: (value) => typeof value === "string",
  integer: (value) => Number.isSafeInteger(value),
  object: (value) => typeof value === "object" && value !== null,
  array: Array.isArray,
};

/**
 * A record an event carries (a payment, a subscription…), as its domain type: the domain wrote and
 * validated it, so the schema checks only the fields mail reads (named from the type, so they cannot
 * drift) instead of re-declaring it.
 */
export function domainRecord<T>(name: string, fields: Partial<Record<keyof T & string, FieldKind>>) {
  return z.custom<T>(
    (value) =>
      typeof value === "object" &&
      value !== null &&
      Object.entries(fields).every(([field, kind]) =>
        isKind[kind as FieldKind]((value as Record<string, unknown>)[field]),
      ),
    { message: `Expected a ${name} record` },
  );
}

/** A record of money (payment, refund, payout): one recorded before it carried a mode is test money. */
export function moneyRecord<T extends { livemode: boolean }>(
  name: string,
  fields: Partial<Record<keyof T & string, FieldKind>>,
): z.ZodType<T> {
  return domainRecord<T>(name, fields).transform((record) => ({
    ...record,
    livemode: record.livemode ?? false,
  }));
}

/**
 * The invoice an event is about, as the API presents it now, and its merchant; both must exist. Its
 * customer names the locale its buyer reads in (`withBuyerLocale`).
 */
export async function invoiceWithMerchant(
  ports: NotificationPorts,
  merchantId: string,
  invoiceId: string,
): Promise<{ invoice: Invoice; merchant: Merchant }> {
  const [invoice, merchant] = await Promise.all([
    ports.invoice(merchantId, invoiceId),
    ports.merchant(merchantId),
  ]);
  if (!invoice || !merchant) throw new Error(`Invoice ${invoiceId} or its merchant is missing`);
  return {
    invoice: { ...invoice, customer: await withBuyerLocale(ports, merchantId, invoice.customer) },
    merchant,
  };
}

/**
 * A document's buyer (its customer snapshot) with the locale they read mail in: the snapshot's, else
 * their customer record's now (a buyer who chose one after the document was made reads in it).
 */
export async function withBuyerLocale(
  ports: NotificationPorts,
  merchantId: string,
  buyer: BilledCustomer,
): Promise<BilledCustomer> {
  // A snapshot written before customers carried an id names no record to read.
  if (buyer.locale || !buyer.id) return buyer;
  const locale = (await ports.customer(merchantId, buyer.id))?.locale;
  return locale ? { ...buyer, locale } : buyer;
}

/** A payment an event carries. */
export const paymentRecord = lazy(() =>
  moneyRecord<Payment>("payment", {
    id: "string",
    amount: "integer",
    currency: "string",
    method: "object",
  }),
);

/**
 * A payment event's invoice, its merchant and the payment as it is now (the event may have been
 * written before a later report filled in the card's details); none for a payment on no invoice.
 */
export async function paymentOnInvoice(
  ports: NotificationPorts,
  event: NotificationEvent<{ payment: Payment }>,
): Promise<{ payment: Payment; invoice: Invoice; merchant: Merchant } | undefined> {
  const { invoiceId } = event.data.payment;
  if (!invoiceId) return undefined;
  const [{ invoice, merchant }, current] = await Promise.all([
    invoiceWithMerchant(ports, event.merchantId, invoiceId),
    ports.payment(event.merchantId, event.objectId ?? ""),
  ]);
  return { payment: current ? paymentRecord().parse(current) : event.data.payment, invoice, merchant };
}
