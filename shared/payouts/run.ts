/**
 * The daily payout run and Stripe's payout records.
 *
 * Timing: the run for day D fires 5 minutes after the merchant's local midnight that ends D (the
 * grace lets transactions committed in D's last instants land), as a one-time schedule named
 * `payouts-<merchantId>-<D>` on the billing queue. Each run first schedules the next one, then does
 * its day's work, so a day that fails (its message is retried, then kept in the DLQ) cannot stop the
 * chain; names make every scheduling idempotent. A run delivered late (retries, an outage) also pays
 * out the days the broken chain missed, up to `maxCatchUpDays`; a run delivered before D has ended
 * in the merchant's zone (its time zone moved west) re-schedules itself after that midnight instead
 * of paying out a day still in progress.
 *
 * Every scheduling also records the run the chain waits for (the chain marker). A daily sweep
 * re-seeds each merchant whose marker is missing or long past due (its run never came or could not
 * schedule the next one): it schedules the run of the day the chain stopped at, whose catch-up pays
 * out the missed days. Re-seeding uses the same names, and payouts are unique per day and currency,
 * so a sweep that fires twice, or meets a chain that was only slow, adds nothing.
 *
 * Sandbox merchants get one payout per currency with transactions that day (see payout.ts).
 * Stripe merchants' runs only keep the chain going: Stripe's payout webhooks create their records
 * (`recordStripePayout`), and balance transactions of a Stripe merchant are never paid out here.
 */
