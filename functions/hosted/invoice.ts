/** The buyer's invoice: its page, its PDF, and paying it (sandbox card page or Stripe Checkout). */
import * as ops from "../../shared/api/invoices.ts";
import { getSecret } from "../../shared/aws/secrets.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { ConflictError, PaymentDeclinedError } from "../../shared/domain/errors.ts";
import { apiHandler, HttpResponse, route } from "../../shared/http/api.ts";
import { publicBaseUrl } from "../../shared/http/public-url.ts";
import { hostedInvoice } from "../../shared/invoices/hosted.ts";
import { invoicePdfResponse } from "../../shared/invoices/pdf-response.ts";
import { renderHostedInvoicePage } from "../../shared/invoices/hosted-page.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { processorKindOf, requireProcessorKind } from "../../shared/payments/mode.ts";
import { checkFormToken, formToken, renderSandboxPayPage } from "../../shared/payments/sandbox-page.ts";
import { cancelCheckout, checkoutInvoice, payInvoice } from "../../shared/payments/service.ts";
import { paymentPorts } from "../../shared/payments/wiring.ts";
import { dynamoInvoiceStore as invoices } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore as merchants } from "../../shared/store/merchants.ts";

const redirect = (location: string) =>
  new HttpResponse(303, undefined, { location, "cache-control": "no-store" }, { body: "" });
const payable = (invoice: { status: string; amountRemaining: number }) =>
  (invoice.status === "open" || invoice.status === "uncollectible") && invoice.amountRemaining > 0;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export const handler = apiHandler([
  route(ops.hostedInvoicePage, async ({ clock, params, query }) => {
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
    // Back from Checkout by its cancel URL: close that session so the buyer can try again at once.
    if (query.canceled) await cancelCheckout(paymentPorts(clock), merchant.id, invoice.id, query.canceled);
    const page = renderHostedInvoicePage(
      invoice,
      merchant,
      {
        pdfUrl: `${params.token}/pdf`,
        ...(processorKindOf(merchant) ? { payUrl: `${params.token}/pay` } : {}),
      },
      clock.now(),
    );
    return new HttpResponse(200, undefined, page.headers, { body: page.html });
  }),
  route(ops.hostedInvoicePdf, async ({ clock, params }) => {
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
    return invoicePdfResponse(invoice, merchant);
  }),
  route(ops.hostedInvoicePayForm, async ({ clock, params }) => {
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
    const back = `/i/${params.token}`;
    if (!payable(invoice)) return redirect(back);
    const kind = requireProcessorKind(merchant);
    return payPage(invoice, kind, merchant, await formFor(params.token, clock), back, 200);
  }),
  route(ops.hostedInvoicePay, async ({ clock, params, event }) => {
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
    const back = `/i/${params.token}`;
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64").toString("utf8")
      : (event.body ?? "");
    const form = new URLSearchParams(raw);
    const secret = await getSecret("cursorSecret");
    // Without a processor there is nothing to pay with: a 409 naming the fix, before any form.
    const kind = requireProcessorKind(merchant);
    const render = async (status: number, error: string) =>
      payPage(invoice, kind, merchant, await formFor(params.token, clock), back, status, error);
    if (!checkFormToken(secret, params.token, form.get("formToken") ?? "", seconds(clock.now()))) {
      return render(403, "This form has expired. Please try again.");
    }
    if (!payable(invoice)) return redirect(back);
    try {
      if (kind === "stripe") {
        const base = publicBaseUrl(event);
        const session = await checkoutInvoice(paymentPorts(clock), merchant.id, invoice.id, {
          successUrl: `${base}${back}?paid=1`,
          cancelUrl: (paymentId) => `${base}${back}?canceled=${paymentId}`,
        });
        return redirect(session.url);
      }
      const card = (form.get("card") ?? "").replace(/[\s-]+/g, "");
      if (!/^[0-9]{8,19}$|^pm_[A-Za-z0-9_]+$/.test(card)) return render(400, "Enter a card number.");
      await payInvoice(paymentPorts(clock), merchant.id, invoice.id, card);
      return redirect(`${back}?paid=1`);
    } catch (error) {
      if (error instanceof PaymentDeclinedError)
        return render(402, `Your card was declined (${error.declineCode}). Try another card.`);
      if (error instanceof ConflictError)
        return render(
          409,
          "A payment for this invoice is already in progress. If you left it unfinished, try again in a few minutes.",
        );
      throw error;
    }
  }),
]);

const formFor = async (token: string, clock: Clock) =>
  formToken(await getSecret("cursorSecret"), token, seconds(clock.now()));

/** The pay page: the sandbox's card form, or the button that leads to the processor's Checkout. */
function payPage(
  invoice: { number?: string; id: string; amountRemaining: number; currency: string },
  kind: "sandbox" | "stripe",
  merchant: Merchant,
  token: string,
  back: string,
  status: number,
  error?: string,
) {
  const page = renderSandboxPayPage({
    merchantName: merchant.name,
    invoiceNumber: invoice.number ?? invoice.id,
    amountDue: invoice.amountRemaining,
    currency: invoice.currency,
    formToken: token,
    backUrl: back,
    checkout: kind === "stripe",
    ...(error ? { error } : {}),
  });
  return new HttpResponse(status, undefined, page.headers, { body: page.html });
}
