/**
 * The only module that spells the table's keys. Merchant-owned items live in their merchant's
 * partition (`MERCHANT#<id>`), so no code path can read one without naming the merchant; their sort
 * keys carry ULID ids, so a partition reads newest-first without an index. See access-patterns.md.
 */
export interface Key {
  PK: string;
  SK: string;
}

const merchantPk = (merchantId: string) => `MERCHANT#${merchantId}`;

/** The merchant whose partition key `pk` is (an item found through an index). */
export const merchantIdOf = (pk: string): string => pk.slice("MERCHANT#".length);

export const keys = {
  /** The item the health check reads (it need not exist: a successful read proves the table answers). */
  health: (): Key => ({ PK: "HEALTH", SK: "HEALTH" }),
  merchant: (merchantId: string): Key => ({ PK: merchantPk(merchantId), SK: "MERCHANT" }),
  /** GSI1: every merchant, for the platform admin's list. */
  merchantListing: (createdAt: string, merchantId: string) => ({
    GSI1PK: "MERCHANTS",
    GSI1SK: `${createdAt}#${merchantId}`,
  }),

  /** API keys are found by the hash of their secret on every request: one GetItem. */
  apiKeyByHash: (secretHash: string): Key => ({ PK: `APIKEY#${secretHash}`, SK: "APIKEY" }),
  /** GSI1: a merchant's keys, by key id (ULID: creation order). */
  apiKeyListing: (merchantId: string, keyId: string) => ({
    GSI1PK: `${merchantPk(merchantId)}#APIKEYS`,
    GSI1SK: keyId,
  }),

  /** Any merchant-owned object (customer, product, tax rate, …): the sort key is its prefixed ULID id. */
  merchantObject: (merchantId: string, id: string): Key => ({ PK: merchantPk(merchantId), SK: id }),
  /** The merchant's map from ledger accounts to its chart of accounts (accounting exports). */
  ledgerAccountMapping: (merchantId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: "LEDGER_ACCOUNT_MAPPING",
  }),
  /** Uniqueness claims within a merchant, e.g. a customer's email or a discount code. */
  merchantUnique: (merchantId: string, what: string, value: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `UNIQUE#${what}#${value}`,
  }),

  /** GSI1: a customer's saved payment methods, by id (ULID: creation order). */
  paymentMethodOfCustomer: (merchantId: string, customerId: string, paymentMethodId: string) => ({
    GSI1PK: `${merchantPk(merchantId)}#PAYMENT_METHODS#${customerId}`,
    GSI1SK: paymentMethodId,
  }),

  /** GSI1: a merchant's finalized invoices by due date. */
  invoiceByDue: (merchantId: string, dueDate: string, invoiceId: string) => ({
    GSI1PK: `${merchantPk(merchantId)}#INVOICES_BY_DUE`,
    GSI1SK: `${dueDate}#${invoiceId}`,
  }),
  /**
   * A subscription's period, claimed once by the write that creates its invoice (it names that
   * invoice): a second biller of the same period fails its condition, whatever fired it.
   */
  subscriptionPeriod: (merchantId: string, subscriptionId: string, period: number): Key => ({
    PK: merchantPk(merchantId),
    SK: `SUBPERIOD#${subscriptionId}#${String(period).padStart(6, "0")}`,
  }),
  /**
   * A billed period whose invoice is not collected yet (it carries `dueWork` until then). Its own
   * partition, not the merchant's: writing and deleting it costs the merchant's partition nothing.
   */
  uncollectedPeriod: (merchantId: string, subscriptionId: string, period: number): Key => ({
    PK: `UNCOLLECTED#${merchantId}#${subscriptionId}#${period}`,
    SK: "UNCOLLECTED",
  }),
  /**
   * The tickets of a merchant's renewals due at one instant (`n`, moved by `ADD`): the n-th fires
   * ⌊(n − 1) / pace⌋ s after it (shared/subscriptions/pace.ts), so a merchant's run is spread out.
   */
  billingSlots: (merchantId: string, instant: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `BILLSLOT#${instant}`,
  }),
  /** A subscription's renewal into period `period` was announced (`subscription.renewal_upcoming`): once per renewal. */
  subscriptionRenewalNotice: (merchantId: string, subscriptionId: string, period: number): Key => ({
    PK: merchantPk(merchantId),
    SK: `SUBRENEWAL#${subscriptionId}#${String(period).padStart(6, "0")}`,
  }),
  /** Gapless document number counters, one per merchant and kind of document. */
  counter: (merchantId: string, name: string): Key => ({ PK: merchantPk(merchantId), SK: `COUNTER#${name}` }),
  /**
   * A payment link's public slug → its merchant and link, claimed once (`attribute_not_exists`) in the
   * link's creation: the page at `/l/{slug}` finds its link with one GetItem.
   */
  paymentLinkSlug: (slug: string): Key => ({ PK: `PLINK#${slug}`, SK: "PLINK" }),
  /**
   * A payment link's redemptions held: reserved by checkouts paying now plus completed ones. Its own
   * item (not the link's), so a PATCH of the link never overwrites a reservation.
   */
  paymentLinkHolds: (merchantId: string, paymentLinkId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `PLINKHOLDS#${paymentLinkId}`,
  }),
  /** A published quote's PDF, rendered once: the bytes its `contentHash` is the SHA-256 of. */
  quotePdf: (merchantId: string, quoteId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `QUOTEPDF#${quoteId}`,
  }),
  /**
   * Which of a merchant's quote templates is the default, and how many templates there are: one item,
   * so making another the default is one conditional write, and the last template is known as such.
   */
  quoteTemplateDefault: (merchantId: string): Key => ({ PK: merchantPk(merchantId), SK: "QTPL_DEFAULT" }),
  /** An accepted quote's signed PDF (the published one with its audit-trail page), made once. */
  quoteSignedPdf: (merchantId: string, quoteId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `QUOTESIGNEDPDF#${quoteId}`,
  }),
  /**
   * GSI1 (sparse): a merchant's active workflows by trigger — only an active workflow's item carries
   * it, so the engine reads the workflows an event starts with one query.
   */
  activeWorkflow: (merchantId: string, trigger: string, workflowId: string) => ({
    GSI1PK: `${merchantPk(merchantId)}#WORKFLOWS#${trigger}`,
    GSI1SK: workflowId,
  }),
  /** A workflow's version: the definition its enrollments run to their end (zero-padded: newest first descending). */
  workflowVersion: (merchantId: string, workflowId: string, version: number): Key => ({
    PK: merchantPk(merchantId),
    SK: `WFVER#${workflowId}#${String(version).padStart(6, "0")}`,
  }),
  workflowVersionPrefix: (merchantId: string, workflowId: string) => ({
    PK: merchantPk(merchantId),
    SKPrefix: `WFVER#${workflowId}#`,
  }),
  /** A workflow's webhook signing secret (sealed), put once with its first `send_webhook` step. */
  workflowWebhookSecret: (merchantId: string, workflowId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `WFSECRET#${workflowId}`,
  }),
  /**
   * A dashboard session (shared/dashboard/sessions.ts), by the SHA-256 of its cookie's secret, in its
   * merchant's partition: the cookie names the merchant, so the session is one GetItem.
   */
  dashboardSession: (merchantId: string, idHash: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `SESSION#${idHash}`,
  }),
  /** The public token of a hosted page (invoice, quote, checkout) → the document it shows. */
  hostedPage: (token: string): Key => ({ PK: `HOSTED#${token}`, SK: "HOSTED" }),

  /** A balance transaction, filed under the merchant's local day so a payout reads one day with one query. */
  balanceTransaction: (merchantId: string, date: string, id: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `BTX#${date}#${id}`,
  }),
  balanceDayPrefix: (merchantId: string, date: string) => ({
    PK: merchantPk(merchantId),
    SKPrefix: `BTX#${date}#`,
  }),

  /**
   * A report's rollup item (shared/reports/): counters for one mode, grain, period and dimensions,
   * moved only by `ADD`. Period before dimensions, so a report reads a range of periods with one
   * Query (`rollupRange`).
   */
  rollup: (merchantId: string, ref: RollupKeyParts): Key => ({
    PK: merchantPk(merchantId),
    SK: [rollupPrefix(ref), ref.period, ...ref.dims].join("#"),
  }),
  /** The rollup items of periods `fromPeriod` to `toPeriod` (both included), for `SK BETWEEN from AND to`. */
  rollupRange: (
    merchantId: string,
    ref: Omit<RollupKeyParts, "period" | "dims">,
    fromPeriod: string,
    toPeriod: string,
  ) => ({
    PK: merchantPk(merchantId),
    from: `${rollupPrefix(ref)}#${fromPeriod}`,
    // "~" sorts after "#" and every digit: the last period with all its dimensions.
    to: `${rollupPrefix(ref)}#${toPeriod}~`,
  }),
  /** A ledger entry (shared/ledger/): filed by mode and local day, so a range of days is one Query. */
  ledgerEntry: (merchantId: string, livemode: boolean, date: string, entryId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `LEDGER#${modeOf(livemode)}#${date}#${entryId}`,
  }),
  /** The ledger entries of local days `from` to `to` (both included; open ends when absent), for `SK BETWEEN`. */
  ledgerEntryRange: (
    merchantId: string,
    livemode: boolean,
    from: string | undefined,
    to: string | undefined,
  ) => ({
    PK: merchantPk(merchantId),
    from: `LEDGER#${modeOf(livemode)}#${from ?? ""}`,
    to: `LEDGER#${modeOf(livemode)}#${to ?? "9999-12-31"}#~`,
  }),
  /** `member` (a customer) was counted in a rollup item's period: claimed once (`attribute_not_exists`). */
  rollupMember: (merchantId: string, ref: RollupKeyParts, member: string): Key => ({
    PK: merchantPk(merchantId),
    SK: ["RPTSEEN", ref.report, modeOf(ref.livemode), ref.grain, ref.period, ...ref.dims, member].join("#"),
  }),
  /**
   * MRR (shared/reports/subscription-mrr.ts): what a subscription counted for last, per mode — the
   * base of the next event's change.
   */
  mrrSubscription: (merchantId: string, livemode: boolean, subscriptionId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: ["RPTMRRSUB", modeOf(livemode), subscriptionId].join("#"),
  }),

  /** The run a merchant's daily payout chain waits for next, so a sweep can tell a dead chain. */
  payoutChain: (merchantId: string): Key => ({ PK: merchantPk(merchantId), SK: "PAYOUT_CHAIN" }),
  /** A sandbox merchant's shortfall in one currency, carried into its next payout (shared/payouts/payout.ts). */
  payoutCarry: (merchantId: string, currency: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `PAYOUT_CARRY#${currency}`,
  }),

  /** A processor's payment (`pi_…`) → Kassa's payment, for events that carry only the processor's id (disputes). */
  processorPayment: (processorPaymentId: string): Key => ({
    PK: `PROCESSOR_PAYMENT#${processorPaymentId}`,
    SK: "PROCESSOR_PAYMENT",
  }),
  /** A connected Stripe account → its merchant, for account.updated. */
  stripeAccount: (accountId: string): Key => ({ PK: `STRIPE_ACCOUNT#${accountId}`, SK: "STRIPE_ACCOUNT" }),

  /**
   * A workflow enrollment's key, claimed once by the transaction that creates the enrollment (it names
   * it): `subject` is the customer (`customer:cus_…`, across versions) or, for a workflow that
   * re-enrolls, the trigger event (`event:evt_…`).
   */
  workflowEnrollmentKey: (merchantId: string, workflowId: string, subject: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `WFENROLL#${workflowId}#${subject}`,
  }),
  /** GSI1: a workflow's enrollments, by id (ULID: newest first when read backwards). */
  enrollmentOfWorkflow: (merchantId: string, workflowId: string, enrollmentId: string) => ({
    GSI1PK: `${merchantPk(merchantId)}#ENROLLMENTS#${workflowId}`,
    GSI1SK: enrollmentId,
  }),

  // ── Segments (shared/store/segments.ts) ──
  /**
   * A customer's membership of a segment: the segment's members are one key range (a page of
   * `GET /v1/segments/{id}/customers` or `?segmentId=` is one query), newest customer first.
   */
  segmentMember: (merchantId: string, segmentId: string, customerId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `SEGMEMBER#${segmentId}#${customerId}`,
  }),
  segmentMemberPrefix: (merchantId: string, segmentId: string) => ({
    PK: merchantPk(merchantId),
    SKPrefix: `SEGMEMBER#${segmentId}#`,
  }),
  /** GSI1: the segments a customer is a member of (on its membership items), for its re-evaluation. */
  segmentOfCustomer: (merchantId: string, customerId: string, segmentId: string) => ({
    GSI1PK: `${merchantPk(merchantId)}#CUSTOMER_SEGMENTS#${customerId}`,
    GSI1SK: segmentId,
  }),
  /** A customer's behaviour stats (last payment, total paid per currency, subscriptions, overdue invoices). */
  customerStats: (merchantId: string, customerId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `SEGSTATS#${customerId}`,
  }),

  // ── Webhook deliveries (shared/store/webhooks.ts) ──
  /** A delivery of an event to an endpoint: an endpoint's deliveries are one key range, newest first. */
  webhookDelivery: (merchantId: string, endpointId: string, deliveryId: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `WHD#${endpointId}#${deliveryId}`,
  }),
  webhookDeliveryPrefix: (merchantId: string, endpointId: string) => ({
    PK: merchantPk(merchantId),
    SKPrefix: `WHD#${endpointId}#`,
  }),
  /**
   * A pending delivery's place in its line (endpoint × object, shared/webhooks/endpoint.ts
   * `deliveryLine`): the line's first item is the one delivery of that object being attempted.
   */
  webhookLine: (merchantId: string, endpointId: string, group: string, order: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `WHDLINE#${endpointId}#${group}#${order}`,
  }),
  webhookLinePrefix: (merchantId: string, endpointId: string, group: string) => ({
    PK: merchantPk(merchantId),
    SKPrefix: `WHDLINE#${endpointId}#${group}#`,
  }),

  // ── Team users and sign-in links (shared/store/users.ts) ──
  /** GSI1: a user by email across merchants (sign-in), one entry per membership. */
  userByEmail: (email: string, merchantId: string, userId: string) => ({
    GSI1PK: `USER_EMAIL#${email}`,
    GSI1SK: `${merchantId}#${userId}`,
  }),
  /** How many owners the merchant's team has, moved in each user change's transaction. */
  userOwners: (merchantId: string): Key => ({ PK: merchantPk(merchantId), SK: "USER_OWNERS" }),
  /** A sign-in or invitation link, by the SHA-256 of its token (the token itself is never stored). */
  signInLink: (tokenHash: string): Key => ({ PK: `SIGNIN#${tokenHash}`, SK: "SIGNIN" }),

  /** Outbox event items: written in the transaction that changes state, read by the stream. */
  event: (merchantId: string, eventId: string): Key => ({ PK: merchantPk(merchantId), SK: `EVT#${eventId}` }),
  eventPrefix: (merchantId: string) => ({ PK: merchantPk(merchantId), SKPrefix: "EVT#" }),

  /**
   * Platform-level records no merchant's feed shows (e.g. a rejected processor event), by kind and
   * UTC day, one per processor event id: a redelivery writes the same item.
   */
  platformEvent: (kind: string, day: string, id: string): Key => ({
    PK: `PLATFORM#${kind}#${day}`,
    SK: id,
  }),

  /** A queue consumer's claim on a message it has handled (idempotent consumers). */
  processedMessage: (consumer: string, messageKey: string): Key => ({
    PK: `PROCESSED#${consumer}#${messageKey}`,
    SK: "PROCESSED",
  }),

  /** A fixed-window counter of one limit (shared/store/rate-windows.ts), per merchant, subject and window start. */
  rateWindow: (merchantId: string, limit: string, subject: string, windowStart: number): Key => ({
    PK: `RATE#${merchantPk(merchantId)}#${limit}#${subject}`,
    SK: `WINDOW#${windowStart}`,
  }),

  /** A stored POST response, per merchant (or `admin`) and Idempotency-Key. */
  idempotency: (scope: string, key: string): Key => ({
    PK: `IDEMPOTENCY#${scope}#${key}`,
    SK: "IDEMPOTENCY",
  }),

  /** One-time schedules kept in the table by the local scheduler adapter. */
  schedule: (group: string, name: string): Key => ({ PK: `SCHEDULE#${group}#${name}`, SK: "SCHEDULE" }),
  /**
   * A one-time schedule of a test clock's customer, kept in the merchant's partition until the
   * clock's advance runs it (it carries `dueWork` in the clock's partition), never on a scheduler.
   */
  clockSchedule: (merchantId: string, name: string): Key => ({
    PK: merchantPk(merchantId),
    SK: `CLOCKWORK#${name}`,
  }),
  /**
   * GSI2 (sparse): timed work by due instant, per clock. `clock` is a test clock's id for its
   * customers' work (the clock's advance walks that partition in time order), else `wall#<shard>`
   * (`dueShard`), so the sweep of real time never sees a test clock's past. Only items with pending
   * work carry it: a subscription while a period is left to bill, a test clock's one-time schedules.
   */
  dueWork: (clock: string, at: string, merchantId: string, ref: string) => ({
    GSI2PK: `DUE#${clock}`,
    GSI2SK: `${at}#${merchantId}#${ref}`,
  }),
  /** GSI2 (sparse): schedules by due time; the item leaves the index when it fires. */
  scheduleDue: (fireAt: string, group: string, name: string) => ({
    GSI2PK: "SCHEDULES_DUE",
    GSI2SK: `${fireAt}#${group}#${name}`,
  }),
} as const;

