/** Payment link and subscription pages of part 2: the link editor and its sharing, new subscriptions and changes with their proration preview. */
import type { DashboardRoute } from "../../context.ts";
import { paymentLinkEditorRoutes } from "./payment-links.ts";
import { subscriptionEditorRoutes } from "./subscriptions.ts";

export const linksSubsRoutes: readonly DashboardRoute[] = [
  ...paymentLinkEditorRoutes,
  ...subscriptionEditorRoutes,
];
