/**
 * The public base URL of hosted pages: `PUBLIC_BASE_URL` when the operator set one (a custom
 * domain), otherwise the scheme and host the request came in on.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { config } from "../config.ts";

export function publicBaseUrl(event: APIGatewayProxyEventV2): string {
  const configured = config.publicBaseUrl();
  if (configured) return configured.replace(/\/$/, "");
  const proto = event.headers["x-forwarded-proto"] ?? "https";
  return `${proto}://${event.headers.host ?? event.requestContext.domainName}`;
}
