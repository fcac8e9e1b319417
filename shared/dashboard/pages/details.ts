/** The detail pages with their timelines, and the everyday actions on them. */
import type { DashboardRoute } from "../context.ts";

export const detailRoutes: readonly DashboardRoute[] = [];
