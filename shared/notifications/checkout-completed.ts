/**
 * A completed checkout of a payment link (issue 13 §3): the buyer's order confirmation (what they
 * bought, how much, the invoice and its page) and the merchant's notice of the order (who bought,
 * what, how much, and the answers to the link's custom fields). One notification, so one claim of
 * `checkout.completed` covers both.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Address } from "../customers/customer.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { BilledCustomer, Invoice } from "../invoices/invoice.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { type CheckoutSession, recurringTerms } from "../payment-links/checkout-session.ts";
import type { PaymentLink } from "../payment-links/payment-link.ts";
import { compose, invoiceTestNotice, supportLine } from "./compose.ts";
import { domainRecord, type Notification, withBuyerLocale } from "./notification.ts";
import { lazy } from "../lazy.ts";

/**
 * What the order mails read of the invoice the checkout was paid by; its customer snapshot names
 * the buyer's locale.
 */
export type OrderInvoice = Pick<Invoice, "id" | "number" | "hostedUrl"> & {
  customer?: Pick<BilledCustomer, "locale">;
};

/** What the order mails read of the link: its name, and its custom fields' labels. */
export type OrderLink = Pick<PaymentLink, "id" | "name" | "customFields">;

/** What a recurring order charges from now on (the checkout page's terms, in the reader's words). */
function recurringParagraph(tr: Translator, session: CheckoutSession): string[] {
  const terms = recurringTerms(session, tr);
  return terms ? [terms] : [];
}

/** Each line with its amount, then the sums: what both mails say was bought. */
function orderParagraphs(tr: Translator, session: CheckoutSession): string[] {
  const money = (amount: number) => tr.money(amount, session.currency);
  return [
    ...session.lineItems.map((line) =>
      tr.t("email.line", {
        item: `${line.description}${line.quantity === 1 ? "" : ` × ${tr.quantity(line.quantity)}`}`,
        amount: money(line.amountSubtotal),
      }),
    ),
    ...(session.taxTotal > 0 || session.discountTotal > 0
      ? [tr.t("email.order.subtotal", { amount: money(session.subtotal) })]
      : []),
    ...(session.discountTotal > 0
      ? [
          tr.t("email.order.discount", {
            code: session.discountCode ?? "",
            amount: money(session.discountTotal),
          }),
        ]
      : []),
    ...(session.taxTotal > 0 ? [tr.t("email.order.tax", { amount: money(session.taxTotal) })] : []),
    ...(session.recurring
      ? [
          tr.t("email.order.total", { amount: money(session.total) }),
          tr.t("email.order.paidToday", { amount: money(session.amountDueNow) }),
          ...recurringParagraph(tr, session),
        ]
      : [tr.t("email.order.totalPaid", { amount: money(session.total) })]),
    ...(session.subscriptionId ? [tr.t("email.order.subscription", { id: session.subscriptionId })] : []),
  ];
}

const invoiceName = (session: CheckoutSession, invoice: OrderInvoice | undefined) =>
  invoice?.number ?? invoice?.id ?? session.invoiceId;

const addressText = (address: Address): string =>
  [address.line1, address.line2, `${address.postalCode} ${address.city}`, address.state, address.country]
    .filter(Boolean)
    .join(", ");

/**
 * The buyer's confirmation, in the merchant's branding and the buyer's words (the locale the
 * checkout's invoice snapshotted of its customer, else the merchant's).
 */
