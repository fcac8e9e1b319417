/**
 * Quote templates (`/app/settings/quote-templates`): the list, a new template, editing one and
 * deleting it, each through the use case `/v1/quote-templates` calls with the form read as that
 * operation's body — so the first template becoming the default, the default's 409 on delete and
 * a 400 naming the field are the API's own.
 */
import * as ops from "../../../api/quote-templates.ts";
import { quoteTemplatePorts } from "../../../composition.ts";
import type { QuoteTemplate, QuoteTemplateSections } from "../../../quotes/template.ts";
import { allSections } from "../../../quotes/template.ts";
import * as templates from "../../../quotes/templates.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import {
  actionButton,
  badge,
  choices,
  csrfField,
  field,
  html,
  pageHeader,
  section,
  table,
  when,
} from "../../ui.ts";
import { bodyOf, merchantOf, once, onceField } from "../details/common.ts";
import { settingsPath } from "./common.ts";

const path = `${settingsPath}/quote-templates`;
const sectionNames = Object.keys(allSections) as (keyof QuoteTemplateSections)[];
const sectionLabels: Record<keyof QuoteTemplateSections, string> = {
  lineItems: "Line items",
  paymentPlan: "Payment plan",
  terms: "Terms",
  signatureBlock: "Signature block",
  comments: "Comments",
};
const texts = ["headerText", "footerText", "defaultTerms", "accentColor", "logoUrl"] as const;

const ports = (request: DashboardRequest) => quoteTemplatePorts(request.clock);
const templateId = (request: DashboardRequest) => request.params.id ?? "";

async function listPage(request: DashboardRequest) {
  const [merchant, page] = await Promise.all([
    merchantOf(request),
    templates.listQuoteTemplates(ports(request), request.user.merchantId, { limit: 100 }),
  ]);
  const shownSections = (t: QuoteTemplate) =>
    sectionNames
      .filter((s) => t.sections[s])
      .map((s) => sectionLabels[s])
      .join(", ") || "none";
  const body = html`${pageHeader(
    "Quote templates",
    html`<a class="button button-primary" href="${path}/new">New template</a>`,
    "What a quote shows and says: a quote uses its template, or your default",
  )}
${section(
  "Templates",
  table({
    caption: "Quote templates",
    rows: page.items,
    empty: "No templates yet: quotes show every section in your branding.",
    columns: [
      {
        header: "Name",
        cell: (t) =>
          html`<a href="${path}/${t.id}">${t.name}</a> ${t.isDefault ? badge("active", "default") : ""}`,
      },
      { header: "Sections shown", cell: shownSections },
      {
        header: "Accent colour",
        cell: (t) => t.accentColor ?? html`<span class="muted">brand colour</span>`,
      },
      { header: "Updated", cell: (t) => when(t.updatedAt, merchant.timeZone) },
    ],
  }),
)}`;
  return { kind: "page" as const, title: "Quote templates", body: String(body), nav: "settings" };
}

/** The template's form: empty for a new one, its values when editing. */
function templateForm(request: DashboardRequest, action: string, template?: QuoteTemplate) {
  const text = (name: (typeof texts)[number]) => template?.[name] ?? "";
  const fields = [
    field(
      {
        name: "name",
        label: "Name",
        value: template?.name ?? "",
        required: true,
        attributes: { maxlength: "100" },
      },
      "template",
    ),
    choices({
      legend: "Sections shown",
      name: "sections",
      type: "checkbox",
      options: sectionNames.map((s) => [s, sectionLabels[s]] as const),
      checked: sectionNames.filter((s) => template?.sections[s] ?? true),
      hint: "Unticked sections are left off the quote's page and PDF",
      idPrefix: "template",
    }),
    field(
      {
        name: "headerText",
        label: "Header text",
        type: "textarea",
        value: text("headerText"),
        hint: "Above the quote's content (at most 1,000 characters)",
      },
      "template",
    ),
    field(
      {
        name: "footerText",
        label: "Footer text",
        type: "textarea",
        value: text("footerText"),
        hint: "Below it, instead of your branding's footer (at most 500)",
      },
      "template",
    ),
    field(
      {
        name: "defaultTerms",
        label: "Default terms",
        type: "textarea",
        value: text("defaultTerms"),
        hint: "The terms of a quote published without its own",
      },
      "template",
    ),
    field(
      {
        name: "accentColor",
        label: "Accent colour",
        value: text("accentColor"),
        hint: "A hex colour like #1a2b3c instead of your brand colour; empty: the brand colour",
        attributes: { autocomplete: "off", maxlength: "7", spellcheck: "false" },
      },
      "template",
    ),
    field(
      {
        name: "logoUrl",
        label: "Logo URL",
        value: text("logoUrl"),
        hint: "https://…, instead of your logo in the quote's emails",
        attributes: { autocomplete: "off", inputmode: "url" },
      },
      "template",
    ),
    template?.isDefault
      ? html`<p class="hint">This is your default template: quotes that name none use it.</p>`
      : choices({
          legend: "Default",
          name: "isDefault",
          type: "checkbox",
          options: [["true", "Make this the default template"]],
          checked: [],
          idPrefix: "template",
        }),
  ];
  return html`<form method="post" action="${action}" class="stack-form">${csrfField(request.csrfToken)}${template ? "" : html`<input type="hidden" name="once" value="${onceField().once}">`}${fields}<div class="form-actions"><button type="submit" class="button button-primary">${template ? "Save template" : "Create template"}</button> <a class="button button-link" href="${path}">Cancel</a></div></form>`;
}

