/**
 * The OpenAPI 3.1 document, generated from the operations (shared/api/): their zod schemas become
 * JSON Schema 2020-12 (request schemas as accepted on input, responses as produced on output), and
 * auth, idempotency, pagination and error responses follow from each operation's shape. Pure: the
 * same operations give the same document.
 */
import { describeColumns } from "./csv.ts";
import * as z from "zod";
import type { Operation } from "./operation.ts";
import { can, permissionFor, roles } from "../users/roles.ts";
import { lazy } from "../lazy.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema is open-ended JSON
export type JsonSchema = { [keyword: string]: any };

export interface ParameterObject {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface MediaTypeObject {
  schema: JsonSchema;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, MediaTypeObject>;
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: ParameterObject[];
  requestBody?: { required: boolean; content: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
  /** Which credential the operation takes: `admin`, `merchant` or `public`. */
  "x-kassa-auth": Operation["auth"];
}

export type PathItem = Partial<Record<"get" | "post" | "patch" | "put" | "delete", OperationObject>>;

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  servers?: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, { type: "http"; scheme: "bearer"; description: string }>;
  };
}

export interface OpenApiOptions {
  title: string;
  version: string;
  serverUrl?: string;
}

/** The error body every handler error becomes (shared/http/problem.ts), as a zod schema. */
const problemSchema = lazy(() =>
  z
    .object({
      type: z.string().describe("A URN naming the kind of problem, e.g. urn:kassa:problem:invalid-request"),
      title: z.string().describe("Short, human-readable summary of the kind of problem"),
      status: z.int().describe("The HTTP status code"),
      detail: z.string().describe("What went wrong with this request"),
      errors: z
        .array(
          z.object({
            path: z
              .string()
              .describe("Dotted path of the field, e.g. address.postalCode; body for the whole body"),
            message: z.string(),
          }),
        )
        .optional()
        .describe("Each offending field (400 only)"),
      declineCode: z
        .string()
        .optional()
        .describe("The processor's decline code, e.g. insufficient_funds (402 only)"),
      paymentId: z.string().optional().describe("The declined payment (402 only)"),
      requestId: z.string().describe("Quote it when reporting a problem"),
    })
    .describe("An RFC 9457 problem document"),
);

/** API Gateway's own body: when it throttles a request, or when the function itself fails. */
const gatewayErrorSchema = lazy(() =>
  z.object({ message: z.string() }).describe("API Gateway's own error body"),
);

const problemRef = { $ref: "#/components/schemas/Problem" };
const gatewayErrorRef = { $ref: "#/components/schemas/GatewayError" };

const defaultMaxBodyBytes = 256 * 1024;

const description = [
  "Kassa's HTTP API. Requests and responses are JSON (`application/json`) unless an operation says otherwise; request objects are strict: unknown and read-only fields are rejected with 400, never ignored.",
  "Authentication: send `Authorization: Bearer <token>`. Merchant operations take one of the merchant's API keys (`sk_…`; create and revoke them under API keys) and act on that merchant's data only. Platform admin operations (creating and listing merchants) take the platform admin token instead. Public operations take no credentials.",
  "Roles: every API key acts with a team role (`owner`, `admin`, `member` or `viewer`; see Users). An operation the key's role may not run answers 403 `urn:kassa:problem:forbidden` before reading anything: every role reads; `member` also creates and sends documents, customers, tasks and saved views and records manual payments; `admin` also refunds and configures (settings, catalog, workflows, webhooks, test clocks, segments); only `owner` manages users, API keys and the processor.",
  "Errors are RFC 9457 problem documents (`application/problem+json`) with `type`, `title`, `status`, `detail` and `requestId`; a 400 also lists each offending field in `errors`. Quote the `requestId` (also in the `x-request-id` header) when reporting a problem.",
  "Idempotency: POST requests accept an optional `Idempotency-Key` header (1–255 printable ASCII characters). The first successful response is stored for 24 hours and replayed for a retry with the same key (with `Idempotent-Replayed: true`); the same key with a different request is a 409. Failed requests store nothing, so they can be retried with the same key.",
  "Pagination: list operations return `{ data, nextCursor }`, newest first. Pass `limit` (1–100, default 20) and, for the next page, `cursor` set to the previous page's `nextCursor`; a null `nextCursor` means there are no more items. A cursor only works with the same filters it was issued with.",
].join("\n\n");

