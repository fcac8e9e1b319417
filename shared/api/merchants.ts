/** Operations on merchants (platform admin), the current merchant's settings, and API keys. */
import * as z from "zod";
import { brandColorPattern } from "../hosted/theme.ts";
import { maxTeamMembers } from "../merchants/merchant.ts";
import { defineOperation } from "../http/operation.ts";
import { email, idParams, listQuery, locale, page, paymentTerms, timeZone, currency } from "./common.ts";
import { intervals } from "./products.ts";
import { roles } from "../users/roles.ts";
import { lazy } from "../lazy.ts";

const branding = lazy(() =>
  z.strictObject({
    logoUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .nullable()
      .optional(),
    brandColor: z
      .string()
      .regex(brandColorPattern, "must be a hex colour like #1a2b3c")
      .nullable()
      .optional(),
    footerText: z.string().max(500).nullable().optional(),
  }),
);

export const merchant = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    timeZone: z.string(),
    locale: z
      .string()
      .describe(
        "BCP 47 locale of the merchant's documents and its own emails (default en-US); a customer's locale overrides it for that buyer",
      ),
    defaultCurrency: z.string(),
    branding: z.object({
      logoUrl: z.string().optional(),
      brandColor: z.string().optional(),
      footerText: z.string().optional(),
    }),
    invoiceNumberPrefix: z.string(),
    defaultPaymentTerms: paymentTerms(),
    invoiceReminders: z.array(z.object({ daysAfterDue: z.number().int() })).optional(),
    renewalReminders: z
      .object({ daysBefore: z.number().int(), intervals: z.array(z.enum(intervals)) })
      .optional()
      .describe('Absent: { daysBefore: 7, intervals: ["year", "half_year"] }'),
    dunning: z
      .object({
        retryDays: z.array(z.number().int()),
        finalAction: z.enum(["cancel", "mark_uncollectible", "leave_past_due"]),
      })
      .optional()
      .describe("Retries of failed renewal charges; absent: { retryDays: [3, 5, 7], finalAction: cancel }"),
    portal: z
      .object({
        cancel: z.enum(["at_period_end", "never"]),
        pause: z.boolean(),
        updatePaymentMethod: z.boolean(),
      })
      .optional()
      .describe(
        'What buyers may do on their customer portal; absent: { cancel: "at_period_end", pause: false, updatePaymentMethod: true }',
      ),
    processor: z.enum(["sandbox", "stripe"]).optional(),
    stripeAccountId: z.string().optional(),
    stripeChargesEnabled: z.boolean().optional(),
    stripeLivemode: z
      .boolean()
      .optional()
      .describe("The connected Stripe account moves real money (connected with a live platform key)"),
    supportEmail: z.string().optional(),
    team: z
      .array(z.object({ name: z.string(), email: z.string() }))
      .optional()
      .describe("The merchant's team: who workflow emails to { userEmail } may go to (absent: no team)"),
    balanceDatesFrom: z
      .string()
      .optional()
      .describe(
        "Set when the time zone changes: new balance transactions are dated this local day or later, as earlier days may be paid out already",
      ),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const apiKey = lazy(() =>
  z.object({
    id: z.string(),
    merchantId: z.string(),
    name: z.string(),
    role: z
      .enum(roles)
      .describe('What the key may do: the permissions of this team role (README "Users and roles")'),
    hint: z.string().describe("sk_… and the last four characters"),
    status: z.enum(["active", "revoked"]),
    createdAt: z.string(),
    lastUsedAt: z.string().optional().describe("Recorded with 5-minute resolution"),
    revokedAt: z.string().optional(),
  }),
);

const name = lazy(() => z.string().trim().min(1).max(200));

export const createMerchant = defineOperation({
  id: "createMerchant",
  method: "POST",
  path: "/v1/merchants",
  auth: "admin",
  tag: "Merchants",
  summary: "Create a merchant and its first API key (platform admin)",
  body: () => z.strictObject({ name: name(), email: email(), locale: locale().optional() }),
  response: () =>
    z.object({ merchant: merchant(), apiKey: z.object({ id: z.string(), secret: z.string() }) }),
  responseCarriesSecret: true,
  status: 201,
  maxBodyBytes: 64 * 1024,
});

export const listMerchants = defineOperation({
  id: "listMerchants",
  method: "GET",
  path: "/v1/merchants",
  auth: "admin",
  tag: "Merchants",
  summary: "List merchants, newest first (platform admin)",
  query: listQuery,
  response: () => page(merchant()),
  status: 200,
});

export const getMerchant = defineOperation({
  id: "getMerchant",
  method: "GET",
  path: "/v1/merchant",
  auth: "merchant",
  tag: "Merchant settings",
  summary: "The authenticated merchant and its settings",
  response: merchant,
  status: 200,
});

