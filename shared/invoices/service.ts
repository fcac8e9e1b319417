/**
 * Invoice use cases: drafts, finalize (numbering), send, void, uncollectible, manual payments.
 * Every state change is a conditional write together with its outbox event(s); side effects
 * (emails, reminder schedules) follow from those events.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.ts";
import { NotFoundError, retryOnConflict, StateConflictError, ValidationError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { takeOrThrow, type WindowCounter, windowLimits } from "../domain/limits.ts";
import {
  assertInvoiceCan,
  assertNoPaymentInFlight,
  countsAsOpen,
  dueDateFor,
  type InvoiceStatus,
  overdueAt,
} from "../domain/invoice-lifecycle.ts";
import { applyPatch, mergeMetadata } from "../domain/patch.ts";
import type { Customer } from "../customers/customer.ts";
import type { Change, Versioned } from "../domain/records.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { InvoiceStore, PricedCustomer, StoredInvoice } from "./ports.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { manualPayment, paymentEvent, presentPayment } from "../payments/payment.ts";
import type { PaymentStore } from "../payments/ports.ts";
import { applyCreditBalance } from "./balance.ts";
import {
  type Catalog,
  type ContentRequest,
  type PricedContent,
  type PricingCatalog,
  priceContent,
} from "./build.ts";
import { type Invoice, type InvoicePatch, invoiceNumber, type NewInvoice } from "./invoice.ts";

export interface InvoicePorts {
  invoices: InvoiceStore;
  merchants: MerchantStore;
  payments: Pick<PaymentStore, "putWrite">;
  catalog: Catalog;
  clock: Clock;
  /** A customer's own clock: a test clock's frozen time when bound to one, else `clock`. */
  customerClock(merchantId: string, customerId: string): Promise<Clock>;
  /**
   * The customer's credit balance in `currency` (0 when none), read afresh on every call (never the
   * request's cached customer): a finalize that lost a race on it re-reads it. The request's later
   * reads of that customer (its clock, the catalog's billed-to) take this read.
   */
  customerBalance(merchantId: string, customerId: string, currency: string): Promise<number>;
  /**
   * The customer as this request read it, with the store's version (read now if the request has not:
   * the catalog's billed-to and the customer's clock share that one read). What a priced draft records.
   */
  customerAsRead(merchantId: string, customerId: string): Promise<Versioned<Customer> | undefined>;
  /** The table-backed windows of abuse-sensitive actions (sending an invoice). */
  limits: WindowCounter;
  /** Where hosted pages live, e.g. https://pay.example.com (the API's own URL locally). */
  publicBaseUrl: string;
}

/** The invoice as the API shows it: internal fields dropped, `overdue` and the attempts derived. */
export function presentInvoice(
  invoice: StoredInvoice,
  now: Date,
): Invoice &
  Required<Pick<Invoice, "appliedBalance" | "amountDue" | "creditedToBalance">> & {
    overdue: boolean;
    attemptCount: number;
    nextPaymentAttemptAt: string | null;
  } {
  const {
    hostedToken: _,
    overdueAt: due,
    discountCodeIds: __,
    reminderDays: ___,
    overdueNotifiedAt: ____,
    paymentLock: _____,
    paymentAttempts: ______,
    fixedContent: _______,
    savesCard: ________,
    pricedCustomer: _________,
    dunning,
    ...shown
  } = invoice;
  const next =
    invoice.status === "open" && !dunning?.awaitingNewCard ? dunning?.retryAt[dunning.retried] : undefined;
  return {
    // Records written before the credit balance lack its fields: nothing applied, nothing credited.
    appliedBalance: 0,
    amountDue: invoice.total,
    creditedToBalance: 0,
    ...shown,
    overdue: invoice.status === "open" && due !== undefined && now.toISOString() >= due,
    attemptCount: invoice.paymentAttempts ?? 0,
    nextPaymentAttemptAt: next ?? null,
  };
}