/** The form's ticked sections: every section named, unticked ones false (an unticked box sends nothing). */
const sectionsOf = (form: URLSearchParams): QuoteTemplateSections => {
  const ticked = form.getAll("sections");
  return Object.fromEntries(
    sectionNames.map((s) => [s, ticked.includes(s)]),
  ) as unknown as QuoteTemplateSections;
};

/** The form as the template's fields; blank texts are `blank` (left out when creating, cleared when editing). */
function fieldsOf<B>(form: URLSearchParams, blank: B) {
  const value = (name: string) => {
    const typed = form.get(name)?.trim() ?? "";
    return typed === "" ? blank : typed;
  };
  return {
    name: form.get("name")?.trim() ?? "",
    sections: sectionsOf(form),
    ...Object.fromEntries(texts.map((name) => [name, value(name)])),
    ...(form.get("isDefault") === "true" ? { isDefault: true } : {}),
  };
}

export const quoteTemplateRoutes: readonly DashboardRoute[] = [
  { method: "GET", path, permission: permissionFor(ops.updateQuoteTemplate), handle: listPage },
  {
    method: "GET",
    path: `${path}/new`,
    permission: permissionFor(ops.createQuoteTemplate),
    async handle(request) {
      const body = html`${pageHeader("New quote template")}${section("Template", templateForm(request, `${path}/new`))}`;
      return { kind: "page", title: "New quote template", body: String(body), nav: "settings" };
    },
  },
  {
    method: "POST",
    path: `${path}/new`,
    permission: permissionFor(ops.createQuoteTemplate),
    async handle(request) {
      const input = bodyOf(ops.createQuoteTemplate, fieldsOf(request.form, undefined));
      const created = await once(request, () =>
        templates.createQuoteTemplate(ports(request), request.user.merchantId, input),
      );
      return {
        kind: "redirect",
        location: path,
        notice: `Template ${created.name} created${created.isDefault ? ": it is your default" : ""}`,
      };
    },
  },
  {
    method: "GET",
    path: `${path}/{id}`,
    permission: permissionFor(ops.updateQuoteTemplate),
    async handle(request) {
      const template = await templates.getQuoteTemplate(
        ports(request),
        request.user.merchantId,
        templateId(request),
      );
      const remove = actionButton({
        action: `${path}/${template.id}/delete`,
        label: "Delete template",
        csrfToken: request.csrfToken,
        tone: "danger",
        confirm: `Delete the template ${template.name}? Published quotes keep it as it was.`,
      });
      const body = html`${pageHeader(template.name, remove, template.isDefault ? "Your default quote template" : "Quote template")}${section("Template", templateForm(request, `${path}/${template.id}`, template))}`;
      return { kind: "page", title: template.name, body: String(body), nav: "settings" };
    },
  },
  {
    method: "POST",
    path: `${path}/{id}`,
    permission: permissionFor(ops.updateQuoteTemplate),
    async handle(request) {
      const patch = bodyOf(ops.updateQuoteTemplate, fieldsOf(request.form, null));
      const saved = await templates.updateQuoteTemplate(
        ports(request),
        request.user.merchantId,
        templateId(request),
        patch,
      );
      return { kind: "redirect", location: path, notice: `Template ${saved.name} saved` };
    },
  },
  {
    method: "POST",
    path: `${path}/{id}/delete`,
    permission: permissionFor(ops.deleteQuoteTemplate),
    async handle(request) {
      await templates.deleteQuoteTemplate(ports(request), request.user.merchantId, templateId(request));
      return { kind: "redirect", location: path, notice: "Template deleted" };
    },
  },
];
