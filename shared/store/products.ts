/** Products: a collection in the merchant's partition (`SK = prd_…`); list filters are FilterExpressions. */
import type { DomainEvent } from "../domain/events.ts";
import type { Product } from "../products/product.ts";
import { collection, type ListQuery, type Page, type Versioned } from "./collection.ts";
import { allOf, type Condition } from "./filters.ts";

const products = collection<Product>({ type: "product", idKind: "product", label: "product" });

export interface ProductListQuery extends Omit<ListQuery, "filter"> {
  active?: boolean;
  currency?: string;
  recurring?: boolean;
}

export interface ProductStore {
  read(merchantId: string, id: string): Promise<Versioned<Product> | undefined>;
  create(merchantId: string, product: Product, event: DomainEvent): Promise<void>;
  replace(merchantId: string, product: Product, version: number, event: DomainEvent): Promise<void>;
  remove(merchantId: string, id: string, version: number, event: DomainEvent): Promise<void>;
  list(merchantId: string, query: ProductListQuery): Promise<Page<Product>>;
}

export const dynamoProductStore: ProductStore = {
  read: (merchantId, id) => products.read(merchantId, id),
  create: (merchantId, product, event) => products.create(merchantId, product, event),
  replace: (merchantId, product, version, event) => products.replace(merchantId, product, version, event),
  remove: (merchantId, id, version, event) => products.remove(merchantId, id, version, event),
  list(merchantId, { active, currency, recurring, ...query }) {
    const conditions: Condition[] = [];
    if (active !== undefined) conditions.push({ attribute: "active", equals: active });
    if (currency !== undefined) conditions.push({ attribute: "currency", equals: currency });
    if (recurring !== undefined) conditions.push({ attribute: "recurring", exists: recurring });
    const filter = allOf(conditions);
    return products.list(merchantId, { ...query, ...(filter ? { filter } : {}) });
  },
};