async function readOrThrow(ports: InvoicePorts, merchantId: string, id: string) {
  const found = await ports.invoices.read(merchantId, id);
  if (!found) throw new NotFoundError("Invoice");
  return found;
}

/**
 * What the owner of a draft adds to it (a subscription's period, an accepted quote): the fields naming
 * the owner, the changes committed in the draft's own transaction (a period's claim, the owner's next
 * state), and, for a quote, its content as frozen (never re-priced: see `StoredInvoice.fixedContent`).
 */
export interface InvoiceOrigin {
  fields: Pick<
    StoredInvoice,
    | "subscriptionId"
    | "billingReason"
    | "periodStart"
    | "periodEnd"
    | "testClockId"
    | "quoteId"
    | "installment"
    | "savesCard"
  >;
  fixed?: FixedContent;
  changes(invoice: StoredInvoice, now: Date): Change[];
}

/** A document's content as already priced by the money engine, with its customer as billed. */
export type FixedContent = Pick<PricedContent, "customer" | "content">;

/** A priced document's (an invoice's, a quote's) own content and customer, exactly as it was priced. */
export const fixedContentOf = (
  doc: Omit<PricedContent["content"], "creditedToBalance"> & {
    customer: PricedContent["customer"];
    creditedToBalance?: number | undefined;
  },
): FixedContent => ({
  customer: doc.customer,
  content: {
    customerId: doc.customerId,
    currency: doc.currency,
    lineItems: doc.lineItems,
    discounts: doc.discounts,
    fees: doc.fees,
    subtotal: doc.subtotal,
    discountTotal: doc.discountTotal,
    taxTotal: doc.taxTotal,
    taxBreakdown: doc.taxBreakdown,
    feeTotal: doc.feeTotal,
    total: doc.total,
    creditedToBalance: doc.creditedToBalance ?? 0,
  },
});

/** A frozen invoice's own content as `priceContent` would answer it: nothing to redeem or mark. */
const frozen = (invoice: StoredInvoice): PricedContent => ({
  ...fixedContentOf(invoice),
  discountCodeIds: [],
  unreferencedProducts: [],
});

/** A draft applies no credit balance: that happens at finalize, against the balance then. */
const unfinalizedBalance = (total: number) => ({ appliedBalance: 0, amountDue: total });

/**
 * What a draft just priced records of its customer (see `PricedCustomer`), from the read its pricing
 * made: none for a customer on a test clock (its finalize reads the clock's time anyway).
 */
async function pricedCustomerOf(
  ports: Pick<InvoicePorts, "customerAsRead">,
  merchantId: string,
  customerId: string,
  currency: string,
): Promise<{ pricedCustomer?: PricedCustomer }> {
  const found = await ports.customerAsRead(merchantId, customerId);
  return found && !found.value.testClockId
    ? { pricedCustomer: { version: found.version, balance: found.value.balance?.[currency] ?? 0 } }
    : {};
}

/**
 * The catalog a finalize prices with when it took the customer from the draft, unread: pricing reads
 * of a customer only its billed-to details, which are the draft's while the customer is unchanged.
 */
const billedAsDrafted = (catalog: Catalog, draft: StoredInvoice): PricingCatalog => ({
  ...catalog,
  customer: async () => draft.customer,
});

/**
 * A new draft's content as create prices it: on its customer's clock (a test clock's frozen time when
 * bound to one) against the catalog, or as fixed by its origin. Writes nothing.
 */
async function priceNewDraft(
  ports: Pick<InvoicePorts, "catalog" | "customerClock">,
  merchantId: string,
  input: ContentRequest,
  fixed?: FixedContent,
) {
  const customerClock = await ports.customerClock(merchantId, input.customerId);
  const now = customerClock.now();
  return { customerClock, now, priced: fixed ?? (await priceContent(ports.catalog, merchantId, input, now)) };
}

/**
 * What a draft of `input` would total, priced exactly as `createInvoice` prices it, without writing
 * anything: the dashboard editor's live totals (never a second pricing in the browser).
 */
