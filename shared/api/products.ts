/** Operations on products: what a merchant sells, with its price (one-time or recurring). */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import {
  amount,
  createdRange,
  currency,
  flag,
  idParams,
  listQuery,
  metadata,
  page,
  parsesTo,
} from "./common.ts";
import type { NewProduct, ProductPatch } from "../products/product.ts";
import { lazy } from "../lazy.ts";

const text = (max: number) => z.string().trim().min(1).max(max);

export const intervals = ["month", "quarter", "half_year", "year"] as const;

const recurring = lazy(() =>
  z
    .strictObject({ interval: z.enum(intervals) })
    .describe("Present for a subscription price: billed every interval; absent for a one-time price"),
);

export const product = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    unitAmount: z.number().int().describe("In the currency's minor unit"),
    currency: z.string(),
    recurring: z.object({ interval: z.enum(intervals) }).optional(),
    active: z.boolean(),
    metadata: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const newProduct = lazy(() =>
  parsesTo<NewProduct>()(
    z.strictObject({
      name: text(200),
      description: text(1000).optional(),
      unitAmount: amount(),
      currency: currency(),
      recurring: recurring().optional(),
      active: z.boolean().default(true),
      metadata: metadata().optional(),
    }),
  ),
);

export const productPatch = lazy(() =>
  parsesTo<ProductPatch>()(
    z.strictObject({
      name: text(200).optional(),
      description: text(1000).nullable().optional(),
      /** Only while no invoice or quote uses the product. */
      unitAmount: amount().optional(),
      /** Only while no invoice or quote uses the product. */
      currency: currency().optional(),
      /** null makes the price one-time. */
      recurring: recurring().nullable().optional(),
      active: z.boolean().optional(),
      /** Keys given are set; a key set to null is removed. */
      metadata: z.record(z.string().min(1).max(40), z.string().max(500).nullable()).optional(),
    }),
  ),
);

export const createProduct = defineOperation({
  id: "createProduct",
  method: "POST",
  path: "/v1/products",
  auth: "merchant",
  tag: "Products",
  summary:
    "Create a product with its price (unitAmount in the currency's minor unit; recurring for subscriptions)",
  body: newProduct,
  response: product,
  status: 201,
});

export const listProducts = defineOperation({
  id: "listProducts",
  method: "GET",
  path: "/v1/products",
  auth: "merchant",
  tag: "Products",
  summary: "List products, newest first; filter by active, currency, recurring or creation time",
  query: () =>
    listQuery().extend({
      active: flag().optional(),
      currency: currency().optional(),
      recurring: flag().optional(),
      ...createdRange(),
    }),
  response: () => page(product()),
  status: 200,
});

export const getProduct = defineOperation({
  id: "getProduct",
  method: "GET",
  path: "/v1/products/{id}",
  auth: "merchant",
  tag: "Products",
  summary: "Get a product",
  params: () => idParams("product"),
  response: product,
  status: 200,
});

export const updateProduct = defineOperation({
  id: "updateProduct",
  method: "PATCH",
  path: "/v1/products/{id}",
  auth: "merchant",
  tag: "Products",
  summary:
    "Update a product; null clears a field, a metadata key set to null is removed. unitAmount and currency " +
    "can change only while no invoice or quote uses the product (409 otherwise: prices on issued documents " +
    "never move; create a new product instead). Archive with active: false",
  params: () => idParams("product"),
  body: productPatch,
  response: product,
  status: 200,
});

export const deleteProduct = defineOperation({
  id: "deleteProduct",
  method: "DELETE",
  path: "/v1/products/{id}",
  auth: "merchant",
  tag: "Products",
  summary:
    "Delete a product no document has used (409 once an invoice or quote uses it: archive it with active: false)",
  params: () => idParams("product"),
  status: 204,
});

export const productOperations = [createProduct, listProducts, getProduct, updateProduct, deleteProduct];
