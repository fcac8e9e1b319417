/**
 * The merchant's notice of a failed renewal charge (issue 12 §1): which customer, subscription and
 * invoice, how much, why in plain words, and what happens next — the next retry, or the final action
 * the dunning setting takes. One per failed attempt: `invoice.payment_failed` is written once per
 * attempt (however often the failure is reported) and the consumer sends once per event.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { formatDate, formatMoney } from "../domain/format.ts";
import type { Invoice } from "../invoices/invoice.ts";
import { defaultDunning, type DunningSettings, type Merchant } from "../merchants/merchant.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { compose, invoiceTestNotice } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";
import { amountPerPeriod, itemLabel } from "./subscription-mail.ts";

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

/** Why a card was declined, in the merchant's words (the processor's code follows in brackets). */
const declineWords: Record<string, string> = {
  generic_decline: "the card was declined by its bank",
  insufficient_funds: "the card has insufficient funds",
  lost_card: "the card was reported lost",
  stolen_card: "the card was reported stolen",
  pickup_card: "the bank asked for the card to be retained (it may be lost, stolen or closed)",
  restricted_card: "the card is restricted by its bank",
  revocation_of_all_authorizations: "the customer revoked all payments to you with their bank",
  revocation_of_authorization: "the customer revoked this payment with their bank",
  stop_payment_order: "the customer asked their bank to stop this payment",
  do_not_try_again: "the bank said not to try this card again",
  expired_card: "the card has expired",
  incorrect_cvc: "the card's security code was wrong",
  card_velocity_exceeded: "the card's spending limit was reached",
  authentication_required: "the bank requires the customer to authenticate this payment",
  payment_method_missing: "no payment method is saved to charge",
};

export const declineReason = (declineCode: string): string =>
  declineWords[declineCode] ?? `the payment failed (${declineCode.replace(/_/g, " ")})`;

/** What the final action will do, or did. */
const finalActionWords: Record<DunningSettings["finalAction"], { will: string; did: string }> = {
  cancel: {
    will: "the subscription will be canceled (the invoice stays open)",
    did: "the subscription is canceled; the invoice stays open",
  },
  mark_uncollectible: {
    will: "the invoice will be marked uncollectible and the subscription stays active",
    did: "the invoice is marked uncollectible; the subscription stays active",
  },
  leave_past_due: {
    will: "the subscription stays past due and the invoice open",
    did: "the subscription stays past due and the invoice open",
  },
};

export function renewalFailedNoticeEmail(
  failure: RenewalFailure,
  subscription: Subscription | undefined,
  merchant: Merchant,
): Mail {
  const { invoice, declineCode } = failure;
  const amount = formatMoney(invoice.amountRemaining, invoice.currency);
  const number = invoice.number ?? invoice.id;
  const who = invoice.customer.name
    ? `${invoice.customer.name} (${invoice.customer.email})`
    : invoice.customer.email;
  const date = (iso: string) => formatDate(iso, merchant.timeZone);
  const action = finalActionWords[(merchant.dunning ?? defaultDunning).finalAction];
  const what = subscription
    ? ` (${subscription.items.map(itemLabel).join(", ")}, ${amountPerPeriod(subscription)})`
    : "";
  const next = invoice.nextPaymentAttemptAt
    ? [
        `Next retry: ${date(invoice.nextPaymentAttemptAt)}, on the customer's card of the moment; a new card they add is charged at once.`,
        ...(failure.finalActionAt
          ? [`If every retry fails, on ${date(failure.finalActionAt)} ${action.will}.`]
          : []),
      ]
    : failure.finalActionAt
      ? [
          "This decline is not retried: the customer was asked for a new card, which is charged at once when added.",
          `If none pays the invoice by ${date(failure.finalActionAt)}, ${action.will}.`,
        ]
      : [`That was the last retry: ${action.did}.`];
  const title = `Renewal payment failed: ${who}, ${amount} (invoice ${number})`;
  const paragraphs = [
    `The renewal of subscription ${invoice.subscriptionId ?? ""}${what} of ${who} could not be charged: invoice ${number}, ${amount} (attempt ${invoice.attemptCount}).`,
    `Reason: ${declineReason(declineCode)} (${declineCode}).`,
    ...next,
  ];
  return compose(merchant, title, paragraphs, undefined, invoiceTestNotice(merchant));
}

const failedInvoice = domainRecord<FailedInvoice>("invoice", {
  id: "string",
  currency: "string",
  amountRemaining: "integer",
  attemptCount: "integer",
  customer: "object",
});

export const renewalFailedNotice: Notification<RenewalFailure> = {
  eventType: "invoice.payment_failed",
  data: z.object({
    invoice: failedInvoice,
    declineCode: z.string(),
    renewal: z.boolean().optional(),
    finalActionAt: z.string().nullable().optional(),
  }),
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
