/** Operations on quote templates: the sections a quote shows, its header and footer, default terms, colour and logo. */
import * as z from "zod";
import { brandColorPattern } from "../hosted/theme.ts";
import { defineOperation } from "../http/operation.ts";
import type { NewQuoteTemplate, QuoteTemplatePatch } from "../quotes/template.ts";
import { idParams, listQuery, page, parsesTo } from "./common.ts";
import { lazy } from "../lazy.ts";

const text = (max: number) => z.string().trim().min(1).max(max);

const shown = lazy(() => z.boolean().optional());
const sections = lazy(() =>
  z
    .strictObject({
      lineItems: shown(),
      paymentPlan: shown(),
      terms: shown(),
      signatureBlock: shown(),
      comments: shown(),
    })
    .describe("Which parts of the quote its page and PDF show; each left out is shown"),
);

const accentColor = lazy(() =>
  z
    .string()
    .regex(brandColorPattern, "must be a hex colour like #1a2b3c")
    .describe("Instead of the merchant's brand colour"),
);
const logoUrl = lazy(() =>
  z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe("Instead of the merchant's logo (drawn in the quote's emails; pages and PDFs fetch no images)"),
);

const fields = lazy(() => ({
  name: text(100),
  sections: sections().optional(),
  headerText: text(1_000).optional().describe("Shown above the quote's content"),
  footerText: text(500).optional().describe("Shown below it, instead of the merchant's footer text"),
  defaultTerms: text(5_000).optional().describe("The terms of a quote published without its own"),
  accentColor: accentColor().optional(),
  logoUrl: logoUrl().optional(),
}));

export const newQuoteTemplate = lazy(() =>
  parsesTo<NewQuoteTemplate>()(
    z.strictObject({
      ...fields(),
      isDefault: z
        .boolean()
        .optional()
        .describe(
          "Make it the merchant's default (the one it had stops being it); the first template always is",
        ),
    }),
  ),
);

export const quoteTemplatePatch = lazy(() =>
  parsesTo<QuoteTemplatePatch>()(
    z.strictObject({
      ...fields(),
      name: fields().name.optional(),
      headerText: text(1_000).nullable().optional(),
      footerText: text(500).nullable().optional(),
      defaultTerms: text(5_000).nullable().optional(),
      accentColor: accentColor().nullable().optional(),
      logoUrl: logoUrl().nullable().optional(),
      isDefault: z
        .boolean()
        .optional()
        .describe(
          "true makes it the default (the one it had stops being it); the default cannot be made false",
        ),
    }),
  ),
);

export const quoteTemplate = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    sections: z.object({
      lineItems: z.boolean(),
      paymentPlan: z.boolean(),
      terms: z.boolean(),
      signatureBlock: z.boolean(),
      comments: z.boolean(),
    }),
    headerText: z.string().optional(),
    footerText: z.string().optional(),
    defaultTerms: z.string().optional(),
    accentColor: z.string().optional(),
    logoUrl: z.string().optional(),
    isDefault: z.boolean().describe("Exactly one of a merchant's templates is its default"),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const base = { auth: "merchant", tag: "Quote templates" } as const;
const byId = { ...base, params: lazy(() => idParams("quoteTemplate")) } as const;

export const createQuoteTemplate = defineOperation({
  ...base,
  id: "createQuoteTemplate",
  method: "POST",
  path: "/v1/quote-templates",
  summary: "Create a quote template (the merchant's first is its default)",
  body: newQuoteTemplate,
  response: quoteTemplate,
  status: 201,
});

export const listQuoteTemplates = defineOperation({
  ...base,
  id: "listQuoteTemplates",
  method: "GET",
  path: "/v1/quote-templates",
  summary: "List quote templates, newest first",
  query: listQuery,
  response: () => page(quoteTemplate()),
  status: 200,
});

export const getQuoteTemplate = defineOperation({
  ...byId,
  id: "getQuoteTemplate",
  method: "GET",
  path: "/v1/quote-templates/{id}",
  summary: "Get a quote template",
  response: quoteTemplate,
  status: 200,
});

export const updateQuoteTemplate = defineOperation({
  ...byId,
  id: "updateQuoteTemplate",
  method: "PATCH",
  path: "/v1/quote-templates/{id}",
  summary:
    "Update a quote template; null clears a text; published quotes keep the template as it was when they were published",
  body: quoteTemplatePatch,
  response: quoteTemplate,
  status: 200,
});

export const deleteQuoteTemplate = defineOperation({
  ...byId,
  id: "deleteQuoteTemplate",
  method: "DELETE",
  path: "/v1/quote-templates/{id}",
  summary:
    "Delete a quote template (409 for the default while others exist); drafts naming it are published with the default",
  status: 204,
});

export const quoteTemplateOperations = [
  createQuoteTemplate,
  listQuoteTemplates,
  getQuoteTemplate,
  updateQuoteTemplate,
  deleteQuoteTemplate,
];
