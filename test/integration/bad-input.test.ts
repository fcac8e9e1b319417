/**
 * Bad input, walked generically over every POST and PATCH route in the manifest that takes a body.
 * From a valid body (the route's fixture, which the route accepts at the end), each case breaks one
 * thing — malformed JSON, an array, a required field removed, a wrong type, an unknown or read-only
 * field, an over-long string, a negative or fractional amount, an unknown currency — and must get a
 * 400 problem document naming the field, with nothing written (not even an idempotency record: half
 * the cases send an Idempotency-Key). Oversized bodies get 413 and missing or wrong credentials 401,
 * again writing nothing. The cases are derived from the body schema (`z.toJSONSchema`), so new fields
 * are covered as they appear; a route without a fixture fails: add one to `fixtures`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import { routes } from "../../infra/manifest.ts";
import { allOperations } from "../../shared/api/index.ts";
import { type Operation, routeKeyOf } from "../../shared/http/operation.ts";
import { type ApiResult, call, newMerchant } from "../helpers/api.ts";
import { adminToken, type TestAws, useTestAws } from "../helpers/aws.ts";

type Handler = Parameters<typeof call>[0];
type CallOptions = NonNullable<Parameters<typeof call>[2]>;
type Body = Record<string, unknown>;

/** The merchant whose objects the fixtures name. */
interface World {
  secret: string;
  customer: string;
  product: string;
  taxRate: string;
  discountCode: string;
  draftInvoice: string;
  openInvoice: string;
}

interface BodyFixture {
  /** The admin token instead of the merchant's key. */
  admin?: boolean;
  params?: (w: World) => Record<string, string>;
  /** A valid body, as rich as the schema allows, so nested fields are walked too. */
  body: (w: World) => Body;
}

const future = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString();
let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

const address = {
  line1: "1 Main St",
  line2: "Floor 2",
  city: "Berlin",
  state: "BE",
  postalCode: "10115",
  country: "DE",
};
const lineItems = (w: World) => [
  { description: "Work", quantity: 1, unitAmount: 1000, taxRateIds: [w.taxRate] },
  { productId: w.product, quantity: 2 },
];

/** Operation id → its valid request. Every POST/PATCH route with a body needs one. */
const fixtures: Record<string, BodyFixture> = {
  createMerchant: {
    admin: true,
    body: () => ({ name: "Bad Input Co", email: `bad-${unique()}@merchant.test` }),
  },
  updateMerchant: {
    body: () => ({
      name: "Bad Input Shop",
      email: "owner@bad-input.test",
      timeZone: "Europe/Berlin",
      defaultCurrency: "EUR",
      branding: {
        logoUrl: "https://cdn.bad-input.test/logo.png",
        brandColor: "#112233",
        footerText: "Thanks",
      },
      invoiceNumberPrefix: "BAD",
      defaultPaymentTerms: "net_30",
    }),
  },
  createApiKey: { body: () => ({ name: "CI" }) },
  createCustomer: {
    body: () => ({
      email: `buyer-${unique()}@bad-input.test`,
      name: "Buyer",
      companyName: "Buyer GmbH",
      phone: "+49 30 123456",
      address,
      taxIds: [{ type: "eu_vat", value: "DE123456789" }],
      metadata: { note: "vip" },
    }),
  },
  updateCustomer: {
    params: (w) => ({ id: w.customer }),
    body: () => ({
      email: `renamed-${unique()}@bad-input.test`,
      name: "Buyer Renamed",
      companyName: "Buyer AG",
      phone: "+49 30 654321",
      address,
      taxIds: [{ type: "eu_vat", value: "DE987654321" }],
      metadata: { note: "still vip" },
    }),
  },
  createDiscountCode: {
    body: () => ({
      code: `BAD${unique()}`.toUpperCase(),
      percentOff: 10,
      duration: "repeating",
      durationInPeriods: 3,
      maxRedemptions: 100,
      expiresAt: future,
      metadata: { campaign: "spring" },
    }),
  },
  updateDiscountCode: {
    params: (w) => ({ id: w.discountCode }),
    body: () => ({ active: true, maxRedemptions: 50, expiresAt: future, metadata: { campaign: "summer" } }),
  },
  createProduct: {
    body: () => ({
      name: "Pro plan",
      description: "Everything",
      unitAmount: 4900,
      currency: "USD",
      recurring: { interval: "month" },
      active: true,
      metadata: { tier: "pro" },
    }),
  },
  updateProduct: {
    params: (w) => ({ id: w.product }),
    body: () => ({
      name: "Pro plan v2",
      description: "Everything and more",
      unitAmount: 5900,
      currency: "USD",
      recurring: { interval: "year" },
      active: true,
      metadata: { tier: "pro" },
    }),
  },
  createTaxRate: {
    body: () => ({
      name: "VAT",
      percentage: 19,
      inclusive: false,
      country: "DE",
      region: "Berlin",
      description: "German VAT",
      active: true,
      metadata: { source: "bzst" },
    }),
  },
  updateTaxRate: {
    params: (w) => ({ id: w.taxRate }),
    body: () => ({
      name: "VAT (DE)",
      country: "DE",
      region: "Berlin",
      description: "Standard rate",
      active: true,
      metadata: { source: "bzst" },
    }),
  },
  createInvoice: {
    body: (w) => ({
      customerId: w.customer,
      currency: "USD",
      lineItems: lineItems(w),
      discounts: [{ percentOff: 5 }],
      fees: [{ description: "Shipping", amount: 500, taxable: false }],
      paymentTerms: "net_30",
      memo: "Thanks for your business",
      footer: "Bank: DE00 0000",
      metadata: { project: "apollo" },
    }),
  },
  updateInvoice: {
    params: (w) => ({ id: w.draftInvoice }),
    body: (w) => ({
      customerId: w.customer,
      currency: "USD",
      lineItems: lineItems(w),
      discounts: [{ amountOff: 100 }],
      fees: [{ description: "Handling", amount: 200 }],
      paymentTerms: "net_15",
      memo: "Updated memo",
      footer: "Updated footer",
      metadata: { project: "gemini" },
    }),
  },
  recordInvoicePayment: {
    params: (w) => ({ id: w.openInvoice }),
    body: () => ({
      amount: 100,
      method: "bank_transfer",
      paidAt: new Date().toISOString(),
      reference: "wire 42",
    }),
  },
  createView: {
    body: (w) => ({
      object: "invoices",
      name: "Overdue USD",
      filters: { status: "overdue", customerId: w.customer, currency: "USD", totalGte: 100 },
    }),
  },
};