export async function previewInvoice(
  ports: Pick<InvoicePorts, "catalog" | "customerClock">,
  merchantId: string,
  input: ContentRequest,
): Promise<FixedContent> {
  return (await priceNewDraft(ports, merchantId, input)).priced;
}

export async function createInvoice(
  ports: InvoicePorts,
  merchantId: string,
  input: NewInvoice,
  origin?: InvoiceOrigin,
) {
  const {
    customerClock,
    now,
    priced: { customer, content },
  } = await priceNewDraft(ports, merchantId, input, origin?.fixed);
  const invoice: StoredInvoice = {
    id: newId("invoice", now),
    status: "draft",
    ...content,
    customer,
    ...unfinalizedBalance(content.total),
    amountPaid: 0,
    amountRemaining: content.total,
    ...(input.paymentTerms ? { paymentTerms: input.paymentTerms } : {}),
    ...(input.dueDate ? { dueDate: input.dueDate } : {}),
    ...(input.memo ? { memo: input.memo } : {}),
    ...(input.footer ? { footer: input.footer } : {}),
    // Its timed work (reminders, overdue) is then planned on the clock: see invoices/timers.ts.
    ...(customerClock.testClock ? { testClockId: customerClock.testClock.id } : {}),
    metadata: input.metadata ?? {},
    ...origin?.fields,
    ...(origin?.fixed ? { fixedContent: true as const } : {}),
    ...(await pricedCustomerOf(ports, merchantId, content.customerId, content.currency)),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await ports.invoices.create(
    merchantId,
    invoice,
    newEvent("invoice.created", merchantId, invoice.id, now, { invoice: presentInvoice(invoice, now) }),
    origin?.changes(invoice, now),
  );
  return presentInvoice(invoice, now);
}

export async function getInvoice(ports: InvoicePorts, merchantId: string, id: string) {
  const { value } = await readOrThrow(ports, merchantId, id);
  // Overdue or not on its customer's time: a test clock's, for an invoice made on one.
  const clock = value.testClockId ? await ports.customerClock(merchantId, value.customerId) : ports.clock;
  return presentInvoice(value, clock.now());
}

export async function updateInvoice(
  ports: InvoicePorts,
  merchantId: string,
  id: string,
  patch: InvoicePatch,
) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  assertInvoiceCan("edit", value.status);
  if (value.fixedContent)
    throw new StateConflictError("This invoice bills a signed quote: its content cannot change");
  const now = ports.clock.now();
  const { metadata, lineItems, discounts, fees, customerId, currency, ...fields } = patch;
  if (fields.paymentTerms && value.dueDate && fields.dueDate === undefined) fields.dueDate = null;
  if (fields.dueDate && value.paymentTerms && fields.paymentTerms === undefined) fields.paymentTerms = null;
  const priced = await priceContent(
    ports.catalog,
    merchantId,
    {
      customerId: customerId ?? value.customerId,
      currency: currency ?? value.currency,
      lineItems: lineItems ?? value.lineItems,
      discounts:
        discounts ??
        value.discounts.map((d) =>
          d.code
            ? { code: d.code }
            : d.percentOff !== undefined
              ? { percentOff: d.percentOff }
              : { amountOff: d.amountOff ?? 0 },
        ),
      fees: fees ?? value.fees.map(({ amountTotal: _, ...f }) => f),
    },
    now,
  );
  // What the draft recorded of its customer is this pricing's (or none: a test clock's customer).
  const { pricedCustomer: _, ...unpriced } = applyPatch(value, fields as Partial<StoredInvoice>);
  const next: StoredInvoice = {
    ...unpriced,
    ...priced.content,
    ...(await pricedCustomerOf(ports, merchantId, priced.content.customerId, priced.content.currency)),
    customer: priced.customer,
    ...unfinalizedBalance(priced.content.total),
    amountRemaining: priced.content.total,
    metadata: mergeMetadata(value.metadata, metadata),
    updatedAt: now.toISOString(),
  };
  await ports.invoices.replace(merchantId, next, version, [
    newEvent("invoice.updated", merchantId, id, now, { invoice: presentInvoice(next, now) }),
  ]);
  return presentInvoice(next, now);
}