const authDescription =
  "`Authorization: Bearer <token>`. Merchant operations take a merchant API key (`sk_…`), which scopes every read and write to that merchant. Platform admin operations take the platform admin token (stored in the deployment's secrets), which is not a merchant key.";

/** Converts a zod schema; never throws (what cannot be represented becomes `{}`). */
function toSchema(schema: z.ZodType, io: "input" | "output", defs: Record<string, JsonSchema>): JsonSchema {
  let generated: JsonSchema;
  try {
    generated = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  } catch {
    return {};
  }
  const { $schema: _dialect, $defs, ...rest } = generated;
  if (!$defs) return rest;
  // Definitions (reused or recursive schemas) move to components, their references with them.
  const renames = new Map<string, string>();
  for (const [name, def] of Object.entries($defs as Record<string, JsonSchema>)) {
    renames.set(name, componentName(name, def, defs));
  }
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => {
        if (key === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")) {
          const name = v.slice("#/$defs/".length);
          return [key, `#/components/schemas/${renames.get(name) ?? name}`];
        }
        return [key, rewrite(v)];
      }),
    );
  };
  for (const [name, def] of Object.entries($defs as Record<string, JsonSchema>)) {
    defs[renames.get(name)!] = rewrite(def) as JsonSchema;
  }
  return rewrite(rest) as JsonSchema;
}

