/**
 * The API as the manifest deploys it, for suites that walk every route: each route with the
 * operation that defines it, and a caller that invokes the function serving a route key.
 */
import { routes } from "../../infra/manifest.ts";
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import { allOperations } from "../../shared/api/index.ts";
import { type Operation, routeKeyOf } from "../../shared/http/operation.ts";
import { type ApiResult, call, type Handler } from "./api.ts";

export const manifestRoutes = routes().map(({ fn, route }) => {
  const routeKey = routeKeyOf(route);
  return { fn, route, routeKey, op: allOperations.find((o) => routeKeyOf(o) === routeKey) as Operation | undefined };
});

export type RouteCaller = (routeKey: string, options?: Parameters<typeof call>[2]) => Promise<ApiResult>;

/** Loads every manifest function (call it once the test environment is set) and calls routes by key. */
export async function routeCaller(): Promise<RouteCaller> {
  const handlers = new Map<string, Handler>();
  for (const { fn, routeKey } of manifestRoutes) {
    if (!handlers.has(routeKey)) handlers.set(routeKey, (await loadHandler(fn)) as Handler);
  }
  return (routeKey, options = {}) => {
    const handler = handlers.get(routeKey);
    if (!handler) throw new Error(`No function in the manifest serves ${routeKey}`);
    return call(handler, routeKey, options);
  };
}

/** Whether the manifest deploys a route. */
export const servesRoute = (routeKey: string): boolean => manifestRoutes.some((r) => r.routeKey === routeKey);