export function orderConfirmationEmail(
  session: CheckoutSession,
  invoice: OrderInvoice | undefined,
  merchant: Merchant,
): Mail {
  const tr = translator(readerLocale(merchant, invoice?.customer));
  const number = invoiceName(session, invoice);
  const title = tr.t("email.order.subject", {
    merchant: merchant.name,
    amount: tr.money(session.amountDueNow, session.currency),
  });
  const paragraphs = [
    tr.t("email.order.thanks", { merchant: merchant.name }),
    ...orderParagraphs(tr, session),
    ...(number ? [tr.t("email.order.invoiceNumber", { number })] : []),
    ...(invoice?.hostedUrl ? [tr.t("email.order.invoice", { url: invoice.hostedUrl })] : []),
    ...supportLine(tr, merchant),
  ];
  return compose(
    tr,
    { email: session.email, name: session.name },
    title,
    paragraphs,
    merchant,
    invoiceTestNotice(merchant, tr),
  );
}

/**
 * The merchant's notice: every detail the link collected, and every custom field's label and
 * answer (an optional one left empty says so). The labels are the link's now; an answer whose field
 * was removed from the link since is shown under its key. In the merchant's words.
 */
export function newOrderEmail(
  session: CheckoutSession,
  invoice: OrderInvoice | undefined,
  link: OrderLink | undefined,
  merchant: Merchant,
): Mail {
  const tr = translator(merchant.locale);
  const who = session.name ? `${session.name} (${session.email})` : session.email;
  const number = invoiceName(session, invoice);
  const fields = link?.customFields ?? [];
  const known = new Set(fields.map((field) => field.key));
  const answers = [
    ...fields.map(
      (field) => `${field.label}: ${session.customFields[field.key] ?? tr.t("email.newOrder.notAnswered")}`,
    ),
    ...Object.entries(session.customFields)
      .filter(([key]) => !known.has(key))
      .map(([key, answer]) => `${key}: ${answer}`),
  ];
  const title = tr.t("email.newOrder.subject", {
    who: session.name ?? session.email,
    amount: tr.money(session.amountDueNow, session.currency),
  });
  const paragraphs = [
    tr.t("email.newOrder.bought", {
      who,
      link: link
        ? tr.t("email.newOrder.namedLink", { name: link.name, id: link.id })
        : tr.t("email.newOrder.link", { id: session.paymentLinkId }),
      id: session.id,
      invoice: number ? tr.t("email.newOrder.invoice", { number }) : "",
    }),
    ...orderParagraphs(tr, session),
    tr.t("email.newOrder.email", { email: session.email }),
    ...(session.name ? [tr.t("email.newOrder.name", { name: session.name })] : []),
    ...(session.phone ? [tr.t("email.newOrder.phone", { phone: session.phone })] : []),
    ...(session.billingAddress
      ? [tr.t("email.newOrder.billingAddress", { address: addressText(session.billingAddress) })]
      : []),
    ...(session.shippingAddress
      ? [tr.t("email.newOrder.shippingAddress", { address: addressText(session.shippingAddress) })]
      : []),
    ...(answers.length > 0 ? [tr.t("email.newOrder.customFields"), ...answers] : []),
  ];
  return compose(tr, merchant, title, paragraphs, undefined, invoiceTestNotice(merchant, tr));
}

const checkoutSessionRecord = lazy(() =>
  domainRecord<CheckoutSession>("checkout session", {
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
  }),
);

export const checkoutCompleted: Notification<{ checkoutSession: CheckoutSession }> = {
  eventType: "checkout.completed",
  data: lazy(() => z.object({ checkoutSession: checkoutSessionRecord() })),
  async render({ merchantId, data }, ports) {
    const session = data.checkoutSession;
    const [merchant, invoice, link] = await Promise.all([
      ports.merchant(merchantId),
      session.invoiceId ? ports.invoice(merchantId, session.invoiceId) : undefined,
      ports.paymentLink(merchantId, session.paymentLinkId),
    ]);
    if (!merchant) throw new Error(`The merchant of checkout session ${session.id} is missing`);
    const billed = invoice?.customer
      ? { ...invoice, customer: await withBuyerLocale(ports, merchantId, invoice.customer) }
      : invoice;
    return [
      orderConfirmationEmail(session, billed, merchant),
      newOrderEmail(session, invoice, link, merchant),
    ];
  },
};
