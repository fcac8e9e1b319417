/** The developer settings: the processor, webhook endpoints and API keys (the team is /app/team). */
import type { DashboardRoute } from "../../context.ts";
import { apiKeyRoutes } from "./api-keys.ts";
import { processorRoutes } from "./processor.ts";
import { webhookRoutes } from "./webhooks.ts";

export const settingsDevRoutes: readonly DashboardRoute[] = [
  ...processorRoutes,
  ...webhookRoutes,
  ...apiKeyRoutes,
];
