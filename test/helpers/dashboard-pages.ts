/**
 * Calls dashboard pages and actions in-process, as a signed-in user of a test merchant, without the
 * dashboard function around them (sessions and CSRF are proven on their own): what a page renders and
 * what an action changes, against DynamoDB Local through the same services as the API.
 */
import { assetNamed, assets } from "../../shared/dashboard/assets.ts";
import { compress } from "../../shared/dashboard/compress.ts";
import type { DashboardRequest, DashboardResult, SignedInUser } from "../../shared/dashboard/context.ts";
import { allPageRoutes } from "../../shared/dashboard/pages/index.ts";
import { dashboardRouter } from "../../shared/dashboard/router.ts";
import { shellHtml } from "../../shared/dashboard/shell.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import type { Role } from "../../shared/users/roles.ts";
import type { TestMerchant } from "./api.ts";

const pageRoutes = await allPageRoutes();

export const testCsrfToken = "csrf-test-token";

export const signedIn = (
  merchant: Pick<TestMerchant, "id" | "email">,
  role: Role = "owner",
): SignedInUser => ({
  id: "usr_test",
  merchantId: merchant.id,
  email: merchant.email,
  name: null,
  role,
});

const route = dashboardRouter(pageRoutes);

/** The route serving `method path` and its `{name}` values, as the dashboard's router matches them. */
function routeFor(method: "GET" | "POST", path: string) {
  const matched = route(method, path);
  if (typeof matched !== "object") throw new Error(`No dashboard route for ${method} ${path} (${matched})`);
  return matched;
}

/** Runs the page or action at `method url` (a path with an optional query) as `user`. */
export async function openPage(
  user: SignedInUser,
  url: string,
  options: { method?: "GET" | "POST"; form?: Record<string, string> } = {},
): Promise<DashboardResult> {
  const method = options.method ?? (options.form ? "POST" : "GET");
  const parsed = new URL(url, "https://pay.kassa.test");
  const { route, params } = routeFor(method, parsed.pathname);
  const request: DashboardRequest = {
    method,
    path: parsed.pathname,
    params,
    query: parsed.searchParams,
    form: new URLSearchParams(options.form ?? {}),
    clock: systemClock,
    user,
    csrfToken: testCsrfToken,
  };
  return route.handle(request);
}

/** The body of a page result; anything else fails with what came instead. */
export async function pageBody(result: Promise<DashboardResult>): Promise<string> {
  const r = await result;
  if (r.kind !== "page") throw new Error(`Expected a page, got ${JSON.stringify(r).slice(0, 300)}`);
  return r.body;
}

/**
 * What a browser downloads on a first visit to a page: the page in the shell, the stylesheet and the
 * script, brotli-compressed as the dashboard serves them — the number the 150 KB budget is about.
 * `merchant` as the services read it (e.g. `getMerchant` of shared/merchants/service.ts).
 */
export function firstLoadBytes(page: DashboardResult, user: SignedInUser, merchant: Merchant): number {
  if (page.kind !== "page") throw new Error(`Expected a page, got ${page.kind}`);
  const shown = shellHtml({
    title: page.title,
    body: page.body,
    section: page.nav ?? "",
    user: { ...user, sessionsValidAfter: null },
    merchant,
    csrfToken: testCsrfToken,
  });
  const served = (file: string) => assetNamed(file, "br")?.body.length ?? Number.NaN;
  return (
    compress(Buffer.from(shown), "br").length + served(assets.stylesheet.file) + served(assets.script.file)
  );
}
