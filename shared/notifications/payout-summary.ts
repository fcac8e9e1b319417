/** The daily payout summary, sent to the merchant: what the day's money added up to and when it arrives. */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { formatDate, formatMoney } from "../domain/format.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Payout } from "../payouts/payout.ts";
import { compose } from "./compose.ts";
import { moneyRecord, type Notification } from "./notification.ts";

const simulatedPayoutNotice =
  "TEST MODE: this payout is simulated. The sandbox sends no money to any bank account.";

/** What the payout email shows: the day's totals. */
type PayoutForMail = Omit<Payout, "balanceTransactionCount" | "createdAt" | "updatedAt">;

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

export function payoutEmail(
  merchant: Pick<Merchant, "name" | "email" | "timeZone">,
  payout: PayoutForMail,
): Mail {
  const money = (amount: number) => formatMoney(amount, payout.currency);
  const day = formatDate(payout.date, merchant.timeZone);
  const title =
    payout.status === "paid"
      ? `Payout of ${money(payout.amount)} for ${day}`
      : payout.status === "failed"
        ? `Payout of ${money(payout.amount)} for ${day} failed`
        : `No payout for ${day}: the net was ${money(payout.amount)}`;
  const breakdown =
    payout.source === "sandbox"
      ? [
          `Charges: ${count(payout.chargeCount, "charge")}, ${money(payout.grossAmount)}.`,
          `Fees: ${money(-payout.feeTotal)}.`,
          `Refunds: ${count(payout.refundCount, "refund")}, ${money(-payout.refundTotal)}.`,
          `Disputes: ${count(payout.disputeCount, "lost dispute")}, ${money(-payout.disputeTotal)}.`,
          `Net: ${money(payout.amount)}.`,
        ]
      : [`Net: ${money(payout.amount)}. Stripe's dashboard lists the transactions this payout contains.`];
  const paragraphs = [
    `Hello ${merchant.name}, here is the ${payout.currency} summary for ${day}.`,
    ...breakdown,
    ...(payout.status === "paid" && payout.arrivalDate
      ? [`Expected in your bank account on ${formatDate(payout.arrivalDate, merchant.timeZone)}.`]
      : []),
    ...(payout.status === "failed"
      ? ["The payout failed; check your bank account details with your processor."]
      : []),
    `Payout reference: ${payout.id}.`,
  ];
  return compose(merchant, title, paragraphs, undefined, payout.livemode ? undefined : simulatedPayoutNotice);
}

const payout = moneyRecord<Payout>("payout", {
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
});

export const payoutSummary: Notification<{ payout: Payout }> = {
  eventType: "payout.paid",
  data: z.object({ payout }),
  async render({ merchantId, data }, ports) {
    const merchant = await ports.merchant(merchantId);
    if (!merchant) throw new Error(`The merchant of payout ${data.payout.id} is missing`);
    return [payoutEmail(merchant, data.payout)];
  },
};
