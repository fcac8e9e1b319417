/** Product use cases. */
import type { Clock } from "../domain/clock.ts";
import { ConflictError, requireFound } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { patchResource } from "../domain/patch.ts";
import type { Position } from "../http/cursor.ts";
import { listWindow } from "../store/collection.ts";
import type { ProductStore } from "../store/products.ts";
import type { NewProduct, Product, ProductPatch } from "./product.ts";

export interface ProductPorts {
  store: ProductStore;
  clock: Clock;
}

export async function createProduct({ store, clock }: ProductPorts, merchantId: string, input: NewProduct) {
  const now = clock.now();
  const product: Product = {
    ...input,
    id: newId("product", now),
    metadata: input.metadata ?? {},
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await store.create(
    merchantId,
    product,
    newEvent("product.created", merchantId, product.id, now, { product: present(product) }),
  );
  return present(product);
}

export async function getProduct({ store }: ProductPorts, merchantId: string, id: string) {
  return present(requireFound(await store.read(merchantId, id), "Product").value);
}

export async function updateProduct(
  { store, clock }: ProductPorts,
  merchantId: string,
  id: string,
  patch: ProductPatch,
) {
  const { value, version } = requireFound(await store.read(merchantId, id), "Product");
  const repriced =
    (patch.unitAmount !== undefined && patch.unitAmount !== value.unitAmount) ||
    (patch.currency !== undefined && patch.currency !== value.currency);
  if (repriced && value.referenced) {
    throw new ConflictError(
      "The product is used by an invoice or quote, so its unitAmount and currency can no longer change; " +
        'create a new product with the new price and archive this one with PATCH { "active": false }',
    );
  }
  const now = clock.now();
  const next: Product = patchResource(value, patch, now);
  await store.replace(
    merchantId,
    next,
    version,
    newEvent("product.updated", merchantId, id, now, { product: present(next) }),
  );
  return present(next);
}

export async function deleteProduct(
  { store, clock }: ProductPorts,
  merchantId: string,
  id: string,
): Promise<void> {
  const { value, version } = requireFound(await store.read(merchantId, id), "Product");
  if (value.referenced) {
    throw new ConflictError(
      'The product is used by an invoice or quote and cannot be deleted; archive it instead with PATCH { "active": false }',
    );
  }
  await store.remove(
    merchantId,
    id,
    version,
    newEvent("product.deleted", merchantId, id, clock.now(), { product: present(value) }),
  );
}

export async function listProducts(
  { store }: ProductPorts,
  merchantId: string,
  query: {
    limit: number;
    after?: Position;
    active?: boolean;
    currency?: string;
    recurring?: boolean;
    createdAfter?: string;
    createdBefore?: string;
  },
) {
  const page = await store.list(merchantId, {
    ...listWindow(query),
    ...(query.active !== undefined ? { active: query.active } : {}),
    ...(query.currency ? { currency: query.currency } : {}),
    ...(query.recurring !== undefined ? { recurring: query.recurring } : {}),
  });
  return { ...page, items: page.items.map(present) };
}

/** The product as the API shows it: without the internal `referenced` flag. */
function present({ referenced: _, ...product }: Product) {
  return product;
}
