/**
 * GET /v1/openapi.json and GET /docs: the OpenAPI document generated from every operation at build
 * time (infra/generate-openapi.ts; shared/api/openapi-stored.ts), so no operation's schema loads here,
 * and the HTML reference rendered from it; served per base URL, built once per container.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { docsPage, openApiJson } from "../../shared/api/docs.ts";
import { storedOpenApiDocument } from "../../shared/api/openapi-stored.ts";
import { apiHandler, HttpResponse, route } from "../../shared/http/api.ts";
import type { Page } from "../../shared/hosted/page.ts";
import { renderDocsPage } from "../../shared/http/docs-page.ts";

interface Built {
  json: string;
  page: Page;
}

/** Keyed by base URL; the Host header is the client's, so only a few are kept. */
const built = new Map<string, Built>();
const maxBuilt = 8;

/** The base URL the request came in on, from `Host` and `X-Forwarded-Proto`; none when the host looks odd. */
export function serverUrlOf(event: APIGatewayProxyEventV2): string | undefined {
  const host = event.headers?.host;
  if (!host || !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) return undefined;
  const forwarded = event.headers["x-forwarded-proto"]?.split(",")[0]?.trim().toLowerCase();
  const local = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(host);
  const proto = forwarded === "http" || forwarded === "https" ? forwarded : local ? "http" : "https";
  return `${proto}://${host}`;
}

function build(serverUrl: string | undefined): Built {
  const key = serverUrl ?? "";
  const cached = built.get(key);
  if (cached) return cached;
  const document = storedOpenApiDocument(serverUrl);
  const page = renderDocsPage(document, { openApiPath: openApiJson.path });
  const result = { json: JSON.stringify(document), page };
  if (built.size >= maxBuilt) built.delete(built.keys().next().value!);
  built.set(key, result);
  return result;
}

const cacheControl = "public, max-age=300";

export const handler = apiHandler([
  route(openApiJson, async ({ event }) => {
    const { json } = build(serverUrlOf(event));
    return new HttpResponse(
      200,
      undefined,
      { "content-type": "application/json", "cache-control": cacheControl },
      { body: json },
    );
  }),
  route(docsPage, async ({ event }) => {
    const { page } = build(serverUrlOf(event));
    return new HttpResponse(
      200,
      undefined,
      { ...page.headers, "cache-control": cacheControl },
      { body: page.html },
    );
  }),
]);
