/**
 * The merchant's notice of a failed renewal charge (issue 12 §1): which customer, subscription and
 * invoice, how much, why in plain words, and what happens next — the next retry, or the final action
 * the dunning setting takes. One per failed attempt: `invoice.payment_failed` is written once per
 * attempt (however often the failure is reported) and the consumer sends once per event.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Invoice } from "../invoices/invoice.ts";
import { defaultDunning, type Merchant } from "../merchants/merchant.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { compose, invoiceTestNotice } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";
import { amountPerPeriod, subscriptionItems } from "../subscriptions/wording.ts";
import { lazy } from "../lazy.ts";

/** The invoice `invoice.payment_failed` carries, as the API presents it. */
type FailedInvoice = Invoice & { attemptCount: number; nextPaymentAttemptAt: string | null };

export interface RenewalFailure {
  invoice: FailedInvoice;
  declineCode: string;
  /** Absent on events written before it: only renewals are dunned, so those are not told about. */
  renewal?: boolean | undefined;
  /** When the final action applies if nothing pays the invoice; null once it applied (or none is planned). */
  finalActionAt?: string | null | undefined;
}

/**
 * Why a card was declined, in the merchant's words (the processor's code follows in brackets); a
 * code the catalog does not know reads as its words.
 */
export const declineReason = (tr: Translator, declineCode: string): string =>
  tr.t("email.decline", { code: declineCode, words: declineCode.replace(/_/g, " ") });

/** In the merchant's words. */
export function renewalFailedNoticeEmail(
  failure: RenewalFailure,
  subscription: Subscription | undefined,
  merchant: Merchant,
): Mail {
  const tr = translator(merchant.locale);
  const { invoice, declineCode } = failure;
  const amount = tr.money(invoice.amountRemaining, invoice.currency);
  const number = invoice.number ?? invoice.id;
  const who = invoice.customer.name
    ? `${invoice.customer.name} (${invoice.customer.email})`
    : invoice.customer.email;
  const date = (iso: string) => tr.date(iso, merchant.timeZone);
  const finalAction = (merchant.dunning ?? defaultDunning).finalAction;
  const will = tr.t("email.renewalFailed.will", { action: finalAction });
  const what = subscription
    ? ` (${subscriptionItems(tr, subscription)}, ${amountPerPeriod(subscription, tr)})`
    : "";
  const next = invoice.nextPaymentAttemptAt
    ? [
        tr.t("email.renewalFailed.nextRetry", { date: date(invoice.nextPaymentAttemptAt) }),
        ...(failure.finalActionAt
          ? [tr.t("email.renewalFailed.ifRetriesFail", { date: date(failure.finalActionAt), action: will })]
          : []),
      ]
    : failure.finalActionAt
      ? [
          tr.t("email.renewalFailed.notRetried"),
          tr.t("email.renewalFailed.ifNonePays", { date: date(failure.finalActionAt), action: will }),
        ]
      : [
          tr.t("email.renewalFailed.lastRetry", {
            action: tr.t("email.renewalFailed.did", { action: finalAction }),
          }),
        ];
  const title = tr.t("email.renewalFailed.subject", { who, amount, number });
  const paragraphs = [
    tr.t("email.renewalFailed.failed", {
      id: invoice.subscriptionId ?? "",
      what,
      who,
      number,
      amount,
      attempt: invoice.attemptCount,
    }),
    tr.t("email.renewalFailed.reason", { reason: declineReason(tr, declineCode), code: declineCode }),
    ...next,
  ];
  return compose(tr, merchant, title, paragraphs, undefined, invoiceTestNotice(merchant, tr));
}

const failedInvoice = lazy(() =>
  domainRecord<FailedInvoice>("invoice", {
    id: "string",
    currency: "string",
    amountRemaining: "integer",
    attemptCount: "integer",
    customer: "object",
  }),
);

export const renewalFailedNotice: Notification<RenewalFailure> = {
  eventType: "invoice.payment_failed",
  data: lazy(() =>
    z.object({
      invoice: failedInvoice(),
      declineCode: z.string(),
      renewal: z.boolean().optional(),
      finalActionAt: z.string().nullable().optional(),
    }),
  ),
  async render({ merchantId, data }, ports) {
    // A first period's failure leaves the subscription incomplete: the buyer pays or it expires.
    if (!data.renewal || !data.invoice.subscriptionId) return [];
    const [merchant, subscription] = await Promise.all([
      ports.merchant(merchantId),
      ports.subscription(merchantId, data.invoice.subscriptionId),
    ]);
    if (!merchant) throw new Error(`The merchant of invoice ${data.invoice.id} is missing`);
    return [renewalFailedNoticeEmail(data, subscription, merchant)];
  },
};
