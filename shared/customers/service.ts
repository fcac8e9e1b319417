/** Customer use cases. */
import type { Clock } from "../domain/clock.ts";
import { ConflictError, requireFound } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { patchResource } from "../domain/patch.ts";
import type { Change } from "../domain/records.ts";
import type { Position } from "../http/cursor.ts";
import { listWindow } from "../store/collection.ts";
import type { CustomerStore } from "../store/customers.ts";
import type { PaymentMethodStore } from "../store/payment-methods.ts";
import type { Customer, CustomerPatch, NewCustomer } from "./customer.ts";
import { requireOwnMethod } from "./payment-methods.ts";
import { withSavedView } from "../views/apply.ts";
import type { SavedViewPorts } from "../views/ports.ts";

export interface CustomerPorts {
  store: CustomerStore;
  /** To check that a new default payment method is one of the customer's. */
  paymentMethods: Pick<PaymentMethodStore, "read">;
  clock: Clock;
  /** The writes that count a customer on its test clock (checked: the merchant's, in test mode, room). */
  testClocks: {
    bind(merchantId: string, testClockId: string): Promise<Change>;
    release(merchantId: string, testClockId: string): Promise<Change[]>;
  };
}

export async function createCustomer(
  { store, clock, testClocks }: CustomerPorts,
  merchantId: string,
  input: NewCustomer,
) {
  const binding = input.testClockId ? [await testClocks.bind(merchantId, input.testClockId)] : [];
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
    newEvent("customer.created", merchantId, customer.id, now, { customer: presentCustomer(customer) }),
    binding,
  );
  return presentCustomer(customer);
}

export async function getCustomer({ store }: CustomerPorts, merchantId: string, id: string) {
  return presentCustomer(requireFound(await store.read(merchantId, id), "Customer").value);
}

export async function updateCustomer(
  { store, paymentMethods, clock }: CustomerPorts,
  merchantId: string,
  id: string,
  patch: CustomerPatch,
) {
  const { value, version } = requireFound(await store.read(merchantId, id), "Customer");
  if (patch.defaultPaymentMethodId) {
    await requireOwnMethod(paymentMethods, merchantId, id, patch.defaultPaymentMethodId);
  }
  const now = clock.now();
  const next: Customer = patchResource(value, patch, now);
  await store.replace(
    merchantId,
    value,
    next,
    version,
    newEvent("customer.updated", merchantId, id, now, { customer: presentCustomer(next) }),
  );
  return presentCustomer(next);
}

export async function deleteCustomer(
  { store, clock, testClocks }: CustomerPorts,
  merchantId: string,
  id: string,
): Promise<void> {
  const { value, version } = requireFound(await store.read(merchantId, id), "Customer");
  if ((value.openInvoiceCount ?? 0) > 0 || (value.activeSubscriptionCount ?? 0) > 0) {
    throw new ConflictError(
      "The customer has open invoices or active subscriptions; settle or void them first",
    );
  }
  await store.remove(
    merchantId,
    value,
    version,
    newEvent("customer.deleted", merchantId, id, clock.now(), { customer: presentCustomer(value) }),
    value.testClockId ? await testClocks.release(merchantId, value.testClockId) : [],
  );
}

export async function listCustomers(
  { store, views }: Pick<CustomerPorts, "store"> & SavedViewPorts,
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
    email?: string | undefined;
    createdAfter?: string | undefined;
    createdBefore?: string | undefined;
  },
) {
  const query = {
    limit,
    ...(after ? { after } : {}),
    ...(await withSavedView(views, merchantId, "customers", view, own)),
  };
  if (query.email) {
    const id = await store.findIdByEmail(merchantId, query.email);
    const found = id ? await store.read(merchantId, id) : undefined;
    return { items: found ? [presentCustomer(found.value)] : [] };
  }
  const page = await store.list(merchantId, {
    ...listWindow(query),
  });
  return { ...page, items: page.items.map(presentCustomer) };
}

/**
 * The customer as the API shows it: without the internal deletion counters and processor twin, with
 * its credit balance always (`{}` when none), its account owner and unsubscription (null when none).
 */
export function presentCustomer({
  openInvoiceCount: _,
  activeSubscriptionCount: __,
  processorCustomerId: ___,
  balance,
  accountOwner,
  unsubscribedAt,
  locale,
  ...customer
}: Customer) {
  return {
    ...customer,
    balance: balance ?? {},
    accountOwner: accountOwner ?? null,
    locale: locale ?? null,
    unsubscribedAt: unsubscribedAt ?? null,
  };
}