/** A free component name for `def` (the same name again when an identical schema is already there). */
function componentName(name: string, def: JsonSchema, defs: Record<string, JsonSchema>): string {
  const base = name.replace(/[^A-Za-z0-9._-]/g, "_") || "Schema";
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base}${i}`;
    const existing = defs[candidate];
    if (!existing || JSON.stringify(existing) === JSON.stringify(def)) return candidate;
  }
}

const pathParamNames = (path: string): string[] => [...path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!);

/** API Gateway's greedy `{proxy+}` is an ordinary parameter in OpenAPI, whose value may hold slashes. */
export const openApiPath = (path: string): string => path.replace(/\{(\w+)\+\}/g, "{$1}");

const isListOperation = (schema: JsonSchema | undefined): boolean => Boolean(schema?.properties?.cursor);

function parametersOf(operation: Operation, query: JsonSchema | undefined, defs: Record<string, JsonSchema>) {
  const parameters: ParameterObject[] = [];
  const params = operation.params ? toSchema(operation.params, "input", defs) : undefined;
  for (const name of pathParamNames(operation.path)) {
    const { description: own, ...schema } = (params?.properties?.[name] ?? { type: "string" }) as JsonSchema;
    const text = own ?? params?.description;
    parameters.push({ name, in: "path", required: true, ...(text ? { description: text } : {}), schema });
  }
  const required = new Set<string>(query?.required ?? []);
  for (const [name, property] of Object.entries((query?.properties ?? {}) as Record<string, JsonSchema>)) {
    const { description: own, ...schema } = property;
    const text = own ?? queryDescriptions[name];
    parameters.push({
      name,
      in: "query",
      required: required.has(name),
      ...(text ? { description: text } : {}),
      schema,
    });
  }
  if (operation.method === "POST" && operation.auth !== "public") {
    parameters.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description:
        "Makes the request safe to retry: the first successful response is replayed for 24 hours to requests with the same key; the same key with a different request is a 409.",
      schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
    });
  }
  return parameters;
}

const queryDescriptions: Record<string, string> = {
  limit: "Page size",
  cursor: "The previous page's `nextCursor`, to fetch the next page",
};

const problem = (text: string, headers?: ResponseObject["headers"]): ResponseObject => ({
  description: text,
  ...(headers ? { headers } : {}),
  content: { "application/problem+json": { schema: problemRef } },
});

function kilobytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}

const textContent = (mediaType: string): Record<string, MediaTypeObject> => ({
  [mediaType]: { schema: { type: "string", contentMediaType: mediaType } },
});

const headersOf = (headers: Readonly<Record<string, string>>): ResponseObject["headers"] =>
  Object.fromEntries(
    Object.entries(headers).map(([name, text]) => [name, { description: text, schema: { type: "string" } }]),
  );

/** Whether a request can fail validation: it has input to validate (an `Idempotency-Key` counts). */
const validatesInput = (operation: Operation): boolean =>
  Boolean(
    operation.body ||
      operation.rawBody ||
      operation.query ||
      operation.params ||
      (operation.method === "POST" && operation.auth !== "public"),
  );

function responsesOf(operation: Operation, defs: Record<string, JsonSchema>): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {};
  const success =
    operation.status === 201
      ? "Created"
      : operation.status === 202
        ? "Accepted"
        : operation.status === 204
          ? "No content"
          : "OK";
  let successContent: Record<string, MediaTypeObject> | undefined;
  if (operation.status === 204) {
    responses["204"] = { description: success };
  } else if (operation.produces) {
    successContent = textContent(operation.produces);
    responses[String(operation.status)] = { description: success, content: successContent };
  } else {
    const schema = operation.response ? toSchema(operation.response, "output", defs) : {};
    successContent = { "application/json": { schema } };
    responses[String(operation.status)] = { description: success, content: successContent };
    if (operation.csv) {
      responses[String(operation.status)] = {
        description: `${success}: JSON, or CSV when asked (\`Accept: text/csv\` or \`?format=csv\`)`,
        headers: headersOf({
          Link: 'CSV only: `<…>; rel="next"`, the same list from where this response stopped (absent on the last)',
        }),
        content: {
          ...successContent,
          "text/csv": {
            schema: {
              type: "string",
              contentMediaType: "text/csv",
              description: `${csvExportRules} Columns: ${describeColumns(operation.csv)}.`,
            },
          },
        },
      };
    }
  }
  const hasParams = pathParamNames(operation.path).length > 0;
  if (validatesInput(operation)) {
    responses["400"] = problem(
      operation.body || operation.query || hasParams
        ? "Invalid request: the problem's `errors` names each offending field"
        : "Invalid request",
    );
  }
  if (operation.auth !== "public") {
    responses["401"] = problem(
      operation.auth === "admin"
        ? "The platform admin token is missing or not valid"
        : "The API key is missing, unknown or revoked",
      { "WWW-Authenticate": { description: "`Bearer`", schema: { type: "string" } } },
    );
  }
  if (operation.auth === "merchant") {
    const needed = permissionFor(operation);
    if (needed !== "read") {
      const allowed = roles.filter((role) => can(role, needed)).join(", ");
      responses["403"] = problem(
        `Forbidden (\`urn:kassa:problem:forbidden\`): the API key's role may not do this; it needs the \`${needed}\` permission (roles: ${allowed})`,
      );
    }
  }
  if (hasParams) responses["404"] = problem("Not found (or it belongs to another merchant)");
  if (operation.method === "POST" || operation.method === "PATCH" || operation.method === "DELETE") {
    responses["409"] = problem(
      operation.method === "POST" && operation.auth !== "public"
        ? "Conflict with the current state, or the `Idempotency-Key` was used with a different request or is still in progress"
        : "Conflict with the current state",
    );
  }
  if (takesBody(operation)) {
    responses["413"] = problem(
      `The request body is larger than ${kilobytes(operation.maxBodyBytes ?? defaultMaxBodyBytes)}`,
    );
  }
  responses["429"] = {
    description:
      "Too many requests: throttled by API Gateway (its own JSON body) or by a Kassa limit (a problem document with `Retry-After`); retry after the given seconds, or with exponential backoff",
    headers: headersOf({ "Retry-After": "Seconds to wait before retrying (Kassa's limits)" }),
    content: {
      "application/problem+json": { schema: problemRef },
      "application/json": { schema: gatewayErrorRef },
    },
  };
  responses["500"] = {
    description:
      "Something went wrong on our side: a problem document naming the request id, or API Gateway's own body when the function itself failed",
    content: {
      "application/problem+json": { schema: problemRef },
      "application/json": { schema: gatewayErrorRef },
    },
  };
  for (const [status, other] of Object.entries(operation.otherResponses ?? {})) {
    const content: Record<string, MediaTypeObject> = { ...responses[status]?.content };
    for (const kind of other.content) {
      if (kind === "success") Object.assign(content, successContent);
      else if (kind === "problem") content["application/problem+json"] = { schema: problemRef };
      else if (kind !== "none") Object.assign(content, textContent(kind));
    }
    const known = responses[status];
    responses[status] = {
      description: known ? `${known.description}; ${other.description}` : other.description,
      ...(other.headers || known?.headers
        ? { headers: { ...known?.headers, ...headersOf(other.headers ?? {}) } }
        : {}),
      ...(Object.keys(content).length ? { content } : {}),
    };
  }
  return responses;
}

