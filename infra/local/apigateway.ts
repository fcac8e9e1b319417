/**
 * Turns an HTTP request into the API Gateway v2 (HTTP API, payload 2.0) event that the manifest's
 * route would deliver, and the handler's result back into a response, the way API Gateway does.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import type { RouteDefinition } from "../manifest.ts";

export interface CompiledRoute<T> {
  route: RouteDefinition;
  target: T;
  pattern: RegExp;
  params: string[];
  /** Literal segments first, so `/v1/invoices/views` wins over `/v1/invoices/{id}`. */
  specificity: number;
}

export function compileRoute<T>(route: RouteDefinition, target: T): CompiledRoute<T> {
  const params: string[] = [];
  const segments = route.path.split("/").filter(Boolean);
  const source = segments
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy?.[1]) {
        params.push(greedy[1]);
        return "/(.+)";
      }
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param?.[1]) {
        params.push(param[1]);
        return "/([^/]+)";
      }
      return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
    })
    .join("");
  const specificity = segments.filter((s) => !s.startsWith("{")).length * 100 + segments.length;
  // API Gateway routes `/app/` to the route `/app` as well (a trailing slash is not a new resource).
  return { route, target, pattern: new RegExp(`^${source ? `${source}/?` : "/"}$`), params, specificity };
}

export function matchRoute<T>(
  routes: readonly CompiledRoute<T>[],
  method: string,
  path: string,
): { match: CompiledRoute<T>; pathParameters: Record<string, string> } | "not_found" | "method_not_allowed" {
  const candidates = routes
    .map((r) => ({ r, m: r.pattern.exec(path) }))
    .filter((c) => c.m)
    .sort((a, b) => b.r.specificity - a.r.specificity);
  if (candidates.length === 0) return "not_found";
  const hit = candidates.find((c) => c.r.route.method === method);
  if (!hit?.m) return "method_not_allowed";
  const pathParameters = Object.fromEntries(hit.r.params.map((name, i) => [name, decodeURIComponent(hit.m?.[i + 1] ?? "")]));
  return { match: hit.r, pathParameters };
}

const textTypes = /^(text\/|application\/(json|problem\+json|x-www-form-urlencoded|xml|javascript))/;

export function toApiGatewayEvent(input: {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  route: RouteDefinition;
  pathParameters: Record<string, string>;
  sourceIp: string;
}): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(input.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") cookies.push(...String(value).split(/;\s*/));
    else headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of input.url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  // What API Gateway adds in front of every integration.
  headers["x-forwarded-proto"] ??= "http";
  headers["x-forwarded-for"] ??= input.sourceIp;
  const isText = input.body.length === 0 || textTypes.test(headers["content-type"] ?? "text/plain");
  const now = new Date();
  const routeKey = `${input.route.method} ${input.route.path}`;
  return {
    version: "2.0",
    routeKey,
    rawPath: input.url.pathname,
    rawQueryString: input.url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(input.pathParameters).length ? { pathParameters: input.pathParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method: input.method,
        path: input.url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: input.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(input.body.length ? { body: isText ? input.body.toString("utf8") : input.body.toString("base64") } : {}),
    isBase64Encoded: !isText,
  };
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/** API Gateway's reading of a payload-2.0 result: a structured response, or any other value as JSON 200. */
export function fromHandlerResult(result: APIGatewayProxyResultV2 | undefined): HttpResult {
  if (result && typeof result === "object" && "statusCode" in result) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
    const raw = result.body ?? "";
    return {
      statusCode: result.statusCode ?? 200,
      headers,
      cookies: result.cookies ?? [],
      body: result.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8"),
    };
  }
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    cookies: [],
    body: Buffer.from(typeof result === "string" ? result : JSON.stringify(result ?? null)),
  };
}
