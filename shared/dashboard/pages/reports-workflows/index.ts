/** The reports pages (charts, tables, CSV) and the workflows pages (templates, steps, enrollments). */
import type { DashboardRoute } from "../../context.ts";
import { reportRoutes } from "./reports.ts";
import { workflowRoutes } from "./workflows.ts";

export const reportsWorkflowsRoutes: readonly DashboardRoute[] = [...reportRoutes, ...workflowRoutes];