/** Placeholder ids of the right shape, to derive each route's cases before the real fixtures exist. */
const placeholder: World = {
  secret: "",
  customer: `cus_${"0".repeat(26)}`,
  product: `prd_${"0".repeat(26)}`,
  taxRate: `txr_${"0".repeat(26)}`,
  discountCode: `dc_${"0".repeat(26)}`,
  draftInvoice: `inv_${"0".repeat(26)}`,
  openInvoice: `inv_${"1".repeat(26)}`,
};

const bodyLimits: Record<string, number> = { "POST /v1/merchants": 64 * 1024 };
const defaultBodyLimit = 256 * 1024;

// ---- The cases, derived from the body's JSON Schema and the valid body --------------------------

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  maxLength?: number;
}

interface Slot {
  path: (string | number)[];
  name: string;
  schema: JsonSchema;
}

/** The one non-null branch of a nullable; undefined for real unions (their errors name the union). */
function resolve(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  if (!schema.anyOf) return schema;
  const branches = schema.anyOf.filter((b) => b.type !== "null");
  return branches.length === 1 ? resolve(branches[0]) : undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Every field of an object the valid body has (its absent optional fields too), recursively. */
function slotsOf(schema: JsonSchema, value: unknown, path: (string | number)[] = []): Slot[] {
  const out: Slot[] = [];
  if (schema.properties && isObject(value)) {
    for (const [name, sub] of Object.entries(schema.properties)) {
      const resolved = resolve(sub);
      if (!resolved) continue;
      out.push({ path: [...path, name], name, schema: resolved });
      if (value[name] !== undefined) out.push(...slotsOf(resolved, value[name], [...path, name]));
    }
  } else if (isObject(schema.additionalProperties) && isObject(value)) {
    const values = resolve(schema.additionalProperties);
    for (const name of Object.keys(value)) {
      if (values) out.push({ path: [...path, name], name, schema: values });
    }
  } else if (schema.items && Array.isArray(value) && value.length > 0) {
    const items = resolve(schema.items);
    if (items) out.push(...slotsOf(items, value[0], [...path, 0]));
  }
  return out;
}

/** Objects of the valid body with named fields (nested ones too): where required and unknown fields are checked. */
function objectsOf(
  schema: JsonSchema,
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; schema: JsonSchema }[] {
  if (schema.properties && isObject(value)) {
    return [
      { path, schema },
      ...Object.entries(schema.properties).flatMap(([name, sub]) => {
        const resolved = resolve(sub);
        return resolved && value[name] !== undefined ? objectsOf(resolved, value[name], [...path, name]) : [];
      }),
    ];
  }
  const items = resolve(schema.items);
  return items && Array.isArray(value) && value.length > 0 ? objectsOf(items, value[0], [...path, 0]) : [];
}

function at(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown> | undefined)?.[key], value);
}

