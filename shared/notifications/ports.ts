/** What notifications read to render, in their own words; the notifications consumer wires the stores. */
import type { Customer } from "../customers/customer.ts";
import type { PaymentMethod } from "../customers/payment-method.ts";
import type { Clock } from "../domain/clock.ts";
import type { WindowCounter } from "../domain/limits.ts";
import type { Invoice } from "../invoices/invoice.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { PaymentLink } from "../payment-links/payment-link.ts";
import type { Payment } from "../payments/payment.ts";
import type { Quote } from "../quotes/quote.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import type { User } from "../users/user.ts";

export interface NotificationPorts {
  /** The invoice as the API presents it now. */
  invoice(merchantId: string, invoiceId: string): Promise<Invoice | undefined>;
  merchant(merchantId: string): Promise<Merchant | undefined>;
  payment(merchantId: string, paymentId: string): Promise<Payment | undefined>;
  /** The buyer subscription mail is addressed to; none once the customer was deleted. */
  customer(merchantId: string, customerId: string): Promise<Customer | undefined>;
  /** A saved payment method, to name the card a subscription is charged to. */
  paymentMethod(merchantId: string, paymentMethodId: string): Promise<PaymentMethod | undefined>;
  subscription(merchantId: string, subscriptionId: string): Promise<Subscription | undefined>;
  /** The link a checkout bought through: its name and its custom fields' labels. */
  paymentLink(merchantId: string, paymentLinkId: string): Promise<PaymentLink | undefined>;
  /** The buyer's page to add or replace the card their subscriptions are charged to (expiring link). */
  updateCardLink(merchantId: string, customerId: string): Promise<string>;
  /** The buyer's customer portal (expiring link, a fresh one per email): subscriptions, invoices, card. */
  portalLink(merchantId: string, customerId: string): Promise<string>;
  /** Each countersigner of a signed quote with their own countersign link (none before the buyer signed). */
  quoteCountersignLinks(
    merchantId: string,
    quoteId: string,
  ): Promise<{ name: string; email: string; url: string }[]>;
  /** The quote as the API presents it now (a revision's publish names the quote it replaces). */
  quote(merchantId: string, quoteId: string): Promise<Quote | undefined>;
  /** An accepted quote's signed PDF with its audit trail: the one kept, made at its first need. */
  signedQuotePdf(merchantId: string, quoteId: string): Promise<Uint8Array>;
  /** The invoice's PDF, to attach: a port, so the outbox's routing (which reads the registry) does not bundle the renderer. */
  invoicePdf(invoice: Invoice, merchant: Merchant): Promise<Uint8Array>;
  /** A team user as they are now; none once removed. */
  user(merchantId: string, userId: string): Promise<User | undefined>;
  /** A new 7-day invitation link for the user (shared/users/sign-in.ts). */
  invitationLink(user: Pick<User, "merchantId" | "id">): Promise<string>;
  /** A new 15-minute sign-in link for the user. */
  signInLink(user: Pick<User, "merchantId" | "id">): Promise<string>;
  clock: Clock;
  /** The table-backed windows of mails that must not flood a buyer (payment-failed emails). */
  limits: WindowCounter;
}
