/**
 * The AWS cost of 1,000 subscription renewals end to end, beside Stripe Billing's 0.7 % of volume.
 * The billing step (claim, invoice, finalize, charge, next period) is measured in this run — a small
 * billing run on DynamoDB Local, its requests and capacity tallied, its duration timed; what the
 * renewal's events cause downstream (the outbox's fan-out to the consumers, the receipt email) is an
 * assumption stated in `downstream` and marked so in the table. `renewalCost` is pure.
 */
import { defaultMemoryMb } from "../infra/constructs/kassa-function.ts";
import { functions } from "../infra/manifest.ts";
import { benchEnvironment } from "./environment.ts";
import type { Row } from "./report.ts";
import { round } from "./stats.ts";
import { billingRun, seed } from "./subscriptions.ts";

/**
 * AWS list prices, us-east-1, USD, as of 2026-12-01 (Lambda arm64; DynamoDB on-demand after the
 * November 2024 price cut; SQS standard; EventBridge Scheduler; SES outbound). Free tiers ignored.
 */
export const prices = {
  date: "2026-12-01",
  lambdaGbSecond: 0.000_013_333_4,
  lambdaRequest: 0.2 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  /** DynamoDB Streams reads made by a Lambda trigger are free; other readers pay 0.02 USD / 100,000. */
  streamReadUnitByLambda: 0,
  sqsRequest: 0.4 / 1e6,
  schedulerInvocation: 1 / 1e6,
  sesEmail: 0.1 / 1000,
} as const;

/** Stripe Billing's pay-as-you-go fee on recurring volume, and the average renewal it is taken on. */
export const stripeBilling = { rate: 0.007, averageRenewalMinor: 5_000, currency: "USD" } as const;

/** What one renewal's billing step used, measured by the bench. */
export interface MeasuredBilling {
  /** Handler time per billed period, ms. */
  ms: number;
  memoryMb: number;
  /** Lambda invocations per renewal (1 / the queue's batch size). */
  invocations: number;
  readUnits: number;
  /** Write units as AWS bills them (transactions doubled). */
  writeUnits: number;
  sqsRequests: number;
}

/**
 * Assumed, not measured: per renewal, the events the outbox fans out (invoice created, finalized,
 * paid; payment succeeded), each delivered to 3 consumers (reports, ledger, notifications/webhooks),
 * each delivery a send plus a tenth of a batch's receive and delete, 30 ms at 512 MB, 1 write unit
 * and 1 read unit; the dispatcher reads the stream in batches of 100; two schedules fire (the next
 * period's and the charge's check, `attemptCheck`) and one receipt is emailed.
 */
export const downstream: Downstream = {
  events: 4,
  deliveriesPerEvent: 3,
  sqsRequestsPerDelivery: 1.2,
  msPerDelivery: 30,
  memoryMb: defaultMemoryMb,
  deliveriesPerInvocation: 10,
  writeUnitsPerDelivery: 1,
  readUnitsPerDelivery: 1,
  streamBatch: 100,
  schedulerInvocations: 2,
  emails: 1,
};

export type Downstream = Readonly<
  Record<
    | "events"
    | "deliveriesPerEvent"
    | "sqsRequestsPerDelivery"
    | "msPerDelivery"
    | "memoryMb"
    | "deliveriesPerInvocation"
    | "writeUnitsPerDelivery"
    | "readUnitsPerDelivery"
    | "streamBatch"
    | "schedulerInvocations"
    | "emails",
    number
  >
>;

export interface CostLine {
  item: string;
  source: "measured" | "assumed" | "list price";
  quantity: number;
  unit: string;
  usd: number;
}

