/** The detail pages with their timelines, and the everyday actions on them (one module per object in details/). */
import type { DashboardRoute } from "../context.ts";
import { invoiceRoutes } from "./details/invoice.ts";
import { paymentRoutes } from "./details/payment.ts";
import { subscriptionRoutes } from "./details/subscription.ts";

export const detailRoutes: readonly DashboardRoute[] = [
  ...invoiceRoutes,
  ...paymentRoutes,
  ...subscriptionRoutes,
];
