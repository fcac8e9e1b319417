/**
 * Matches a request to a dashboard route by its path, segment by segment: `{name}` takes one segment,
 * and literal segments win over placeholders (`/app/invoices/new` before `/app/invoices/{id}`). A
 * trailing slash is ignored, so `/app`, `/app/` and the route `/app/` are one.
 */

export interface Routable {
  method: "GET" | "POST";
  path: string;
}

export type RouteMatch<R> = { route: R; params: Record<string, string> } | "not_found" | "method_not_allowed";

const segmentsOf = (path: string) => path.split("/").filter(Boolean);

export function dashboardRouter<R extends Routable>(routes: readonly R[]) {
  const compiled = routes
    .map((route) => {
      const segments = segmentsOf(route.path);
      return { route, segments, literals: segments.filter((s) => !/^\{\w+\}$/.test(s)).length };
    })
    .sort((a, b) => b.literals - a.literals);
  return (method: string, path: string): RouteMatch<R> => {
    let segments: string[];
    try {
      segments = segmentsOf(path).map(decodeURIComponent);
    } catch {
      return "not_found";
    }
    let pathMatched = false;
    for (const candidate of compiled) {
      if (candidate.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const fits = candidate.segments.every((pattern, i) => {
        const placeholder = /^\{(\w+)\}$/.exec(pattern);
        if (placeholder?.[1]) params[placeholder[1]] = segments[i] ?? "";
        return placeholder !== null || pattern === segments[i];
      });
      if (!fits) continue;
      pathMatched = true;
      if (candidate.route.method === method) return { route: candidate.route, params };
    }
    return pathMatched ? "method_not_allowed" : "not_found";
  };
}
