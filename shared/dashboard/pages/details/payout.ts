/** The payout page: what it sums (gross, fees, refunds, disputes), the balance transactions it pays out, its timeline. */
import { payoutReadPorts } from "../../../composition.ts";
import { isId } from "../../../domain/ids.ts";
import { getPayout, listPayoutBalanceTransactions } from "../../../payouts/service.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { badge, facts, html, money, pageHeader, section, table, timeline } from "../../ui.ts";
import { calendarDay, merchantOf, objectLink } from "./common.ts";
import { eventsOf } from "./timeline.ts";

/** Transactions shown; a busy day's payout sums more, and the API pages through them all. */
const shown = 100;

async function payoutPage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const ports = payoutReadPorts();
  const id = request.params.id ?? "";
  const [payout, transactions, merchant, events] = await Promise.all([
    getPayout(ports, merchantId, id),
    listPayoutBalanceTransactions(ports, merchantId, id, { limit: shown }),
    merchantOf(request),
    eventsOf(merchantId, id),
  ]);
  const { currency } = payout;
  const title = `Payout of ${payout.date}`;
  const body = html`${pageHeader(html`Payout ${money(payout.amount, currency)} ${badge(payout.status)}`, undefined, payout.id)}
${section(
  "Details",
  facts([
    ["Amount", money(payout.amount, currency)],
    ["Status", badge(payout.status)],
    ["Day", calendarDay(payout.date)],
    ["Arrives", calendarDay(payout.arrivalDate)],
    ["Gross", money(payout.grossAmount, currency)],
    ["Fees", money(-payout.feeTotal, currency)],
    ["Refunds", money(-payout.refundTotal, currency)],
    ["Disputes", money(-payout.disputeTotal, currency)],
    ["Carried in", payout.carriedIn ? money(payout.carriedIn, currency) : undefined],
    ["Transactions", String(payout.balanceTransactionCount)],
    ["Source", payout.source === "stripe" ? `Stripe ${payout.processorPayoutId ?? ""}` : "Sandbox"],
    ["Failure", payout.failure?.message],
  ]),
)}
${section(
  "Balance transactions",
  html`${table({
    caption: "Balance transactions",
    rows: transactions.items,
    empty: "No balance transactions.",
    columns: [
      { header: "Kind", cell: (t) => badge(t.kind === "charge" ? "succeeded" : "refunded", t.kind) },
      {
        header: "Source",
        cell: (t) => (isId("payment", t.sourceId) ? objectLink("payments", t.sourceId) : t.sourceId),
      },
      { header: "Amount", numeric: true, cell: (t) => money(t.amount, t.currency) },
      { header: "Fee", numeric: true, cell: (t) => money(t.fee, t.currency) },
      { header: "Net", numeric: true, cell: (t) => money(t.net, t.currency) },
    ],
  })}
${transactions.next ? html`<p class="muted">The first ${shown} of ${payout.balanceTransactionCount} are shown; <code>GET /v1/payouts/${payout.id}/balance-transactions</code> pages through them all.</p>` : ""}`,
)}
${section("Timeline", timeline(events, merchant.timeZone))}`;
  return { kind: "page" as const, title, body: String(body) };
}

export const payoutRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: "/app/payouts/{id}", permission: "read", handle: payoutPage },
];
