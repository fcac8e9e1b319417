/** Every page and action of the dashboard, for its router (shared/dashboard/router.ts). */
import type { DashboardRoute } from "../context.ts";
import { detailRoutes } from "./details.ts";
import { editorRoutes } from "./editors/routes.ts";
import { homeRoutes } from "./home.ts";
import { listRoutes } from "./lists.ts";
import { teamRoutes } from "./team.ts";

export const pageRoutes: readonly DashboardRoute[] = [
  ...homeRoutes,
  ...listRoutes,
  ...editorRoutes,
  ...detailRoutes,
  ...teamRoutes,
];
