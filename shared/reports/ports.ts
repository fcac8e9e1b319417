/**
 * The ports the reports need: rollup items counted with `ADD`, once per event or once per member of a
 * period, and read back one item per period (× its dimensions).
 */
import type { Clock } from "../domain/clock.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Grain } from "./periods.ts";

/** One rollup item: a report's counters for one mode, period and set of dimensions (a currency, a customer…). */
export interface RollupRef {
  /** The report it feeds (`revenue`, `customers`, `top`…): its own key range. */
  report: string;
  livemode: boolean;
  grain: Grain;
  /** `YYYY-MM-DD` (a day, a week's Monday) or `YYYY-MM`. */
  period: string;
  /** The rest of the item's identity, in key order (e.g. `[currency]`, `[customerId, currency]`). */
  dims: readonly string[];
}

/** Counters to add to one rollup item (negative to take away). */
export interface Tally {
  rollup: RollupRef;
  add: Readonly<Record<string, number>>;
}

export interface Rollup {
  period: string;
  dims: string[];
  counts: Record<string, number>;
}

export interface RollupStore {
  /**
   * Adds the tallies in one transaction with the marker of (`contributor`, `eventId`): a second
   * delivery of the event finds the marker and adds nothing. False when it was applied already.
   */
  addOnce(
    merchantId: string,
    marker: { contributor: string; eventId: string },
    tallies: readonly Tally[],
  ): Promise<boolean>;
  /**
   * Adds the tallies once per `member` of `rollup`'s period (a distinct count: a customer paying
   * twice in a week counts once in that week), with a marker of (rollup, member). False when counted.
   */
  addOncePerMember(
    merchantId: string,
    rollup: RollupRef,
    member: string,
    tallies: readonly Tally[],
  ): Promise<boolean>;
  /** The items of one report, mode and grain with periods from `fromPeriod` to `toPeriod` (both included). */
  read(
    merchantId: string,
    range: { report: string; livemode: boolean; grain: Grain; fromPeriod: string; toPeriod: string },
  ): Promise<Rollup[]>;
}

/** What the contributors need: the rollups, and the merchant's zone and mode for events that carry neither. */
export interface ReportPorts {
  rollups: RollupStore;
  merchantOf(merchantId: string): Promise<Merchant | undefined>;
  clock: Clock;
}

/** A customer as a report names it. */
export interface NamedCustomer {
  id: string;
  name?: string;
  email: string;
}

/** What the report reads need besides the rollups: the merchant's mode, the top customers' names. */
export interface ReportReadPorts {
  rollups: RollupStore;
  merchantOf(merchantId: string): Promise<Merchant | undefined>;
  /** The customers of these ids that exist (a deleted one is left out). */
  customersNamed(merchantId: string, ids: readonly string[]): Promise<NamedCustomer[]>;
}
