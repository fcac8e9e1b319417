/**
 * The MRR contributor (issue 16 §1): folds every `subscription.*` event that carries the subscription
 * into the month's movement rollup of its currency, and the report that reads them back.
 *
 * Each subscription's last counted figure is kept (`CountedSubscription`), so an event adds the
 * change from it: what a subscription counts for is decided from the event's snapshot (mrr.ts), and
 * the change is filed under the merchant's local month of the event's time (a test clock's time for
 * its customers). Events may arrive out of order: a snapshot older than the one counted last (by its
 * `updatedAt`, then the event's id) changes nothing, so a late event can never undo a newer state.
 * Subscription events carry no mode (they move no money): the merchant's current mode is theirs.
 */
import { localDate } from "../domain/calendar.ts";
import type { Clock } from "../domain/clock.ts";
import { retryOnConflict } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import type { ReportContributor } from "./contributor.ts";
import { subscriptionEventTypes } from "./contributors.ts";
import {
  classify,
  type MrrChange,
  type MrrCounters,
  type MrrFigure,
  type MrrMonth,
  mrrCounters,
  mrrOf,
  subscriptionReport,
} from "./mrr.ts";
import type { ReportPorts, ReportReadPorts, RollupRef, Tally } from "./ports.ts";

/** What a subscription counted for when its state of `asOf` was folded in. */
export interface CountedSubscription extends MrrFigure {
  currency: string;
  /** It was in MRR once: coming back is a reactivation, not new. */
  everCounted: boolean;
  /** `<snapshot updatedAt>#<event id>`: orders the subscription's states. */
  asOf: string;
}

/** One event's effect: the subscription's new counted state and what its month's rollup adds. */
export interface MrrRecord {
  eventId: string;
  livemode: boolean;
  subscriptionId: string;
  /** The state it replaces (absent: none yet); a different one found is a lost race (ConflictError). */
  previousAsOf: string | undefined;
  next: CountedSubscription;
  tally: Tally;
}

export interface MrrStore {
  counted(
    merchantId: string,
    livemode: boolean,
    subscriptionId: string,
  ): Promise<CountedSubscription | undefined>;
  /**
   * One transaction: the event's marker (false when it was there: applied already), the
   * subscription's counted state if still `previousAsOf` (else a ConflictError), the tally's ADD.
   */
  record(merchantId: string, record: MrrRecord): Promise<boolean>;
}

export interface MrrPorts extends Pick<ReportPorts, "merchantOf"> {
  mrr: MrrStore;
  /** The subscription as the API shows it now, for an event whose snapshot was cut to fit. */
  subscriptionOf(merchantId: string, subscriptionId: string): Promise<Subscription | undefined>;
}

/** The MRR's rollup items: one per mode, local month and currency. */
const mrrRollup = (livemode: boolean, month: string, currency: string): RollupRef => ({
  report: "subscriptions",
  livemode,
  grain: "month",
  period: month,
  dims: [currency],
});

const unchanged: MrrChange = { mrrDelta: 0, activeDelta: 0 };

/** Folds one subscription event in, once; a state older than the one counted is only marked. */
export async function applySubscriptionEvent(ports: MrrPorts, event: DomainEvent): Promise<void> {
  const shown = (event.data as { subscription?: Partial<Subscription> & { id?: string } }).subscription;
  if (!shown?.id) return;
  // A snapshot cut to fit its event (items left out) is read back whole: its state now, as new or newer.
  const subscription =
    Array.isArray(shown.items) && Array.isArray(shown.discounts)
      ? (shown as Subscription)
      : await ports.subscriptionOf(event.merchantId, shown.id);
  if (!subscription) return;
  const merchant = await ports.merchantOf(event.merchantId);
  if (!merchant) return;
  const livemode = merchantLivemode(merchant);
  const asOf = `${subscription.updatedAt}#${event.id}`;
  const month = localDate(new Date(event.occurredAt), merchant.timeZone).slice(0, 7);
  await retryOnConflict(
    8,
    async () => {
      const previous = await ports.mrr.counted(event.merchantId, livemode, subscription.id);
      const stale = previous !== undefined && previous.asOf >= asOf;
      const figure = mrrOf(subscription);
      const change = stale ? unchanged : classify(previous, figure);
      const add: MrrCounters = {
        ...(Object.fromEntries(mrrCounters.map((name) => [name, 0])) as MrrCounters),
        mrrDelta: change.mrrDelta,
        activeDelta: change.activeDelta,
        ...(change.movement ? { [change.movement.field]: change.movement.amount } : {}),
      };
      await ports.mrr.record(event.merchantId, {
        eventId: event.id,
        livemode,
        subscriptionId: subscription.id,
        previousAsOf: previous?.asOf,
        next:
          stale && previous
            ? previous
            : {
                ...figure,
                currency: subscription.currency,
                everCounted: (previous?.everCounted ?? false) || figure.counted,
                asOf,
              },
        tally: { rollup: mrrRollup(livemode, month, subscription.currency), add },
      });
    },
    (run) => 20 * 2 ** run * Math.random(),
  );
}

export const subscriptionMrrContributor = (ports: MrrPorts): ReportContributor => ({
  name: "subscription-mrr",
  eventTypes: subscriptionEventTypes,
  apply: (event) => applySubscriptionEvent(ports, event),
});

export interface SubscriptionReportQuery {
  from: string;
  to: string;
  currency?: string | undefined;
  livemode?: boolean | undefined;
}

/**
 * `GET /v1/reports/subscriptions`: a row per month of `from…to` (local dates; their months) and
 * currency, in the merchant's current mode unless one is asked. One Query of one item per month and
 * currency from the merchant's first month of subscriptions (the levels are the sums of the months
 * before): O(months), whatever the number of subscriptions or events.
 */
export async function subscriptionsReport(
  ports: Pick<ReportReadPorts, "rollups" | "merchantOf"> & { clock: Clock },
  merchantId: string,
  query: SubscriptionReportQuery,
) {
  const merchant = await ports.merchantOf(merchantId);
  const livemode = query.livemode ?? (merchant ? merchantLivemode(merchant) : false);
  const current = localDate(ports.clock.now(), merchant?.timeZone ?? "UTC").slice(0, 7);
  const { report, grain } = mrrRollup(livemode, "", "");
  const rollups = await ports.rollups.read(merchantId, {
    report,
    livemode,
    grain,
    fromPeriod: "0000-00",
    toPeriod: query.to.slice(0, 7),
  });
  const months = rollups
    .map(
      ({ period, dims, counts }): MrrMonth => ({
        month: period,
        currency: dims[0] ?? "",
        ...(Object.fromEntries(mrrCounters.map((name) => [name, counts[name] ?? 0])) as MrrCounters),
      }),
    )
    .filter((month) => !query.currency || month.currency === query.currency);
  return {
    livemode,
    data: subscriptionReport(months, { from: query.from.slice(0, 7), to: query.to.slice(0, 7), current }),
  };
}
