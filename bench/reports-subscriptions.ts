/**
 * The subscriptions (MRR) report's DynamoDB cost: two years of a merchant's subscription events in
 * two currencies fold into one rollup item per month and currency, so a year's report reads those
 * items (the levels need every month from the first) — O(months), not O(subscriptions or events).
 */
import { benchSecrets } from "./environment.ts";
import { event, type Handler, invoke, measure, sqsRecord } from "./dynamodb.ts";
import type { Row } from "./report.ts";
import { systemClock } from "../shared/domain/clock.ts";
import type { DomainEvent } from "../shared/domain/events.ts";
import { newId } from "../shared/domain/ids.ts";

const months = 24;
const startsPerMonth = 10;

export async function subscriptionReportRows(): Promise<Row[]> {
  const { handler: merchants } = await import("../functions/api/merchants.ts");
  const { handler: reportsApi } = await import("../functions/api/reports.ts");
  const { handler: consumer } = await import("../functions/reports/run.ts");
  const created = await invoke(
    merchants as Handler,
    event("POST /v1/merchants", benchSecrets.adminToken, { name: "Bench MRR", email: "mrr@bench.test" }),
  );
  const merchantId: string = created.merchant.id;
  const secret: string = created.apiKey.secret;
  const monthOf = (m: number) => `${2025 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
  /** A subscription's event: its snapshot as the API shows it (the fields MRR reads). */
  const changed = (
    type: string,
    id: string,
    at: string,
    currency: string,
    quantity: number,
    status = "active",
  ) =>
    ({
      id: newId("event", systemClock.now()),
      type,
      merchantId,
      objectId: id,
      occurredAt: at,
      livemode: false,
      data: {
        subscription: {
          id,
          status,
          currency,
          interval: "month",
          items: [{ id: "si_bench", description: "Seat", unitAmount: 1_500, quantity }],
          discounts: [],
          cyclesBilled: 1,
          updatedAt: at,
        },
      },
    }) satisfies DomainEvent;
  const fold = (events: DomainEvent[]) =>
    consumer({ Records: events.map((e) => sqsRecord(e.id, JSON.stringify(e))) } as never);
  for (let m = 0; m < months; m++) {
    const at = (day: number) => `${monthOf(m)}-${String(day).padStart(2, "0")}T12:00:00.000Z`;
    const ids = Array.from({ length: startsPerMonth }, () => newId("subscription", systemClock.now()));
    await fold(ids.map((id, n) => changed("subscription.created", id, at(3), n % 2 ? "EUR" : "USD", 1)));
    // Half of them upgrade, one cancels: movements of every kind, in both currencies.
    await fold(
      ids.slice(0, 5).map((id, n) => changed("subscription.updated", id, at(15), n % 2 ? "EUR" : "USD", 2)),
    );
    await fold([changed("subscription.canceled", ids[9] as string, at(20), "EUR", 1, "canceled")]);
  }
  const last = monthOf(months - 1);
  const year = { from: `${monthOf(months - 12)}-01`, to: `${last}-28` };
  // A warm-up request, so the key lookup is not counted.
  await invoke(
    reportsApi as Handler,
    event("GET /v1/reports/subscriptions", secret, undefined, undefined, year),
  );
  return [
    await measure(
      "reports consumer: fold a subscription event (merchant and counted state read, one transaction)",
      () =>
        fold([
          changed(
            "subscription.updated",
            newId("subscription", systemClock.now()),
            `${last}-27T12:00:00.000Z`,
            "USD",
            3,
          ),
        ]),
    ),
    await measure(
      `subscriptions report, 12 months (${months} months of history, ${months * startsPerMonth} subscriptions, 2 currencies)`,
      () =>
        invoke(
          reportsApi as Handler,
          event("GET /v1/reports/subscriptions", secret, undefined, undefined, year),
        ),
    ),
  ];
}
