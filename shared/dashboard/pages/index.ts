import type { DashboardRoute } from "../context.ts";

export const pageRoutes: DashboardRoute[] = [];
