/** Every API operation, for the OpenAPI document and for tests that walk the whole API. */
import { enrollmentOperations } from "./workflow-enrollments.ts";
import { customerOperations } from "./customers.ts";
import { dashboardOperations } from "./dashboard.ts";
import { discountCodeOperations } from "./discount-codes.ts";
import { docsOperations } from "./docs.ts";
import { eventOperations } from "./events.ts";
import { hostedInvoiceOperations } from "./hosted-invoices.ts";
import { invoiceOperations } from "./invoices.ts";
import { paymentLinkOperations } from "./payment-links.ts";
import { checkoutPageOperations, checkoutSessionOperations } from "./checkout-sessions.ts";
import { paymentMethodOperations } from "./payment-methods.ts";
import { connectStripe, paymentOperations } from "./payments.ts";
import { payoutOperations } from "./payouts.ts";
import { reportOperations } from "./reports.ts";
import { ledgerExportOperations } from "./ledger-exports.ts";
import { ledgerOperations } from "./ledger.ts";
import { viewOperations } from "./views.ts";
import { segmentOperations } from "./segments.ts";
import { stripeWebhook } from "./stripe-webhook.ts";
import { apiKeyOperations, health, merchantOperations } from "./merchants.ts";
import { portalOperations } from "./portal.ts";
import { productOperations } from "./products.ts";
import { quoteTemplateOperations } from "./quote-templates.ts";
import { workflowOperations } from "./workflows.ts";
import { hostedQuoteOperations } from "./hosted-quotes.ts";
import { quoteOperations } from "./quotes.ts";
import { subscriptionOperations } from "./subscriptions.ts";
import { taskOperations } from "./tasks.ts";
import { taxRateOperations } from "./tax-rates.ts";
import { testClockOperations } from "./test-clocks.ts";
import { unsubscribeOperations } from "./unsubscribe.ts";
import { updateCardOperations } from "./update-card.ts";
import { userOperations } from "./users.ts";
import { webhookEndpointOperations } from "./webhook-endpoints.ts";

export const allOperations = [
  health,
  ...merchantOperations,
  ...apiKeyOperations,
  ...userOperations,
  ...customerOperations,
  ...paymentMethodOperations,
  ...discountCodeOperations,
  ...eventOperations,
  ...productOperations,
  ...taxRateOperations,
  ...taskOperations,
  ...testClockOperations,
  ...invoiceOperations,
  ...subscriptionOperations,
  ...quoteOperations,
  ...quoteTemplateOperations,
  ...workflowOperations,
  ...paymentLinkOperations,
  ...checkoutSessionOperations,
  ...checkoutPageOperations,
  ...paymentOperations,
  connectStripe,
  stripeWebhook,
  ...viewOperations,
  ...segmentOperations,
  ...payoutOperations,
  ...reportOperations,
  ...ledgerExportOperations,
  ...ledgerOperations,
  ...enrollmentOperations,
  ...webhookEndpointOperations,
  ...hostedInvoiceOperations,
  ...updateCardOperations,
  ...hostedQuoteOperations,
  ...portalOperations,
  ...unsubscribeOperations,
  ...docsOperations,
  ...dashboardOperations,
];
