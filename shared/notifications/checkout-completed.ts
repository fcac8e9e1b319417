/**
 * A completed checkout of a payment link (issue 13 §3): the buyer's order confirmation (what they
 * bought, how much, the invoice and its page) and the merchant's notice of the order (who bought,
 * what, how much, and the answers to the link's custom fields). One notification, so one claim of
 * `checkout.completed` covers both.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Address } from "../customers/customer.ts";
import { formatMoney, formatQuantity } from "../domain/format.ts";
import type { Invoice } from "../invoices/invoice.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { type CheckoutSession, recurringTerms } from "../payment-links/checkout-session.ts";
import type { PaymentLink } from "../payment-links/payment-link.ts";
import { compose, invoiceTestNotice, supportLine } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";

/** What the order mails read of the invoice the checkout was paid by. */
export type OrderInvoice = Pick<Invoice, "id" | "number" | "hostedUrl">;

/** What the order mails read of the link: its name, and its custom fields' labels. */
export type OrderLink = Pick<PaymentLink, "id" | "name" | "customFields">;

/** Each line with its amount, then the sums: what both mails say was bought. */
function orderParagraphs(session: CheckoutSession): string[] {
  const money = (amount: number) => formatMoney(amount, session.currency);
  return [
    ...session.lineItems.map(
      (line) =>
        `${line.description}${line.quantity === 1 ? "" : ` × ${formatQuantity(line.quantity)}`}: ${money(line.amountSubtotal)}.`,
    ),
    ...(session.taxTotal > 0 || session.discountTotal > 0 ? [`Subtotal: ${money(session.subtotal)}.`] : []),
    ...(session.discountTotal > 0
      ? [`Discount (${session.discountCode}): −${money(session.discountTotal)}.`]
      : []),
    ...(session.taxTotal > 0 ? [`Tax: ${money(session.taxTotal)}.`] : []),
    ...(session.recurring
      ? [`Total: ${money(session.total)}.`, `Paid today: ${money(session.amountDueNow)}.`, recurringTerms(session) ?? ""]
      : [`Total paid: ${money(session.total)}.`]),
    ...(session.subscriptionId ? [`Subscription: ${session.subscriptionId}.`] : []),
  ];
}

const invoiceName = (session: CheckoutSession, invoice: OrderInvoice | undefined) =>
  invoice?.number ?? invoice?.id ?? session.invoiceId;

const addressText = (address: Address): string =>
  [address.line1, address.line2, `${address.postalCode} ${address.city}`, address.state, address.country]
    .filter(Boolean)
    .join(", ");

/** The buyer's confirmation, in the merchant's branding. */
export function orderConfirmationEmail(
  session: CheckoutSession,
  invoice: OrderInvoice | undefined,
  merchant: Merchant,
): Mail {
  const number = invoiceName(session, invoice);
  const title = `Your order from ${merchant.name}: ${formatMoney(session.amountDueNow, session.currency)} paid`;
  const paragraphs = [
    `Thank you for your order from ${merchant.name}. You bought:`,
    ...orderParagraphs(session),
    ...(number ? [`Invoice number: ${number}.`] : []),
    ...(invoice?.hostedUrl ? [`Your invoice and receipt: ${invoice.hostedUrl}`] : []),
    ...supportLine(merchant),
  ];
  return compose(
    { email: session.email, name: session.name },
    title,
    paragraphs,
    merchant,
    invoiceTestNotice(merchant),
  );
}

/**
 * The merchant's notice: every detail the link collected, and every custom field's label and
 * answer (an optional one left empty says so). The labels are the link's now; an answer whose field
 * was removed from the link since is shown under its key.
 */
export function newOrderEmail(
  session: CheckoutSession,
  invoice: OrderInvoice | undefined,
  link: OrderLink | undefined,
  merchant: Merchant,
): Mail {
  const who = session.name ? `${session.name} (${session.email})` : session.email;
  const number = invoiceName(session, invoice);
  const fields = link?.customFields ?? [];
  const known = new Set(fields.map((field) => field.key));
  const answers = [
    ...fields.map((field) => `${field.label}: ${session.customFields[field.key] ?? "(not answered)"}`),
    ...Object.entries(session.customFields)
      .filter(([key]) => !known.has(key))
      .map(([key, answer]) => `${key}: ${answer}`),
  ];
  const title = `New order: ${session.name ?? session.email}, ${formatMoney(session.amountDueNow, session.currency)}`;
  const paragraphs = [
    `${who} bought through ${link ? `payment link "${link.name}" (${link.id})` : `payment link ${session.paymentLinkId}`}. Checkout ${session.id}${number ? `, invoice ${number}` : ""}:`,
    ...orderParagraphs(session),
    `Email: ${session.email}.`,
    ...(session.name ? [`Name: ${session.name}.`] : []),
    ...(session.phone ? [`Phone: ${session.phone}.`] : []),
    ...(session.billingAddress ? [`Billing address: ${addressText(session.billingAddress)}.`] : []),
    ...(session.shippingAddress ? [`Shipping address: ${addressText(session.shippingAddress)}.`] : []),
    ...(answers.length > 0 ? ["Custom fields:", ...answers] : []),
  ];
  return compose(merchant, title, paragraphs, undefined, invoiceTestNotice(merchant));
}

const checkoutSessionRecord = domainRecord<CheckoutSession>("checkout session", {
  id: "string",
  paymentLinkId: "string",
  email: "string",
  currency: "string",
  lineItems: "array",
  subtotal: "integer",
  taxTotal: "integer",
  total: "integer",
  amountDueNow: "integer",
  customFields: "object",
});

export const checkoutCompleted: Notification<{ checkoutSession: CheckoutSession }> = {
  eventType: "checkout.completed",
  data: z.object({ checkoutSession: checkoutSessionRecord }),
  async render({ merchantId, data }, ports) {
    const session = data.checkoutSession;
    const [merchant, invoice, link] = await Promise.all([
      ports.merchant(merchantId),
      session.invoiceId ? ports.invoice(merchantId, session.invoiceId) : undefined,
      ports.paymentLink(merchantId, session.paymentLinkId),
    ]);
    if (!merchant) throw new Error(`The merchant of checkout session ${session.id} is missing`);
    return [
      orderConfirmationEmail(session, invoice, merchant),
      newOrderEmail(session, invoice, link, merchant),
    ];
  },
};
