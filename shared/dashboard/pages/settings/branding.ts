/**
 * Branding settings: the logo URL, brand colour and footer text buyers see on hosted pages, PDFs and
 * emails, saved through `PATCH /v1/merchant`'s use case. Beside the form, a live preview of the
 * hosted invoice page or the invoice email (./preview.ts) follows what is typed: the form's
 * `data-preview` points the framed preview at the unsaved values (shared/dashboard/assets.ts).
 * Without scripts the frame shows the saved settings, as it does after saving.
 */
import type { Merchant } from "../../../merchants/merchant.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { choices, csrfField, field, html, pageHeader, section } from "../../ui.ts";
import { merchantOf } from "../details/common.ts";
import { saveSettings, settingsPath, settingsPermission } from "./common.ts";
import { previewPanel, previewPath, previewViews } from "./preview.ts";

const path = `${settingsPath}/branding`;
const previewId = "branding-preview";

function brandingForm(request: DashboardRequest, merchant: Merchant) {
  const { branding } = merchant;
  const fields = [
    field(
      {
        name: "branding.brandColor",
        label: "Brand colour",
        value: branding.brandColor ?? "",
        hint: "A hex colour like #1a2b3c: the masthead, buttons and email header. Empty: a neutral slate.",
        attributes: { autocomplete: "off", spellcheck: "false", maxlength: "7" },
      },
      "branding",
    ),
    field(
      {
        name: "branding.logoUrl",
        label: "Logo URL",
        value: branding.logoUrl ?? "",
        hint: "https://…, drawn in emails (hosted pages and PDFs fetch no images and show your initials)",
        attributes: { autocomplete: "off", inputmode: "url" },
      },
      "branding",
    ),
    field(
      {
        name: "branding.footerText",
        label: "Footer text",
        type: "textarea",
        value: branding.footerText ?? "",
        hint: "Below every hosted page and email, e.g. your address and company number (at most 500 characters)",
        attributes: { maxlength: "500" },
      },
      "branding",
    ),
    choices({
      legend: "Preview",
      name: "view",
      type: "radio",
      options: previewViews,
      checked: ["invoice"],
      idPrefix: "branding",
    }),
  ];
  return html`<form method="post" action="${path}" class="stack-form" data-preview="${previewPath}" data-preview-into="${previewId}">${csrfField(request.csrfToken)}${fields}<div class="form-actions"><button type="submit" class="button button-primary">Save branding</button> <a class="button button-link" href="${settingsPath}">Back to settings</a></div></form>`;
}

async function brandingPage(request: DashboardRequest) {
  const merchant = await merchantOf(request);
  const body = html`${pageHeader("Branding", undefined, "How your hosted pages, PDFs and emails look to buyers")}
<div class="settings-layout">${section("Your brand", brandingForm(request, merchant))}${previewPanel(previewId, "Preview of what buyers see")}</div>`;
  return { kind: "page" as const, title: "Branding", body: String(body), nav: "settings" };
}

/** A branding field as the API's patch takes it: blank clears it. */
const orNull = (form: URLSearchParams, name: string) => {
  const value = form.get(name)?.trim() ?? "";
  return value === "" ? null : value;
};

export const brandingRoutes: readonly DashboardRoute[] = [
  { method: "GET", path, permission: settingsPermission, handle: brandingPage },
  {
    method: "POST",
    path,
    permission: settingsPermission,
    handle: (request) =>
      saveSettings(
        request,
        {
          branding: {
            brandColor: orNull(request.form, "branding.brandColor"),
            logoUrl: orNull(request.form, "branding.logoUrl"),
            footerText: orNull(request.form, "branding.footerText"),
          },
        },
        path,
        "Branding saved: buyers see it on every page and email from now on",
      ),
  },
];
