/**
 * Operations on reports: figures read from rollups kept per merchant, mode, currency and local day
 * (shared/reports/). Every report takes a range of the merchant's local days and reads the mode the
 * merchant is in unless `livemode` names one.
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { grains, maxRangeDays, rangeProblem } from "../reports/periods.ts";
import { agingBuckets } from "../reports/receivables.ts";
import { calendarDate, currency, flag } from "./common.ts";
import { lazy } from "../lazy.ts";

const rangeFields = lazy(() => ({
  from: calendarDate().describe("The first local day of the range (YYYY-MM-DD, the merchant's time zone)"),
  to: calendarDate().describe(
    `The last local day of the range, included; from ≤ to, at most ${maxRangeDays} days in all`,
  ),
  livemode: flag()
    .optional()
    .describe("The mode to report (true: live money, false: test); default the merchant's current mode"),
}));

const groupBy = lazy(() =>
  z
    .enum(grains)
    .default("day")
    .describe(
      "day (YYYY-MM-DD), week (starting Monday, named by its Monday even before from) or month (YYYY-MM); a week or month row covers its whole period",
    ),
);

/**
 * A report's query: the range checked as a whole (`to` named when it is before `from` or too far
 * after it). `extra` adds a report's own fields; a report with its own grain rule passes its own `groupBy`.
 */
export const reportQuery = <T extends z.ZodRawShape>(extra: T) =>
  z.strictObject({ ...rangeFields(), ...extra }).superRefine((query, ctx) => {
    const { from, to } = query as { from: string; to: string };
    const problem = rangeProblem(from, to);
    if (problem) ctx.addIssue({ code: "custom", path: ["to"], message: problem });
  });

const amount = lazy(() => z.number().int());
/** A report's response: its rows, and the mode they are of. */
export const reportOf = <T extends z.ZodType>(row: T) =>
  z.object({ livemode: z.boolean().describe("The mode the figures are of"), data: z.array(row) });

export const revenueRow = lazy(() =>
  z.object({
    period: z.string().describe("YYYY-MM-DD (a day, or a week's Monday) or YYYY-MM"),
    currency: z.string(),
    grossVolume: amount().describe("Σ charges"),
    refunds: amount().describe("Σ refunds (positive: taken out)"),
    disputesLost: amount().describe("Σ lost disputes (positive: taken out)"),
    fees: amount().describe("Σ processor fees"),
    netVolume: amount().describe(
      "Σ the balance transactions' net: grossVolume − refunds − disputesLost − fees",
    ),
    paymentCount: z.number().int(),
    refundCount: z.number().int(),
  }),
);

export const getRevenueReport = defineOperation({
  id: "getRevenueReport",
  method: "GET",
  path: "/v1/reports/revenue",
  auth: "merchant",
  tag: "Reports",
  summary:
    "Revenue per period and currency from the balance transactions: gross, refunds, lost disputes, fees, net; periods without activity are left out",
  query: () => reportQuery({ groupBy: groupBy(), currency: currency().optional() }),
  response: () => reportOf(revenueRow()),
  status: 200,
});

export const customersRow = lazy(() =>
  z.object({
    period: z.string().describe("YYYY-MM-DD (a day, or a week's Monday) or YYYY-MM"),
    newCustomers: z.number().int().describe("Customers created in the period"),
    payingCustomers: z
      .number()
      .int()
      .describe("Distinct customers with at least one succeeded payment in the period, any currency"),
  }),
);

export const getCustomersReport = defineOperation({
  id: "getCustomersReport",
  method: "GET",
  path: "/v1/reports/customers",
  auth: "merchant",
  tag: "Reports",
  summary: "New and paying customers per period; every period of the range, zeros included",
  query: () => reportQuery({ groupBy: groupBy() }),
  response: () => reportOf(customersRow()),
  status: 200,
});