export async function deleteInvoice(ports: InvoicePorts, merchantId: string, id: string): Promise<void> {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  assertInvoiceCan("delete", value.status);
  await ports.invoices.remove(
    merchantId,
    id,
    version,
    newEvent("invoice.deleted", merchantId, id, ports.clock.now(), { invoiceId: id }),
  );
}

/**
 * Finalizes a draft: the next gapless number, the issue date and the due date in the merchant's
 * time zone, the hosted page, all in one transaction; a lost race on the number is retried. Its
 * first run takes the customer as the draft recorded it (`PricedCustomer`), unread, guarded in the
 * transaction; a re-run reads it.
 */
export async function finalizeInvoice(ports: InvoicePorts, merchantId: string, id: string) {
  // Any conflict (the counter, or DynamoDB cancelling concurrent transactions) re-runs the whole
  // finalize, which re-reads and re-validates everything, so a real obstacle surfaces as its own
  // error; losers of a race are spread out so N concurrent finalizes don't need N lockstep rounds.
  return retryOnConflict(
    50,
    async (run) => {
      const { invoice, merchant, counter } = await ports.invoices.readForFinalize(merchantId, id);
      if (!invoice) throw new NotFoundError("Invoice");
      const { value, version } = invoice;
      assertInvoiceCan("finalize", value.status);
      if (!merchant) throw new NotFoundError("Merchant");
      // A draft priced for a customer on no test clock recorded that customer: while the customer's
      // version is still the recorded one (the transaction checks it), its balance and billed-to are
      // the draft's and its clock is the request's. Changed since, the conflict re-runs this, reading.
      const recorded = run === 1 && !value.testClockId ? value.pricedCustomer : undefined;
      // The customer's credit as it is now (as recorded, or read); the finalize's write moves it only if
      // it still holds what is applied (else a conflict, and this re-runs and re-reads), so no credit is
      // applied twice. Read first: the customer's clock and the pricing's billed-to take this same read.
      const balance =
        recorded?.balance ?? (await ports.customerBalance(merchantId, value.customerId, value.currency));
      // Issued and due on the customer's time: a test clock's customer gets its clock's dates.
      const customerClock = recorded ? ports.clock : await ports.customerClock(merchantId, value.customerId);
      const now = customerClock.now();
      // Re-price against the catalog as it is now: a code that expired or a rate archived since the
      // draft was saved must not slip through. Frozen content (a signed quote's) is what was agreed.
      const priced = value.fixedContent
        ? frozen(value)
        : await priceContent(
            recorded ? billedAsDrafted(ports.catalog, value) : ports.catalog,
            merchantId,
            {
              customerId: value.customerId,
              currency: value.currency,
              lineItems: value.lineItems,
              discounts: value.discounts.map((d) =>
                d.code
                  ? { code: d.code }
                  : d.percentOff !== undefined
                    ? { percentOff: d.percentOff }
                    : { amountOff: d.amountOff ?? 0 },
              ),
              fees: value.fees.map(({ amountTotal: _, ...f }) => f),
            },
            now,
          );
      const timeZone = merchant.value.timeZone;
      const dueDate = dueDateFor(now, timeZone, {
        ...(value.paymentTerms ? { paymentTerms: value.paymentTerms } : {}),
        ...(value.dueDate
          ? { dueDate: value.dueDate }
          : { paymentTerms: value.paymentTerms ?? merchant.value.defaultPaymentTerms }),
      });
      // Before the transaction, not in it: a product is marked once, ever, so the transaction's
      // size does not grow with the invoice's products (see InvoiceStore.finalize for its bound).
      await ports.catalog.markReferenced(merchantId, priced.unreferencedProducts);
      const hostedToken = randomBytes(24).toString("base64url");
      const number = invoiceNumber(merchant.value.invoiceNumberPrefix, counter + 1);
      // The clock of the customer it is finalized for (a draft's customer may have changed).
      const { testClockId: _, pricedCustomer: __, ...draft } = value;
      const creditedToBalance = priced.content.creditedToBalance ?? 0;
      const { appliedBalance, amountDue } = applyCreditBalance(
        priced.content.total,
        creditedToBalance,
        balance,
      );
      const finalized: StoredInvoice = {
        ...draft,
        ...(customerClock.testClock ? { testClockId: customerClock.testClock.id } : {}),
        ...priced.content,
        customer: priced.customer,
        appliedBalance,
        amountDue,
        amountRemaining: amountDue,
        status: "open",
        number,
        issuedAt: now.toISOString(),
        dueDate,
        ...(value.dueDate ? {} : { paymentTerms: value.paymentTerms ?? merchant.value.defaultPaymentTerms }),
        hostedToken,
        hostedUrl: `${ports.publicBaseUrl}/i/${hostedToken}`,
        overdueAt: overdueAt(dueDate, timeZone).toISOString(),
        discountCodeIds: priced.discountCodeIds,
        reminderDays: (merchant.value.invoiceReminders ?? []).map((r) => r.daysAfterDue),
        updatedAt: now.toISOString(),
      };
      await ports.invoices.finalize(merchantId, finalized, version, {
        counter,
        hostedToken,
        discountCodeIds: priced.discountCodeIds,
        now,
        balanceDelta: creditedToBalance - appliedBalance,
        ...(recorded ? { customerVersion: recorded.version } : {}),
        event: newEvent("invoice.finalized", merchantId, id, now, {
          invoice: presentInvoice(finalized, now),
          timeZone,
          reminderDays: finalized.reminderDays ?? [],
          overdueAt: finalized.overdueAt,
        }),
      });
      return presentInvoice(finalized, now);
    },
    (run) => Math.random() * 5 * Math.min(run, 10),
  );
}