/** The cost lines of `renewals` renewals, and their total in USD. */
export function renewalCost(renewals: number, billing: MeasuredBilling, d = downstream, p = prices) {
  const deliveries = renewals * d.events * d.deliveriesPerEvent;
  const gbSeconds = (ms: number, mb: number) => (ms / 1000) * (mb / 1024);
  const billingGbS = renewals * gbSeconds(billing.ms, billing.memoryMb);
  const downstreamGbS = deliveries * gbSeconds(d.msPerDelivery, d.memoryMb);
  const downstreamInvocations =
    deliveries / d.deliveriesPerInvocation + (renewals * d.events) / d.streamBatch;
  const lines: CostLine[] = [
    {
      item: "Lambda GB-s, billing",
      source: "measured",
      quantity: billingGbS,
      unit: "GB-s",
      usd: billingGbS * p.lambdaGbSecond,
    },
    {
      item: "Lambda GB-s, downstream",
      source: "assumed",
      quantity: downstreamGbS,
      unit: "GB-s",
      usd: downstreamGbS * p.lambdaGbSecond,
    },
    {
      item: "Lambda requests",
      source: "assumed",
      quantity: renewals * billing.invocations + downstreamInvocations,
      unit: "invocations",
      usd: (renewals * billing.invocations + downstreamInvocations) * p.lambdaRequest,
    },
    {
      item: "DynamoDB writes, billing",
      source: "measured",
      quantity: renewals * billing.writeUnits,
      unit: "WRU",
      usd: renewals * billing.writeUnits * p.dynamoWriteUnit,
    },
    {
      item: "DynamoDB reads, billing",
      source: "measured",
      quantity: renewals * billing.readUnits,
      unit: "RRU",
      usd: renewals * billing.readUnits * p.dynamoReadUnit,
    },
    {
      item: "DynamoDB writes, downstream",
      source: "assumed",
      quantity: deliveries * d.writeUnitsPerDelivery,
      unit: "WRU",
      usd: deliveries * d.writeUnitsPerDelivery * p.dynamoWriteUnit,
    },
    {
      item: "DynamoDB reads, downstream",
      source: "assumed",
      quantity: deliveries * d.readUnitsPerDelivery,
      unit: "RRU",
      usd: deliveries * d.readUnitsPerDelivery * p.dynamoReadUnit,
    },
    {
      item: "DynamoDB stream reads (Lambda trigger)",
      source: "list price",
      quantity: renewals * d.events,
      unit: "records",
      usd: renewals * d.events * p.streamReadUnitByLambda,
    },
    {
      item: "SQS requests",
      source: "assumed",
      quantity: renewals * billing.sqsRequests + deliveries * d.sqsRequestsPerDelivery,
      unit: "requests",
      usd: (renewals * billing.sqsRequests + deliveries * d.sqsRequestsPerDelivery) * p.sqsRequest,
    },
    {
      item: "Scheduler invocations",
      source: "assumed",
      quantity: renewals * d.schedulerInvocations,
      unit: "invocations",
      usd: renewals * d.schedulerInvocations * p.schedulerInvocation,
    },
    {
      item: "SES emails",
      source: "assumed",
      quantity: renewals * d.emails,
      unit: "emails",
      usd: renewals * d.emails * p.sesEmail,
    },
  ];
  return { lines, totalUsd: lines.reduce((s, l) => s + l.usd, 0) };
}

/** Stripe Billing's fee on `renewals` renewals at the average renewal, in USD. */
export const stripeBillingUsd = (renewals: number) =>
  (renewals * stripeBilling.averageRenewalMinor * stripeBilling.rate) / 100;

const dueInRun = 200;

export async function costSection(): Promise<Row[]> {
  await benchEnvironment();
  await seed(dueInRun, true);
  const [, bill] = await billingRun(`${dueInRun} due`, dueInRun);
  if (!bill) throw new Error("the billing run returned no billing row");
  const consumer = functions.find((f) => f.name === "billing-timers");
  // 4 consumers drained the queue at once: each period held one for 4 / (periods per second) s.
  const measured: MeasuredBilling = {
    ms: 4000 / Number(bill["periods/s"]),
    memoryMb: consumer?.memoryMb ?? defaultMemoryMb,
    invocations: 1 / (consumer?.queue?.batchSize ?? 10),
    readUnits: Number(bill["rcu per due"]),
    writeUnits: Number(bill["aws wcu per period"]),
    // the sweep's send and a tenth of the consumer's receive and delete per period
    sqsRequests: 1.2,
  };
  const renewals = 1_000;
  const { lines, totalUsd } = renewalCost(renewals, measured);
  const stripe = stripeBillingUsd(renewals);
  return [
    ...lines.map((l) => ({
      item: l.item,
      source: l.source,
      quantity: round(l.quantity, 1),
      unit: l.unit,
      usd: round(l.usd, 4),
    })),
    {
      item: `AWS total, ${renewals.toLocaleString("en-US")} renewals (prices of ${prices.date})`,
      usd: round(totalUsd, 4),
    },
    {
      item: `Stripe Billing 0.7 % of ${renewals.toLocaleString("en-US")} × 50 USD`,
      source: "list price",
      usd: round(stripe, 2),
    },
    { item: "AWS ÷ Stripe Billing", usd: round(totalUsd / stripe, 5) },
    {
      item: `billing step measured: ${round(measured.ms, 1)} ms at ${measured.memoryMb} MB per period`,
      source: "measured",
    },
  ];
}
