/**
 * The merchant dashboard (`/app/…`): every page, form post and asset, routed within the function
 * (shared/dashboard/app.ts), on the same services as the API.
 */
import { clockFor, dashboardPorts } from "../../shared/composition.ts";
import { dashboardHandler } from "../../shared/dashboard/app.ts";
import { pageRoutesFor } from "../../shared/dashboard/pages/index.ts";

export const handler = dashboardHandler({ ports: () => dashboardPorts(), pageRoutesFor, clockFor });
