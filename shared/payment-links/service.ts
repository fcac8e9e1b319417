/**
 * Payment link use cases: create, read, list and change a link. The rules that need the merchant's
 * objects (its products, tax rates and test clocks) are checked here, the rest by the request schema
 * (shared/api/payment-links.ts); a broken rule is a 400 naming the field, and nothing is written.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.ts";
import {
  ConflictError,
  type FieldError,
  requireFound,
  retryOnConflict,
  ValidationError,
} from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { patchResource } from "../domain/patch.ts";
import type { Position } from "../http/cursor.ts";
import type { Catalog } from "../invoices/build.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { Interval } from "../products/product.ts";
import { listWindow } from "../store/collection.ts";
import type { PaymentLinkStore } from "../store/payment-links.ts";
import type { TestClockStore } from "../store/test-clocks.ts";
import {
  type NewPaymentLink,
  type PaymentLink,
  type PaymentLinkLineItem,
  type PaymentLinkPatch,
  presentPaymentLink,
  sameLineItems,
} from "./payment-link.ts";
import { withSavedView } from "../views/apply.ts";
import type { SavedViewPorts } from "../views/ports.ts";

export interface PaymentLinkPorts {
  store: PaymentLinkStore;
  catalog: Pick<Catalog, "product" | "taxRate">;
  merchants: Pick<MerchantStore, "readMerchant">;
  testClocks: Pick<TestClockStore, "read">;
  /** Links are built on it, never on a request's Host header. */
  publicBaseUrl: string;
  clock: Clock;
}

/** 96 random bits, URL-safe: guessing one link's slug takes ~2⁹⁵ tries. */
const newSlug = () => randomBytes(12).toString("base64url");

/** What the line items' products make of the link: its one currency and its one interval (if any recurs). */
interface Pricing {
  currency: string;
  interval?: Interval;
}

/** The products behind `lineItems`: the merchant's, active, in one currency, recurring on one interval. */
async function pricingOf(
  { catalog }: PaymentLinkPorts,
  merchantId: string,
  lineItems: PaymentLinkLineItem[],
  errors: FieldError[],
): Promise<Pricing | undefined> {
  const products = await Promise.all(lineItems.map((item) => catalog.product(merchantId, item.productId)));
  const before = errors.length;
  let pricing: Pricing | undefined;
  for (const [i, product] of products.entries()) {
    const fail = (message: string) => errors.push({ path: `lineItems.${i}.productId`, message });
    if (!product) fail("is not one of your products");
    else if (!product.active) fail("is archived");
    else {
      pricing ??= { currency: product.currency };
      const interval = product.recurring?.interval;
      if (interval) pricing.interval ??= interval;
      if (product.currency !== pricing.currency) {
        fail(
          `is priced in ${product.currency}, the link's other items in ${pricing.currency} (a link sells in one currency)`,
        );
      } else if (interval && interval !== pricing.interval) {
        fail(
          `recurs every ${interval}, the link's other recurring items every ${pricing.interval} (one interval per link)`,
        );
      }
    }
  }
  return errors.length === before ? pricing : undefined;
}

/** The rules on the merchant's objects and on time, for the fields `input` sets. */
async function check(
  ports: PaymentLinkPorts,
  merchantId: string,
  input: Pick<PaymentLinkPatch, "lineItems" | "testClockId" | "taxRateIds" | "expiresAt">,
): Promise<{ errors: FieldError[]; pricing?: Pricing }> {
  const errors: FieldError[] = [];
  const pricing = input.lineItems ? await pricingOf(ports, merchantId, input.lineItems, errors) : undefined;
  if (input.expiresAt && input.expiresAt <= ports.clock.now().toISOString()) {
    errors.push({ path: "expiresAt", message: "must be in the future" });
  }
  if (input.testClockId) {
    const merchant = requireFound(await ports.merchants.readMerchant(merchantId), "Merchant").value;
    if (merchantLivemode(merchant)) {
      errors.push({
        path: "testClockId",
        message: "is for test mode only: this merchant takes real payments (a live Stripe account)",
      });
    } else if (!(await ports.testClocks.read(merchantId, input.testClockId))) {
      errors.push({ path: "testClockId", message: "is not one of your test clocks" });
    }
  }
  const rates = await Promise.all(
    (input.taxRateIds ?? []).map((id) => ports.catalog.taxRate(merchantId, id)),
  );
  rates.forEach((rate, i) => {
    if (!rate?.active)
      errors.push({ path: `taxRateIds.${i}`, message: "is not one of your active tax rates" });
  });
  return { errors, ...(pricing ? { pricing } : {}) };
}

