/** The detail pages with their timelines, and the everyday actions on them (one module per object in details/). */
import type { DashboardRoute } from "../context.ts";
import { customerRoutes } from "./details/customer.ts";
import { invoiceRoutes } from "./details/invoice.ts";
import { paymentLinkRoutes } from "./details/payment-link.ts";
import { paymentRoutes } from "./details/payment.ts";
import { payoutRoutes } from "./details/payout.ts";
import { quoteRoutes } from "./details/quote.ts";
import { subscriptionRoutes } from "./details/subscription.ts";
import { taskRoutes } from "./details/task.ts";

export const detailRoutes: readonly DashboardRoute[] = [
  ...invoiceRoutes,
  ...paymentRoutes,
  ...subscriptionRoutes,
  ...quoteRoutes,
  ...customerRoutes,
  ...payoutRoutes,
  ...paymentLinkRoutes,
  ...taskRoutes,
];
