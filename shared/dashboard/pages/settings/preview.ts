/**
 * The live preview of merchant settings: what a buyer would see with the values typed but not saved
 * yet — the hosted invoice page and the invoice email, drawn by their own renderers
 * (shared/invoices/hosted-page.ts, shared/notifications/invoice-email.ts) for a sample invoice that
 * the money engine prices like any other (`priceContent`). Nothing is written. A value the API would
 * refuse (a colour half typed) is left out of the preview, so it shows the saved one until it is whole.
 */
import { merchantSettings } from "../../../api/merchants.ts";
import { publicBaseUrl } from "../../../composition.ts";
import type { Customer } from "../../../customers/customer.ts";
import { dueDateFor } from "../../../domain/invoice-lifecycle.ts";
import { priceContent } from "../../../invoices/build.ts";
import { renderHostedInvoicePage } from "../../../invoices/hosted-page.ts";
import { type Invoice, invoiceNumber } from "../../../invoices/invoice.ts";
import type { Merchant } from "../../../merchants/merchant.ts";
import { invoiceEmail } from "../../../notifications/invoice-email.ts";
import type { DashboardRequest, DashboardResult } from "../../context.ts";
import { html, section } from "../../ui.ts";
import { settingsPath } from "./common.ts";

/** The previews there are: the buyer's invoice page, and the email that sends the invoice. */
export const previewViews = [
  ["invoice", "Invoice page"],
  ["email", "Invoice email"],
] as const;
export type PreviewView = (typeof previewViews)[number][0];

export const previewPath = `${settingsPath}/preview`;

/** The branding fields a preview takes from the query (`branding.brandColor`…, as the forms name them). */
const brandingFields = ["logoUrl", "brandColor", "footerText"] as const;

/**
 * `merchant` with the query's settings as they would be saved: each value the API accepts replaces
 * the saved one (empty clears a branding field); any other is ignored.
 */
export function withUnsaved(merchant: Merchant, query: URLSearchParams): Merchant {
  const branding = { ...merchant.branding };
  for (const name of brandingFields) {
    const typed = query.get(`branding.${name}`)?.trim();
    if (typed === undefined) continue;
    if (typed === "") delete branding[name];
    else if (merchantSettings().safeParse({ branding: { [name]: typed } }).success) branding[name] = typed;
  }
  const { invoiceNumberPrefix, defaultPaymentTerms } = merchantSettings().shape;
  const prefix = invoiceNumberPrefix.safeParse(query.get("invoiceNumberPrefix")?.trim()).data;
  const terms = defaultPaymentTerms.safeParse(query.get("defaultPaymentTerms") ?? undefined).data;
  return {
    ...merchant,
    branding,
    ...(prefix ? { invoiceNumberPrefix: prefix } : {}),
    ...(terms ? { defaultPaymentTerms: terms } : {}),
  };
}

const sampleCustomer = (now: Date): Customer => ({
  id: "cus_sample",
  email: "ada@example.com",
  name: "Ada Lovelace",
  companyName: "Analytical Engines Ltd",
  address: { line1: "12 Example Street", city: "London", postalCode: "N1 7AA", country: "GB" },
  taxIds: [],
  metadata: {},
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
});

/**
 * An open invoice as `merchant` would finalize it today: its number prefix, its default payment
 * terms and due date, two lines in its default currency priced by the money engine.
 */
export async function sampleInvoice(merchant: Merchant, now: Date): Promise<Invoice> {
  const customer = sampleCustomer(now);
  const { content, customer: billed } = await priceContent(
    {
      customer: async () => customer,
      product: async () => undefined,
      taxRate: async () => undefined,
      discountCode: async () => undefined,
    },
    merchant.id,
    {
      customerId: customer.id,
      currency: merchant.defaultCurrency,
      lineItems: [
        { description: "Consulting, hours", quantity: 6, unitAmount: 12_000 },
        { description: "Support plan", quantity: 1, unitAmount: 4_900 },
      ],
    },
    now,
  );
  const at = now.toISOString();
  return {
    id: "inv_sample",
    status: "open",
    number: invoiceNumber(merchant.invoiceNumberPrefix, 42),
    ...content,
    customer: billed,
    appliedBalance: 0,
    amountDue: content.total,
    amountPaid: 0,
    amountRemaining: content.total,
    paymentTerms: merchant.defaultPaymentTerms,
    dueDate: dueDateFor(now, merchant.timeZone, { paymentTerms: merchant.defaultPaymentTerms }),
    issuedAt: at,
    hostedUrl: `${publicBaseUrl()}/i/example`,
    metadata: {},
    createdAt: at,
    updatedAt: at,
  };
}

/** An email's policy: its inline `style` attributes, and the merchant's logo if it has one. */
const emailPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; form-action 'none'";

/** The preview `view` of `merchant` (its unsaved values already applied) as a framed document. */
export async function previewDocument(
  request: DashboardRequest,
  merchant: Merchant,
  view: PreviewView,
): Promise<DashboardResult> {
  const now = request.clock.now();
  const invoice = await sampleInvoice(merchant, now);
  if (view === "email") {
    const mail = invoiceEmail(invoice, merchant);
    return { kind: "document", html: mail.html, policy: emailPolicy };
  }
  // The page's own links go nowhere: it is a picture of the page, its buttons included.
  const page = renderHostedInvoicePage(invoice, merchant, { pdfUrl: "#pdf", payUrl: "#pay" }, now);
  return { kind: "document", html: page.html, policy: page.headers["content-security-policy"] ?? "" };
}

/**
 * The framed preview and the links that open each view of the saved settings on its own (the only
 * way to the email's without scripts).
 */
export const previewPanel = (id: string, title: string) =>
  section(
    "Preview",
    html`<iframe id="${id}" class="preview-frame" title="${title}" src="${previewPath}?view=invoice" sandbox></iframe>
<p class="hint">A sample invoice to Ada Lovelace. Saved settings on their own: ${previewViews.map(([view, label], i) => html`${i > 0 ? ", " : ""}<a href="${previewPath}?view=${view}" target="_blank" rel="noopener">${label.toLowerCase()}</a>`)}.</p>`,
  );