/** What names a rollup item (shared/reports/ports.ts `RollupRef`). */
export interface RollupKeyParts {
  report: string;
  livemode: boolean;
  grain: string;
  period: string;
  dims: readonly string[];
}

const modeOf = (livemode: boolean) => (livemode ? "live" : "test");
const rollupPrefix = (ref: Pick<RollupKeyParts, "report" | "livemode" | "grain">) =>
  `RPT#${ref.report}#${modeOf(ref.livemode)}#${ref.grain}`;

/** Wall-clock due work is spread over this many partitions, so no one partition gets hot. */
export const wallShards = 4;

/** The due-index partition of work on the wall clock (by a stable hash of `ref`) or on a test clock. */
export function dueClock(ref: string, testClockId?: string): string {
  if (testClockId) return testClockId;
  let hash = 0;
  for (const char of ref) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `wall#${hash % wallShards}`;
}

export const indexKeys = {
  merchants: { index: "GSI1", pk: "MERCHANTS" },
  apiKeysOf: (merchantId: string) => ({ index: "GSI1", pk: `${merchantPk(merchantId)}#APIKEYS` }),
  dueSchedules: { index: "GSI2", pk: "SCHEDULES_DUE" },
  /** Work due on one clock partition (see `keys.dueWork`), earliest first with `ScanIndexForward`. */
  dueWork: (clock: string) => ({ index: "GSI2", pk: `DUE#${clock}` }),
  paymentMethodsOf: (merchantId: string, customerId: string) => ({
    index: "GSI1",
    pk: `${merchantPk(merchantId)}#PAYMENT_METHODS#${customerId}`,
  }),
  enrollmentsOf: (merchantId: string, workflowId: string) => ({
    index: "GSI1",
    pk: `${merchantPk(merchantId)}#ENROLLMENTS#${workflowId}`,
  }),
  invoicesByDue: (merchantId: string) => ({ index: "GSI1", pk: `${merchantPk(merchantId)}#INVOICES_BY_DUE` }),
  segmentsOfCustomer: (merchantId: string, customerId: string) => ({
    index: "GSI1",
    pk: `${merchantPk(merchantId)}#CUSTOMER_SEGMENTS#${customerId}`,
  }),
  usersByEmail: (email: string) => ({ index: "GSI1", pk: `USER_EMAIL#${email}` }),
  activeWorkflows: (merchantId: string, trigger: string) => ({
    index: "GSI1",
    pk: `${merchantPk(merchantId)}#WORKFLOWS#${trigger}`,
  }),
} as const;

/**
 * The attributes the table itself uses (infra/table.ts): primary and index keys, the item's type and
 * version, and the TTL attribute `expiresAt` (epoch seconds: DynamoDB deletes the item once it
 * passes). No domain field is stored under one of these names (see items.ts).
 */
export const storageAttributes = [
  "PK",
  "SK",
  "GSI1PK",
  "GSI1SK",
  "GSI2PK",
  "GSI2SK",
  "type",
  "version",
  "expiresAt",
] as const;

export type StorageAttribute = (typeof storageAttributes)[number];

const isStorageAttribute = (name: string): name is StorageAttribute =>
  (storageAttributes as readonly string[]).includes(name);

/** Strips the storage attributes from an item before it leaves the store. */
export function withoutKeys<T extends Record<string, unknown>>(item: T): Omit<T, StorageAttribute> {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !isStorageAttribute(name))) as Omit<
    T,
    StorageAttribute
  >;
}

/** The domain fields among `fields` that would land on a storage attribute. */
export function storageCollisions(fields: Record<string, unknown>): StorageAttribute[] {
  return Object.keys(fields).filter(isStorageAttribute);
}
