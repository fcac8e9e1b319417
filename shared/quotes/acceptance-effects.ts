/**
 * What an accepted quote sets off besides its first invoice (issue 14 §2): its discount codes counted
 * as redeemed, and the subscription its recurring lines start. Both are idempotent — the acceptance
 * flow may run them again after a crash or a redelivery — and each is one conditional transaction
 * with the quote, the way an invoice's finalize redeems its codes: the quote's change and its effect
 * commit together or not at all, and the quote then says it was done.
 */
import type { DiscountCode } from "../discount-codes/discount-code.ts";
import { localDate } from "../domain/calendar.ts";
import { requireFound, retryOnConflict, StateConflictError } from "../domain/errors.ts";
import type { Change } from "../domain/records.ts";
import { computeTotals, type DiscountInput } from "../domain/totals.ts";
import type { InvoiceDiscount, InvoiceLine } from "../invoices/invoice.ts";
import { createQuotedSubscription, type SubscriptionPorts } from "../subscriptions/service.ts";
import type { SubscriptionDiscount } from "../subscriptions/subscription.ts";
import type { QuoteStore, StoredQuote } from "./ports.ts";

export interface QuoteAcceptancePorts {
  quotes: Pick<QuoteStore, "read" | "replaceWrite">;
  /** The subscriptions' use cases (their catalog, clocks and store), which create the quote's. */
  subscriptions: SubscriptionPorts;
  /** One redemption of a code counted whatever its state now (the quote was promised it). */
  promisedRedemptionWrite(merchantId: string, discountCodeId: string): Change;
  /** Commits changes in one transaction; a failed condition is a ConflictError. */
  commit(changes: readonly Change[]): Promise<void>;
}

/** Races on the quote (the acceptance flow writes it too) are re-read and re-decided this many times. */
const attempts = 5;

async function acceptedQuote(ports: QuoteAcceptancePorts, merchantId: string, quoteId: string) {
  const found = requireFound(await ports.quotes.read(merchantId, quoteId), "Quote");
  if (found.value.status !== "accepted") {
    throw new StateConflictError(`The quote is ${found.value.status}: only an accepted quote sets this off`);
  }
  return found;
}

const codeOf = (ports: QuoteAcceptancePorts, merchantId: string, code: string) =>
  ports.subscriptions.catalog.discountCode(merchantId, code.toUpperCase());

/**
 * Counts each of the quote's discount codes as redeemed, once per quote however often it runs: one
 * transaction adds the redemptions and marks the quote (`discountsRedeemedAt`) on its version, so a
 * repeat finds the mark, and a concurrent run loses the race and then finds it.
 *
 * The quote's price was frozen when it was published and signed: a code that became inactive,
 * expired or used up since is still honoured — the buyer accepted that price — and its redemption is
 * still counted (past `maxRedemptions` if need be), so the code's count says how often it was given.
 */
export async function redeemQuoteDiscounts(
  ports: QuoteAcceptancePorts,
  merchantId: string,
  quoteId: string,
): Promise<void> {
  await retryOnConflict(attempts, async () => {
    const { value: quote, version } = await acceptedQuote(ports, merchantId, quoteId);
    if (quote.discountsRedeemedAt) return;
    const texts = quote.discounts.flatMap((d) => (d.code ? [d.code] : []));
    if (texts.length === 0) return;
    // Codes are never deleted; one that could not be found has nothing to count.
    const codes = (await Promise.all(texts.map((text) => codeOf(ports, merchantId, text)))).filter(
      (code): code is DiscountCode => code !== undefined,
    );
    const now = (await ports.subscriptions.customerClock(merchantId, quote.customerId)).now();
    await ports.commit([
      ports.quotes.replaceWrite(merchantId, { ...quote, discountsRedeemedAt: now.toISOString() }, version),
      ...codes.map((code) => ports.promisedRedemptionWrite(merchantId, code.id)),
    ]);
  });
}

/** The code terms a quote's discount keeps on later periods (a discount without a code: forever). */
type DurationOf = (discount: InvoiceDiscount) => Pick<SubscriptionDiscount, "duration" | "durationInPeriods">;

/**
 * The subscription's discounts for a quote's recurring lines (pure), so that:
 * - period 0 is billed as the quote priced it: one `amountOff` of exactly the recurring lines'
 *   `amountDiscount` (their own discounts and their share of the document's), `once`;
 * - later periods keep the quote's discounts by their durations, counted from period 0 (a `once`
 *   code is then spent): a percentage as such; an amount, and the recurring lines' own discounts,
 *   as the share of it the quote gave those lines — what the recurring part was offered at.
 */
