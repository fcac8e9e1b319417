/** Operations on payouts: the daily (sandbox) or Stripe-reported transfers of a merchant's balance. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { createdRange, currency, idParams, listQuery, page } from "./common.ts";

const money = z.number().int();
const payoutStatus = z.enum(["paid", "failed", "skipped"]);

const payoutFields = {
  id: z.string(),
  currency: z.string(),
  amount: money.describe(
    "Net paid out: grossAmount − feeTotal − refundTotal − disputeTotal; zero or negative when skipped",
  ),
  grossAmount: money.describe("Σ charges of the day"),
  feeTotal: money.describe("Σ processor fees"),
  refundTotal: money.describe("Σ refunds (positive: taken out)"),
  disputeTotal: money.describe("Σ lost disputes (positive: taken out)"),
  chargeCount: z.number().int(),
  refundCount: z.number().int(),
  disputeCount: z.number().int(),
  date: z.string().describe("The merchant's local day (YYYY-MM-DD) the payout covers"),
  status: payoutStatus.describe("skipped: the day's net was not positive, so no money moved"),
  source: z.enum(["sandbox", "stripe"]),
  livemode: z.boolean().describe("Real money: false for the sandbox's simulated payouts; Stripe's own flag otherwise"),
  processorPayoutId: z.string().optional(),
  arrivalDate: z.string().optional(),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const payoutSummary = z.object({ ...payoutFields, balanceTransactionCount: z.number().int() });

export const payout = z.object({
  ...payoutFields,
  balanceTransactions: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(["charge", "refund", "dispute"]),
      amount: money,
      fee: money,
      net: money,
      sourceId: z.string().describe("The payment, refund or dispute it comes from"),
    }),
  ),
});

export const listPayouts = defineOperation({
  id: "listPayouts",
  method: "GET",
  path: "/v1/payouts",
  auth: "merchant",
  tag: "Payouts",
  summary: "List payouts, newest first; filter by currency, status or creation time",
  query: listQuery.extend({
    currency: currency.optional(),
    status: payoutStatus.optional(),
    ...createdRange,
  }),
  response: page(payoutSummary),
  status: 200,
});

export const getPayout = defineOperation({
  id: "getPayout",
  method: "GET",
  path: "/v1/payouts/{id}",
  auth: "merchant",
  tag: "Payouts",
  summary: "Get a payout with the balance transactions it pays out",
  params: idParams("payout"),
  response: payout,
  status: 200,
});

export const payoutOperations = [listPayouts, getPayout];
