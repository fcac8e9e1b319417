/** Tax rates: a collection in the merchant's partition (`SK = txr_…`); list filters are FilterExpressions. */
import type { DomainEvent } from "../domain/events.ts";
import type { TaxRate } from "../tax-rates/tax-rate.ts";
import { collection, type ListQuery, type Page, type Versioned } from "./collection.ts";
import { allOf, type Condition } from "./filters.ts";

const taxRates = collection<TaxRate>({ type: "taxRate", idKind: "taxRate", label: "tax rate" });

export interface TaxRateListQuery extends Omit<ListQuery, "filter"> {
  active?: boolean;
  inclusive?: boolean;
  country?: string;
}

export interface TaxRateStore {
  read(merchantId: string, id: string): Promise<Versioned<TaxRate> | undefined>;
  create(merchantId: string, taxRate: TaxRate, event: DomainEvent): Promise<void>;
  replace(merchantId: string, taxRate: TaxRate, version: number, event: DomainEvent): Promise<void>;
  list(merchantId: string, query: TaxRateListQuery): Promise<Page<TaxRate>>;
}

export const dynamoTaxRateStore: TaxRateStore = {
  read: (merchantId, id) => taxRates.read(merchantId, id),
  create: (merchantId, taxRate, event) => taxRates.create(merchantId, taxRate, event),
  replace: (merchantId, taxRate, version, event) => taxRates.replace(merchantId, taxRate, version, event),
  list(merchantId, { active, inclusive, country, ...query }) {
    const conditions: Condition[] = [];
    if (active !== undefined) conditions.push({ attribute: "active", equals: active });
    if (inclusive !== undefined) conditions.push({ attribute: "inclusive", equals: inclusive });
    if (country !== undefined) conditions.push({ attribute: "country", equals: country });
    const filter = allOf(conditions);
    return taxRates.list(merchantId, { ...query, ...(filter ? { filter } : {}) });
  },
};
