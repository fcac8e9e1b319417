/** The index pages: invoices, payments, subscriptions, quotes, payment links, customers, payouts and tasks. */
import type { DashboardRoute } from "../context.ts";
import {
  customerPage,
  invoicePage,
  paymentLinkPage,
  paymentPage,
  payoutPage,
  quotePage,
  subscriptionPage,
  taskPage,
} from "./lists/collections.ts";

export const listRoutes: readonly DashboardRoute[] = [
  ...invoicePage,
  ...paymentPage,
  ...subscriptionPage,
  ...quotePage,
  ...paymentLinkPage,
  ...customerPage,
  ...payoutPage,
  ...taskPage,
];
