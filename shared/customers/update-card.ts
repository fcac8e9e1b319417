/**
 * The buyer's update-card page: a customer reaches it by an unguessable, expiring token in a link
 * Kassa mails (a renewal that failed), sees the card on file and saves a new one, which becomes the
 * default every later off-session charge uses. The sandbox saves the test card entered on the page;
 * Stripe saves the card on a Checkout session in setup mode, attached when its completion arrives.
 */
import type { Merchant } from "../merchants/merchant.ts";
import { connectedAccount } from "../payments/ports.ts";
import type { CheckoutSession } from "../payments/processor.ts";
import type { Customer } from "./customer.ts";
import {
  type CustomerPageLinkPorts,
  type CustomerPagePorts,
  mintCustomerPageToken,
  openCustomerPage,
} from "./page-token.ts";
import type { PaymentMethod } from "./payment-method.ts";
import { keepPaymentMethod, type PaymentMethodPorts, processorCustomerOf } from "./payment-methods.ts";

/** How long a link works: a week, long enough to act on a renewal email, short enough to go stale. */
export const updateCardLinkDays = 7;

/** The path of the page behind `token`, relative to the deployment's public base URL. */
export const updateCardPath = (token: string) => `/c/${token}/payment-method`;

/**
 * A fresh link to the customer's update-card page, valid for `updateCardLinkDays` from the
 * customer's now. Each call mints its own token: every email carries a link that works for a week.
 */
export async function updateCardLink(
  ports: CustomerPageLinkPorts,
  merchantId: string,
  customerId: string,
): Promise<string> {
  const { token } = await mintCustomerPageToken(ports, merchantId, customerId, updateCardLinkDays);
  return `${ports.publicBaseUrl}${updateCardPath(token)}`;
}

/** The page's ports: its customer store is the payment methods' (it reads the customer, too). */
export interface UpdateCardPorts extends PaymentMethodPorts, Omit<CustomerPagePorts, "customers"> {}

/** The page's subject: the customer (with its current default method), or a link that is past. */
export type UpdateCardSubject =
  | { state: "valid"; merchant: Merchant; customer: Customer; card?: PaymentMethod }
  | { state: "expired"; merchant: Merchant };

/** What `token` opens; an unknown token, or one whose customer or merchant is gone, is a 404. */
export async function updateCardSubject(ports: UpdateCardPorts, token: string): Promise<UpdateCardSubject> {
  const subject = await openCustomerPage(ports, token);
  if (subject.state === "expired") return subject;
  const { merchant, customer } = subject;
  const defaultId = customer.defaultPaymentMethodId;
  const card = defaultId ? (await ports.methods.read(merchant.id, defaultId))?.value : undefined;
  return { ...subject, ...(card ? { card } : {}) };
}

/**
 * Opens a Checkout session in setup mode on the customer's twin at the processor (made when it has
 * none); `checkout.session.completed` attaches the card it saves (`saveSetupMethod`).
 */
export async function setupCheckout(
  ports: UpdateCardPorts,
  merchantId: string,
  customer: Customer,
  urls: { successUrl: string; cancelUrl: string },
): Promise<CheckoutSession> {
  const { processor, merchant } = await ports.processorOf(merchantId);
  const processorCustomerId = await processorCustomerOf(processor, merchant, customer);
  if (!processorCustomerId || !processor.createSetupCheckout) {
    throw new Error(`The ${processor.name} processor has no hosted setup`);
  }
  const now = ports.clock.now();
  return processor.createSetupCheckout({
    ...connectedAccount(merchant, processor),
    processorCustomerId,
    ...urls,
    // Stripe's minimum of 30 minutes, and a margin so latency never puts the request under it.
    expiresAt: new Date(now.getTime() + 31 * 60_000).toISOString(),
    metadata: { kassa_merchant_id: merchantId, kassa_customer_id: customer.id },
    idempotencyKey: `setup-${customer.id}-${now.getTime()}`,
  });
}

/**
 * A Checkout session in setup mode completed: the card its SetupIntent saved becomes the customer's
 * default. Redelivered, it saves nothing twice.
 */
export async function saveSetupMethod(
  ports: PaymentMethodPorts,
  merchantId: string,
  customerId: string,
  setup: { setupIntentId: string; processorCustomerId?: string },
): Promise<void> {
  const { processor, merchant } = await ports.processorOf(merchantId);
  const method = await processor.setupIntentPaymentMethod?.(
    setup.setupIntentId,
    connectedAccount(merchant, processor).accountId,
  );
  if (!method) return;
  await keepPaymentMethod(ports, merchantId, customerId, method, {
    makeDefault: true,
    ...(setup.processorCustomerId ? { processorCustomerId: setup.processorCustomerId } : {}),
  });
}
