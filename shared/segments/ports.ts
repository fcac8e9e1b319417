/**
 * What segments run on: the segments themselves, their members, and the customers' behaviour stats
 * (implemented by shared/store/segments.ts), in the capability's words.
 */
import type { SchedulerPort } from "../aws/scheduler.ts";
import type { Customer } from "../customers/customer.ts";
import type { Clock } from "../domain/clock.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Page, PageRequest, Versioned } from "../domain/records.ts";
import type { CustomerStats, Segment } from "./segment.ts";

export interface SegmentStore {
  read(merchantId: string, id: string): Promise<Versioned<Segment> | undefined>;
  create(merchantId: string, segment: Segment, event: DomainEvent): Promise<void>;
  /** Sets name, filters, status, revision and updatedAt if still at `expectedVersion` (the count is left alone). */
  update(merchantId: string, segment: Segment, expectedVersion: number, event: DomainEvent): Promise<void>;
  remove(merchantId: string, id: string, expectedVersion: number, event: DomainEvent): Promise<void>;
  /** Newest first. */
  list(merchantId: string, page: Pick<PageRequest, "limit" | "after">): Promise<Page<Segment>>;
  /** Every active segment of the merchant (what a customer's change is evaluated against). */
  active(merchantId: string): Promise<Segment[]>;
  /** A build of `revision` is done: the segment is ready, unless its filters changed meanwhile. */
  markReady(merchantId: string, id: string, revision: number): Promise<void>;
}

export interface MemberStore {
  /** A page of the segment's customers (their ids), newest first: one query. */
  page(
    merchantId: string,
    segmentId: string,
    page: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<string>>;
  /** The segments the customer is a member of (one query of its index). */
  segmentsOf(merchantId: string, customerId: string): Promise<string[]>;
  /** Which of these customers are members. */
  members(merchantId: string, segmentId: string, customerIds: readonly string[]): Promise<Set<string>>;
  /** Adds the member and counts it, once (false: a member already, or the segment is gone). */
  add(merchantId: string, segmentId: string, customerId: string): Promise<boolean>;
  /** Removes the member and counts it, once (false: not a member). */
  remove(merchantId: string, segmentId: string, customerId: string): Promise<boolean>;
  /** Deletes every member item of a deleted segment. */
  clear(merchantId: string, segmentId: string): Promise<void>;
}

export interface StatsStore {
  read(merchantId: string, customerId: string): Promise<CustomerStats | undefined>;
  readMany(merchantId: string, customerIds: readonly string[]): Promise<Map<string, CustomerStats>>;
  /**
   * Applies `change` to the customer's stats once per event id (a marker in the same transaction; a
   * lost race re-reads and retries). False when the event was applied before.
   */
  applyOnce(
    merchantId: string,
    customerId: string,
    eventId: string,
    change: (stats: CustomerStats) => CustomerStats,
  ): Promise<boolean>;
  remove(merchantId: string, customerId: string): Promise<void>;
}

export interface SegmentCustomers {
  read(merchantId: string, customerId: string): Promise<Customer | undefined>;
  readMany(merchantId: string, customerIds: readonly string[]): Promise<Customer[]>;
  /** A page of the merchant's customers, newest first (a build walks them). */
  list(merchantId: string, page: Pick<PageRequest, "limit" | "after">): Promise<Page<Customer>>;
}

/** The segments API's ports. */
export interface SegmentPorts {
  segments: SegmentStore;
  members: MemberStore;
  customers: SegmentCustomers;
  clock: Clock;
}

/** What a build page sends on: the next page's message, to the segments queue. */
export interface SegmentQueue {
  send(message: Record<string, unknown>): Promise<void>;
}

/** The segments consumer's ports. */
export interface SegmentConsumerPorts extends SegmentPorts {
  stats: StatsStore;
  queue: SegmentQueue;
  /** The customer's clock: a test clock's time for its customers, else the message's. */
  clockOf(merchantId: string, customer: Customer): Promise<Clock>;
  /** Where a flip planned on `clock` waits: a test clock's due work, or the deployment's scheduler. */
  schedulerFor(clock: Clock): SchedulerPort;
}
