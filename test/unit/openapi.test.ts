/**
 * The OpenAPI document generated from the operations: every operation is in it, request schemas
 * reject what the zod schemas reject, and auth, parameters and errors follow each operation's shape.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { createCustomer } from "../../shared/api/customers.ts";
import { allOperations as operations } from "../../shared/api/index.ts";
import {
  type JsonSchema,
  type OperationObject,
  openApiDocument,
  openApiPath,
} from "../../shared/http/openapi.ts";
import { defineOperation, type Operation } from "../../shared/http/operation.ts";
import { permissionFor } from "../../shared/users/roles.ts";

/** Whatever operations are registered: the tests walk the list, never a fixed count. */
const allOperations: readonly Operation[] = operations;

const document = openApiDocument(allOperations, {
  title: "Kassa API",
  version: "1",
  serverUrl: "https://api.kassa.example",
});

const operationOf = (op: Pick<Operation, "method" | "path">): OperationObject => {
  const found = document.paths[openApiPath(op.path)]?.[op.method.toLowerCase() as "get"];
  if (!found) throw new Error(`${op.method} ${op.path} is not in the document`);
  return found;
};

function resolve(schema: JsonSchema): JsonSchema {
  const ref: unknown = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.replace("#/components/schemas/", "");
  const target = document.components.schemas[name];
  if (!target) throw new Error(`Unresolved ${ref}`);
  return resolve(target);
}

/**
 * The JSON Schema keywords the generated request schemas use, checked strictly enough to say whether
 * a value is accepted (formats are not asserted, as in JSON Schema 2020-12).
 */
function accepts(raw: JsonSchema, value: unknown): boolean {
  const schema = resolve(raw);
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s: JsonSchema) => accepts(s, value))) return false;
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    const typeOf =
      value === null
        ? "null"
        : Array.isArray(value)
          ? "array"
          : Number.isInteger(value)
            ? "integer"
            : typeof value === "number"
              ? "number"
              : typeof value;
    if (!types.some((t) => t === typeOf || (t === "number" && typeOf === "integer"))) return false;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && [...value].length < schema.minLength) return false;
    if (typeof schema.maxLength === "number" && [...value].length > schema.maxLength) return false;
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) return false;
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) return false;
    if (typeof schema.maximum === "number" && value > schema.maximum) return false;
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) return false;
    if (schema.items && !value.every((item) => accepts(schema.items, item))) return false;
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties: Record<string, JsonSchema> = schema.properties ?? {};
    if (Array.isArray(schema.required) && !schema.required.every((k: string) => k in object)) return false;
    for (const [key, v] of Object.entries(object)) {
      if (properties[key]) {
        if (!accepts(properties[key], v)) return false;
      } else if (schema.additionalProperties === false) return false;
      else if (schema.additionalProperties && !accepts(schema.additionalProperties, v)) return false;
      if (schema.propertyNames && !accepts(schema.propertyNames, key)) return false;
    }
  }
  return true;
}

