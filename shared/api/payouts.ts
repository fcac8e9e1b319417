/** Operations on payouts: the daily (sandbox) or Stripe-reported transfers of a merchant's balance. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { idParams, listQuery, page, viewAndFormat } from "./common.ts";
import { payoutFilters, payoutStatus } from "./list-filters.ts";
import { payoutColumns } from "./csv-columns.ts";
import { lazy } from "../lazy.ts";

const money = lazy(() => z.number().int());

export const payout = lazy(() =>
  z.object({
    id: z.string(),
    currency: z.string(),
    amount: money().describe(
      "Net paid out: grossAmount − feeTotal − refundTotal − disputeTotal + carriedIn; zero or negative when skipped (then carried into the currency's next payout)",
    ),
    carriedIn: money()
      .optional()
      .describe("Sandbox: the shortfall of earlier skipped days taken off this payout (≤ 0; 0 when none)"),
    grossAmount: money().describe("Σ charges of the day"),
    feeTotal: money().describe("Σ processor fees"),
    refundTotal: money().describe("Σ refunds (positive: taken out)"),
    disputeTotal: money().describe("Σ lost disputes (positive: taken out)"),
    chargeCount: z.number().int(),
    refundCount: z.number().int(),
    disputeCount: z.number().int(),
    date: z.string().describe("The merchant's local day (YYYY-MM-DD) the payout covers"),
    status: payoutStatus().describe(
      "skipped: the day's net plus what was carried in was not positive, so no money moved and it carries forward",
    ),
    source: z.enum(["sandbox", "stripe"]),
    livemode: z
      .boolean()
      .describe("Real money: false for the sandbox's simulated payouts; Stripe's own flag otherwise"),
    processorPayoutId: z.string().optional(),
    arrivalDate: z.string().optional(),
    failure: z
      .object({
        code: z.string(),
        message: z.string(),
        afterPaid: z
          .boolean()
          .optional()
          .describe(
            "true: it had been paid and the bank returned it (the ledger reverses its entry); false: it failed before it was paid",
          ),
      })
      .optional(),
    balanceTransactionCount: z
      .number()
      .int()
      .describe(
        "How many balance transactions it sums; page them with GET /v1/payouts/{id}/balance-transactions",
      ),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const balanceTransaction = lazy(() =>
  z.object({
    id: z.string(),
    kind: z.enum(["charge", "refund", "dispute"]),
    amount: money().describe("Signed: positive for charges, negative for refunds and lost disputes"),
    fee: money().describe("The processor's fee (charges only)"),
    net: money().describe("amount − fee"),
    currency: z.string(),
    sourceId: z.string().describe("The payment, refund or dispute it comes from"),
    date: z.string().describe("The merchant's local day (YYYY-MM-DD) it belongs to"),
    createdAt: z.string(),
  }),
);

export const listPayouts = defineOperation({
  id: "listPayouts",
  method: "GET",
  path: "/v1/payouts",
  auth: "merchant",
  tag: "Payouts",
  summary: "List payouts, newest first; filter by currency, status or creation time",
  query: () => listQuery().extend({ ...payoutFilters().shape, ...viewAndFormat() }),
  response: () => page(payout()),
  csv: payoutColumns,
  status: 200,
});

export const getPayout = defineOperation({
  id: "getPayout",
  method: "GET",
  path: "/v1/payouts/{id}",
  auth: "merchant",
  tag: "Payouts",
  summary: "Get a payout: its day's totals and counts",
  params: () => idParams("payout"),
  response: payout,
  status: 200,
});

export const listPayoutBalanceTransactions = defineOperation({
  id: "listPayoutBalanceTransactions",
  method: "GET",
  path: "/v1/payouts/{id}/balance-transactions",
  auth: "merchant",
  tag: "Payouts",
  summary:
    "List the balance transactions a payout sums (its day's, in its currency), oldest first; none for a Stripe payout",
  params: () => idParams("payout"),
  query: listQuery,
  response: () => page(balanceTransaction()),
  status: 200,
});

export const payoutOperations = [listPayouts, getPayout, listPayoutBalanceTransactions];
