/** Operations on discount codes: percentage or fixed-amount discounts that invoices and quotes redeem. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import {
  amount,
  createdRange,
  currency,
  flag,
  idParams,
  isoDateTime,
  listQuery,
  metadata,
  page,
  percentage,
  parsesTo,
} from "./common.ts";
import type { DiscountCodePatch, NewDiscountCode } from "../discount-codes/discount-code.ts";
import { lazy } from "../lazy.ts";

/** Codes are case-insensitive: stored and compared upper case. */
export const code = lazy(() =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{3,40}$/, "must be 3–40 letters, digits, - or _")
    .transform((v) => v.toUpperCase()),
);

const duration = lazy(() => z.enum(["once", "forever", "repeating"]));
const count = lazy(() => z.number().int("must be a whole number").min(1, "must be at least 1"));
/** Normalized to UTC so stored timestamps compare as strings (the redeem condition relies on it). */
const instant = lazy(() => isoDateTime().transform((v) => new Date(v).toISOString()));

export const discountCode = lazy(() =>
  z.object({
    id: z.string(),
    code: z.string(),
    percentOff: z.number().optional(),
    amountOff: z.number().int().optional(),
    currency: z.string().optional(),
    duration: duration(),
    durationInPeriods: z.number().int().optional(),
    maxRedemptions: z.number().int().optional(),
    expiresAt: z.string().optional(),
    active: z.boolean(),
    timesRedeemed: z.number().int(),
    metadata: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const newDiscountCode = lazy(() =>
  parsesTo<NewDiscountCode>()(
    z
      .strictObject({
        code: code(),
        percentOff: percentage()
          .refine((v) => v > 0, { message: "must be greater than 0" })
          .optional(),
        amountOff: amount()
          .refine((v) => v !== 0, { message: "must be greater than 0" })
          .optional(),
        currency: currency().optional(),
        duration: duration(),
        durationInPeriods: count().optional(),
        maxRedemptions: count().optional(),
        expiresAt: instant().optional().describe("Must lie in the future"),
        active: z.boolean().default(true),
        metadata: metadata().optional(),
      })
      .superRefine((v, ctx) => {
        const issue = (path: string, message: string) =>
          ctx.addIssue({ code: "custom", path: [path], message });
        if (v.percentOff !== undefined && v.amountOff !== undefined) {
          issue(
            "amountOff",
            "must not be given with percentOff: give exactly one of percentOff or amountOff",
          );
        } else if (v.percentOff === undefined && v.amountOff === undefined) {
          ctx.addIssue({
            code: "custom",
            path: [],
            message: "must have exactly one of percentOff or amountOff",
          });
        }
        if (v.amountOff !== undefined && v.currency === undefined)
          issue("currency", "is required with amountOff");
        if (v.percentOff !== undefined && v.currency !== undefined) {
          issue("currency", "must not be given with percentOff (a percentage applies in any currency)");
        }
        if (v.duration === "repeating" && v.durationInPeriods === undefined)
          issue("durationInPeriods", "is required when duration is repeating");
        if (v.duration !== "repeating" && v.durationInPeriods !== undefined) {
          issue("durationInPeriods", "must only be given when duration is repeating");
        }
      }),
  ),
);

/** The code's terms are frozen once created: only these fields change. */
export const discountCodePatch = lazy(() =>
  parsesTo<DiscountCodePatch>()(
    z.strictObject({
      active: z.boolean().optional(),
      /** null removes the limit; never below timesRedeemed. */
      maxRedemptions: count().nullable().optional(),
      /** null removes the expiry. */
      expiresAt: instant().nullable().optional().describe("Must lie in the future; null removes the expiry"),
      /** Keys given are set; a key set to null is removed. */
      metadata: z.record(z.string().min(1).max(40), z.string().max(500).nullable()).optional(),
    }),
  ),
);

export const createDiscountCode = defineOperation({
  id: "createDiscountCode",
  method: "POST",
  path: "/v1/discount-codes",
  auth: "merchant",
  tag: "Discount codes",
  summary: "Create a discount code (unique per merchant, case-insensitive; its terms cannot change later)",
  body: newDiscountCode,
  response: discountCode,
  status: 201,
});

export const listDiscountCodes = defineOperation({
  id: "listDiscountCodes",
  method: "GET",
  path: "/v1/discount-codes",
  auth: "merchant",
  tag: "Discount codes",
  summary: "List discount codes, newest first; filter by active, code (case-insensitive) or creation time",
  query: () => listQuery().extend({ active: flag().optional(), code: code().optional(), ...createdRange() }),
  response: () => page(discountCode()),
  status: 200,
});

export const getDiscountCode = defineOperation({
  id: "getDiscountCode",
  method: "GET",
  path: "/v1/discount-codes/{id}",
  auth: "merchant",
  tag: "Discount codes",
  summary: "Get a discount code",
  params: () => idParams("discountCode"),
  response: discountCode,
  status: 200,
});

export const updateDiscountCode = defineOperation({
  id: "updateDiscountCode",
  method: "PATCH",
  path: "/v1/discount-codes/{id}",
  auth: "merchant",
  tag: "Discount codes",
  summary:
    "Update a discount code's active flag, redemption limit, expiry or metadata (its terms are frozen)",
  params: () => idParams("discountCode"),
  body: discountCodePatch,
  response: discountCode,
  status: 200,
});

export const discountCodeOperations = [
  createDiscountCode,
  listDiscountCodes,
  getDiscountCode,
  updateDiscountCode,
];