/**
 * Moves an invoice to `status` (void, uncollectible) or records that it was sent. Not while a
 * processor payment is in flight: its success would then pay an invoice the merchant gave up on.
 */
async function transition(
  ports: InvoicePorts,
  merchantId: string,
  id: string,
  action: "send" | "void" | "markUncollectible",
) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  assertInvoiceCan(action, value.status);
  const now = ports.clock.now();
  if (action !== "send") assertNoPaymentInFlight(value.paymentLock, now);
  // Each send emails the customer: at most 5 per invoice and hour (a 429, nothing sent), counted
  // once the send is sure to be allowed; a send that then loses a race gives its slot back.
  const slot =
    action === "send"
      ? await takeOrThrow(ports.limits, windowLimits.invoiceSend, merchantId, id, now, "Sending this invoice")
      : undefined;
  const at = now.toISOString();
  const changes: Record<
    typeof action,
    { patch: Partial<StoredInvoice>; event: string; status: InvoiceStatus }
  > = {
    send: { patch: { sentAt: at }, event: "invoice.sent", status: value.status },
    void: { patch: { voidedAt: at, amountRemaining: 0 }, event: "invoice.voided", status: "void" },
    markUncollectible: {
      patch: { markedUncollectibleAt: at, amountWrittenOff: value.amountRemaining },
      event: "invoice.marked_uncollectible",
      status: "uncollectible",
    },
  };
  const change = changes[action];
  const next: StoredInvoice = { ...value, ...change.patch, status: change.status, updatedAt: at };
  const delta = countsAsOpen(value.status) && !countsAsOpen(next.status) ? -1 : undefined;
  // A voided invoice never happened: the credit balance it applied goes back to the customer. (Marked
  // uncollectible, it keeps it: the credit did pay that part, as at Stripe.)
  const giveBack = action === "void" ? (value.appliedBalance ?? 0) : 0;
  try {
    await ports.invoices.replace(
      merchantId,
      next,
      version,
      [newEvent(change.event, merchantId, id, now, { invoice: presentInvoice(next, now) })],
      giveBack > 0 ? { ...(delta ? { openInvoices: delta } : {}), balance: giveBack } : delta,
    );
  } catch (error) {
    await slot?.giveBack();
    throw error;
  }
  return presentInvoice(next, now);
}

