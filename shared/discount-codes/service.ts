/** Discount code use cases, including the race-free redemption that invoices and quotes call. */
import type { Clock } from "../domain/clock.ts";
import { ConflictError, requireFound, ValidationError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { patchResource } from "../domain/patch.ts";
import type { Position } from "../http/cursor.ts";
import { listWindow } from "../store/collection.ts";
import type { DiscountCodeStore } from "../store/discount-codes.ts";
import {
  type DiscountCode,
  type DiscountTerms,
  termsOf,
  unredeemableReason,
  type NewDiscountCode,
  type DiscountCodePatch,
} from "./discount-code.ts";

export interface DiscountCodePorts {
  store: DiscountCodeStore;
  clock: Clock;
}

function assertFuture(expiresAt: string | null | undefined, now: Date) {
  if (expiresAt && Date.parse(expiresAt) <= now.getTime()) {
    throw new ValidationError([{ path: "expiresAt", message: "must be in the future" }]);
  }
}

export async function createDiscountCode(
  { store, clock }: DiscountCodePorts,
  merchantId: string,
  input: NewDiscountCode,
) {
  const now = clock.now();
  assertFuture(input.expiresAt, now);
  const discountCode: DiscountCode = {
    ...input,
    id: newId("discountCode", now),
    timesRedeemed: 0,
    metadata: input.metadata ?? {},
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await store.create(
    merchantId,
    discountCode,
    newEvent("discount_code.created", merchantId, discountCode.id, now, { discountCode }),
  );
  return discountCode;
}

export async function getDiscountCode({ store }: DiscountCodePorts, merchantId: string, id: string) {
  return requireFound(await store.read(merchantId, id), "Discount code").value;
}

export async function updateDiscountCode(
  { store, clock }: DiscountCodePorts,
  merchantId: string,
  id: string,
  patch: DiscountCodePatch,
) {
  const { value, version } = requireFound(await store.read(merchantId, id), "Discount code");
  const now = clock.now();
  assertFuture(patch.expiresAt, now);
  if (patch.maxRedemptions != null && patch.maxRedemptions < value.timesRedeemed) {
    throw new ConflictError(
      `maxRedemptions cannot be ${patch.maxRedemptions}: the code has already been redeemed ${value.timesRedeemed} times`,
    );
  }
  const next: DiscountCode = patchResource(value, patch, now);
  // The stored version moves with every redemption too, so a redemption in between is a 409, not a lost count.
  await store.replace(
    merchantId,
    next,
    version,
    newEvent("discount_code.updated", merchantId, id, now, { discountCode: next }),
  );
  return next;
}

export async function listDiscountCodes(
  { store }: DiscountCodePorts,
  merchantId: string,
  query: {
    limit: number;
    after?: Position;
    active?: boolean;
    code?: string;
    createdAfter?: string;
    createdBefore?: string;
  },
) {
  if (query.code) {
    const id = await store.findIdByCode(merchantId, query.code);
    const found = id ? (await store.read(merchantId, id))?.value : undefined;
    const matches =
      found !== undefined &&
      (query.active === undefined || found.active === query.active) &&
      (!query.createdAfter || found.createdAt >= new Date(query.createdAfter).toISOString()) &&
      (!query.createdBefore || found.createdAt < new Date(query.createdBefore).toISOString());
    return { items: matches ? [found] : [] };
  }
  return store.list(merchantId, {
    ...listWindow(query),
    ...(query.active !== undefined ? { active: query.active } : {}),
  });
}

const invalidCode = () => new ValidationError([{ path: "code", message: "is not a valid discount code" }]);

/**
 * Redeems a code for a document in `currency`: one conditional increment, so however many requests
 * race, a code is never redeemed past its limit, after its expiry, while inactive, or (amount off) in
 * another currency. Returns the terms to apply. The caller that later abandons the document (a voided
 * draft) gives the redemption back with `releaseDiscountCode`.
 */
export async function redeemDiscountCode(
  { store, clock }: DiscountCodePorts,
  merchantId: string,
  code: string,
  { currency }: { currency: string },
): Promise<DiscountTerms> {
  const id = await store.findIdByCode(merchantId, code.toUpperCase());
  if (!id) throw invalidCode();
  const documentCurrency = currency.toUpperCase();
  // A failed condition is explained from a fresh read; a retry covers the rare case where the code
  // became redeemable again (re-activated, limit raised) between the failed write and the read.
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = clock.now();
    const redeemed = await store.redeem(merchantId, id, documentCurrency, now);
    if (redeemed) return termsOf(redeemed);
    const found = await store.read(merchantId, id);
    if (!found) throw invalidCode();
    const { value } = found;
    if (value.amountOff !== undefined && value.currency !== documentCurrency) {
      throw new ValidationError([
        {
          path: "code",
          message: `is a ${value.currency} discount and cannot apply to an amount in ${documentCurrency}`,
        },
      ]);
    }
    const reason = unredeemableReason(value, now);
    if (reason) throw new ConflictError(reason);
  }
  throw new ConflictError(
    `The discount code ${code.toUpperCase()} was changed by another request; try again`,
  );
}

/** Gives back one redemption of `code` (e.g. when the draft that redeemed it is voided). */
export async function releaseDiscountCode(
  { store }: DiscountCodePorts,
  merchantId: string,
  code: string,
): Promise<DiscountCode> {
  const id = await store.findIdByCode(merchantId, code.toUpperCase());
  if (!id) throw invalidCode();
  const released = await store.release(merchantId, id);
  if (!released)
    throw new ConflictError(`The discount code ${code.toUpperCase()} has no redemption to release`);
  return released;
}
