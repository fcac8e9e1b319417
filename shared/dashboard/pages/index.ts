/** Every page and action of the dashboard, for its router (shared/dashboard/router.ts). */
import type { DashboardRoute } from "../context.ts";
import { detailRoutes } from "./details.ts";
import { homeRoutes } from "./home.ts";
import { linksSubsRoutes } from "./links-subs/index.ts";
import { listRoutes } from "./lists.ts";
import { newInvoiceRoutes } from "./new-invoice.ts";
import { reportsWorkflowsRoutes } from "./reports-workflows/index.ts";
import { settingsRoutes } from "./settings/index.ts";
import { settingsDevRoutes } from "./settings-dev/routes.ts";
import { teamRoutes } from "./team.ts";

export const pageRoutes: readonly DashboardRoute[] = [
  ...homeRoutes,
  ...listRoutes,
  ...newInvoiceRoutes,
  ...detailRoutes,
  ...teamRoutes,
  ...reportsWorkflowsRoutes,
  ...settingsRoutes,
  ...settingsDevRoutes,
  ...linksSubsRoutes,
];