describe("openApiDocument", () => {
  it("is an OpenAPI 3.1 document with the server, tags and shared schemas", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document.info).toMatchObject({ title: "Kassa API", version: "1" });
    expect(document.servers).toEqual([{ url: "https://api.kassa.example" }]);
    expect(document.components.schemas.Problem).toMatchObject({ type: "object" });
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
    expect(JSON.stringify(document)).not.toContain("#/$defs/");
  });

  it("has every operation under its path and method, with its id, summary and tag", () => {
    const ids = new Set<string>();
    for (const op of allOperations) {
      const entry = operationOf(op);
      expect(entry.operationId).toBe(op.id);
      expect(entry.summary).toBe(op.summary);
      expect(entry.tags).toEqual([op.tag]);
      ids.add(entry.operationId);
    }
    expect(ids.size).toBe(allOperations.length);
    const count = Object.values(document.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(count).toBe(allOperations.length);
    expect(document.tags.map((t) => t.name).sort()).toEqual(
      [...new Set(allOperations.map((o) => o.tag))].sort(),
    );
  });

  it("documents the success response of every operation", () => {
    for (const op of allOperations) {
      const success = operationOf(op).responses[String(op.status)];
      expect(success, op.id).toBeDefined();
      if (op.status === 204) expect(success!.content, op.id).toBeUndefined();
      else if (op.produces) {
        // Other media types of the same status (a dashboard asset) come after the one it produces.
        const also = op.otherResponses?.[op.status]?.content ?? [];
        expect(Object.keys(success!.content ?? {}), op.id).toEqual([op.produces, ...also]);
      } else if (op.csv)
        expect(Object.keys(success!.content ?? {}), op.id).toEqual(["application/json", "text/csv"]);
      else expect(Object.keys(success!.content ?? {}), op.id).toEqual(["application/json"]);
    }
  });

  it("says which lists also answer text/csv, with their columns and the Link header", () => {
    const lists = allOperations.filter((op) => op.csv).map((op) => op.path);
    expect(lists.sort()).toEqual(
      [
        "/v1/checkout-sessions",
        "/v1/customers",
        "/v1/invoices",
        "/v1/ledger/entries",
        "/v1/payment-links",
        "/v1/payments",
        "/v1/payouts",
        "/v1/quotes",
        "/v1/refunds",
        "/v1/subscriptions",
        "/v1/tasks",
      ].sort(),
    );
    for (const op of allOperations.filter((o) => o.csv)) {
      const success = operationOf(op).responses["200"]!;
      const csv = success.content?.["text/csv"]?.schema.description ?? "";
      for (const column of op.csv!) expect(csv, op.id).toContain(`\`${column.name}\``);
      expect(success.headers?.Link, op.id).toBeDefined();
      expect(operationOf(op).description, op.id).toContain("text/csv");
    }
  });

  it("has request body schemas that reject what createCustomer's zod schema rejects", () => {
    const schema = operationOf(createCustomer).requestBody?.content["application/json"]?.schema;
    expect(schema).toBeDefined();
    expect(schema).toMatchObject({ type: "object", additionalProperties: false, required: ["email"] });
    const cases: unknown[] = [
      { email: "ada@example.com" },
      {
        email: "ada@example.com",
        name: "Ada",
        address: { line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "de" },
      },
      { email: "ada@example.com", unknownField: 1 },
      { email: "ada@example.com", id: "cus_123" },
      { name: "Ada" },
      {},
      { email: "not an email" },
      { email: "ada@example.com", name: "" },
      { email: "ada@example.com", phone: "call me" },
      {
        email: "ada@example.com",
        address: { line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "DEU" },
      },
      { email: "ada@example.com", address: { line1: "1 Main St", city: "Berlin", postalCode: "10115" } },
      { email: "ada@example.com", taxIds: [{ type: "eu_vat", value: "DE123", extra: true }] },
      { email: "ada@example.com", metadata: { plan: 3 } },
      { email: 42 },
    ];
    for (const value of cases) {
      const zodAccepts = createCustomer.body.safeParse(value).success;
      expect(accepts(schema!, value), JSON.stringify(value)).toBe(zodAccepts);
    }
    expect(accepts(schema!, { email: "ada@example.com", unknownField: 1 })).toBe(false);
    expect(accepts(schema!, { name: "Ada" })).toBe(false);
  });

  it("closes a request body schema to unknown fields exactly when zod rejects them", () => {
    for (const op of allOperations) {
      if (!op.body) continue;
      const schema = resolve(operationOf(op).requestBody!.content["application/json"]!.schema);
      const result = op.body.safeParse({ __unknown__: 1 });
      const zodRejectsUnknown =
        !result.success && result.error.issues.some((i) => i.code === "unrecognized_keys");
      expect(schema.additionalProperties === false, op.id).toBe(zodRejectsUnknown);
      // Required unless the operation takes no body at all (an action whose fields all have defaults).
      expect(operationOf(op).requestBody?.required, op.id).toBe(!op.bodyOptional);
    }
  });

  it("lists the path parameters of every {param} route as required", () => {
    for (const op of allOperations) {
      // A greedy `{proxy+}` is the parameter `proxy`.
      const names = [...op.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]);
      const params = (operationOf(op).parameters ?? []).filter((p) => p.in === "path");
      expect(
        params.map((p) => p.name),
        op.id,
      ).toEqual(names);
      for (const p of params) expect(p.required).toBe(true);
    }
    const id = operationOf({ method: "GET", path: "/v1/customers/{id}" }).parameters?.find(
      (p) => p.name === "id",
    );
    expect(id).toMatchObject({
      in: "path",
      required: true,
      schema: { type: "string", minLength: 1, maxLength: 64 },
    });
  });

  it("lists query parameters with their required flags, and describes pagination on list operations", () => {
    const list = operationOf({ method: "GET", path: "/v1/customers" });
    const query = Object.fromEntries(
      (list.parameters ?? []).filter((p) => p.in === "query").map((p) => [p.name, p]),
    );
    expect(query.limit).toMatchObject({
      required: false,
      schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
    });
    expect(query.cursor).toMatchObject({ required: false });
    expect(query.email).toMatchObject({ required: false });
    expect(list.description).toContain("nextCursor");
    for (const op of allOperations) {
      const hasCursor = (operationOf(op).parameters ?? []).some(
        (p) => p.in === "query" && p.name === "cursor",
      );
      if (hasCursor) expect(operationOf(op).description, op.id).toContain("cursor");
    }
  });

  it("documents Idempotency-Key on authenticated POSTs only", () => {
    for (const op of allOperations) {
      const header = (operationOf(op).parameters ?? []).find(
        (p) => p.in === "header" && p.name === "Idempotency-Key",
      );
      if (op.method === "POST" && op.auth !== "public")
        expect(header, op.id).toMatchObject({ required: false });
      else expect(header, op.id).toBeUndefined();
    }
  });

  it("requires the bearer scheme on admin and merchant routes and declares public ones open (security: [])", () => {
    for (const op of allOperations) {
      const entry = operationOf(op);
      if (op.auth === "public") {
        expect(entry.security, op.id).toEqual([]);
        expect(entry.responses["401"], op.id).toBeUndefined();
      } else {
        expect(entry.security, op.id).toEqual([{ bearerAuth: [] }]);
        expect(entry.responses["401"], op.id).toBeDefined();
      }
      expect(entry["x-kassa-auth"]).toBe(op.auth);
    }
    expect(operationOf({ method: "GET", path: "/v1/health" }).security).toEqual([]);
    expect(operationOf({ method: "POST", path: "/webhooks/stripe" }).security).toEqual([]);
    expect(operationOf({ method: "POST", path: "/v1/customers" }).security).toEqual([{ bearerAuth: [] }]);
  });

  it("has error responses that reference the Problem schema", () => {
    for (const op of allOperations) {
      const { responses } = operationOf(op);
      const expected = ["429", "500"];
      // 400 only where there is input to reject: a body, a query, path parameters or an Idempotency-Key.
      if (op.body || op.rawBody || op.query || op.params || (op.method === "POST" && op.auth !== "public"))
        expected.push("400");
      if (op.auth !== "public") expected.push("401");
      if (op.path.includes("{")) expected.push("404");
      // 403 where a role may lack the permission (shared/users/roles.ts): every role reads.
      if (op.auth === "merchant" && permissionFor(op) !== "read") expected.push("403");
      if (["POST", "PATCH", "DELETE"].includes(op.method)) expected.push("409");
      if (["POST", "PATCH", "PUT"].includes(op.method)) expected.push("413");
      const other = Object.keys(op.otherResponses ?? {}).filter((s) => /^[45]/.test(s));
      expect(
        Object.keys(responses)
          .filter((s) => /^[45]/.test(s))
          .sort(),
        op.id,
      ).toEqual([...new Set([...expected, ...other])].sort());
      for (const status of expected) {
        expect(
          responses[status]?.content?.["application/problem+json"]?.schema,
          `${op.id} ${status}`,
        ).toEqual({ $ref: "#/components/schemas/Problem" });
      }
      // 429 is also API Gateway's throttling response, which has its own body; Kassa's limits say when to retry.
      expect(responses["429"]?.content?.["application/json"]?.schema, op.id).toEqual({
        $ref: "#/components/schemas/GatewayError",
      });
      expect(responses["429"]?.headers?.["Retry-After"], op.id).toBeDefined();
    }
  });

  it("documents the statuses beyond the usual ones: 202 and 402 of paying, the hosted pay form's pages and redirects, health's 503", () => {
    const pay = operationOf({ method: "POST", path: "/v1/invoices/{id}/pay" }).responses;
    expect(pay["202"]?.content?.["application/json"]?.schema).toEqual(
      pay["200"]?.content?.["application/json"]?.schema,
    );
    expect(pay["402"]?.content?.["application/problem+json"]?.schema).toEqual({
      $ref: "#/components/schemas/Problem",
    });
    expect(document.components.schemas.Problem?.properties).toHaveProperty("declineCode");
    const submit = operationOf({ method: "POST", path: "/i/{token}/pay" }).responses;
    expect(submit["303"]).toMatchObject({ headers: { Location: expect.anything() } });
    expect(submit["303"]?.content).toBeUndefined();
    expect(Object.keys(submit["409"]?.content ?? {}).sort()).toEqual([
      "application/problem+json",
      "text/html",
    ]);
    const health = operationOf({ method: "GET", path: "/v1/health" }).responses;
    expect(health["503"]?.content).toEqual(health["200"]?.content);
  });

  it("declares the content type of every request body, the ones handlers read themselves included", () => {
    expect(
      Object.keys(operationOf({ method: "POST", path: "/webhooks/stripe" }).requestBody?.content ?? {}),
    ).toEqual(["application/json"]);
    expect(
      Object.keys(operationOf({ method: "POST", path: "/i/{token}/pay" }).requestBody?.content ?? {}),
    ).toEqual(["application/x-www-form-urlencoded"]);
  });

  it("never throws on schemas JSON Schema cannot express, and documents produces and 204", () => {
    const odd = defineOperation({
      id: "oddThing",
      method: "POST",
      path: "/v1/odd/{id}",
      auth: "merchant",
      tag: "Odd",
      summary: "Odd",
      params: () => z.strictObject({ id: z.string() }),
      body: () =>
        z.strictObject({
          when: z.date(),
          n: z.bigint(),
          t: z.string().transform((s) => s.length),
          r: z.string().refine((s) => s.length > 2),
        }),
      response: () =>
        z.object({ t: z.string().transform((s) => new Map([[s, 1]])), fn: z.custom<() => void>() }),
      status: 200,
      produces: "application/pdf",
    });
    const gone = defineOperation({
      id: "goneThing",
      method: "DELETE",
      path: "/v1/odd/{id}",
      auth: "admin",
      tag: "Odd",
      summary: "Gone",
      status: 204,
    });
    const doc = openApiDocument([odd, gone], { title: "T", version: "0" });
    expect(doc.paths["/v1/odd/{id}"]?.post?.responses["200"]?.content).toEqual({
      "application/pdf": { schema: { type: "string", contentMediaType: "application/pdf" } },
    });
    expect(
      doc.paths["/v1/odd/{id}"]?.post?.requestBody?.content["application/json"]?.schema.properties.t,
    ).toEqual({ type: "string" });
    expect(doc.paths["/v1/odd/{id}"]?.delete?.responses["204"]).toEqual({ description: "No content" });
    expect(doc.servers).toBeUndefined();
  });
});
