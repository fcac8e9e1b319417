/**
 * The contract test: every response a test sees is checked against the OpenAPI document the API
 * serves (shared/http/openapi.ts), here, at the helper that made the request, so the failing test
 * names it. A status, content type or body the document does not describe throws.
 * Validators are compiled lazily, once per test file and per distinct response schema.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { inject } from "vitest";
import type { OpenApiDocument, OperationObject } from "../../shared/http/openapi.ts";

/** The document the API serves, built once per run by contract-setup.ts rather than by every test file. */
export const contractDocument = providedDocument();

function providedDocument(): OpenApiDocument {
  const document = inject("contractDocument");
  if (!document) throw new Error("No contract document: test/helpers/contract-setup.ts provides it");
  return document;
}

const documentId = "https://kassa.test/openapi.json";
// No meta-schema check on adding: it would check the OpenAPI document itself as if it were a JSON
// Schema, which it is not, and stops at its `paths` and `components` anyway. Each response schema is
// checked where it counts, when its validator is compiled below.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
formats.default(ajv);
ajv.addSchema({ ...contractDocument, $id: documentId });

const validators = new Map<string, ValidateFunction>();

const pointer = (...segments: string[]): string =>
  segments.map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

const templates = Object.keys(contractDocument.paths).map((template) => ({
  template,
  // `{proxy}` is API Gateway's greedy `{proxy+}` (shared/http/openapi.ts): its value spans segments.
  pattern: new RegExp(`^${template.replace(/\{proxy\}/g, ".+").replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));

/** The document's path template for a concrete path (`/v1/invoices/inv_1` → `/v1/invoices/{id}`). */
export function templateOf(concrete: string): string | undefined {
  // API Gateway routes `/app/` to the route `/app` (infra/local/apigateway.ts).
  const path = concrete.length > 1 ? concrete.replace(/\/$/, "") : concrete;
  const exact = templates.find((t) => t.template === path);
  return (exact ?? templates.find((t) => t.pattern.test(path)))?.template;
}

/** A response as a Lambda function returns it (the local gateway's and fetch's are converted). */
export interface SeenResponse {
  statusCode?: number;
  headers?: Record<string, string | number | boolean | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

/**
 * Throws unless the document describes `response` to `routeKey` (`METHOD /template` as API Gateway
 * names a route, or `METHOD /concrete/path` from an HTTP client).
 */
export function assertDocumented(routeKey: string, seen: SeenResponse): void {
  const [method = "", rawPath = ""] = routeKey.split(" ");
  const path = templateOf(rawPath.split("?")[0]!);
  const why = mismatchOf(method.toLowerCase(), path, seen);
  if (why) throw new Error(`Contract: ${method} ${path ?? rawPath} → ${seen.statusCode ?? 200}: ${why}`);
}

/** What about the response the document does not describe, if anything. */
function mismatchOf(method: string, path: string | undefined, seen: SeenResponse): string | undefined {
  const operation = path ? (contractDocument.paths[path]?.[method as "get"] as OperationObject | undefined) : undefined;
  // A route that does not exist (a test proving so) is a 404 of no operation.
  if (!path || !operation) return seen.statusCode === 404 ? undefined : "the operation is not in the OpenAPI document";
  const status = String(seen.statusCode ?? 200);
  const body = seen.body ?? "";
  const described = operation.responses[status];
  if (!described)
    return `status ${status} is not documented (documented: ${Object.keys(operation.responses).join(", ")})`;
  const contentType = headerOf(seen.headers ?? {}, "content-type")
    ?.split(";")[0]
    ?.trim()
    .toLowerCase();
  if (!described.content)
    return body === "" ? undefined : `the response documents no body, but one was sent (${contentType})`;
  if (!contentType) return "no content-type was sent";
  const media = described.content[contentType];
  if (!media) {
    return `content-type ${contentType} is not documented (documented: ${Object.keys(described.content).join(", ")})`;
  }
  if (!/^application\/([a-z.+-]+\+)?json$/.test(contentType)) return undefined;
  const text = seen.isBase64Encoded ? Buffer.from(body, "base64").toString("utf8") : body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `the ${contentType} body is not JSON: ${text.slice(0, 200)}`;
  }
  // Keyed by the schema itself: operations answering the same object (or a Problem) share one validator.
  const key = JSON.stringify(media.schema);
  const where = pointer("paths", path, method, "responses", status, "content", contentType, "schema");
  const validate = validators.get(key) ?? ajv.compile({ $ref: `${documentId}#/${where}` });
  validators.set(key, validate);
  if (validate(parsed)) return undefined;
  const errors = (validate.errors ?? []).map(
    (e) => `${e.instancePath || "(body)"} ${e.message} ${JSON.stringify(e.params)}`,
  );
  return `the body does not match the documented schema:\n  ${errors.join("\n  ")}\nbody: ${text.slice(0, 2000)}`;
}

function headerOf(headers: NonNullable<SeenResponse["headers"]>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return String(value);
  return undefined;
}

/**
 * For HTTP clients (the end-to-end tests): checks a fetched response (a clone: the caller still reads
 * it). The local runtime's own `/_local/…` controls are not part of the API.
 */
export async function assertFetchedDocumented(
  method: string,
  url: string,
  response: Response,
): Promise<Response> {
  const path = new URL(url).pathname;
  if (path.startsWith("/_local/")) return response;
  assertDocumented(`${method.toUpperCase()} ${path}`, {
    statusCode: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body: await response.clone().text(),
  });
  return response;
}

/** A browser's response (Playwright's `Response`, structurally). */
export interface BrowserResponse {
  url(): string;
  status(): number;
  headers(): Record<string, string>;
  text(): Promise<string>;
  request(): { method(): string };
}

/** Checks what a browser was sent by the API at `apiUrl` (a redirect's body cannot be read: it counts as empty). */
export async function assertBrowserResponseDocumented(
  apiUrl: string,
  response: BrowserResponse,
): Promise<void> {
  if (!response.url().startsWith(apiUrl)) return;
  const status = response.status();
  // Chromium drops the body of a page the browser navigated away from before it was read (a fast
  // redirect after a POST): what cannot be read is not checked, rather than failing the step.
  const body =
    status >= 300 && status < 400
      ? ""
      : await response.text().catch((error: Error) => {
          if (/navigated away|No resource with given identifier/.test(error.message)) return undefined;
          throw error;
        });
  if (body === undefined) return;
  assertDocumented(`${response.request().method()} ${new URL(response.url()).pathname}`, {
    statusCode: status,
    headers: response.headers(),
    body,
  });
}
