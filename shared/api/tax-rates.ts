/** Operations on tax rates: the percentages invoice and quote lines are taxed at. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import {
  country,
  createdRange,
  flag,
  idParams,
  listQuery,
  metadata,
  page,
  percentage,
  parsesTo,
} from "./common.ts";
import type { NewTaxRate, TaxRatePatch } from "../tax-rates/tax-rate.ts";
import { lazy } from "../lazy.ts";

const text = (max: number) => z.string().trim().min(1).max(max);

export const taxRate = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    percentage: z.number(),
    inclusive: z.boolean().describe("true: the tax is included in the line's amount; false: added on top"),
    country: z.string().optional(),
    region: z.string().optional(),
    description: z.string().optional(),
    active: z.boolean(),
    metadata: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const newTaxRate = lazy(() =>
  parsesTo<NewTaxRate>()(
    z.strictObject({
      name: text(200),
      percentage: percentage(),
      inclusive: z.boolean(),
      country: country().optional(),
      region: text(100).optional(),
      description: text(1000).optional(),
      active: z.boolean().default(true),
      metadata: metadata().optional(),
    }),
  ),
);

/** percentage and inclusive are immutable: they are not fields of a patch. */
export const taxRatePatch = lazy(() =>
  parsesTo<TaxRatePatch>()(
    z.strictObject({
      name: text(200).optional(),
      country: country().nullable().optional(),
      region: text(100).nullable().optional(),
      description: text(1000).nullable().optional(),
      active: z.boolean().optional(),
      /** Keys given are set; a key set to null is removed. */
      metadata: z.record(z.string().min(1).max(40), z.string().max(500).nullable()).optional(),
    }),
  ),
);

export const createTaxRate = defineOperation({
  id: "createTaxRate",
  method: "POST",
  path: "/v1/tax-rates",
  auth: "merchant",
  tag: "Tax rates",
  summary: "Create a tax rate (percentage 0–100 with up to 4 decimals, inclusive or exclusive)",
  body: newTaxRate,
  response: taxRate,
  status: 201,
});

export const listTaxRates = defineOperation({
  id: "listTaxRates",
  method: "GET",
  path: "/v1/tax-rates",
  auth: "merchant",
  tag: "Tax rates",
  summary: "List tax rates, newest first; filter by active, inclusive, country or creation time",
  query: () =>
    listQuery().extend({
      active: flag().optional(),
      inclusive: flag().optional(),
      country: country().optional(),
      ...createdRange(),
    }),
  response: () => page(taxRate()),
  status: 200,
});

export const getTaxRate = defineOperation({
  id: "getTaxRate",
  method: "GET",
  path: "/v1/tax-rates/{id}",
  auth: "merchant",
  tag: "Tax rates",
  summary: "Get a tax rate",
  params: () => idParams("taxRate"),
  response: taxRate,
  status: 200,
});

export const updateTaxRate = defineOperation({
  id: "updateTaxRate",
  method: "PATCH",
  path: "/v1/tax-rates/{id}",
  auth: "merchant",
  tag: "Tax rates",
  summary:
    "Update a tax rate; null clears a field, a metadata key set to null is removed. percentage and inclusive " +
    "are immutable (400 if sent): create a new rate and archive this one with active: false",
  params: () => idParams("taxRate"),
  body: taxRatePatch,
  response: taxRate,
  status: 200,
});

export const taxRateOperations = [createTaxRate, listTaxRates, getTaxRate, updateTaxRate];
