/**
 * Quote use cases: drafts priced by the invoices' money engine, publish (numbering, the frozen PDF
 * and its hash, the hosted page, the expiry schedule), revisions that supersede, cancel, an offline
 * acceptance, expiry. Every state change is a conditional write together with its outbox event.
 */
import { createHash, randomBytes } from "node:crypto";
import type { SchedulerPort } from "../aws/scheduler.ts";
import type { Clock } from "../domain/clock.ts";
import {
  NotFoundError,
  PayloadTooLargeError,
  retryOnConflict,
  StateConflictError,
  ValidationError,
} from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { applyPatch, mergeMetadata } from "../domain/patch.ts";
import { assertQuoteCan, quoteNumber } from "../domain/quote-lifecycle.ts";
import type { Position } from "../http/cursor.ts";
import type { Catalog, ContentRequest } from "../invoices/build.ts";
import { planPayments } from "./plan.ts";
import type { Countersigner, PaymentPlanRequest } from "./quote.ts";
import { priceQuote } from "./pricing.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import { maxStoredPdfBytes } from "../store/quotes.ts";
import { withSavedView } from "../views/apply.ts";
import type { ViewStore } from "../views/ports.ts";
import { quoteExpirySchedule } from "./expiry.ts";
import type { QuoteStore, StoredQuote } from "./ports.ts";
import {
  assertOwnTemplate,
  type QuoteTemplateStore,
  templateForPublish,
  templateIdFor,
} from "./templates.ts";
import { type NewQuote, presentQuote, type QuoteFilter, type QuotePatch } from "./quote.ts";

export interface QuotePorts {
  quotes: QuoteStore;
  /** The template a quote names must be the merchant's; publish freezes it onto the quote. */
  templates: Pick<QuoteTemplateStore, "read" | "readDefault">;
  merchants: MerchantStore;
  catalog: Catalog;
  views: Pick<ViewStore, "get">;
  clock: Clock;
  /** A customer's own clock: a test clock's frozen time when bound to one, else `clock`. */
  customerClock(merchantId: string, customerId: string): Promise<Clock>;
  /** Where timed work planned on `clock` waits (a test clock's customer's: on that clock). */
  scheduler(clock: Clock): SchedulerPort;
  /** Where hosted pages live, e.g. https://pay.example.com. */
  publicBaseUrl: string;
}

/** How long a quote is open by default, from its creation on the customer's clock. */
export const defaultQuoteDays = 30;

async function readOrThrow(ports: QuotePorts, merchantId: string, id: string) {
  const found = await ports.quotes.read(merchantId, id);
  if (!found) throw new NotFoundError("Quote");
  return found;
}

/** A stored quote's content as a pricing request again (what a re-pricing starts from). */
const contentOf = (quote: StoredQuote): ContentRequest => ({
  customerId: quote.customerId,
  currency: quote.currency,
  lineItems: quote.lineItems,
  discounts: quote.discounts.map((d) =>
    d.code
      ? { code: d.code }
      : d.percentOff !== undefined
        ? { percentOff: d.percentOff }
        : { amountOff: d.amountOff ?? 0 },
  ),
  fees: quote.fees.map(({ amountTotal: _, ...f }) => f),
});

/**
 * Prices a quote's content with the money engine, as an invoice of the same lines would be (one
 * interval for its recurring lines: `shared/quotes/pricing.ts`), with its one-time and recurring
 * parts and its payment plan's installments (`shared/quotes/plan.ts`: a plan that does not add up
 * to the one-time total is a 400 naming the installment).
 */
async function priceQuoteWithPlan(
  ports: Pick<QuotePorts, "catalog">,
  merchantId: string,
  request: ContentRequest,
  plan: PaymentPlanRequest | undefined,
  now: Date,
) {
  const priced = await priceQuote(ports.catalog, merchantId, request, now);
  const planned = plan ? planPayments(plan, priced.amounts) : undefined;
  return {
    ...priced,
    totals: {
      upfrontTotal: priced.amounts.upfrontTotal,
      recurringTotal: priced.amounts.recurringTotal,
      recurringLines: priced.recurring,
      ...(planned ? { plannedPayments: planned } : {}),
    },
  };
}

function assertFuture(expiresAt: string, now: Date) {
  if (Date.parse(expiresAt) <= now.getTime())
    throw new ValidationError([
      { path: "expiresAt", message: "must be in the future (on the customer's clock)" },
    ]);
}