function setAt(body: Body, path: (string | number)[], value: unknown, remove = false): Body {
  const copy = structuredClone(body);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path.at(-1) as string | number;
  if (remove) delete parent[key];
  else parent[key] = value;
  return copy;
}

const dotted = (path: (string | number)[]) => (path.length ? path.join(".") : "body");

const wrongValue = (schema: JsonSchema): { value: unknown; what: string } | undefined => {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return { value: 12345, what: "a string given a number" };
    case "number":
    case "integer":
      return { value: "12", what: "a number given a string" };
    case "boolean":
      return { value: "true", what: "a boolean given a string" };
    case "object":
      return { value: "not-an-object", what: "an object given a string" };
    case "array":
      return { value: "not-an-array", what: "an array given a string" };
    default:
      return undefined;
  }
};

const readOnlyValues: Record<string, unknown> = {
  id: "obj_01J0000000000000000000000",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  status: "paid",
  amountPaid: 0,
  amountRemaining: 0,
  timesRedeemed: 0,
  number: "INV-0001",
  merchantId: "mer_01J0000000000000000000000",
  total: 0,
};

const isAmount = (name: string) => /(^amount|Amount|amountOff)$/.test(name);

interface Case {
  name: string;
  /** The request body: a string sent as is. */
  body: (valid: Body) => string;
  /** The dotted path the errors must name. */
  path: string;
  /**
   * Whether every error must be about `path`. Not when the case adds a field the valid body lacks:
   * that may rightly trip a rule across fields too (`amountOff` beside `percentOff`).
   */
  only: boolean;
}

function casesFor(op: Operation, valid: Body): Case[] {
  const schema = z.toJSONSchema(op.body as z.ZodType, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const json = (mutate: (v: Body) => unknown) => (v: Body) => JSON.stringify(mutate(v));
  const cases: Case[] = [
    { name: "malformed JSON", body: (v) => JSON.stringify(v).slice(0, -1), path: "body", only: true },
    { name: "a JSON array instead of an object", body: json((v) => [v]), path: "body", only: true },
    { name: "a JSON string instead of an object", body: json(() => "hello"), path: "body", only: true },
    { name: "JSON null instead of an object", body: () => "null", path: "body", only: true },
    { name: "an empty body", body: () => "", path: "body", only: true },
  ];
  const properties = Object.keys(schema.properties ?? {});
  for (const object of objectsOf(schema, valid)) {
    for (const field of object.schema.required ?? []) {
      const path = [...object.path, field];
      cases.push({
        name: `required ${dotted(path)} removed`,
        body: json((v) => setAt(v, path, undefined, true)),
        path: dotted(path),
        only: true,
      });
    }
    // Every object of a request is strict (shared/api/common.ts): an unknown field is refused, never dropped.
    const unknown = [...object.path, "unexpectedField"];
    cases.push({
      name: `unknown field ${dotted(unknown)}`,
      body: json((v) => setAt(v, unknown, "surprise")),
      path: dotted(unknown),
      only: true,
    });
  }
  for (const name of properties) {
    const wrong = wrongValue(resolve(schema.properties?.[name]) ?? {});
    if (wrong)
      cases.push({
        name: `${name}: ${wrong.what}`,
        body: json((v) => ({ ...v, [name]: wrong.value })),
        path: name,
        only: true,
      });
  }
  const response = op.response
    ? (z.toJSONSchema(op.response, { io: "output", unrepresentable: "any" }) as JsonSchema)
    : {};
  const shown = new Set(["id", "createdAt", ...Object.keys(response.properties ?? {})]);
  for (const [name, value] of Object.entries(readOnlyValues)) {
    if (shown.has(name) && !properties.includes(name)) {
      cases.push({
        name: `read-only field ${name}`,
        body: json((v) => ({ ...v, [name]: value })),
        path: name,
        only: true,
      });
    }
  }
  for (const slot of slotsOf(schema, valid)) {
    const path = dotted(slot.path);
    const only = at(valid, slot.path) !== undefined;
    if (slot.schema.type === "string" && slot.schema.maxLength !== undefined) {
      cases.push({
        name: `${path}: 10,000 characters`,
        body: json((v) => setAt(v, slot.path, "x".repeat(10_000))),
        path,
        only,
      });
    }
    if (slot.schema.type === "integer" && isAmount(slot.name)) {
      for (const amount of [-1, 1.5])
        cases.push({
          name: `${path}: ${amount}`,
          body: json((v) => setAt(v, slot.path, amount)),
          path,
          only,
        });
    }
    if (slot.schema.type === "string" && /currency$/i.test(slot.name)) {
      cases.push({ name: `${path}: "XYZ"`, body: json((v) => setAt(v, slot.path, "XYZ")), path, only });
    }
  }
  return cases;
}

// ---- The walk -----------------------------------------------------------------------------------

let aws: TestAws;
let world: World;
const handlers = new Map<string, Handler>();

const walk = routes()
  .filter(({ route }) => route.method === "POST" || route.method === "PATCH")
  .map(({ fn, route }) => {
    const routeKey = routeKeyOf(route);
    return {
      fn,
      routeKey,
      op: allOperations.find((o) => routeKeyOf(o) === routeKey) as Operation | undefined,
    };
  })
  // Actions without a body (finalize, revoke, …) have nothing to break.
  .filter(({ op }) => !op || op.body);

async function api(routeKey: string, options: CallOptions = {}): Promise<ApiResult> {
  const handler = handlers.get(routeKey);
  if (!handler) throw new Error(`No function in the manifest serves ${routeKey}`);
  return call(handler, routeKey, options);
}

async function created(
  routeKey: string,
  token: string,
  body?: Body,
  pathParameters?: Record<string, string>,
): Promise<string> {
  const r = await api(routeKey, {
    token,
    ...(body ? { body } : {}),
    ...(pathParameters ? { pathParameters } : {}),
  });
  if (r.status >= 300) throw new Error(`Fixture ${routeKey} failed: ${r.status} ${r.raw}`);
  return r.body.id as string;
}

/** The items in the table now; every refused request must leave it at that. */
let baseline = 0;

function expectProblem(r: ApiResult, status: number, label: string) {
  expect(r.status, `${label}: ${r.raw.slice(0, 400)}`).toBe(status);
  expect(r.headers["content-type"], label).toBe("application/problem+json");
  expect(r.body, label).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:kassa:problem:/),
    title: expect.any(String),
  });
}

