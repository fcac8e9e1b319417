/**
 * The merchant dashboard (`/app/`): server-rendered pages and their form posts, all served by the
 * `dashboard` function, which routes within itself (shared/dashboard/router.ts). Public at the
 * gateway: the dashboard authenticates by its own session cookie and checks every POST's CSRF token.
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { lazy } from "../lazy.ts";

const proxyParams = lazy(() =>
  z.strictObject({
    proxy: z
      .string()
      .min(1)
      .max(512)
      .describe("The dashboard page's path below /app/, e.g. `invoices/inv_…`"),
  }),
);

const page = { description: "A page (HTML)", content: ["text/html"] } as const;
const failed = { description: "An error page naming the request id", content: ["text/html"] } as const;
const usedLink = {
  description: "The sign-in link was used already, has expired or is unknown (one message for all three)",
  content: ["text/html"],
} as const;
const redirect = {
  description:
    "To the sign-in page when there is no session (`next` names the page asked for), or after an action (POST-redirect-GET)",
  content: ["none"],
  headers: { location: "Where to go next", "set-cookie": "The session cookie, when it starts or ends" },
} as const;

/** The same as `/app/` (the home page): every link the dashboard renders is absolute, so both work. */
export const dashboardRoot = defineOperation({
  id: "getDashboardRoot",
  method: "GET",
  path: "/app",
  auth: "public",
  tag: "Dashboard",
  summary: "The dashboard's home page (as `/app/`), or the way to sign in",
  produces: "text/html",
  status: 200,
  otherResponses: { 303: redirect, 500: failed },
});

export const dashboardPage = defineOperation({
  id: "getDashboardPage",
  method: "GET",
  path: "/app/{proxy+}",
  auth: "public",
  tag: "Dashboard",
  summary:
    "A dashboard page (signed in with the session cookie), the sign-in pages, or a hashed, immutable asset (`/app/assets/…`). Compressed per Accept-Encoding; a strict Content-Security-Policy",
  params: proxyParams,
  produces: "text/html",
  status: 200,
  otherResponses: {
    200: {
      description: "An asset (the stylesheet, the script) or a download (a PDF, a CSV export)",
      content: ["text/css", "text/javascript", "application/pdf", "text/csv"],
    },
    303: redirect,
    403: {
      description:
        "The user's role may not see this page (a problem document for a client that takes no HTML)",
      content: ["text/html", "problem"],
    },
    404: { ...page, description: "No such page" },
    410: usedLink,
    500: failed,
  },
});

export const dashboardAction = defineOperation({
  id: "postDashboardAction",
  method: "POST",
  path: "/app/{proxy+}",
  auth: "public",
  tag: "Dashboard",
  summary:
    "A dashboard form: sign-in, sign-out, or an action on the merchant's objects. Every form carries its CSRF token (`csrf`) and comes from the dashboard's own origin",
  params: proxyParams,
  rawBody: {
    contentType: "application/x-www-form-urlencoded",
    schema: () =>
      z.object({
        csrf: z
          .string()
          .describe("The form's CSRF token (the session's; before sign-in, the sign-in cookie's)"),
      }),
  },
  produces: "text/html",
  status: 200,
  maxBodyBytes: 64 * 1024,
  otherResponses: {
    303: redirect,
    400: { ...page, description: "The form again, naming the field in error" },
    403: {
      description:
        "The CSRF token or the origin is wrong, or the role may not do this: nothing is done (a problem document for a client that takes no HTML)",
      content: ["text/html", "problem"],
    },
    404: { ...page, description: "No such action" },
    410: usedLink,
    429: { ...page, description: "Too many sign-in requests from this address" },
    500: failed,
  },
});

export const dashboardOperations = [dashboardRoot, dashboardPage, dashboardAction];
