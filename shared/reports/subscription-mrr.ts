/**
 * The MRR contributor (issue 16 §1): folds every `subscription.*` event that carries the subscription
 * into the month's movement rollup of its currency, and the report that reads them back.
 *
 * Each subscription's last counted figure is kept (`CountedSubscription`), so an event adds the
 * change from it: what a subscription counts for is decided from the event's snapshot (mrr.ts), and
 * the change is filed under the merchant's local month of the event's time (a test clock's time for
 * its customers). Events may arrive out of order: a snapshot older than the one counted last (by its
 * `updatedAt`, then the event's id) changes nothing, so a late event can never undo a newer state.
 */
import { localDate } from "../domain/calendar.ts";
import type { Clock } from "../domain/clock.ts";
import { retryOnConflict } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import type { ReportContributor } from "./contributor.ts";
import { classify, type MrrChange, type MrrFigure, type MrrMonth, mrrOf, subscriptionReport } from "./mrr.ts";

/** The events whose data is the subscription as it is after the change they report. */
export const subscriptionMrrEvents = [
  "subscription.created",
  "subscription.activated",
  "subscription.updated",
  "subscription.past_due",
  "subscription.recovered",
  "subscription.paused",
  "subscription.resumed",
  "subscription.canceled",
  "subscription.ended",
] as const;

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
  month: string;
  add: Omit<MrrMonth, "month" | "currency">;
}

export interface MrrStore {
  counted(
    merchantId: string,
    livemode: boolean,
    subscriptionId: string,
  ): Promise<CountedSubscription | undefined>;
  /**
   * One transaction: the event's marker (false when it was there: applied already), the
   * subscription's counted state if still `previousAsOf` (else a ConflictError), the month's ADD.
   */
  record(merchantId: string, record: MrrRecord): Promise<boolean>;
  /** Every month's rollup of one mode up to `toMonth` (included): one item per month and currency. */
  months(merchantId: string, livemode: boolean, toMonth: string): Promise<MrrMonth[]>;
}

export interface MrrPorts {
  mrr: MrrStore;
  merchantOf(merchantId: string): Promise<Merchant | undefined>;
}

/** The merchant's mode: subscription events carry none (they move no money themselves). */
const modeOf = (merchant: Merchant) => merchantLivemode(merchant);

/** Folds one subscription event in, once; a state older than the one counted is only marked. */
export async function applySubscriptionEvent(ports: MrrPorts, event: DomainEvent): Promise<void> {
  const subscription = (event.data as { subscription?: Subscription }).subscription;
  if (!subscription?.id) return;
  const merchant = await ports.merchantOf(event.merchantId);
  if (!merchant) return;
  const livemode = modeOf(merchant);
  const asOf = `${subscription.updatedAt}#${event.id}`;
  const month = localDate(new Date(event.occurredAt), merchant.timeZone).slice(0, 7);
  await retryOnConflict(
    8,
    async () => {
      const previous = await ports.mrr.counted(event.merchantId, livemode, subscription.id);
      const stale = previous !== undefined && previous.asOf >= asOf;
      const figure = stale ? previous : mrrOf(subscription);
      const change: MrrChange = stale ? { mrrDelta: 0, activeDelta: 0 } : classify(previous, figure);
      const add = {
        newMrr: 0,
        expansionMrr: 0,
        contractionMrr: 0,
        churnedMrr: 0,
        reactivationMrr: 0,
        mrrDelta: change.mrrDelta,
        activeDelta: change.activeDelta,
        ...(change.movement ? { [change.movement.field]: change.movement.amount } : {}),
      };
      await ports.mrr.record(event.merchantId, {
        eventId: event.id,
        livemode,
        subscriptionId: subscription.id,
        previousAsOf: previous?.asOf,
        next: stale
          ? previous
          : {
              ...figure,
              currency: subscription.currency,
              everCounted: (previous?.everCounted ?? false) || figure.counted,
              asOf,
            },
        month,
        add,
      });
    },
    (run) => 20 * 2 ** run * Math.random(),
  );
}

export const subscriptionMrrContributor = (ports: MrrPorts): ReportContributor => ({
  name: "subscription-mrr",
  eventTypes: subscriptionMrrEvents,
  apply: (event) => applySubscriptionEvent(ports, event),
});

export interface SubscriptionReportQuery {
  from: string;
  to: string;
  currency?: string | undefined;
  livemode?: boolean | undefined;
}

/**
 * `GET /v1/reports/subscriptions`: monthly rows of `from…to` (local dates; their months), in the
 * merchant's current mode unless one is asked. Reads one item per month and currency, from the
 * merchant's first month of subscriptions (the levels are the sums of the months before).
 */
export async function subscriptionsReport(
  ports: MrrPorts & { clock: Clock },
  merchantId: string,
  query: SubscriptionReportQuery,
) {
  const merchant = await ports.merchantOf(merchantId);
  const livemode = query.livemode ?? (merchant ? modeOf(merchant) : false);
  const current = localDate(ports.clock.now(), merchant?.timeZone ?? "UTC").slice(0, 7);
  const months = await ports.mrr.months(merchantId, livemode, query.to.slice(0, 7));
  const rows = subscriptionReport(
    query.currency ? months.filter((month) => month.currency === query.currency) : months,
    { from: query.from.slice(0, 7), to: query.to.slice(0, 7), current },
  );
  return { livemode, data: rows };
}