/** Items the last request added: measured at once, so one request that wrote fails only its own case. */
async function written(): Promise<number> {
  const before = baseline;
  baseline = await aws.countItems();
  return baseline - before;
}

describe("bad input: every POST and PATCH route with a body", () => {
  beforeAll(async () => {
    aws = await useTestAws();
    for (const { fn, routeKey } of routes().map((r) => ({ ...r, routeKey: routeKeyOf(r.route) }))) {
      if (!handlers.has(routeKey)) handlers.set(routeKey, (await loadHandler(fn)) as Handler);
    }
    const { secret } = await newMerchant("Bad Input Shop");
    const customer = await created("POST /v1/customers", secret, {
      email: `owner-${unique()}@bad-input.test`,
      name: "Owner",
    });
    const product = await created("POST /v1/products", secret, {
      name: "Widget",
      unitAmount: 1500,
      currency: "USD",
    });
    const taxRate = await created("POST /v1/tax-rates", secret, {
      name: "VAT",
      percentage: 19,
      inclusive: false,
    });
    const discountCode = await created("POST /v1/discount-codes", secret, {
      code: `WELCOME${unique()}`.toUpperCase(),
      percentOff: 10,
      duration: "once",
    });
    world = { secret, customer, product, taxRate, discountCode, draftInvoice: "", openInvoice: "" };
    if (handlers.has("POST /v1/invoices")) {
      const invoice = {
        customerId: customer,
        currency: "USD",
        lineItems: [{ description: "Work", quantity: 1, unitAmount: 1000 }],
      };
      world.draftInvoice = await created("POST /v1/invoices", secret, invoice);
      world.openInvoice = await created("POST /v1/invoices", secret, invoice);
      await created("POST /v1/invoices/{id}/finalize", secret, undefined, { id: world.openInvoice });
    }
    baseline = await aws.countItems();
  });

  describe.each(walk.map((r) => [r.routeKey, r] as const))("%s", (routeKey, { op }) => {
    const fixture = op ? fixtures[op.id] : undefined;
    if (!op?.body || !fixture) {
      it("has a fixture", () => {
        if (!op)
          throw new Error(`${routeKey} is in the manifest but not in allOperations (shared/api/index.ts)`);
        throw new Error(
          `add a bad-input fixture for ${op.id} (${routeKey}) in test/integration/bad-input.test.ts`,
        );
      });
      return;
    }
    const body = op.body;
    /** The route's request; `key` sets an Idempotency-Key (a refused request must leave no record behind). */
    const request = (raw: string, key?: string): CallOptions => ({
      token: fixture.admin ? adminToken : world.secret,
      body: raw,
      ...(fixture.params ? { pathParameters: fixture.params(world) } : {}),
      headers: {
        "content-type": "application/json",
        ...(key ? { "idempotency-key": `bad-input-${op.id}-${key}` } : {}),
      },
    });

    it("has a valid fixture body", () => {
      const parsed = body.safeParse(fixture.body(world));
      expect(parsed.success, `${routeKey} fixture: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    });

    it.each(casesFor(op, fixture.body(placeholder)).map((c, n) => [c.name, c, n] as const))(
      "400: %s",
      async (name, c, n) => {
        const label = `${routeKey} ${name}`;
        // Half the cases carry an Idempotency-Key.
        const r = await api(
          routeKey,
          request(c.body(fixture.body(world)), n % 2 === 0 ? `case-${n}` : undefined),
        );
        const added = await written();
        expectProblem(r, 400, label);
        const errors = r.body.errors as { path: string; message: string }[];
        expect(Array.isArray(errors) && errors.length > 0, `${label}: errors ${JSON.stringify(r.body)}`).toBe(
          true,
        );
        const paths = errors.map((e) => e.path);
        expect(paths, label).toContain(c.path);
        for (const path of c.only ? paths : []) {
          expect(
            path === c.path || path.startsWith(`${c.path}.`),
            `${label}: error on ${path}, not ${c.path}: ${r.raw}`,
          ).toBe(true);
        }
        expect(added, `${label} wrote to the table`).toBe(0);
      },
    );

    const limit = bodyLimits[routeKey] ?? defaultBodyLimit;
    /** The valid body plus an unknown `padding` field, `bytes` long in all. */
    const padded = (bytes: number) => {
      const valid = fixture.body(world);
      const bare = Buffer.byteLength(JSON.stringify({ ...valid, padding: "" }));
      return JSON.stringify({ ...valid, padding: "x".repeat(bytes - bare) });
    };

    it(`413: a body of ${limit + 1} bytes (one over the limit)`, async () => {
      for (const key of ["413", undefined]) {
        const r = await api(routeKey, request(padded(limit + 1), key));
        const added = await written();
        expectProblem(r, 413, `${routeKey} ${limit + 1} bytes`);
        expect(added, `${routeKey} ${limit + 1} bytes wrote to the table`).toBe(0);
      }
      const atLimit = await api(routeKey, request(padded(limit), "at-limit"));
      const added = await written();
      expectProblem(atLimit, 400, `${routeKey} ${limit} bytes`);
      expect(atLimit.body.errors, routeKey).toEqual([{ path: "padding", message: "is not a known field" }]);
      expect(added, `${routeKey} ${limit} bytes wrote to the table`).toBe(0);
    });

    it.each([
      ["no Authorization header", undefined],
      ["an unknown key", "Bearer sk_0123456789abcdefghijklmnopqrstuv"],
      ["a malformed header", "Basic dXNlcjpwYXNz"],
      ["the wrong kind of credential", "wrong-kind"],
    ] as const)("401: %s", async (name, authorization) => {
      const header =
        authorization === "wrong-kind"
          ? `Bearer ${fixture.admin ? world.secret : adminToken}`
          : authorization;
      for (const key of ["401", undefined]) {
        const options = request(JSON.stringify(fixture.body(world)), key);
        const r = await api(routeKey, {
          ...options,
          token: undefined,
          headers: { ...options.headers, ...(header ? { authorization: header } : {}) },
        });
        const added = await written();
        expectProblem(r, 401, `${routeKey} ${name}`);
        expect(added, `${routeKey} ${name} wrote to the table`).toBe(0);
      }
    });

    it("accepts the fixture body (so every case above broke exactly one thing)", async () => {
      const r = await api(routeKey, request(JSON.stringify(fixture.body(world)), "accept"));
      await written();
      expect(r.status, `${routeKey}: ${r.raw.slice(0, 500)}`).toBe(op.status);
    });
  });
});