/**
 * Signatures are told apart by email: the buyer signs as the quote's customer and each countersigner
 * through a link found by theirs, so two signers sharing an email (in any case) are refused.
 */
function assertDistinctSigners(countersigners: readonly Countersigner[], buyerEmail: string) {
  const taken = new Map([[buyerEmail.toLowerCase(), "the buyer's (the quote's customer's) email"]]);
  const errors = countersigners.flatMap((signer, i) => {
    const email = signer.email.toLowerCase();
    const holder = taken.get(email);
    if (holder)
      return [
        {
          path: `countersigners.${i}.email`,
          message: `is ${holder}: each signer needs an email of their own`,
        },
      ];
    taken.set(email, `also countersigners.${i}.email`);
    return [];
  });
  if (errors.length) throw new ValidationError(errors);
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/**
 * A draft's content and plan priced as create and every draft edit price them: on its customer's
 * clock (a test clock's frozen time when bound to one). Writes nothing.
 */
async function priceDraft(
  ports: Pick<QuotePorts, "catalog" | "customerClock">,
  merchantId: string,
  request: ContentRequest,
  plan: PaymentPlanRequest | undefined,
) {
  const customerClock = await ports.customerClock(merchantId, request.customerId);
  const now = customerClock.now();
  return { customerClock, now, priced: await priceQuoteWithPlan(ports, merchantId, request, plan, now) };
}

/**
 * What a draft of `request` with `plan` would total (its one-time and recurring parts, its
 * installments), priced exactly as create and update price it, without writing anything: the
 * dashboard editor's live totals.
 */
export async function previewQuote(
  ports: Pick<QuotePorts, "catalog" | "customerClock">,
  merchantId: string,
  request: ContentRequest,
  plan: PaymentPlanRequest | undefined,
) {
  const { priced } = await priceDraft(ports, merchantId, request, plan);
  return { ...priced.content, ...priced.totals, ...optional("recurringInterval", priced.interval) };
}

export async function createQuote(ports: QuotePorts, merchantId: string, input: NewQuote) {
  const templateId = await templateIdFor(ports.templates, merchantId, input.templateId);
  const { customerClock, now, priced } = await priceDraft(ports, merchantId, input, input.paymentPlan);
  assertDistinctSigners(input.countersigners ?? [], priced.customer.email);
  const expiresAt = input.expiresAt
    ? new Date(input.expiresAt).toISOString()
    : new Date(now.getTime() + defaultQuoteDays * 86_400_000).toISOString();
  assertFuture(expiresAt, now);
  const quote: StoredQuote = {
    id: newId("quote", now),
    status: "draft",
    ...priced.content,
    ...priced.totals,
    customer: priced.customer,
    ...optional("recurringInterval", priced.interval),
    ...optional("title", input.title),
    ...optional("terms", input.terms),
    ...optional("comments", input.comments),
    requireSignature: input.requireSignature ?? true,
    countersigners: input.countersigners ?? [],
    collectPayment: input.collectPayment ?? true,
    ...optional("paymentPlan", input.paymentPlan),
    ...optional("subscriptionStartDate", input.subscriptionStartDate),
    ...optional("templateId", templateId),
    expiresAt,
    ...optional("testClockId", customerClock.testClock?.id),
    metadata: input.metadata ?? {},
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await ports.quotes.create(
    merchantId,
    quote,
    newEvent("quote.created", merchantId, quote.id, now, { quote: presentQuote(quote) }),
  );
  return presentQuote(quote);
}

export async function getQuote(ports: QuotePorts, merchantId: string, id: string) {
  return presentQuote((await readOrThrow(ports, merchantId, id)).value);
}

export async function listQuotes(
  ports: QuotePorts,
  merchantId: string,
  query: QuoteFilter & { view?: string | undefined },
  page: { limit: number; after?: Position },
) {
  const { view, ...own } = query;
  const filter = await withSavedView(ports.views, merchantId, "quotes", view, own);
  const result = await ports.quotes.list(merchantId, filter, page);
  return { ...result, items: result.items.map(presentQuote) };
}

export async function updateQuote(ports: QuotePorts, merchantId: string, id: string, patch: QuotePatch) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  assertQuoteCan("edit", value.status);
  const { metadata, lineItems, discounts, fees, customerId, currency, ...fields } = patch;
  if (fields.templateId) await assertOwnTemplate(ports.templates, merchantId, fields.templateId);
  const current = contentOf(value);
  const plan = fields.paymentPlan === undefined ? value.paymentPlan : (fields.paymentPlan ?? undefined);
  const { customerClock, now, priced } = await priceDraft(
    ports,
    merchantId,
    {
      customerId: customerId ?? current.customerId,
      currency: currency ?? current.currency,
      lineItems: lineItems ?? current.lineItems,
      discounts: discounts ?? current.discounts ?? [],
      fees: fees ?? current.fees ?? [],
    },
    plan,
  );
  assertDistinctSigners(fields.countersigners ?? value.countersigners, priced.customer.email);
  if (fields.expiresAt) fields.expiresAt = new Date(fields.expiresAt).toISOString();
  const { recurringInterval: _, testClockId: __, plannedPayments: ___, ...kept } = value;
  const next: StoredQuote = {
    ...applyPatch(kept, fields as Partial<StoredQuote>),
    ...priced.content,
    ...priced.totals,
    customer: priced.customer,
    ...optional("recurringInterval", priced.interval),
    ...optional("testClockId", customerClock.testClock?.id),
    metadata: mergeMetadata(value.metadata, metadata),
    updatedAt: now.toISOString(),
  };
  if (fields.expiresAt) assertFuture(next.expiresAt, now);
  await ports.quotes.replace(
    merchantId,
    next,
    version,
    newEvent("quote.updated", merchantId, id, now, { quote: presentQuote(next) }),
  );
  return presentQuote(next);
}

export async function deleteQuote(ports: QuotePorts, merchantId: string, id: string): Promise<void> {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  assertQuoteCan("delete", value.status);
  await ports.quotes.remove(
    merchantId,
    id,
    version,
    newEvent("quote.deleted", merchantId, id, ports.clock.now(), { quoteId: id }),
  );
}

/**
 * Publishes a draft: its number (the merchant's next in its own gapless sequence, or its original's
 * with the revision's suffix), the content re-priced against the catalog as it is now and frozen,
 * the PDF rendered once and its SHA-256, the hosted page, all in one transaction that also
 * supersedes the open quote a revision replaces; a lost race on the number is retried.
 */
export async function publishQuote(ports: QuotePorts, merchantId: string, id: string) {
  return retryOnConflict(
    50,
    async () => {
      const [{ value, version }, merchant, counter] = await Promise.all([
        readOrThrow(ports, merchantId, id),
        ports.merchants.readMerchant(merchantId),
        ports.quotes.readCounter(merchantId),
      ]);
      assertQuoteCan("publish", value.status);
      if (!merchant) throw new NotFoundError("Merchant");
      const customerClock = await ports.customerClock(merchantId, value.customerId);
      const now = customerClock.now();
      if (Date.parse(value.expiresAt) <= now.getTime())
        throw new StateConflictError("The quote's expiresAt has passed: set a later one before publishing");
      const original = value.revisionOf ? await readOrThrow(ports, merchantId, value.revisionOf) : undefined;
      if (original && original.value.status !== "open")
        throw new StateConflictError(
          `The quote this revises (${original.value.number}) is ${original.value.status}: only an open quote's revision can be published`,
        );
      const priced = await priceQuoteWithPlan(ports, merchantId, contentOf(value), value.paymentPlan, now);
      const template = await templateForPublish(ports.templates, merchantId, value.templateId);
      const sequence = original?.value.sequence ?? counter + 1;
      const revision = value.revision ?? 1;
      const hostedToken = randomBytes(24).toString("base64url");
      const at = now.toISOString();
      const { recurringInterval: _, plannedPayments: __, templateId: ___, ...draft } = value;
      const unsealed: StoredQuote = {
        ...draft,
        ...priced.content,
        ...priced.totals,
        customer: priced.customer,
        ...optional("recurringInterval", priced.interval),
        // Frozen here: the page and the PDF follow the template as it is now, whatever becomes of it.
        ...optional("templateId", template?.frozen.id),
        ...optional("template", template?.frozen),
        ...optional("terms", draft.terms ?? template?.defaultTerms),
        status: "open",
        number: quoteNumber(sequence, revision),
        sequence,
        revision,
        hostedToken,
        hostedUrl: `${ports.publicBaseUrl}/q/${hostedToken}`,
        publishedAt: at,
        updatedAt: at,
      };
      const { renderQuotePdf } = await import("./pdf.ts");
      const pdf = await renderQuotePdf(presentQuote(unsealed), merchant.value);
      if (pdf.byteLength > maxStoredPdfBytes)
        throw new PayloadTooLargeError(
          `The quote's PDF would be ${pdf.byteLength} bytes, more than the ${maxStoredPdfBytes} a quote keeps: split it into fewer lines`,
        );
      const published: StoredQuote = {
        ...unsealed,
        contentHash: createHash("sha256").update(pdf).digest("hex"),
      };
      await ports.catalog.markReferenced(merchantId, priced.unreferencedProducts);
      // Planned before the write (named after the quote, so planning twice is harmless): a firing
      // whose quote never opened finds a draft and changes nothing.
      await ports
        .scheduler(customerClock)
        .scheduleOnce(quoteExpirySchedule(merchantId, published, customerClock.testClock?.id));
      const superseded: StoredQuote | undefined = original && {
        ...original.value,
        status: "superseded",
        supersededBy: id,
        updatedAt: at,
      };
      await ports.quotes.publish(merchantId, published, version, {
        ...(original ? {} : { counter }),
        hostedToken,
        pdf,
        event: newEvent("quote.published", merchantId, id, now, { quote: presentQuote(published) }),
        ...(original && superseded
          ? {
              supersede: {
                quote: superseded,
                version: original.version,
                event: newEvent("quote.superseded", merchantId, original.value.id, now, {
                  quote: presentQuote(superseded),
                }),
              },
            }
          : {}),
      });
      return presentQuote(published);
    },
    (run) => Math.random() * 5 * Math.min(run, 10),
  );
}

/** The PDF rendered at publish, byte for byte (a draft has none yet: 409). */
export async function getQuotePdf(ports: QuotePorts, merchantId: string, id: string) {
  const { value } = await readOrThrow(ports, merchantId, id);
  const pdf = value.status === "draft" ? undefined : await ports.quotes.readPdf(merchantId, id);
  if (!pdf) throw new StateConflictError("A draft quote has no PDF yet: publish it first");
  return { quote: presentQuote(value), pdf };
}

export async function cancelQuote(ports: QuotePorts, merchantId: string, id: string) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  assertQuoteCan("cancel", value.status);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  const next: StoredQuote = {
    ...value,
    status: "canceled",
    canceledAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await ports.quotes.replace(
    merchantId,
    next,
    version,
    newEvent("quote.canceled", merchantId, id, now, { quote: presentQuote(next) }),
  );
  return presentQuote(next);
}

export interface OfflineAcceptanceInput {
  name: string;
  email?: string;
  acceptedAt?: string;
}

/** Records an acceptance made outside Kassa (on paper): who, and when (not in the future). */
export async function acceptQuote(
  ports: QuotePorts,
  merchantId: string,
  id: string,
  input: OfflineAcceptanceInput,
) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  assertQuoteCan("accept", value.status);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  const acceptedAt = input.acceptedAt ? new Date(input.acceptedAt).toISOString() : now.toISOString();
  if (acceptedAt > now.toISOString())
    throw new ValidationError([{ path: "acceptedAt", message: "must not be in the future" }]);
  const next: StoredQuote = {
    ...value,
    status: "accepted",
    acceptedAt,
    acceptance: {
      name: input.name,
      ...optional("email", input.email),
      acceptedAt,
      method: "offline",
      recordedAt: now.toISOString(),
    },
    updatedAt: now.toISOString(),
  };
  await ports.quotes.replace(
    merchantId,
    next,
    version,
    newEvent("quote.accepted", merchantId, id, now, { quote: presentQuote(next) }),
  );
  return presentQuote(next);
}

/**
 * A new draft revising an open quote: its content copied (to be edited), numbered on publish as the
 * original's next revision; the original stays open until then.
 */
export async function reviseQuote(ports: QuotePorts, merchantId: string, id: string) {
  const { value } = await readOrThrow(ports, merchantId, id);
  assertQuoteCan("revise", value.status);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  const {
    number: _,
    hostedToken: __,
    hostedUrl: ___,
    contentHash: ____,
    publishedAt: _____,
    // Frozen again when the revision is published.
    template: ________,
    // A revision is a new offer: nobody has signed it yet.
    signatures: ______,
    countersignerTokens: _______,
    sequence,
    revision,
    ...content
  } = value;
  const draft: StoredQuote = {
    ...content,
    id: newId("quote", now),
    status: "draft",
    revisionOf: id,
    ...optional("sequence", sequence),
    revision: (revision ?? 1) + 1,
    expiresAt: new Date(now.getTime() + defaultQuoteDays * 86_400_000).toISOString(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await ports.quotes.create(
    merchantId,
    draft,
    newEvent("quote.created", merchantId, draft.id, now, { quote: presentQuote(draft) }),
  );
  return presentQuote(draft);
}
