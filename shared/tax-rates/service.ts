/** Tax rate use cases. Rates are never deleted (documents keep pointing at them): archive instead. */
import type * as z from "zod";
import type { newTaxRate, taxRatePatch } from "../api/tax-rates.ts";
import type { Clock } from "../domain/clock.ts";
import { NotFoundError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { applyPatch, mergeMetadata } from "../domain/patch.ts";
import type { Position } from "../http/cursor.ts";
import type { TaxRateStore } from "../store/tax-rates.ts";
import type { TaxRate } from "./tax-rate.ts";

export interface TaxRatePorts {
  store: TaxRateStore;
  clock: Clock;
}

export async function createTaxRate(
  { store, clock }: TaxRatePorts,
  merchantId: string,
  input: z.output<typeof newTaxRate>,
) {
  const now = clock.now();
  const taxRate: TaxRate = {
    ...input,
    id: newId("taxRate", now),
    metadata: input.metadata ?? {},
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await store.create(
    merchantId,
    taxRate,
    newEvent("tax_rate.created", merchantId, taxRate.id, now, { taxRate }),
  );
  return taxRate;
}

async function readOrThrow(store: TaxRateStore, merchantId: string, id: string) {
  const found = await store.read(merchantId, id);
  if (!found) throw new NotFoundError("Tax rate");
  return found;
}

export async function getTaxRate({ store }: TaxRatePorts, merchantId: string, id: string) {
  return (await readOrThrow(store, merchantId, id)).value;
}

export async function updateTaxRate(
  { store, clock }: TaxRatePorts,
  merchantId: string,
  id: string,
  patch: z.output<typeof taxRatePatch>,
) {
  const { value, version } = await readOrThrow(store, merchantId, id);
  const now = clock.now();
  const { metadata, ...fields } = patch;
  const next: TaxRate = {
    ...applyPatch(value, fields),
    metadata: mergeMetadata(value.metadata, metadata),
    updatedAt: now.toISOString(),
  };
  await store.replace(
    merchantId,
    next,
    version,
    newEvent("tax_rate.updated", merchantId, id, now, { taxRate: next }),
  );
  return next;
}

export async function listTaxRates(
  { store }: TaxRatePorts,
  merchantId: string,
  query: {
    limit: number;
    after?: Position;
    active?: boolean;
    inclusive?: boolean;
    country?: string;
    createdAfter?: string;
    createdBefore?: string;
  },
) {
  return store.list(merchantId, {
    limit: query.limit,
    ...(query.after ? { after: query.after } : {}),
    ...(query.createdAfter ? { createdAfter: new Date(query.createdAfter) } : {}),
    ...(query.createdBefore ? { createdBefore: new Date(query.createdBefore) } : {}),
    ...(query.active !== undefined ? { active: query.active } : {}),
    ...(query.inclusive !== undefined ? { inclusive: query.inclusive } : {}),
    ...(query.country ? { country: query.country } : {}),
  });
}
