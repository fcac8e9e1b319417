/** Products: a collection in the merchant's partition (`SK = prd_…`); list filters are FilterExpressions. */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Product } from "../products/product.ts";
import { collection, type ListQuery, type Page, type Versioned } from "./collection.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { allOf, type Condition } from "./filters.ts";
import { keys } from "./keys.ts";

const itemType = "product";
const products = collection<Product>({ type: itemType, idKind: "product", label: "product" });

/**
 * Sets `referenced` on one product unless it is already set, so the version moves once, on the first
 * use, and never again for a popular product; only while its price is the one the document was priced
 * with. A failed condition is fine when the product is already referenced; when it is gone or was
 * repriced, the conflict makes the document's finalize re-read and re-price (or refuse the line).
 */
async function markReferenced(
  merchantId: string,
  { id, unitAmount, currency }: Pick<Product, "id" | "unitAmount" | "currency">,
): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.merchantObject(merchantId, id),
        UpdateExpression: "SET referenced = :true ADD version :one",
        ConditionExpression:
          "#type = :type AND attribute_not_exists(referenced) AND unitAmount = :unitAmount AND currency = :currency",
        ExpressionAttributeNames: { "#type": "type" },
        ExpressionAttributeValues: {
          ":true": true,
          ":one": 1,
          ":type": itemType,
          ":unitAmount": unitAmount,
          ":currency": currency,
        },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const old = (error as { Item?: Record<string, unknown> }).Item; // raw attribute values
    if (!old?.referenced)
      throw new ConflictError("A product on the document was deleted or repriced meanwhile");
  }
}

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
  /** Marks the products, as a document was priced with them, as used by it (see `Product.referenced`); idempotent. */
  markReferenced(
    merchantId: string,
    products: Pick<Product, "id" | "unitAmount" | "currency">[],
  ): Promise<void>;
}

export const dynamoProductStore: ProductStore = {
  read: (merchantId, id) => products.read(merchantId, id),
  create: (merchantId, product, event) => products.create(merchantId, product, event),
  replace: (merchantId, product, version, event) => products.replace(merchantId, product, version, event),
  remove: (merchantId, id, version, event) => products.remove(merchantId, id, version, event),
  async markReferenced(merchantId, priced) {
    await Promise.all(priced.map((product) => markReferenced(merchantId, product)));
  },
  list(merchantId, { active, currency, recurring, ...query }) {
    const conditions: Condition[] = [];
    if (active !== undefined) conditions.push({ attribute: "active", equals: active });
    if (currency !== undefined) conditions.push({ attribute: "currency", equals: currency });
    if (recurring !== undefined) conditions.push({ attribute: "recurring", exists: recurring });
    const filter = allOf(conditions);
    return products.list(merchantId, { ...query, ...(filter ? { filter } : {}) });
  },
};
