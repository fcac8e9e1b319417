/**
 * The processor page (owners): who takes the merchant's card and bank payments — the built-in
 * sandbox (test mode) or its connected Stripe account — and connecting that account. Connecting
 * runs the use case behind `POST /v1/processor/stripe/connect` and answers Stripe's single-use
 * onboarding link as a page to follow (a form may not redirect off the dashboard's origin under its
 * CSP's `form-action 'self'`); choosing the processor is `PATCH /v1/merchant`'s, with its 409 until
 * the account can take charges.
 */
import * as merchantOps from "../../../api/merchants.ts";
import * as ops from "../../../api/payments.ts";
import { merchantPorts, publicBaseUrl, stripePlatform } from "../../../composition.ts";
import { startStripeConnect, updateMerchant } from "../../../merchants/service.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { actionButton, badge, facts, html, pageHeader, postForm, section } from "../../ui.ts";
import { bodyOf, merchantOf } from "../details/common.ts";

const path = "/app/settings/processor";
/** Choosing the processor is the owner's, like connecting it (functions/api/merchant-settings.ts). */
const permission = permissionFor(ops.connectStripe);

const processorNames = { sandbox: "Sandbox (test mode)", stripe: "Stripe" } as const;

async function processorPage(request: DashboardRequest) {
  const merchant = await merchantOf(request);
  const current = merchant.processor ?? "sandbox";
  const account = merchant.stripeAccountId;
  const body = html`${pageHeader("Processor", html`<a class="button button-link" href="/app/settings">All settings</a>`, "Who takes your buyers' card and bank payments")}
${section(
  "Now",
  facts([
    [
      "Processor",
      html`${processorNames[current]} ${current === "sandbox" ? badge("pending", "test mode") : badge("active", "live")}`,
    ],
    ["Stripe account", account ?? "Not connected"],
    [
      "Can take charges",
      account
        ? merchant.stripeChargesEnabled
          ? badge("active", "yes")
          : badge("pending", "not yet: finish onboarding at Stripe")
        : undefined,
    ],
    ["Stripe mode", account ? (merchant.stripeLivemode ? "Live" : "Test") : undefined],
  ]),
)}
${section(
  "Connect Stripe",
  html`<p>Kassa creates a Stripe account for you (once) and sends you through Stripe's onboarding. When Stripe tells Kassa the account can take charges, you can choose Stripe below.</p>
${actionButton({ action: `${path}/connect`, label: account ? "Continue Stripe onboarding" : "Connect Stripe", csrfToken: request.csrfToken, tone: "primary" })}`,
)}
${section(
  "Choose the processor",
  postForm({
    action: `${path}/choose`,
    csrfToken: request.csrfToken,
    idPrefix: "processor",
    submit: "Save",
    fields: [
      {
        name: "processor",
        label: "Processor",
        options: Object.entries(processorNames),
        value: current,
        hint: "Stripe only once your connected account can take charges.",
      },
    ],
  }),
)}`;
  return { kind: "page" as const, title: "Processor", body: String(body) };
}

async function connect(request: DashboardRequest) {
  const { connect: stripe, livemode } = await stripePlatform();
  // Stripe sends the merchant back here when onboarding ends, or when the link expired (for a new one).
  const back = `${publicBaseUrl()}${path}`;
  const { url } = await startStripeConnect(
    { ...merchantPorts(request.clock), stripe, livemode },
    request.user.merchantId,
    { refreshUrl: back, returnUrl: back },
  );
  const body = html`${pageHeader("Continue at Stripe", undefined, "Your Stripe account is ready for onboarding")}
${section(
  "Onboarding",
  html`<p>Stripe asks for your business's details and bank account. The link works once and for a few minutes; Stripe brings you back to the processor page.</p>
<p><a class="button button-primary" href="${url}">Continue at Stripe</a> <a class="button button-link" href="${path}">Not now</a></p>`,
)}`;
  return { kind: "page" as const, title: "Continue at Stripe", body: String(body) };
}

async function choose(request: DashboardRequest) {
  const patch = bodyOf(merchantOps.updateMerchant, { processor: request.form.get("processor") ?? "" });
  const merchant = await updateMerchant(merchantPorts(request.clock), request.user.merchantId, patch);
  return {
    kind: "redirect" as const,
    location: path,
    notice: `Payments now go through ${processorNames[merchant.processor ?? "sandbox"]}`,
  };
}

export const processorRoutes: readonly DashboardRoute[] = [
  { method: "GET", path, permission, handle: processorPage },
  { method: "POST", path: `${path}/connect`, permission, handle: connect },
  { method: "POST", path: `${path}/choose`, permission, handle: choose },
];
