/** The index pages: invoices, payments, subscriptions, quotes, payment links, customers, payouts and tasks. */
import type { DashboardRoute } from "../context.ts";

export const listRoutes: readonly DashboardRoute[] = [];
