/**
 * How the merchant bills, saved through `PATCH /v1/merchant`'s use case: invoices (the number prefix,
 * the default payment terms and the reminder emails of open invoices, with the live preview of the
 * invoice page showing the number and due date they give) and subscriptions (dunning: the retries of a
 * failed renewal charge and what follows the last; renewal reminders). Defaults shown are the ones the
 * services apply when a merchant never set its own.
 */
import { paymentTerms } from "../../../api/common.ts";
import { intervals } from "../../../api/products.ts";
import {
  defaultDunning,
  type DunningSettings,
  type Merchant,
  renewalRemindersOf,
} from "../../../merchants/merchant.ts";
import { ValidationError } from "../../../domain/errors.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { choices, csrfField, field, html, pageHeader, section } from "../../ui.ts";
import { merchantOf, words } from "../details/common.ts";
import { daysOf, daysText, saveSettings, settingsPath, settingsPermission } from "./common.ts";
import { previewPanel, previewPath } from "./preview.ts";

const invoicesPath = `${settingsPath}/invoices`;
const subscriptionsPath = `${settingsPath}/subscriptions`;
const invoicesPreviewId = "invoices-preview";

const finalActions: readonly (readonly [DunningSettings["finalAction"], string])[] = [
  ["cancel", "Cancel the subscription"],
  ["mark_uncollectible", "Mark the invoice uncollectible (the subscription goes on)"],
  ["leave_past_due", "Leave the invoice open and the subscription past due"],
];

const actions = (submit: string) =>
  html`<div class="form-actions"><button type="submit" class="button button-primary">${submit}</button> <a class="button button-link" href="${settingsPath}">Back to settings</a></div>`;

function invoicesForm(request: DashboardRequest, merchant: Merchant) {
  const fields = [
    field(
      {
        name: "invoiceNumberPrefix",
        label: "Invoice number prefix",
        value: merchant.invoiceNumberPrefix,
        required: true,
        hint: "1–12 upper-case letters or digits: invoices are numbered INV-0001, INV-0002… Numbers already given stay.",
        attributes: { autocomplete: "off", maxlength: "12", spellcheck: "false" },
      },
      "invoices",
    ),
    field(
      {
        name: "defaultPaymentTerms",
        label: "Default payment terms",
        value: merchant.defaultPaymentTerms,
        options: paymentTerms().options.map((t) => [t, words(t)] as const),
        hint: "For invoices that name no terms or due date of their own",
      },
      "invoices",
    ),
    field(
      {
        name: "invoiceReminders",
        label: "Reminder emails",
        value: daysText((merchant.invoiceReminders ?? []).map((r) => r.daysAfterDue)),
        hint: "Days after the due date the buyer is reminded of an open invoice (negative: before it), at most 6, e.g. -3, 0, 7. Empty: no reminders.",
        attributes: { autocomplete: "off" },
      },
      "invoices",
    ),
  ];
  return html`<form method="post" action="${invoicesPath}" class="stack-form" data-preview="${previewPath}" data-preview-into="${invoicesPreviewId}">${csrfField(request.csrfToken)}<input type="hidden" name="view" value="invoice">${fields}${actions("Save invoice settings")}</form>`;
}

async function invoicesPage(request: DashboardRequest) {
  const merchant = await merchantOf(request);
  const body = html`${pageHeader("Invoice settings", undefined, "Numbering, payment terms and reminders")}
<div class="settings-layout">${section("Invoices", invoicesForm(request, merchant))}${previewPanel(invoicesPreviewId, "Preview of the invoice page with these settings")}</div>`;
  return { kind: "page" as const, title: "Invoice settings", body: String(body), nav: "settings" };
}

function subscriptionsForm(request: DashboardRequest, merchant: Merchant) {
  const dunning = merchant.dunning ?? defaultDunning;
  const renewals = renewalRemindersOf(merchant);
  const retries = [
    field(
      {
        name: "dunning.retryDays",
        label: "Retry after (days)",
        value: daysText(dunning.retryDays),
        required: true,
        hint: "Days from the first failure, increasing, 1–60 each, at most 8, e.g. 3, 5, 7: the card is charged again then, at the same time of day",
        attributes: { autocomplete: "off" },
      },
      "subscriptions",
    ),
    field(
      {
        name: "dunning.finalAction",
        label: "After the last retry fails",
        value: dunning.finalAction,
        options: finalActions,
      },
      "subscriptions",
    ),
  ];
  const reminders = [
    field(
      {
        name: "renewalReminders.daysBefore",
        label: "Days before a renewal",
        type: "number",
        value: String(renewals.daysBefore),
        required: true,
        hint: "1–60: the buyer's email goes at 09:00 your time that many days before each renewal",
        attributes: { min: "1", max: "60", step: "1", inputmode: "numeric" },
      },
      "subscriptions",
    ),
    choices({
      legend: "Remind buyers of subscriptions billed every",
      name: "renewalReminders.intervals",
      type: "checkbox",
      options: intervals.map((i) => [i, words(i).toLowerCase()] as const),
      checked: renewals.intervals,
      hint: "None ticked: no reminder emails (webhooks still hear of every renewal)",
      idPrefix: "subscriptions",
    }),
  ];
  // One form (one save) over two cards.
  return html`<form method="post" action="${subscriptionsPath}">${csrfField(request.csrfToken)}
${section("Failed renewal charges (dunning)", html`<div class="stack-form">${retries}</div>`)}
${section("Renewal reminders", html`<div class="stack-form">${reminders}</div>`)}
${actions("Save subscription settings")}</form>`;
}

async function subscriptionsPage(request: DashboardRequest) {
  const merchant = await merchantOf(request);
  const body = html`${pageHeader("Subscription settings", undefined, "Dunning and renewal reminders")}
${subscriptionsForm(request, merchant)}`;
  return { kind: "page" as const, title: "Subscription settings", body: String(body), nav: "settings" };
}

/** A whole number typed in a field, for the API's schema to judge; anything else names the field. */
function wholeNumberOf(form: URLSearchParams, name: string): number {
  const text = form.get(name)?.trim() ?? "";
  if (!/^[-+]?\d{1,4}$/.test(text))
    throw new ValidationError([{ path: name, message: "must be a whole number of days" }]);
  return Number(text);
}

export const billingRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: invoicesPath, permission: settingsPermission, handle: invoicesPage },
  {
    method: "POST",
    path: invoicesPath,
    permission: settingsPermission,
    handle: (request) => {
      const { form } = request;
      return saveSettings(
        request,
        {
          invoiceNumberPrefix: form.get("invoiceNumberPrefix")?.trim() ?? "",
          defaultPaymentTerms: form.get("defaultPaymentTerms") ?? "",
          invoiceReminders: daysOf(form, "invoiceReminders").map((daysAfterDue) => ({ daysAfterDue })),
        },
        invoicesPath,
        "Invoice settings saved",
      );
    },
  },
  { method: "GET", path: subscriptionsPath, permission: settingsPermission, handle: subscriptionsPage },
  {
    method: "POST",
    path: subscriptionsPath,
    permission: settingsPermission,
    handle: (request) => {
      const { form } = request;
      return saveSettings(
        request,
        {
          dunning: {
            retryDays: daysOf(form, "dunning.retryDays"),
            finalAction: form.get("dunning.finalAction"),
          },
          renewalReminders: {
            daysBefore: wholeNumberOf(form, "renewalReminders.daysBefore"),
            intervals: form.getAll("renewalReminders.intervals"),
          },
        },
        subscriptionsPath,
        "Subscription settings saved",
      );
    },
  },
];