import type Stripe from "stripe";
import * as z from "zod";
import type { OneTimeSchedule, SchedulerPort } from "../aws/scheduler.ts";
import { addDays, localDate, startOfLocalDay } from "../domain/calendar.ts";
import type { Clock } from "../domain/clock.ts";
import { ConflictError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import { timerQueue } from "../timers/registry.ts";
import { type Payout, type PayoutStatus, statusOfNet, summarizeDay } from "./payout.ts";
import type { ChainMarker, PayoutStore } from "./ports.ts";
import { lazy } from "../lazy.ts";

export interface PayoutPorts {
  payouts: PayoutStore;
  merchants: Pick<MerchantStore, "readMerchant">;
  scheduler: SchedulerPort;
  clock: Clock;
}

/** The sweep also walks every merchant. */
export type PayoutSweepPorts = PayoutPorts & {
  merchants: Pick<MerchantStore, "readMerchant" | "listMerchants">;
};

/** Minutes after the merchant's midnight at which a day's run fires. */
export const payoutGraceMinutes = 5;
/** Most days one late run pays out (SQS keeps a message 14 days). */
export const maxCatchUpDays = 31;
/**
 * How long past its time a chain's next run may be before the sweep takes the chain for dead: a run
 * advances the marker within seconds of firing, or within minutes through the queue's retries.
 */
export const chainStaleAfterMinutes = 60;

const day = lazy(() => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a YYYY-MM-DD date"));

/** The billing queue message a payout schedule delivers. */
export const payoutRunMessage = lazy(() =>
  z.object({
    kind: z.literal("payouts.run"),
    merchantId: z.string().min(1),
    date: day(),
  }),
);
export type PayoutRunMessage = z.output<ReturnType<typeof payoutRunMessage>>;

/** The billing queue message of the daily sweep (declared in the manifest's schedules). */
export const payoutSweepMessage = lazy(() => z.object({ kind: z.literal("payouts.sweep") }));

export interface PayoutRunSchedule extends OneTimeSchedule {
  payload: PayoutRunMessage;
}

/** The schedule of the run that pays out `date`: just after the merchant's midnight that ends it. */
export function payoutRunSchedule(merchantId: string, date: string, timeZone: string): PayoutRunSchedule {
  const at = new Date(startOfLocalDay(addDays(date, 1), timeZone).getTime() + payoutGraceMinutes * 60_000);
  return {
    name: `payouts-${merchantId}-${date}`,
    at,
    queue: timerQueue,
    payload: { kind: "payouts.run", merchantId, date },
  };
}

/** The next run to schedule at `now`: the one for the merchant's current local day. */
export function nextPayoutRun(merchantId: string, timeZone: string, now: Date): PayoutRunSchedule {
  return payoutRunSchedule(merchantId, localDate(now, timeZone), timeZone);
}

/**
 * The run that re-seeds a merchant's chain at `now`, or undefined when its chain is alive: none
 * recorded → the current day's run; long past due → the run of the day it stopped at, a minute from
 * now (its own time is past), whose catch-up pays out the missed days.
 */
export function reseedRun(
  merchant: Pick<Merchant, "id" | "timeZone">,
  marker: ChainMarker | undefined,
  now: Date,
): PayoutRunSchedule | undefined {
  if (!marker) return nextPayoutRun(merchant.id, merchant.timeZone, now);
  if (new Date(marker.runAt).getTime() + chainStaleAfterMinutes * 60_000 > now.getTime()) return undefined;
  const run = payoutRunSchedule(merchant.id, marker.date, merchant.timeZone);
  const soon = new Date(now.getTime() + 60_000);
  return run.at > soon ? run : { ...run, at: soon };
}

/** Schedules a run of the merchant's chain and records it as the run the chain waits for. */
async function scheduleRun(ports: Pick<PayoutPorts, "payouts" | "scheduler">, run: PayoutRunSchedule) {
  await ports.scheduler.scheduleOnce(run);
  await ports.payouts.markNextRun(run.payload.merchantId, {
    date: run.payload.date,
    runAt: run.at.toISOString(),
  });
}

/** Starts a new merchant's chain: the run for its current day. */
export async function startPayoutChain(ports: PayoutPorts, merchantId: string): Promise<void> {
  const merchant = await ports.merchants.readMerchant(merchantId);
  if (merchant)
    await scheduleRun(ports, nextPayoutRun(merchantId, merchant.value.timeZone, ports.clock.now()));
}

/**
 * Re-seeds every merchant's chain that is missing or dead (see `reseedRun`) and leaves live ones
 * alone: one query page of merchants and one batch read of their markers per 100 merchants, and a
 * schedule only for the chains it re-seeds. Returns the merchants it re-seeded.
 */
export async function sweepPayoutChains(ports: PayoutSweepPorts): Promise<string[]> {
  const now = ports.clock.now();
  const reseeded: string[] = [];
  let after: Record<string, unknown> | undefined;
  do {
    const page = await ports.merchants.listMerchants({ limit: 100, ...(after ? { after } : {}) });
    const markers = await ports.payouts.chainMarkers(page.items.map((m) => m.id));
    for (const merchant of page.items) {
      const run = reseedRun(merchant, markers.get(merchant.id), now);
      if (!run) continue;
      await scheduleRun(ports, run);
      reseeded.push(merchant.id);
    }
    after = page.next;
  } while (after);
  return reseeded;
}

const isStripe = (merchant: Merchant) => merchant.processor === "stripe";

/** `payout.paid` / `payout.failed`, in the payout's own mode. */
const payoutEvent = (merchantId: string, payout: Payout, now: Date) =>
  newEvent(`payout.${payout.status}`, merchantId, payout.id, now, { payout }, payout.livemode);

/** Creates the day's payouts; a day and currency paid out already is skipped (the uniqueness item). */
async function payOutDay(ports: PayoutPorts, merchantId: string, date: string): Promise<Payout[]> {
  const transactions = await ports.payouts.balanceTransactionsOfDay(merchantId, date);
  const created: Payout[] = [];
  for (const summary of summarizeDay(transactions)) {
    if (await ports.payouts.findDaily(merchantId, date, summary.currency)) continue;
    const now = ports.clock.now();
    const at = now.toISOString();
    // Earlier days' shortfall comes off first; what is still not positive waits for the next payout.
    const carry = await ports.payouts.carry(merchantId, summary.currency);
    const amount = summary.amount + carry.amount;
    const status = statusOfNet(amount);
    const payout: Payout = {
      id: newId("payout", now),
      ...summary,
      amount,
      carriedIn: carry.amount,
      date,
      status,
      source: "sandbox",
      livemode: false,
      // The sandbox "sends" the money when the run fires, the day after `date`.
      ...(status === "paid" ? { arrivalDate: addDays(date, 1) } : {}),
      createdAt: at,
      updatedAt: at,
    };
    const event = payoutEvent(merchantId, payout, now);
    try {
      await ports.payouts.createDaily(merchantId, payout, event, {
        expectedVersion: carry.version,
        next: status === "paid" ? 0 : amount,
      });
      created.push(payout);
    } catch (error) {
      // A concurrent run won the day: already done.
      if (
        !(error instanceof ConflictError) ||
        !(await ports.payouts.findDaily(merchantId, date, summary.currency))
      )
        throw error;
    }
  }
  return created;
}

/**
 * Pays out a sandbox merchant's local day `date`: one payout per currency that has balance
 * transactions that day, each with its `payout.paid` (or `payout.skipped`) event in the same
 * transaction. Idempotent: returns the payouts this call created, none when the day was done.
 * Stripe merchants (and unknown merchants) get nothing.
 */
export async function runDailyPayouts(
  ports: PayoutPorts,
  merchantId: string,
  date: string,
): Promise<Payout[]> {
  const merchant = await ports.merchants.readMerchant(merchantId);
  if (!merchant || isStripe(merchant.value)) return [];
  return payOutDay(ports, merchantId, date);
}

/**
 * Handles a `payouts.run` message: schedules the run for the merchant's current day, then pays out
 * `message.date` (and any later day before today the chain missed) for a sandbox merchant. For a
 * Stripe merchant it only schedules. A merchant that no longer exists ends the chain.
 */
export async function handlePayoutRun(
  ports: PayoutPorts,
  message: PayoutRunMessage,
): Promise<{ created: Payout[]; scheduled?: PayoutRunSchedule }> {
  const merchant = await ports.merchants.readMerchant(message.merchantId);
  if (!merchant) return { created: [] };
  const { id, timeZone } = merchant.value;
  const now = ports.clock.now();
  const today = localDate(now, timeZone);
  if (message.date >= today) {
    // The day has not ended where the merchant is: try again once it has (a new name, as the
    // schedule that brought this message may still exist).
    const retry = payoutRunSchedule(id, message.date, timeZone);
    const scheduled = { ...retry, name: `${retry.name}-deferred` };
    await scheduleRun(ports, scheduled);
    return { created: [], scheduled };
  }
  // The next run before this one's work: if the work throws, this message is retried (and then kept
  // in the DLQ), and the chain goes on regardless.
  const scheduled = nextPayoutRun(id, timeZone, now);
  await scheduleRun(ports, scheduled);
  const created: Payout[] = [];
  if (!isStripe(merchant.value)) {
    for (let date = message.date, n = 0; date < today && n < maxCatchUpDays; date = addDays(date, 1), n++) {
      created.push(...(await payOutDay(ports, id, date)));
    }
  }
  return { created, scheduled };
}

const stripeDate = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

/** Which way a Stripe payout's status may move: `paid` can still fail later; `failed` is final. */
const supersedes = (next: PayoutStatus, current: PayoutStatus) =>
  current !== next && current === "paid" && next === "failed";

/**
 * Records a Stripe payout from its `payout.paid` / `payout.failed` webhook: one record per Stripe
 * payout id (a uniqueness item), with Stripe's amount, currency and arrival date, and its
 * `payout.paid` / `payout.failed` event. Idempotent and order-tolerant: a duplicate changes nothing;
 * a paid payout that later fails becomes failed; a stale `paid` after `failed` is ignored.
 */
export async function recordStripePayout(
  ports: Pick<PayoutPorts, "payouts" | "merchants" | "clock">,
  merchantId: string,
  stripePayout: Stripe.Payout,
  status: "paid" | "failed",
): Promise<Payout | undefined> {
  const merchant = await ports.merchants.readMerchant(merchantId);
  if (!merchant) return undefined;
  const failure =
    status === "failed"
      ? {
          code: stripePayout.failure_code ?? "payout_failed",
          message: stripePayout.failure_message ?? "The payout failed",
        }
      : undefined;
  for (let attempt = 0; ; attempt++) {
    const now = ports.clock.now();
    const at = now.toISOString();
    const existingId = await ports.payouts.findByStripePayout(merchantId, stripePayout.id);
    try {
      if (!existingId) {
        const amount = stripePayout.amount;
        const payout: Payout & { processorPayoutId: string } = {
          id: newId("payout", now),
          currency: stripePayout.currency.toUpperCase(),
          amount,
          grossAmount: amount,
          feeTotal: 0,
          refundTotal: 0,
          disputeTotal: 0,
          chargeCount: 0,
          refundCount: 0,
          disputeCount: 0,
          balanceTransactionCount: 0,
          date: localDate(new Date(stripePayout.created * 1000), merchant.value.timeZone),
          status,
          source: "stripe",
          livemode: stripePayout.livemode === true,
          processorPayoutId: stripePayout.id,
          arrivalDate: stripeDate(stripePayout.arrival_date),
          ...(failure ? { failure: { ...failure, afterPaid: false } } : {}),
          createdAt: at,
          updatedAt: at,
        };
        await ports.payouts.createFromStripe(merchantId, payout, payoutEvent(merchantId, payout, now));
        return payout;
      }
      const found = await ports.payouts.read(merchantId, existingId);
      if (!found)
        throw new Error(`Payout ${existingId} claimed by Stripe payout ${stripePayout.id} is missing`);
      if (!supersedes(status, found.value.status)) return found.value;
      const next: Payout = {
        ...found.value,
        status,
        livemode: stripePayout.livemode === true,
        // Only a paid payout is superseded, by its failure: the bank returned it.
        ...(failure ? { failure: { ...failure, afterPaid: true } } : {}),
        updatedAt: at,
      };
      await ports.payouts.replace(merchantId, next, found.version, payoutEvent(merchantId, next, now));
      return next;
    } catch (error) {
      // Another delivery recorded it first: look again.
      if (!(error instanceof ConflictError) || attempt >= 4) throw error;
    }
  }
}
