/** Customer use cases. */
import type * as z from "zod";
import type { customerPatch, newCustomer } from "../api/customers.ts";
import type { Clock } from "../domain/clock.ts";
import { ConflictError, NotFoundError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { applyPatch, mergeMetadata } from "../domain/patch.ts";
import type { Position } from "../http/cursor.ts";
import type { CustomerStore } from "../store/customers.ts";
import type { Customer } from "./customer.ts";

export interface CustomerPorts {
  store: CustomerStore;
  clock: Clock;
}

export async function createCustomer(
  { store, clock }: CustomerPorts,
  merchantId: string,
  input: z.output<typeof newCustomer>,
) {
  const now = clock.now();
  const customer: Customer = {
    ...input,
    id: newId("customer", now),
    taxIds: input.taxIds ?? [],
    metadata: input.metadata ?? {},
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await store.create(
    customer,
    merchantId,
    newEvent("customer.created", merchantId, customer.id, now, { customer }),
  );
  return present(customer);
}

async function readOrThrow(store: CustomerStore, merchantId: string, id: string) {
  const found = await store.read(merchantId, id);
  if (!found) throw new NotFoundError("Customer");
  return found;
}

export async function getCustomer({ store }: CustomerPorts, merchantId: string, id: string) {
  return present((await readOrThrow(store, merchantId, id)).value);
}

export async function updateCustomer(
  { store, clock }: CustomerPorts,
  merchantId: string,
  id: string,
  patch: z.output<typeof customerPatch>,
) {
  const { value, version } = await readOrThrow(store, merchantId, id);
  const now = clock.now();
  const { metadata, ...fields } = patch;
  const next: Customer = {
    ...applyPatch(value, fields),
    metadata: mergeMetadata(value.metadata, metadata),
    updatedAt: now.toISOString(),
  };
  await store.replace(
    merchantId,
    value,
    next,
    version,
    newEvent("customer.updated", merchantId, id, now, { customer: present(next) }),
  );
  return present(next);
}

export async function deleteCustomer(
  { store, clock }: CustomerPorts,
  merchantId: string,
  id: string,
): Promise<void> {
  const { value, version } = await readOrThrow(store, merchantId, id);
  if ((value.openInvoiceCount ?? 0) > 0 || (value.activeSubscriptionCount ?? 0) > 0) {
    throw new ConflictError(
      "The customer has open invoices or active subscriptions; settle or void them first",
    );
  }
  await store.remove(
    merchantId,
    value,
    version,
    newEvent("customer.deleted", merchantId, id, clock.now(), { customer: present(value) }),
  );
}

export async function listCustomers(
  { store }: CustomerPorts,
  merchantId: string,
  query: { limit: number; after?: Position; email?: string; createdAfter?: string; createdBefore?: string },
) {
  if (query.email) {
    const id = await store.findIdByEmail(merchantId, query.email);
    const found = id ? await store.read(merchantId, id) : undefined;
    return { items: found ? [present(found.value)] : [] };
  }
  const page = await store.list(merchantId, {
    limit: query.limit,
    ...(query.after ? { after: query.after } : {}),
    ...(query.createdAfter ? { createdAfter: new Date(query.createdAfter) } : {}),
    ...(query.createdBefore ? { createdBefore: new Date(query.createdBefore) } : {}),
  });
  return { ...page, items: page.items.map(present) };
}

/** The customer as the API shows it: without the internal deletion counters. */
function present({ openInvoiceCount: _, activeSubscriptionCount: __, ...customer }: Customer) {
  return customer;
}