export const sendInvoice = (ports: InvoicePorts, merchantId: string, id: string) =>
  transition(ports, merchantId, id, "send");
export const voidInvoice = (ports: InvoicePorts, merchantId: string, id: string) =>
  transition(ports, merchantId, id, "void");
export const markInvoiceUncollectible = (ports: InvoicePorts, merchantId: string, id: string) =>
  transition(ports, merchantId, id, "markUncollectible");

/**
 * Pays an open invoice that owes nothing (a zero total: a free period, a 100 % discount) as it is,
 * without a payment; an invoice that owes something, or is no longer open, is left as it is.
 */
export async function payNothingDue(ports: InvoicePorts, merchantId: string, id: string) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  if (value.status !== "open" || value.amountRemaining !== 0) return presentInvoice(value, now);
  const at = now.toISOString();
  const next: StoredInvoice = { ...value, status: "paid", paidAt: at, updatedAt: at };
  await ports.invoices.replace(
    merchantId,
    next,
    version,
    [newEvent("invoice.paid", merchantId, id, now, { invoice: presentInvoice(next, now) })],
    -1,
  );
  return presentInvoice(next, now);
}

export interface ManualPayment {
  amount: number;
  method: "bank_transfer" | "cash" | "check" | "other";
  paidAt?: string;
  reference?: string;
}

/**
 * Records a payment made outside the processor. The invoice's version guards against concurrent
 * payments: of two racing, one is refused with a 409 and nothing can be paid twice.
 */
export async function recordInvoicePayment(
  ports: InvoicePorts,
  merchantId: string,
  id: string,
  input: ManualPayment,
) {
  const [{ value, version }, merchant] = await Promise.all([
    readOrThrow(ports, merchantId, id),
    ports.merchants.readMerchant(merchantId),
  ]);
  if (!merchant) throw new NotFoundError("Merchant");
  assertInvoiceCan("recordPayment", value.status);
  assertNoPaymentInFlight(value.paymentLock, ports.clock.now());
  if (input.amount > value.amountRemaining) {
    throw new ValidationError([
      { path: "amount", message: `must not exceed the amount remaining (${value.amountRemaining})` },
    ]);
  }
  const now = ports.clock.now();
  const at = now.toISOString();
  const paidAt = input.paidAt ? new Date(input.paidAt).toISOString() : at;
  const amountPaid = value.amountPaid + input.amount;
  const amountRemaining = value.amountRemaining - input.amount;
  const paid = amountRemaining === 0;
  const next: StoredInvoice = {
    ...value,
    amountPaid,
    amountRemaining,
    ...(paid ? { status: "paid" as const, paidAt } : {}),
    updatedAt: at,
  };
  const payment = manualPayment(
    newId("payment", now),
    next,
    input,
    paidAt,
    now,
    merchantLivemode(merchant.value),
  );
  const events = [
    paymentEvent("payment.recorded", merchantId, payment, now, { invoiceId: id }),
    ...(paid
      ? [
          newEvent(
            "invoice.paid",
            merchantId,
            id,
            now,
            { invoice: presentInvoice(next, now) },
            payment.livemode,
          ),
        ]
      : []),
  ];
  const [first, ...rest] = events;
  await ports.invoices.replace(
    merchantId,
    next,
    version,
    [first as (typeof events)[number], ...rest],
    paid && countsAsOpen(value.status) ? -1 : undefined,
    [ports.payments.putWrite(merchantId, payment)],
  );
  return { ...presentInvoice(next, now), payment: presentPayment(payment) };
}
