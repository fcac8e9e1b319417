/** Operations on customers (the merchant's CRM contacts). */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import {
  country,
  email,
  idOf,
  idParams,
  listQuery,
  locale,
  metadata,
  page,
  parsesTo,
  viewAndFormat,
} from "./common.ts";
import { customerFilters } from "./list-filters.ts";
import { customerColumns } from "./csv-columns.ts";
import type { CustomerPatch, NewCustomer } from "../customers/customer.ts";
import { lazy } from "../lazy.ts";

const text = (max: number) => z.string().trim().min(1).max(max);

const address = lazy(() =>
  z.strictObject({
    line1: text(200),
    line2: text(200).optional(),
    city: text(100),
    state: text(100).optional(),
    postalCode: text(20),
    country: country(),
  }),
);

const taxId = lazy(() =>
  z.strictObject({
    type: z.string().regex(/^[a-z]{2,3}_[a-z]{2,5}$/, "must be a tax id type like eu_vat or us_ein"),
    value: text(50),
  }),
);

const accountOwner = lazy(() => z.strictObject({ name: text(200), email: email() }));

export const customer = lazy(() =>
  z.object({
    id: z.string(),
    email: z.string(),
    name: z.string().optional(),
    companyName: z.string().optional(),
    phone: z.string().optional(),
    address: address().optional(),
    taxIds: z.array(taxId()),
    metadata: z.record(z.string(), z.string()),
    testClockId: z.string().optional(),
    defaultPaymentMethodId: z.string().optional(),
    balance: z
      .record(z.string(), z.number().int())
      .describe(
        "Credit the customer holds per currency (ISO code → minor units), from subscription changes; applied at finalize to their next invoices in that currency. Read-only",
      ),
    accountOwner: z
      .object({ name: z.string(), email: z.string() })
      .nullable()
      .describe("The team member responsible for the account: account_owner workflow emails go there"),
    locale: z
      .string()
      .nullable()
      .describe(
        "BCP 47 locale the buyer reads their invoices, quotes, receipts, pages and emails in; null: the merchant's",
      ),
    unsubscribedAt: z
      .string()
      .nullable()
      .describe(
        "When the buyer unsubscribed from workflow emails (their unsubscribe link); receipts and invoices still go. Read-only",
      ),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const phone = lazy(() => z.string().regex(/^\+?[0-9 ()./-]{3,30}$/, "must be a phone number"));

export const newCustomer = lazy(() =>
  parsesTo<NewCustomer>()(
    z.strictObject({
      email: email(),
      name: text(200).optional(),
      companyName: text(200).optional(),
      phone: phone().optional(),
      address: address().optional(),
      taxIds: z.array(taxId()).max(10).optional(),
      metadata: metadata().optional(),
      testClockId: idOf("testClock")
        .optional()
        .describe("Binds the customer to a test clock (test mode; at most 100 per clock; fixed once set)"),
      accountOwner: accountOwner().optional(),
      locale: locale().optional(),
    }),
  ),
);

export const customerPatch = lazy(() =>
  parsesTo<CustomerPatch>()(
    z.strictObject({
      email: email().optional(),
      name: text(200).nullable().optional(),
      companyName: text(200).nullable().optional(),
      phone: phone().nullable().optional(),
      address: address().nullable().optional(),
      taxIds: z.array(taxId()).max(10).optional(),
      /** Keys given are set; a key set to null is removed. */
      metadata: z.record(z.string().min(1).max(40), z.string().max(500).nullable()).optional(),
      /** One of the customer's saved payment methods (`pm_…`); null clears the default. */
      defaultPaymentMethodId: z.string().min(1).max(64).nullable().optional(),
      accountOwner: accountOwner().nullable().optional(),
      locale: locale().nullable().optional(),
    }),
  ),
);

export const createCustomer = defineOperation({
  id: "createCustomer",
  method: "POST",
  path: "/v1/customers",
  auth: "merchant",
  tag: "Customers",
  summary: "Create a customer (email unique per merchant, case-insensitive)",
  body: newCustomer,
  response: customer,
  status: 201,
});

export const listCustomers = defineOperation({
  id: "listCustomers",
  method: "GET",
  path: "/v1/customers",
  auth: "merchant",
  tag: "Customers",
  summary:
    "List customers, newest first; filter by email, creation time, segment or a saved view; CSV on request",
  query: () =>
    listQuery()
      .extend({
        ...customerFilters().shape,
        ...viewAndFormat(),
        segmentId: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .describe(
            "Only the members of this segment (seg_…), as GET /v1/segments/{id}/customers lists them; alone",
          ),
      })
      .refine((q) => !q.segmentId || (!q.email && !q.createdAfter && !q.createdBefore), {
        message: "is not combined with email, createdAfter or createdBefore",
        path: ["segmentId"],
      }),
  response: () => page(customer()),
  csv: customerColumns,
  status: 200,
});

export const getCustomer = defineOperation({
  id: "getCustomer",
  method: "GET",
  path: "/v1/customers/{id}",
  auth: "merchant",
  tag: "Customers",
  summary: "Get a customer",
  params: () => idParams("customer"),
  response: customer,
  status: 200,
});

export const updateCustomer = defineOperation({
  id: "updateCustomer",
  method: "PATCH",
  path: "/v1/customers/{id}",
  auth: "merchant",
  tag: "Customers",
  summary: "Update a customer; null clears a field, a metadata key set to null is removed",
  params: () => idParams("customer"),
  body: customerPatch,
  response: customer,
  status: 200,
});

export const deleteCustomer = defineOperation({
  id: "deleteCustomer",
  method: "DELETE",
  path: "/v1/customers/{id}",
  auth: "merchant",
  tag: "Customers",
  summary: "Delete a customer (409 while it has open invoices or active subscriptions)",
  params: () => idParams("customer"),
  status: 204,
});

export const customerOperations = [
  createCustomer,
  listCustomers,
  getCustomer,
  updateCustomer,
  deleteCustomer,
];
