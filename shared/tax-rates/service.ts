/** Tax rate use cases. Rates are never deleted (documents keep pointing at them): archive instead. */
import type { Clock } from "../domain/clock.ts";
import { requireFound } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { patchResource } from "../domain/patch.ts";
import type { Position } from "../http/cursor.ts";
import { listWindow } from "../store/collection.ts";
import type { TaxRateStore } from "../store/tax-rates.ts";
import type { NewTaxRate, TaxRate, TaxRatePatch } from "./tax-rate.ts";

export interface TaxRatePorts {
  store: TaxRateStore;
  clock: Clock;
}

export async function createTaxRate({ store, clock }: TaxRatePorts, merchantId: string, input: NewTaxRate) {
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

export async function getTaxRate({ store }: TaxRatePorts, merchantId: string, id: string) {
  return requireFound(await store.read(merchantId, id), "Tax rate").value;
}

export async function updateTaxRate(
  { store, clock }: TaxRatePorts,
  merchantId: string,
  id: string,
  patch: TaxRatePatch,
) {
  const { value, version } = requireFound(await store.read(merchantId, id), "Tax rate");
  const now = clock.now();
  const next: TaxRate = patchResource(value, patch, now);
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
    ...listWindow(query),
    ...(query.active !== undefined ? { active: query.active } : {}),
    ...(query.inclusive !== undefined ? { inclusive: query.inclusive } : {}),
    ...(query.country ? { country: query.country } : {}),
  });
}