/** A trial delays the recurring items' first charge: a link without one has nothing to delay. */
function trialError(trialDays: number | undefined, interval: Interval | undefined): FieldError[] {
  return trialDays !== undefined && interval === undefined
    ? [{ path: "trialDays", message: "needs at least one recurring item on the link" }]
    : [];
}

const present = (ports: PaymentLinkPorts, link: PaymentLink) => presentPaymentLink(link, ports.publicBaseUrl);

export async function createPaymentLink(ports: PaymentLinkPorts, merchantId: string, input: NewPaymentLink) {
  const { errors, pricing } = await check(ports, merchantId, input);
  // Items that failed their checks say nothing about a trial.
  if (pricing) errors.push(...trialError(input.trialDays, pricing.interval));
  if (errors.length > 0 || !pricing) throw new ValidationError(errors);
  const now = ports.clock.now();
  const id = newId("paymentLink", now);
  // A slug drawn twice (or a retried request's) loses its claim; another draw wins it.
  return retryOnConflict(3, async () => {
    const link: PaymentLink = {
      ...input,
      id,
      slug: newSlug(),
      ...pricing,
      metadata: input.metadata ?? {},
      timesRedeemed: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const shown = present(ports, link);
    await ports.store.create(
      merchantId,
      link,
      newEvent("payment_link.created", merchantId, id, now, { paymentLink: shown }),
    );
    return shown;
  });
}

export async function getPaymentLink(ports: PaymentLinkPorts, merchantId: string, id: string) {
  return present(ports, requireFound(await ports.store.read(merchantId, id), "Payment link").value);
}

/**
 * Changes a link. Its line items are frozen once a checkout completed (`timesRedeemed > 0`): buyers
 * paid for what it offered, and the records of their checkouts name it. The write is on `version`,
 * which a completing checkout moves too, so a change racing a completion is a 409.
 */
export async function updatePaymentLink(
  ports: PaymentLinkPorts,
  merchantId: string,
  id: string,
  request: PaymentLinkPatch,
) {
  const { value, version } = requireFound(await ports.store.read(merchantId, id), "Payment link");
  // The link's own line items sent back (a client PATCHing the whole object) change nothing.
  const { lineItems, ...rest } = request;
  const patch: PaymentLinkPatch = lineItems && !sameLineItems(lineItems, value.lineItems) ? request : rest;
  if (patch.lineItems && value.timesRedeemed > 0) {
    throw new ConflictError(
      `The payment link's line items are frozen: ${value.timesRedeemed} checkouts completed with them; create a new link (and deactivate this one) to sell something else`,
    );
  }
  if (patch.maxRedemptions != null && patch.maxRedemptions < value.timesRedeemed) {
    throw new ConflictError(
      `maxRedemptions cannot be ${patch.maxRedemptions}: ${value.timesRedeemed} checkouts already completed`,
    );
  }
  const { errors, pricing } = await check(ports, merchantId, patch);
  const now = ports.clock.now();
  const patched: PaymentLink = patchResource(value, patch, now);
  // New line items reprice the link: their currency and interval replace the old ones.
  const { interval: _, ...unpriced } = patched;
  const next: PaymentLink = pricing ? { ...unpriced, ...pricing } : patched;
  if (!patch.lineItems || pricing) errors.push(...trialError(next.trialDays, next.interval));
  if (errors.length > 0) throw new ValidationError(errors);
  const shown = present(ports, next);
  const type = patch.active === false && value.active ? "payment_link.deactivated" : "payment_link.updated";
  await ports.store.replace(
    merchantId,
    next,
    version,
    newEvent(type, merchantId, id, now, { paymentLink: shown }),
  );
  return shown;
}

export async function listPaymentLinks(
  ports: PaymentLinkPorts & SavedViewPorts,
  merchantId: string,
  {
    limit,
    after,
    view,
    ...own
  }: {
    limit: number;
    after?: Position;
    view?: string | undefined;
    active?: boolean | undefined;
    createdAfter?: string | undefined;
    createdBefore?: string | undefined;
  },
) {
  const query = {
    limit,
    ...(after ? { after } : {}),
    ...(await withSavedView(ports.views, merchantId, "payment_links", view, own)),
  };
  const page = await ports.store.list(merchantId, {
    ...listWindow(query),
    ...(query.active !== undefined ? { active: query.active } : {}),
  });
  return { ...page, items: page.items.map((link) => present(ports, link)) };
}
