/**
 * Customer segments (HubSpot's lists): a named set of filters over customers, all of which must hold.
 * Property filters read the customer; behaviour filters read the customer's stats (kept from events
 * by the segments consumer, `stats.ts`). Pure: membership at an instant, and the instants at which
 * time alone changes it (a one-time schedule per flip keeps an active segment current).
 */
import type { Customer } from "../customers/customer.ts";

export type SegmentType = "active" | "static";
export type SegmentStatus = "building" | "ready";

export type SegmentFilter =
  | { type: "emailDomain"; value: string }
  | { type: "country"; value: string }
  | { type: "metadata"; key: string; value: string }
  | { type: "createdAt"; after?: string; before?: string }
  | { type: "accountOwner"; value: string }
  | { type: "paidInLastDays"; days: number }
  | { type: "totalPaidGte"; amount: number; currency: string }
  | { type: "hasActiveSubscription"; value: boolean }
  | { type: "hasOverdueInvoice"; value: boolean }
  | { type: "lastPaymentBefore"; date: string }
  | { type: "lastPaymentBefore"; days: number }
  | { type: "subscribedToProduct"; productId: string };

export type SegmentFilterType = SegmentFilter["type"];

export const segmentFilterTypes = [
  "emailDomain",
  "country",
  "metadata",
  "createdAt",
  "accountOwner",
  "paidInLastDays",
  "totalPaidGte",
  "hasActiveSubscription",
  "hasOverdueInvoice",
  "lastPaymentBefore",
  "subscribedToProduct",
] as const satisfies readonly SegmentFilterType[];

export interface Segment {
  id: string;
  name: string;
  type: SegmentType;
  filters: SegmentFilter[];
  /** `building` while the consumer pages through the merchant's customers (a new active segment, new filters). */
  status: SegmentStatus;
  /** Kept by the membership writes (an `ADD` beside each member's item). */
  memberCount: number;
  /** Moves with every change of the filters: a build of an older revision stops. */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** A customer's behaviour, as the segments consumer keeps it from events. */
export interface CustomerStats {
  customerId: string;
  /** The latest succeeded payment's time (ISO instant). */
  lastPaymentAt?: string;
  /** Succeeded payments less succeeded refunds, per currency (minor units). */
  paid: Record<string, number>;
  /**
   * Every subscription of the customer seen in an event: whether it runs (active, trialing or
   * past_due) and its products, as of the subscription's `updatedAt` (an older event changes nothing).
   */
  subscriptions: Record<string, { running: boolean; productIds: string[]; updatedAt: string }>;
  /** The customer's overdue invoices (an invoice leaves when it is paid or voided). */
  overdueInvoices: string[];
}

export const emptyStats = (customerId: string): CustomerStats => ({
  customerId,
  paid: {},
  subscriptions: {},
  overdueInvoices: [],
});

const dayMs = 86_400_000;

/**
 * The shorthand `{ <type>: value }` as the canonical `{ type, … }`: a scalar is the type's main field
 * (`{ paidInLastDays: 30 }` → `{ type: "paidInLastDays", days: 30 }`; `lastPaymentBefore` takes a
 * date or a number of days), an object its fields. Anything else is returned as it is (the schema
 * then names what is wrong).
 */
export function normaliseFilter(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input) || "type" in input) return input;
  const entries = Object.entries(input);
  const [entry] = entries;
  if (entries.length !== 1 || !entry) return input;
  const [type, value] = entry;
  if (!(segmentFilterTypes as readonly string[]).includes(type)) return input;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return { type, ...value };
  const main: Record<string, string> = {
    emailDomain: "value",
    country: "value",
    accountOwner: "value",
    hasActiveSubscription: "value",
    hasOverdueInvoice: "value",
    paidInLastDays: "days",
    subscribedToProduct: "productId",
    lastPaymentBefore: typeof value === "number" ? "days" : "date",
  };
  const field = main[type];
  return field ? { type, [field]: value } : input;
}

/** What a segment's filters read of one customer at one instant. */
export interface CustomerFacts {
  customer: Pick<Customer, "email" | "address" | "metadata" | "createdAt" | "accountOwner">;
  stats: CustomerStats;
  now: Date;
}

const instant = (value: string) => Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);

/** Whether one filter holds. */
export function holds({ customer, stats, now }: CustomerFacts, filter: SegmentFilter): boolean {
  const last = stats.lastPaymentAt ? Date.parse(stats.lastPaymentAt) : undefined;
  const running = Object.values(stats.subscriptions).filter((s) => s.running);
  switch (filter.type) {
    case "emailDomain":
      return customer.email.toLowerCase().endsWith(`@${filter.value.toLowerCase()}`);
    case "country":
      return customer.address?.country?.toUpperCase() === filter.value.toUpperCase();
    case "metadata":
      return customer.metadata?.[filter.key] === filter.value;
    case "createdAt": {
      const created = Date.parse(customer.createdAt);
      return (
        (filter.after === undefined || created >= instant(filter.after)) &&
        (filter.before === undefined || created < instant(filter.before))
      );
    }
    case "accountOwner":
      return customer.accountOwner?.email.toLowerCase() === filter.value.toLowerCase();
    // Paid within the last `days`: a member until exactly last payment + days.
    case "paidInLastDays":
      return last !== undefined && now.getTime() < last + filter.days * dayMs;
    case "totalPaidGte":
      return (stats.paid[filter.currency] ?? 0) >= filter.amount;
    case "hasActiveSubscription":
      return running.length > 0 === filter.value;
    case "hasOverdueInvoice":
      return stats.overdueInvoices.length > 0 === filter.value;
    // The other way round: a member from exactly last payment + days (a customer who never paid is not one).
    case "lastPaymentBefore":
      if (last === undefined) return false;
      return "days" in filter ? now.getTime() >= last + filter.days * dayMs : last < instant(filter.date);
    case "subscribedToProduct":
      return running.some((s) => s.productIds.includes(filter.productId));
    default:
      return false;
  }
}

/** Whether the customer is in a segment of these filters (no filters: every customer). */
export const matchesFilters = (facts: CustomerFacts, filters: readonly SegmentFilter[]): boolean =>
  filters.every((filter) => holds(facts, filter));

/**
 * The instants after `now` at which time alone changes what these filters say of the customer: last
 * payment + days of each `paidInLastDays` and `lastPaymentBefore { days }`. A newer payment moves
 * them; the flip at an older instant then finds nothing changed.
 */
export function flipInstants(stats: CustomerStats, filters: readonly SegmentFilter[], now: Date): Date[] {
  if (!stats.lastPaymentAt) return [];
  const last = Date.parse(stats.lastPaymentAt);
  const at = new Set<number>();
  for (const filter of filters) {
    const days =
      filter.type === "paidInLastDays" || (filter.type === "lastPaymentBefore" && "days" in filter)
        ? filter.days
        : undefined;
    if (days !== undefined && last + days * dayMs > now.getTime()) at.add(last + days * dayMs);
  }
  return [...at].sort((a, b) => a - b).map((ms) => new Date(ms));
}