export const topCustomerRow = lazy(() =>
  z.object({
    customerId: z.string(),
    name: z.string().nullable().describe("The customer's current name; null if none or deleted"),
    email: z.string().nullable(),
    currency: z.string(),
    netPaid: amount().describe("grossPaid − refunded − lost disputes"),
    grossPaid: amount(),
    refunded: amount(),
    paymentCount: z.number().int(),
  }),
);

export const getTopCustomersReport = defineOperation({
  id: "getTopCustomersReport",
  method: "GET",
  path: "/v1/reports/top-customers",
  auth: "merchant",
  tag: "Reports",
  summary: "The customers who paid most over the range by net paid, the best `limit` per currency",
  query: () =>
    reportQuery({
      currency: currency().optional(),
      limit: z.coerce.number().int().min(1).max(100).default(10).describe("Customers per currency (1–100)"),
    }),
  response: () => reportOf(topCustomerRow()),
  status: 200,
});

// ── Subscriptions (MRR) and receivables ─────────────────────────────────────────────────────

export const subscriptionsRow = lazy(() =>
  z.object({
    period: z.string().describe("YYYY-MM, the merchant's local month"),
    currency: z.string(),
    mrr: amount().describe("Monthly recurring revenue at the month's end (the current month: now)"),
    arr: amount().describe("12 × mrr"),
    activeSubscriptions: z.number().int().describe("Subscriptions in MRR at the month's end"),
    newMrr: amount().describe("MRR of subscriptions counted for the first time (a trial's end included)"),
    expansionMrr: amount().describe("MRR gained by subscriptions that stayed in it (upgrades, more seats)"),
    contractionMrr: amount().describe(
      "MRR lost by subscriptions that stayed in it (downgrades, a discount added)",
    ),
    churnedMrr: amount().describe("MRR of subscriptions that left it (canceled, ended, paused)"),
    reactivationMrr: amount().describe("MRR of subscriptions back in it after they had left (resumed)"),
    churnRate: z
      .number()
      .nullable()
      .describe("churnedMrr ÷ the MRR at the month's start, to 4 decimals; null when that was 0"),
  }),
);

export const getSubscriptionsReport = defineOperation({
  id: "getSubscriptionsReport",
  method: "GET",
  path: "/v1/reports/subscriptions",
  auth: "merchant",
  tag: "Reports",
  summary:
    "MRR per month and currency: level, ARR, active subscriptions and movements (new, expansion, contraction, churn, reactivation); intervals normalised to a month, trials and paused subscriptions excluded, recurring discounts taken",
  query: () =>
    reportQuery({
      groupBy: z.enum(["month"]).default("month").describe("month (YYYY-MM): the only grain of MRR"),
      currency: currency().optional(),
    }),
  response: () => reportOf(subscriptionsRow()),
  status: 200,
});

export const getReceivablesReport = defineOperation({
  id: "getReceivablesReport",
  method: "GET",
  path: "/v1/reports/receivables",
  auth: "merchant",
  tag: "Reports",
  summary:
    "Open invoices as of now by days past due (the merchant's local date), per currency: count and amount remaining; list them with GET /v1/invoices?status=overdue or dueBefore/dueAfter",
  query: () =>
    z.strictObject({
      currency: currency().optional(),
      livemode: flag()
        .optional()
        .describe(
          "The mode to report; default the merchant's current mode (invoices are the mode the merchant is in)",
        ),
    }),
  response: () =>
    z.object({
      livemode: z.boolean(),
      asOf: z.string().describe("The instant the report was read"),
      data: z.array(
        z.object({
          currency: z.string(),
          bucket: z
            .enum(agingBuckets)
            .describe("Days past due: current (not yet due), 1_30, 31_60, 61_90, over_90"),
          count: z.number().int(),
          amount: amount().describe("Σ amount remaining"),
        }),
      ),
    }),
  status: 200,
});

export const reportOperations = [
  getRevenueReport,
  getCustomersReport,
  getTopCustomersReport,
  getSubscriptionsReport,
  getReceivablesReport,
];
