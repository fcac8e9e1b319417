/**
 * A subscription: a customer billed for the same items every period (issue 11, DESIGN §5). The
 * engine (`billing.ts`) creates one invoice per period; this module holds the record and its rules.
 *
 * Shared contract between the resource (API, store) and the billing engine: the stored record keeps,
 * beside what the API shows, the period rule (`timeZone`), the next period to bill (`nextPeriod`)
 * and the test clock of the customer (`testClockId`), which decides the due index partition.
 */
import type { CurrencyCode } from "../domain/currency.ts";
import type { PaymentTermsCode } from "../merchants/merchant.ts";
import type { Interval } from "../products/product.ts";

/** The full set, used by the lifecycle issue too (trialing, paused). */
export type SubscriptionStatus =
  | "scheduled"
  | "incomplete"
  | "incomplete_expired"
  | "trialing"
  | "active"
  | "past_due"
  | "paused"
  | "canceled"
  | "ended";

/** No further invoice is ever created in these. */
export const terminalSubscriptionStatuses: readonly SubscriptionStatus[] = [
  "incomplete_expired",
  "canceled",
  "ended",
];

export type CollectionMethod = "charge_automatically" | "send_invoice";

export interface SubscriptionItem {
  /** `si_<ULID>` */
  id: string;
  productId?: string;
  description: string;
  /** Kept from creation: a later price change of the product affects new subscriptions only. */
  unitAmount: number;
  /** > 0, at most 4 decimals (as invoice lines). */
  quantity: number;
}

/**
 * A discount of every period's invoice. A code is redeemed once, at creation; its duration then
 * decides which periods it applies to (`once`: period 0; `repeating`: the first `durationInPeriods`).
 */
export interface SubscriptionDiscount {
  percentOff?: number;
  amountOff?: number;
  code?: string;
  duration: "once" | "forever" | "repeating";
  durationInPeriods?: number;
}

export interface Subscription {
  /** `sub_<ULID>` */
  id: string;
  status: SubscriptionStatus;
  customerId: string;
  currency: CurrencyCode;
  interval: Interval;
  items: SubscriptionItem[];
  /** Local date in the merchant's time zone. */
  startDate: string;
  billingAnchorDay: number;
  /** The period billed last (ISO instants); null before the first. */
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  /** When the next period is billed (ISO instant); null when no period is left to bill. */
  nextBillingAt: string | null;
  /** null: until canceled. */
  billingCycles: number | null;
  cyclesBilled: number;
  collectionMethod: CollectionMethod;
  defaultPaymentMethodId: string | null;
  /** send_invoice: the terms of each invoice (default the merchant's). */
  paymentTerms?: PaymentTermsCode;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  endedAt: string | null;
  latestInvoiceId: string | null;
  discounts: SubscriptionDiscount[];
  taxRateIds: string[];
  metadata: Record<string, string>;
  /** The customer's test clock (test mode), copied at creation; absent on the wall clock. */
  testClockId?: string;
  createdAt: string;
  updatedAt: string;
}

/** What the store keeps beside the API's fields. */
export interface StoredSubscription extends Subscription {
  /** The merchant's IANA time zone at creation: the periods' calendar. */
  timeZone: string;
  /** The number of the next period to bill (0 first); equals the periods billed so far. */
  nextPeriod: number;
}
