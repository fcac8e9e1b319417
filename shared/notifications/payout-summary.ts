/**
 * The daily payout summary, sent to the merchant in its words: what the day's money added up to and
 * when it arrives.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Payout } from "../payouts/payout.ts";
import { compose } from "./compose.ts";
import { moneyRecord, type Notification } from "./notification.ts";
import { lazy } from "../lazy.ts";

/** What the payout email shows: the day's totals. */
type PayoutForMail = Omit<Payout, "balanceTransactionCount" | "createdAt" | "updatedAt">;

export function payoutEmail(
  merchant: Pick<Merchant, "name" | "email" | "timeZone" | "locale">,
  payout: PayoutForMail,
): Mail {
  const tr = translator(merchant.locale);
  const money = (amount: number) => tr.money(amount, payout.currency);
  const day = tr.date(payout.date, merchant.timeZone);
  const amount = money(payout.amount);
  const title =
    payout.status === "paid"
      ? tr.t("email.payout.subject", { amount, day })
      : payout.status === "failed"
        ? tr.t("email.payout.failedSubject", { amount, day })
        : tr.t("email.payout.noneSubject", { day, amount });
  const breakdown =
    payout.source === "sandbox"
      ? [
          tr.t("email.payout.charges", { count: payout.chargeCount, amount: money(payout.grossAmount) }),
          tr.t("email.payout.fees", { amount: money(-payout.feeTotal) }),
          tr.t("email.payout.refunds", { count: payout.refundCount, amount: money(-payout.refundTotal) }),
          tr.t("email.payout.disputes", { count: payout.disputeCount, amount: money(-payout.disputeTotal) }),
          tr.t("email.payout.net", { amount }),
        ]
      : [tr.t("email.payout.netStripe", { amount })];
  const paragraphs = [
    tr.t("email.payout.hello", { merchant: merchant.name, currency: payout.currency, day }),
    ...breakdown,
    ...(payout.status === "paid" && payout.arrivalDate
      ? [tr.t("email.payout.arrival", { date: tr.date(payout.arrivalDate, merchant.timeZone) })]
      : []),
    ...(payout.status === "failed" ? [tr.t("email.payout.failed")] : []),
    tr.t("email.payout.reference", { id: payout.id }),
  ];
  const simulated = payout.livemode ? undefined : tr.t("email.testMode.payout");
  return compose(tr, merchant, title, paragraphs, undefined, simulated);
}

const payout = lazy(() =>
  moneyRecord<Payout>("payout", {
    id: "string",
    currency: "string",
    date: "string",
    status: "string",
    source: "string",
    amount: "integer",
    grossAmount: "integer",
    feeTotal: "integer",
    refundTotal: "integer",
    disputeTotal: "integer",
    chargeCount: "integer",
    refundCount: "integer",
    disputeCount: "integer",
  }),
);

export const payoutSummary: Notification<{ payout: Payout }> = {
  eventType: "payout.paid",
  data: lazy(() => z.object({ payout: payout() })),
  async render({ merchantId, data }, ports) {
    const merchant = await ports.merchant(merchantId);
    if (!merchant) throw new Error(`The merchant of payout ${data.payout.id} is missing`);
    return [payoutEmail(merchant, data.payout)];
  },
};
