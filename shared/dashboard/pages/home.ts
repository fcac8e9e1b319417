/** The home page: the last 30 days' volume, MRR, receivables, latest payments, upcoming renewals and open tasks. */
import type { DashboardRoute } from "../context.ts";

export const homeRoutes: readonly DashboardRoute[] = [];