/** Whether a request can carry a body (whatever its size, it is read and measured). */
const takesBody = (operation: Operation): boolean =>
  Boolean(operation.body || operation.rawBody) || ["POST", "PATCH", "PUT"].includes(operation.method);

/** What every CSV export promises, for its media type's description. */
const csvExportRules =
  "UTF-8 without a BOM, CRLF line ends, RFC 4180 quoting, a header row. At most 2,000 rows and under 5 MB per response; the `Link` header continues (its cursor also works in JSON, and a JSON `nextCursor` in CSV). Amounts are in major units with exactly the currency's exponent of decimals (42.50 USD, 5000 JPY, 1.250 KWD) beside a `currency` column. A text cell starting with =, +, -, @, TAB or CR is prefixed with ' so a spreadsheet does not run it; numbers are written as numbers.";

function describeOperation(operation: Operation, list: boolean): string | undefined {
  const parts: string[] = [];
  if (operation.auth === "admin") parts.push("Requires the platform admin token.");
  if (operation.auth === "merchant")
    parts.push("Requires a merchant API key; acts on that merchant's data only.");
  if (list) {
    parts.push(
      "Paginated: returns `{ data, nextCursor }`, newest first. Pass `limit` (1–100, default 20); for the next page pass `cursor` = the previous `nextCursor` with the same filters. `nextCursor` is null on the last page.",
    );
    if (operation.csv)
      parts.push(
        'Also answers `text/csv` (`Accept: text/csv` or `?format=csv`): up to 2,000 rows per response (`limit` does not apply), the rest through the `Link: <…>; rel="next"` header.',
      );
  }
  if (operation.method === "POST" && operation.auth !== "public") {
    parts.push("Safe to retry with an `Idempotency-Key` header.");
  }
  return parts.length ? parts.join(" ") : undefined;
}

export function openApiDocument(operations: readonly Operation[], options: OpenApiOptions): OpenApiDocument {
  const defs: Record<string, JsonSchema> = {};
  const shared = {
    Problem: toSchema(problemSchema(), "output", defs),
    GatewayError: toSchema(gatewayErrorSchema(), "output", defs),
  };
  const paths: Record<string, PathItem> = {};
  const tags: string[] = [];
  for (const operation of operations) {
    if (!tags.includes(operation.tag)) tags.push(operation.tag);
    const query = operation.query ? toSchema(operation.query, "input", defs) : undefined;
    const parameters = parametersOf(operation, query, defs);
    const text = describeOperation(operation, isListOperation(query));
    const entry: OperationObject = {
      operationId: operation.id,
      summary: operation.summary,
      ...(text ? { description: text } : {}),
      tags: [operation.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(operation.body
        ? {
            requestBody: {
              required: !operation.bodyOptional,
              content: { "application/json": { schema: toSchema(operation.body, "input", defs) } },
            },
          }
        : operation.rawBody
          ? {
              requestBody: {
                required: true,
                content: {
                  [operation.rawBody.contentType]: {
                    schema: toSchema(operation.rawBody.schema(), "input", defs),
                  },
                },
              },
            }
          : {}),
      responses: responsesOf(operation, defs),
      // Public operations say so: no credentials, whatever a global default might say.
      security: operation.auth === "public" ? [] : [{ bearerAuth: [] }],
      "x-kassa-auth": operation.auth,
    };
    const path = openApiPath(operation.path);
    paths[path] = { ...paths[path], [operation.method.toLowerCase()]: entry };
  }
  return {
    openapi: "3.1.0",
    info: { title: options.title, version: options.version, description },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: { ...defs, ...shared },
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: authDescription } },
    },
  };
}