export const merchantSettings = lazy(() =>
  z.strictObject({
    name: name().optional(),
    email: email().optional(),
    timeZone: timeZone().optional(),
    locale: locale().optional(),
    defaultCurrency: currency().optional(),
    branding: branding().optional(),
    invoiceNumberPrefix: z
      .string()
      .regex(/^[A-Z0-9]{1,12}$/, "must be 1–12 upper-case letters or digits")
      .optional(),
    defaultPaymentTerms: paymentTerms().optional(),
    processor: z
      .enum(["sandbox", "stripe"])
      .optional()
      .describe(
        "sandbox (default, test mode) or stripe (needs a connected account: POST /v1/processor/stripe/connect)",
      ),
    supportEmail: email().nullable().optional(),
    invoiceReminders: z
      .array(z.strictObject({ daysAfterDue: z.number().int().min(-60).max(365) }))
      .max(6)
      .refine((r) => new Set(r.map((x) => x.daysAfterDue)).size === r.length, {
        message: "must not repeat a day",
      })
      .optional()
      .describe(
        "Reminder emails for open invoices, e.g. [{ daysAfterDue: -3 }, { daysAfterDue: 0 }, { daysAfterDue: 7 }]",
      ),
    renewalReminders: z
      .strictObject({
        daysBefore: z.number().int().min(1).max(60),
        intervals: z
          .array(z.enum(intervals))
          .max(intervals.length)
          .refine((i) => new Set(i).size === i.length, { message: "must not repeat an interval" }),
      })
      .optional()
      .describe(
        "Subscription renewal reminders: the buyer's email daysBefore days before each renewal (09:00 merchant time) of subscriptions with these intervals (none: no emails); subscription.renewal_upcoming fires for every interval",
      ),
    dunning: z
      .strictObject({
        retryDays: z
          .array(z.number().int().min(1).max(60))
          .min(1)
          .max(8)
          .refine((days) => days.every((day, i) => i === 0 || day > days[i - 1]!), {
            message: "must be strictly increasing",
          }),
        finalAction: z.enum(["cancel", "mark_uncollectible", "leave_past_due"]),
      })
      .optional()
      .describe(
        'Retries of a failed renewal charge, in days from the first failure (same local time of day), and what happens after the last one, e.g. { retryDays: [3, 5, 7], finalAction: "cancel" }',
      ),
    team: z
      .array(z.strictObject({ name: name(), email: email() }))
      .max(maxTeamMembers)
      .refine((members) => new Set(members.map((m) => m.email)).size === members.length, {
        message: "must not repeat an email",
      })
      .optional()
      .describe(
        `The team (replaces the whole list, at most ${maxTeamMembers}; emails unique, case-insensitive): the addresses workflow emails to { userEmail } may go to, besides the merchant's own`,
      ),
    portal: z
      .strictObject({
        cancel: z.enum(["at_period_end", "never"]).optional(),
        pause: z.boolean().optional(),
        updatePaymentMethod: z.boolean().optional(),
      })
      .optional()
      .describe(
        'What buyers may do on their customer portal (GET /c/{token}); the fields given replace the current ones, e.g. { pause: true }. Default: { cancel: "at_period_end", pause: false, updatePaymentMethod: true }',
      ),
  }),
);

export const updateMerchant = defineOperation({
  id: "updateMerchant",
  method: "PATCH",
  path: "/v1/merchant",
  auth: "merchant",
  tag: "Merchant settings",
  summary:
    "Update settings: name, email, time zone, default currency, branding, invoice prefix, payment terms, invoice and renewal reminders, dunning, customer portal, team",
  body: merchantSettings,
  response: merchant,
  status: 200,
});

export const listApiKeys = defineOperation({
  id: "listApiKeys",
  method: "GET",
  path: "/v1/api-keys",
  auth: "merchant",
  tag: "API keys",
  summary: "List API keys (secrets are never shown again; owners only)",
  query: listQuery,
  response: () => page(apiKey()),
  status: 200,
});

export const createApiKey = defineOperation({
  id: "createApiKey",
  method: "POST",
  path: "/v1/api-keys",
  auth: "merchant",
  tag: "API keys",
  summary: "Create an API key; its secret is in this response only (owners only)",
  body: () =>
    z.strictObject({
      name: name().optional(),
      role: z.enum(roles).optional().describe("The role the key acts with (default owner)"),
    }),
  response: () => apiKey().extend({ secret: z.string() }),
  responseCarriesSecret: true,
  status: 201,
});

export const revokeApiKey = defineOperation({
  id: "revokeApiKey",
  method: "POST",
  path: "/v1/api-keys/{id}/revoke",
  auth: "merchant",
  tag: "API keys",
  summary: "Revoke an API key: it stops working within 30 seconds (owners only)",
  params: () => idParams("apiKey"),
  response: apiKey,
  status: 200,
});

const check = lazy(() =>
  z
    .union([
      z.object({ status: z.literal("up") }),
      z.object({ status: z.literal("down"), error: z.string() }),
    ])
    .describe("One dependency: up, or down with what went wrong"),
);

const healthReport = lazy(() =>
  z.object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ table: check(), mail: check(), queues: z.record(z.string(), check()) }),
  }),
);

export const health = defineOperation({
  id: "getHealth",
  method: "GET",
  path: "/v1/health",
  auth: "public",
  tag: "Health",
  summary: "Whether the table, every queue and the mailer answer (503 names what is down)",
  response: healthReport,
  status: 200,
  otherResponses: {
    503: { description: "Degraded: the report names each dependency that is down", content: ["success"] },
  },
});

export const merchantOperations = [createMerchant, listMerchants, getMerchant, updateMerchant];
export const apiKeyOperations = [listApiKeys, createApiKey, revokeApiKey];