export function quotedSubscriptionDiscounts(
  quote: Pick<StoredQuote, "currency" | "lineItems" | "discounts">,
  recurring: readonly boolean[],
  durationOf: DurationOf,
): SubscriptionDiscount[] {
  const lines = quote.lineItems.map((line: InvoiceLine) => ({
    quantity: line.quantity,
    unitAmount: line.unitAmount,
    ...(line.discount ? { discount: line.discount as DiscountInput } : {}),
  }));
  const inputs = quote.discounts.map(
    (d): DiscountInput =>
      d.percentOff !== undefined ? { percentOff: d.percentOff } : { amountOff: d.amountOff ?? 0 },
  );
  // The engine applies document discounts in order, each on what the earlier ones left: the first j
  // priced alone give each discount's share on the recurring lines by difference.
  const recurringDiscount = (j: number) =>
    computeTotals({ currency: quote.currency, lines, discounts: inputs.slice(0, j) }).lines.reduce(
      (sum, line, i) => sum + (recurring[i] ? line.amountDiscount : 0),
      0,
    );
  const shares = inputs.map((_, k) => recurringDiscount(k + 1) - recurringDiscount(k));
  const quoted = quote.lineItems.reduce((sum, line, i) => sum + (recurring[i] ? line.amountDiscount : 0), 0);
  const ownLines = recurringDiscount(0);
  const later = quote.discounts.flatMap((discount, k): SubscriptionDiscount[] => {
    const { duration, durationInPeriods } = durationOf(discount);
    if (duration === "once" || (duration === "repeating" && (durationInPeriods ?? 0) <= 1)) return [];
    const share = shares[k] ?? 0;
    if (discount.percentOff === undefined && share === 0) return [];
    return [
      {
        ...(discount.percentOff !== undefined ? { percentOff: discount.percentOff } : { amountOff: share }),
        ...(discount.code ? { code: discount.code } : {}),
        duration,
        ...(duration === "repeating" ? { durationInPeriods: (durationInPeriods ?? 0) - 1 } : {}),
        fromPeriod: 1,
      },
    ];
  });
  return [
    ...(quoted > 0 ? [{ amountOff: quoted, duration: "once" as const }] : []),
    ...(ownLines > 0 ? [{ amountOff: ownLines, duration: "forever" as const, fromPeriod: 1 }] : []),
    ...later,
  ];
}

/**
 * Starts the subscription of an accepted quote's recurring lines: exactly one per quote. It is
 * created in one transaction with the quote recording its id (`subscriptionId`, on the quote's
 * version), so no crash can leave a subscription the quote does not name, and a concurrent run loses
 * the race and finds the id. A repeat returns that id and creates nothing; it only asks the engine
 * to bill what is due (idempotent), in case a crash came between the creation and its first bill.
 *
 * The items are the recurring lines' products at the quote's prices, descriptions and quantities,
 * taxed by their rates, with the quote's discounts as it priced them (`quotedSubscriptionDiscounts`):
 * the first period's invoice total is the quote's `recurringTotal`. It starts on
 * `subscriptionStartDate`, or today on the customer's clock (a test clock's, and the subscription is
 * on that clock) when that is absent or past; it charges `paymentMethodId` automatically when given,
 * else sends invoices with the merchant's default terms. Undefined when no line recurs.
 */
export async function startQuoteSubscription(
  ports: QuoteAcceptancePorts,
  merchantId: string,
  quoteId: string,
  { paymentMethodId }: { paymentMethodId?: string | undefined } = {},
): Promise<string | undefined> {
  const subs = ports.subscriptions;
  return retryOnConflict(attempts, async () => {
    const { value: quote, version } = await acceptedQuote(ports, merchantId, quoteId);
    if (quote.subscriptionId) {
      const existing = await subs.subscriptions.read(merchantId, quote.subscriptionId);
      if (existing) await subs.billDue(merchantId, existing.value.id, existing.value.testClockId);
      return quote.subscriptionId;
    }
    if (!quote.recurringInterval) return undefined;
    const recurring = quote.recurringLines;
    const lines = quote.lineItems.filter((_, i) => recurring[i]);
    if (lines.length === 0) return undefined;
    const taxRateIds = lines[0]?.taxRateIds ?? [];
    // A subscription taxes every item alike: a quote whose recurring lines differ cannot be one.
    if (lines.some((line) => [...line.taxRateIds].sort().join() !== [...taxRateIds].sort().join())) {
      throw new StateConflictError(
        "The quote's recurring lines have different tax rates: a subscription taxes all its items alike",
      );
    }
    const codes = new Map(
      await Promise.all(
        quote.discounts.flatMap((d) =>
          d.code ? [codeOf(ports, merchantId, d.code).then((code) => [d.code, code] as const)] : [],
        ),
      ),
    );
    const discounts = quotedSubscriptionDiscounts(quote, recurring, (discount) => {
      const code = discount.code ? codes.get(discount.code) : undefined;
      return code
        ? {
            duration: code.duration,
            ...(code.durationInPeriods !== undefined ? { durationInPeriods: code.durationInPeriods } : {}),
          }
        : { duration: "forever" };
    });
    const [clock, merchant] = await Promise.all([
      subs.customerClock(merchantId, quote.customerId),
      subs.merchants.readMerchant(merchantId),
    ]);
    const today = localDate(clock.now(), requireFound(merchant, "Merchant").value.timeZone);
    const startDate = quote.subscriptionStartDate;
    const now = clock.now().toISOString();
    // A lost race on the quote (maybe with this very start) writes nothing: retried, re-read, re-decided.
    const subscription = await createQuotedSubscription(
      subs,
      merchantId,
      {
        customerId: quote.customerId,
        items: lines.map((line) => ({
          productId: line.productId as string,
          description: line.description,
          unitAmount: line.unitAmount,
          quantity: line.quantity,
        })),
        taxRateIds,
        discounts,
        ...(startDate && startDate > today ? { startDate } : {}),
        ...(paymentMethodId
          ? { collectionMethod: "charge_automatically" as const, defaultPaymentMethodId: paymentMethodId }
          : { collectionMethod: "send_invoice" as const }),
        metadata: { quoteId: quote.id },
      },
      (subscriptionId) => [
        ports.quotes.replaceWrite(merchantId, { ...quote, subscriptionId, updatedAt: now }, version),
      ],
    );
    return subscription.id;
  });
}
