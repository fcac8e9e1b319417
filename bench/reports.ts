/**
 * Reports' DynamoDB cost (rows of the DynamoDB section): a 30-day revenue report over a month of 300
 * payments reads one rollup item per day — O(periods), not O(payments) — and the reports consumer's
 * cost of folding one payment.
 */
import { benchSecrets } from "./environment.ts";
import { event, type Handler, invoke, measure, sqsRecord } from "./dynamodb.ts";
import type { Row } from "./report.ts";
import { addDays } from "../shared/domain/calendar.ts";
import { systemClock } from "../shared/domain/clock.ts";
import type { DomainEvent } from "../shared/domain/events.ts";
import { newId } from "../shared/domain/ids.ts";

const days = 30;
const paymentsPerDay = 10;
const from = "2026-10-01";

export async function reportRows(): Promise<Row[]> {
  const { handler: merchants } = await import("../functions/api/merchants.ts");
  const { handler: reportsApi } = await import("../functions/api/reports.ts");
  const { handler: consumer } = await import("../functions/reports/run.ts");
  const created = await invoke(
    merchants as Handler,
    event("POST /v1/merchants", benchSecrets.adminToken, {
      name: "Bench Reports",
      email: "reports@bench.test",
    }),
  );
  const merchantId: string = created.merchant.id;
  const secret: string = created.apiKey.secret;
  const paid = (date: string, n: number, customerId = `cus_bench${n % 7}`): DomainEvent => {
    const amount = 1_000 + n;
    const fee = Math.round(amount * 0.029) + 30;
    return {
      id: newId("event", systemClock.now()),
      type: "payment.succeeded",
      merchantId,
      occurredAt: `${date}T12:00:00.000Z`,
      livemode: false,
      data: {
        payment: { id: newId("payment", systemClock.now()), customerId },
        balanceTransaction: { kind: "charge", amount, fee, net: amount - fee, currency: "USD", date },
      },
    };
  };
  const fold = (events: DomainEvent[]) =>
    consumer({ Records: events.map((e) => sqsRecord(e.id, JSON.stringify(e))) } as never);
  for (let day = 0; day < days; day++)
    await fold(Array.from({ length: paymentsPerDay }, (_, n) => paid(addDays(from, day), n)));
  // A warm-up request, so the key lookup is not counted.
  await invoke(
    reportsApi as Handler,
    event("GET /v1/reports/revenue", secret, undefined, undefined, { from, to: from }),
  );
  const to = addDays(from, days - 1);
  return [
    await measure(
      "reports consumer: fold a new payer's payment.succeeded (revenue + top customer; payer ×3 grains)",
      () => fold([paid(to, 0, "cus_bench_new")]),
    ),
    await measure(`revenue report, ${days} days by day (${days * paymentsPerDay} payments folded)`, () =>
      invoke(
        reportsApi as Handler,
        event("GET /v1/reports/revenue", secret, undefined, undefined, { from, to }),
      ),
    ),
    await measure(`revenue report, ${days} days by day, livemode given (no merchant read)`, () =>
      invoke(
        reportsApi as Handler,
        event("GET /v1/reports/revenue", secret, undefined, undefined, { from, to, livemode: "false" }),
      ),
    ),
    await measure(`customers report, ${days} days by day`, () =>
      invoke(
        reportsApi as Handler,
        event("GET /v1/reports/customers", secret, undefined, undefined, { from, to }),
      ),
    ),
    await measure(`top customers, one whole month (7 customers)`, () =>
      invoke(
        reportsApi as Handler,
        event("GET /v1/reports/top-customers", secret, undefined, undefined, { from, to: "2026-10-31" }),
      ),
    ),
  ];
}
