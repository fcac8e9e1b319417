/**
 * Tenant walls, walked generically over every route in the manifest. Merchant A owns one object of
 * every kind (created through the API); merchant B's key must never reach them:
 * - a route with an `{id}` in its path answers 404 to B for A's object — with a body that is valid
 *   (A's identical request succeeds afterwards, so neither validation nor a missing route can fake the
 *   404) — and A's object reads back byte for byte the same;
 * - B's lists hold none of A's ids (and A's lists do, so the check is real), even filtered by A's ids;
 * - B's creations land in B's tenant only, and cannot reference A's objects;
 * - admin routes refuse merchant keys (401); public routes leak no merchant data and, refused, write
 *   and queue nothing.
 * Money moves too: each tenant pays an invoice through the sandbox, refunds part of it and gets the
 * day's payout, so payments, refunds and payouts are walled like the rest, and B's attempts on A's
 * objects must queue no processor event either.
 * A route without a fixture fails: add one to `fixtures` when you add a route.
 */
import { newId } from "../../shared/domain/ids.ts";
import { dynamoEnrollmentStore } from "../../shared/store/workflow-enrollments.ts";
import type { StoredEnrollment } from "../../shared/workflows/ports.ts";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, localDate } from "../../shared/domain/calendar.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import type { Operation } from "../../shared/http/operation.ts";
import {
  payoutPorts,
  portalLinkPorts,
  unsubscribeLink,
  updateCardLinkPorts,
} from "../../shared/composition.ts";
import { portalLink } from "../../shared/customers/portal.ts";
import { updateCardLink } from "../../shared/customers/update-card.ts";
import { formToken } from "../../shared/hosted/pay-form.ts";
import { runDailyPayouts } from "../../shared/payouts/run.ts";
import { handler as reportsConsumer } from "../../functions/reports/run.ts";
import { handler as ledgerConsumer } from "../../functions/ledger/run.ts";
import { outboxEventFromItem } from "../../shared/store/outbox.ts";
import { type ApiResult, type call, newMerchant } from "../helpers/api.ts";
import { adminToken, type TestAws, useTestAws } from "../helpers/aws.ts";
import { takeQueued } from "../helpers/fixtures.ts";
import { manifestRoutes, type RouteCaller, routeCaller, servesRoute } from "../helpers/manifest-routes.ts";
import { type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

type CallOptions = NonNullable<Parameters<typeof call>[2]>;

type Kind =
  | "customer"
  | "paymentMethod"
  | "product"
  | "taxRate"
  | "discountCode"
  | "apiKey"
  | "user"
  | "view"
  | "draftInvoice"
  | "openInvoice"
  | "paidInvoice"
  | "payment"
  | "refund"
  | "payout"
  | "paymentView"
  | "testClock"
  | "subscription"
  | "subscriptionView"
  | "paymentLink"
  | "checkoutSession"
  | "draftQuote"
  | "openQuote"
  | "quoteView"
  | "quoteTemplate"
  | "task"
  | "workflow"
  // Saved views of the lists issue 16 added (views-csv).
  | "customerView"
  | "paymentLinkView"
  | "checkoutSessionView"
  | "refundView"
  | "payoutView"
  | "taskView"
  | "segment"
  | "webhookEndpoint";

interface Tenant {
  label: string;
  merchantId: string;
  secret: string;
  keyId: string;
  /** A string put into every object the tenant owns: it must never show up in the other tenant's responses. */
  marker: string;
  customerEmail: string;
  /** The merchant's own email (Stripe's connected account is created with it). */
  email: string;
  discountCode: string;
  hostedToken: string;
  /** The update-card page's token of the tenant's customer. */
  updateCardToken: string;
  /** The customer portal's token of the tenant's customer. */
  portalToken: string;
  /** The public slug of the tenant's payment link (its checkout page). */
  checkoutSlug: string;
  /** The hosted-page token of the tenant's open quote. */
  quoteToken: string;
  /** The unsubscribe page's token of the tenant's customer. */
  unsubscribeToken: string;
  ids: Partial<Record<Kind, string>>;
  events: string[];
}

interface World {
  a: Tenant;
  b: Tenant;
}

interface Snapshot {
  status: number;
  body: unknown;
}
type Reader = (t: Tenant, id: string) => Promise<Snapshot>;

type WallFixture =
  /**
   * No auth: must answer `status`, name no merchant's data, and write and queue nothing, with no key
   * and with B's. `params` for a path with placeholders; `requests` for the body and headers of each
   * probe. `control` is A's own request (by A's hosted token): the status it gets, and A's object it
   * must leave unchanged when it is refused.
   */
  | {
      kind: "public";
      status: number[];
      /** A refused attempt counts in its own rate window (a discount code that did not apply): the only item it may write. */
      countsAttempts?: true;
      params?: (w: World) => Record<string, string>;
      requests?: (w: World) => CallOptions[];
      control?: {
        params: (w: World) => Record<string, string>;
        status: number;
        request?: CallOptions;
        unchanged?: (w: World) => Promise<Snapshot>;
      };
    }
  /** Platform admin only: merchant keys get 401 and write nothing; the admin token works. */
  | { kind: "admin"; body?: () => unknown }
  /**
   * The authenticated merchant itself (`/v1/merchant`, its processor connection): B sees and changes
   * B only (`check`, by default: the answer is B's merchant), and A's record stays as it was.
   */
  | {
      kind: "self";
      body?: (t: Tenant) => unknown;
      /** Path parameters and query of B's request, for a route that needs them (an export's format and range). */
      params?: Record<string, string>;
      query?: () => Record<string, string>;
      check?: (r: ApiResult, w: World) => Promise<void>;
    }
  /** A list: B's holds none of `ids(A)`, A's holds all of them; `probes` are B's filters naming A's objects. */
  | { kind: "list"; ids: (t: Tenant) => string[]; probes?: (a: Tenant) => Record<string, string>[] }
  /** A creation: B's object is B's only; `foreign` bodies (B referencing A's objects) are refused. */
  | {
      kind: "create";
      body: (t: Tenant) => unknown;
      read: Reader;
      foreign?: (a: Tenant, b: Tenant) => unknown[];
    }
  /**
   * A report over the merchant's own rollups (the tenant's events folded by the reports consumer):
   * A's report shows A's figures (`own` checks, so the wall check is real), B's none of A's.
   */
  | { kind: "report"; query: (t: Tenant) => Record<string, string>; own: (r: ApiResult, t: Tenant) => void }
  /**
   * A route on one object: B gets 404 for A's `target`, A's object is unchanged, then A's own request
   * succeeds. `emits`: A's success puts processor events on the queue (so B's empty queue means something).
   */
  | {
      kind: "object";
      target: (w: World) => string | Promise<string>;
      read: Reader;
      body?: (t: Tenant) => unknown;
      emits?: boolean;
      /** Path parameters when the path names more than the target (e.g. a customer's method). */
      params?: (w: World, id: string) => Record<string, string>;
    };

let aws: TestAws;
let world: World;
let stripe: StripeFake;
let callRoute: RouteCaller;
/** The queue the sandbox (and Stripe's webhook endpoint) put processor events on. */
const eventQueue = "stripe-events";

const walk = manifestRoutes;

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

const api = (routeKey: string, options: CallOptions = {}): Promise<ApiResult> => callRoute(routeKey, options);

async function created(
  routeKey: string,
  t: Tenant,
  body: unknown,
  pathParameters?: Record<string, string>,
): Promise<string> {
  const r = await api(routeKey, {
    token: t.secret,
    body: body as object,
    ...(pathParameters ? { pathParameters } : {}),
  });
  if (r.status >= 300) throw new Error(`Fixture ${routeKey} failed: ${r.status} ${r.raw}`);
  return r.body.id as string;
}

const has = (routeKey: string) => servesRoute(routeKey);
const idOf = (t: Tenant, kind: Kind): string => {
  const id = t.ids[kind];
  if (!id) throw new Error(`Tenant ${t.label} has no ${kind}: its creation route is not in the manifest`);
  return id;
};

/** The reports' range around the tenants' money (moved today, the merchant's local day). */
const reportRange = (): Record<string, string> => {
  const today = localDate(systemClock.now(), "UTC");
  return { from: addDays(today, -2), to: addDays(today, 2) };
};

/** The MRR of the tenant's one active subscription: its own, so another's figures would show. */
const mrrOf = (t: Tenant) => (t.label === "A" ? 1_700 : 2_900);

/** Valid bodies, per tenant (so an invoice names the tenant's own customer). */
const bodies = {
  customer: (t: Tenant, email = `${t.label.toLowerCase()}-${unique()}@tenant.test`) => ({
    email,
    name: `${t.marker} customer`,
    metadata: { owner: t.marker },
  }),
  product: (t: Tenant) => ({
    name: `${t.marker} product`,
    unitAmount: 2500,
    currency: "USD",
    metadata: { owner: t.marker },
  }),
  taxRate: (t: Tenant) => ({ name: `${t.marker} VAT`, percentage: 19, inclusive: false, country: "DE" }),
  task: (t: Tenant) => ({ title: `${t.marker} follow-up`, related: { customerId: idOf(t, "customer") } }),
  discountCode: (t: Tenant, code = `${t.label}${unique()}`.toUpperCase()) => ({
    code,
    percentOff: 10,
    duration: "once",
    metadata: { owner: t.marker },
  }),
  apiKey: (t: Tenant) => ({ name: `${t.marker} key` }),
  user: (t: Tenant) => ({
    email: `${t.label.toLowerCase()}-${unique()}@team.test`,
    role: "viewer",
    name: `${t.marker} user`,
  }),
  view: (t: Tenant) => ({ object: "invoices", name: `${t.marker} view`, filters: { status: "open" } }),
  segment: (t: Tenant) => ({ name: `${t.marker} segment`, type: "static" }),
  paymentView: (t: Tenant) => ({
    object: "payments",
    name: `${t.marker} payments view`,
    filters: { status: "partially_refunded", customerId: idOf(t, "customer"), amountGte: 1 },
  }),
  testClock: (t: Tenant) => ({ frozenTime: "2030-01-01T00:00:00Z", name: `${t.marker} clock` }),
  /** Starts next year: nothing is billed while the walls are walked. */
  subscription: (t: Tenant) => ({
    customerId: idOf(t, "customer"),
    items: [{ description: `${t.marker} plan`, unitAmount: 1500 }],
    currency: "USD",
    interval: "month",
    startDate: `${new Date().getUTCFullYear() + 1}-01-15`,
    metadata: { owner: t.marker },
  }),
  subscriptionView: (t: Tenant) => ({
    object: "subscriptions",
    name: `${t.marker} subscriptions view`,
    filters: { status: "scheduled", customerId: idOf(t, "customer") },
  }),
  paymentLink: (t: Tenant) => ({
    name: `${t.marker} link`,
    lineItems: [{ productId: idOf(t, "product"), quantity: 2 }],
    taxRateIds: [idOf(t, "taxRate")],
    allowDiscountCodes: true,
    metadata: { owner: t.marker },
  }),
  quote: (t: Tenant) => ({
    customerId: idOf(t, "customer"),
    currency: "USD",
    title: `${t.marker} proposal`,
    lineItems: [{ productId: idOf(t, "product"), quantity: 2, taxRateIds: [idOf(t, "taxRate")] }],
    countersigners: [{ name: `${t.marker} signer`, email: `${t.label.toLowerCase()}-signer@tenant.test` }],
    metadata: { owner: t.marker },
  }),
  quoteTemplate: (t: Tenant) => ({
    name: `${t.marker} template`,
    headerText: `${t.marker} header`,
    defaultTerms: `${t.marker} terms`,
    sections: { comments: false },
  }),
  workflow: (t: Tenant) => ({
    name: `${t.marker} workflow`,
    trigger: { event: "payment.succeeded", filters: [{ field: "payment.currency", op: "eq", value: "USD" }] },
    steps: [
      {
        type: "send_email",
        to: "customer",
        subject: `${t.marker} {{ customer.name }}`,
        body: `${t.marker} thanks`,
      },
      { type: "create_task", title: `${t.marker} follow up`, dueInDays: 2 },
    ],
  }),
  quoteView: (t: Tenant) => ({
    object: "quotes",
    name: `${t.marker} quotes view`,
    filters: { status: "open", customerId: idOf(t, "customer") },
  }),
  // Saved views of the lists issue 16 added (views-csv): each names the tenant's own objects.
  customerView: (t: Tenant) => ({
    object: "customers",
    name: `${t.marker} customers view`,
    filters: { email: t.customerEmail },
  }),
  paymentLinkView: (t: Tenant) => ({
    object: "payment_links",
    name: `${t.marker} payment links view`,
    filters: { active: true },
  }),
  checkoutSessionView: (t: Tenant) => ({
    object: "checkout_sessions",
    name: `${t.marker} checkout sessions view`,
    filters: { paymentLinkId: idOf(t, "paymentLink"), status: "open" },
  }),
  refundView: (t: Tenant) => ({
    object: "refunds",
    name: `${t.marker} refunds view`,
    filters: { paymentId: idOf(t, "payment") },
  }),
  payoutView: (t: Tenant) => ({ object: "payouts", name: `${t.marker} payouts view`, filters: { currency: "USD" } }),
  taskView: (t: Tenant) => ({
    object: "tasks",
    name: `${t.marker} tasks view`,
    filters: { status: "open", relatedTo: idOf(t, "customer") },
  }),
  webhookEndpoint: (t: Tenant) => ({
    url: `https://hooks.example.com/${t.marker}`,
    events: ["invoice.paid", "payment.*"],
    description: `${t.marker} ERP`,
  }),
  invoice: (t: Tenant) => ({
    customerId: idOf(t, "customer"),
    currency: "USD",
    lineItems: [{ description: `${t.marker} work`, quantity: 1, unitAmount: 1000 }],
    metadata: { owner: t.marker },
  }),
};

/** The saved views of the lists issue 16 added (views-csv). */
const newListViews = [
  "customerView",
  "paymentLinkView",
  "checkoutSessionView",
  "refundView",
  "payoutView",
  "taskView",
] as const;

/** New objects for routes that use theirs up (delete, revoke, finalize, void, …). */
const fresh = {
  customer: (t: Tenant) => created("POST /v1/customers", t, bodies.customer(t)),
  product: (t: Tenant) => created("POST /v1/products", t, bodies.product(t)),
  apiKey: (t: Tenant) => created("POST /v1/api-keys", t, bodies.apiKey(t)),
  user: (t: Tenant) => created("POST /v1/users", t, bodies.user(t)),
  paymentMethod: (t: Tenant) =>
    created("POST /v1/customers/{id}/payment-methods", t, pay(), { id: idOf(t, "customer") }),
  view: (t: Tenant) => created("POST /v1/views", t, bodies.view(t)),
  webhookEndpoint: (t: Tenant) => created("POST /v1/webhook-endpoints", t, bodies.webhookEndpoint(t)),
  /** A static segment with the tenant's customer picked into it. */
  segment: async (t: Tenant) => {
    const id = await created("POST /v1/segments", t, bodies.segment(t));
    const r = await api("POST /v1/segments/{id}/members", {
      token: t.secret,
      pathParameters: { id },
      body: { customerIds: [idOf(t, "customer")] },
    });
    expect(r.status, r.raw).toBe(200);
    return id;
  },
  testClock: (t: Tenant) => created("POST /v1/test-clocks", t, bodies.testClock(t)),
  subscription: (t: Tenant) => created("POST /v1/subscriptions", t, bodies.subscription(t)),
  /** Started today (its first period invoiced), so it can be paused. */
  activeSubscription: (t: Tenant) =>
    created("POST /v1/subscriptions", t, {
      ...bodies.subscription(t),
      startDate: undefined,
      collectionMethod: "send_invoice",
    }),
  /** Active and set to pause at its period's end, so a resume calls the pause off. */
  pausingSubscription: async (t: Tenant) => {
    const id = await fresh.activeSubscription(t);
    const r = await api("POST /v1/subscriptions/{id}/pause", {
      token: t.secret,
      pathParameters: { id },
      body: {},
    });
    expect(r.status, r.raw).toBe(200);
    return id;
  },
  /** Not the tenant's default (its first template is), so it can be deleted. */
  quoteTemplate: (t: Tenant) => created("POST /v1/quote-templates", t, bodies.quoteTemplate(t)),
  draftQuote: (t: Tenant) => created("POST /v1/quotes", t, bodies.quote(t)),
  workflow: (t: Tenant) => created("POST /v1/workflows", t, bodies.workflow(t)),
  openQuote: async (t: Tenant) => {
    const id = await created("POST /v1/quotes", t, bodies.quote(t));
    await created("POST /v1/quotes/{id}/publish", t, undefined, { id });
    return id;
  },
  acceptedQuote: async (t: Tenant) => {
    const id = await fresh.openQuote(t);
    await created("POST /v1/quotes/{id}/accept", t, { name: `${t.marker} buyer` }, { id });
    return id;
  },
  draftInvoice: (t: Tenant) => created("POST /v1/invoices", t, bodies.invoice(t)),
  openInvoice: async (t: Tenant) => {
    const id = await created("POST /v1/invoices", t, bodies.invoice(t));
    await created("POST /v1/invoices/{id}/finalize", t, undefined, { id });
    return id;
  },
};

const get =
  (routeKey: string): Reader =>
  async (t, id) => {
    const { status, body } = await api(routeKey, { token: t.secret, pathParameters: { id } });
    return { status, body };
  };

const readers = {
  customer: get("GET /v1/customers/{id}"),
  product: get("GET /v1/products/{id}"),
  taxRate: get("GET /v1/tax-rates/{id}"),
  task: get("GET /v1/tasks/{id}"),
  testClock: get("GET /v1/test-clocks/{id}"),
  discountCode: get("GET /v1/discount-codes/{id}"),
  event: get("GET /v1/events/{id}"),
  invoice: get("GET /v1/invoices/{id}"),
  quote: get("GET /v1/quotes/{id}"),
  quoteTemplate: get("GET /v1/quote-templates/{id}"),
  workflow: get("GET /v1/workflows/{id}"),
  view: get("GET /v1/views/{id}"),
  user: get("GET /v1/users/{id}"),
  segment: get("GET /v1/segments/{id}"),
  webhookEndpoint: get("GET /v1/webhook-endpoints/{id}"),
  payment: get("GET /v1/payments/{id}"),
  refund: get("GET /v1/refunds/{id}"),
  payout: get("GET /v1/payouts/{id}"),
  subscription: get("GET /v1/subscriptions/{id}"),
  paymentLink: get("GET /v1/payment-links/{id}"),
  checkoutSession: get("GET /v1/checkout-sessions/{id}"),
  /** Saved methods have no GET by id: the method as its customer's list shows it. */
  paymentMethod: (async (t, id) => {
    const list = await api("GET /v1/customers/{id}/payment-methods", {
      token: t.secret,
      pathParameters: { id: idOf(t, "customer") },
      query: { limit: "100" },
    });
    const found = ((list.body.data ?? []) as { id: string }[]).find((m) => m.id === id);
    return found ? { status: 200, body: found } : { status: 404, body: undefined };
  }) satisfies Reader,
  /** API keys have no GET by id: the key as the tenant's list shows it. */
  apiKey: (async (t, id) => {
    const list = await api("GET /v1/api-keys", { token: t.secret, query: { limit: "100" } });
    const found = (list.body.data as { id: string }[]).find((k) => k.id === id);
    return found ? { status: 200, body: found } : { status: 404, body: undefined };
  }) satisfies Reader,
};

type ObjectFixture = Extract<WallFixture, { kind: "object" }>;
const object = (kind: Kind, read: Reader, body?: (t: Tenant) => unknown): ObjectFixture => ({
  kind: "object",
  target: (w) => idOf(w.a, kind),
  read,
  ...(body ? { body } : {}),
});
const freshObject = (
  make: (t: Tenant) => Promise<string>,
  read: Reader,
  body?: (t: Tenant) => unknown,
): ObjectFixture => ({
  kind: "object",
  target: (w) => make(w.a),
  read,
  ...(body ? { body } : {}),
});
/**
 * A running enrollment of the tenant's workflow, waiting on a delay (written as the engine's store
 * writes it: the engine itself runs on events, not on a route).
 */
async function freshEnrollment(t: Tenant): Promise<string> {
  const now = new Date();
  const enrollment: StoredEnrollment = {
    id: newId("workflowEnrollment", now),
    workflowId: idOf(t, "workflow"),
    version: 1,
    status: "running",
    customerId: idOf(t, "customer"),
    trigger: { eventId: newId("event", now), eventType: "payment.succeeded" },
    next: "0",
    resumeAt: new Date(now.getTime() + 86_400_000).toISOString(),
    attempts: 0,
    log: [],
    context: { customer: { name: t.marker } },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  return dynamoEnrollmentStore.enroll(t.merchantId, `event:${enrollment.trigger.eventId}`, enrollment);
}
const enrollmentFixture: ObjectFixture = {
  ...freshObject(freshEnrollment, async (t, eid) => {
    const { status, body } = await api("GET /v1/workflows/{id}/enrollments/{eid}", {
      token: t.secret,
      pathParameters: { id: idOf(t, "workflow"), eid },
    });
    return { status, body };
  }),
  params: (w, eid) => ({ id: idOf(w.a, "workflow"), eid }),
};
const hostedToken = () => randomBytes(24).toString("base64url");
const touched = (t: Tenant) => ({ metadata: { touchedBy: t.marker } });
const pay = () => ({ paymentMethod: "pm_card_visa" });
const form = (fields: Record<string, string>): CallOptions => ({
  body: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded" },
});
/**
 * A portal action on B's subscription through A's portal, with a valid form: B's subscription is not
 * A's customer's (`status`); A's own subscription without the form's token is refused and unchanged.
 */
const portalAction = (status: number[]): WallFixture => ({
  kind: "public",
  status,
  params: (w) => ({ token: w.a.portalToken, subscriptionId: idOf(w.b, "subscription") }),
  requests: (w) => [
    form({
      formToken: formToken(process.env.CURSOR_SECRET ?? "", w.a.portalToken, Math.floor(Date.now() / 1000)),
    }),
  ],
  control: {
    params: (w) => ({ token: w.a.portalToken, subscriptionId: idOf(w.a, "subscription") }),
    status: 403,
    request: form({}),
    unchanged: (w) => readers.subscription(w.a, idOf(w.a, "subscription")),
  },
});
/** An unsigned event claiming A's payment succeeded: what a forger would post to the webhook. */
const forgedEvent = (a: Tenant) =>
  JSON.stringify({
    id: `evt_${randomBytes(8).toString("hex")}`,
    object: "event",
    type: "payment_intent.succeeded",
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `pi_${randomBytes(8).toString("hex")}`,
        object: "payment_intent",
        status: "succeeded",
        amount: 1000,
        currency: "usd",
        metadata: {
          kassa_merchant_id: a.merchantId,
          kassa_invoice_id: idOf(a, "openInvoice"),
          kassa_payment_id: idOf(a, "payment"),
        },
      },
    },
  });
const merchantOf = async (t: Tenant) => (await api("GET /v1/merchant", { token: t.secret })).body;

/** Operation id → how to wall it. Every route in the manifest needs one. */
const fixtures: Record<string, WallFixture> = {
  getHealth: { kind: "public", status: [200, 503] },
  getOpenApiDocument: { kind: "public", status: [200] },
  getDocsPage: { kind: "public", status: [200] },
  getHostedInvoicePage: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.hostedToken }), status: 200 },
  },
  getHostedInvoicePdf: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.hostedToken }), status: 200 },
  },
  getHostedInvoicePayForm: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.hostedToken }), status: 200 },
  },
  // Paying with a valid formToken is covered by the hosted-page tests; here: a random token finds
  // nothing, and A's real token without the form's token is refused (403) and charges nothing.
  submitHostedInvoicePayment: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    requests: () => [form({ card: "4242424242424242" }), form({ card: "pm_card_visa", formToken: "1.x" })],
    control: {
      params: (w) => ({ token: w.a.hostedToken }),
      status: 403,
      request: form({ card: "4242424242424242" }),
      unchanged: (w) => readers.invoice(w.a, idOf(w.a, "openInvoice")),
    },
  },
  // A's card page by A's link only; a random token finds nothing.
  getUpdateCardPage: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.updateCardToken }), status: 200 },
  },
  // Saving with a valid formToken is covered by the update-card tests; here: a random token finds
  // nothing, and A's real token without the form's token is refused (403) and saves nothing.
  submitUpdateCard: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    requests: () => [form({ card: "4242424242424242" }), form({ card: "pm_card_visa", formToken: "1.x" })],
    control: {
      params: (w) => ({ token: w.a.updateCardToken }),
      status: 403,
      request: form({ card: "5555555555554444" }),
      unchanged: (w) => readers.customer(w.a, idOf(w.a, "customer")),
    },
  },
  // A's portal by A's link only; a random token finds nothing.
  getCustomerPortal: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.portalToken }), status: 200 },
  },
  portalCancelSubscription: portalAction([404]),
  // Pausing is off by default: refused (403) before any subscription is looked at.
  portalPauseSubscription: portalAction([403]),
  portalResumeSubscription: portalAction([403]),
  portalUpdateCard: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    requests: () => [form({}), form({ formToken: "1.x" })],
    control: { params: (w) => ({ token: w.a.portalToken }), status: 403, request: form({}) },
  },
  // A's renew page shows A's customer's subscriptions only: B's is a 404, on the page and in the form.
  getPortalRenew: {
    kind: "public",
    status: [404],
    params: (w) => ({ token: w.a.portalToken }),
    requests: (w) => [{ query: { subscription: idOf(w.b, "subscription") } }],
    control: { params: (w) => ({ token: w.a.portalToken }), status: 200 },
  },
  portalRenewEarly: {
    kind: "public",
    status: [404],
    params: (w) => ({ token: w.a.portalToken }),
    requests: (w) => [
      form({
        formToken: formToken(process.env.CURSOR_SECRET ?? "", w.a.portalToken, Math.floor(Date.now() / 1000)),
        subscription: idOf(w.b, "subscription"),
      }),
    ],
    control: {
      params: (w) => ({ token: w.a.portalToken }),
      status: 403,
      request: form({}),
      unchanged: (w) => readers.subscription(w.a, idOf(w.a, "subscription")),
    },
  },
  createPortalLink: object("customer", readers.customer),
  // Not tenant-scoped: Stripe signs for the platform. Unsigned or badly signed, it writes and queues nothing.
  receiveStripeWebhook: {
    kind: "public",
    status: [400],
    requests: (w) => [
      { body: forgedEvent(w.a) },
      {
        body: forgedEvent(w.a),
        headers: { "stripe-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` },
      },
    ],
  },

  // B's checkout page shows none of A's sessions, even named in its query (a random slug finding
  // nothing is covered by the checkout tests); A's page by A's slug.
  getCheckoutPage: {
    kind: "public",
    status: [200],
    params: (w) => ({ slug: w.b.checkoutSlug }),
    requests: (w) => [{ query: { session: idOf(w.a, "checkoutSession") } }, {}],
    control: { params: (w) => ({ slug: w.a.checkoutSlug }), status: 200 },
  },
  // Starting and paying with a valid form is covered by the checkout tests; here: B's session paid
  // through A's page with A's valid form is not found and charges nothing, and A's real slug without
  // the form's token is refused (403) and writes nothing.
  submitCheckout: {
    kind: "public",
    status: [404],
    params: (w) => ({ slug: w.a.checkoutSlug }),
    requests: (w) => [
      form({
        formToken: formToken(
          process.env.CURSOR_SECRET ?? "",
          w.a.checkoutSlug,
          Math.floor(Date.now() / 1000),
        ),
        session: idOf(w.b, "checkoutSession"),
        card: "4242424242424242",
      }),
    ],
    control: {
      params: (w) => ({ slug: w.a.checkoutSlug }),
      status: 403,
      request: form({ email: "buyer@tenant.test" }),
      unchanged: (w) => readers.paymentLink(w.a, idOf(w.a, "paymentLink")),
    },
  },
  // B's link prices with B's catalog only: A's discount code is not one of B's (400 on the field,
  // without echoing it); A's link takes it (200), and neither writes anything.
  priceCheckoutForm: {
    kind: "public",
    status: [400],
    countsAttempts: true,
    params: (w) => ({ slug: w.b.checkoutSlug }),
    requests: (w) => [form({ discountCode: w.a.discountCode })],
    control: {
      params: (w) => ({ slug: w.a.checkoutSlug }),
      status: 200,
      request: form({ discountCode: "" }),
    },
  },
  listCheckoutSessions: {
    kind: "list",
    ids: (t) => [idOf(t, "checkoutSession")],
    probes: (a): Record<string, string>[] => [
      { paymentLinkId: idOf(a, "paymentLink") },
      { status: "open" },
      { view: idOf(a, "checkoutSessionView") },
    ],
  },
  getCheckoutSession: object("checkoutSession", readers.checkoutSession),

  createMerchant: {
    kind: "admin",
    body: () => ({ name: "Walled Garden", email: `walled-${unique()}@merchant.test` }),
  },
  listMerchants: { kind: "admin" },
  getMerchant: { kind: "self" },
  updateMerchant: { kind: "self", body: (t) => ({ branding: { footerText: `${t.marker} footer` } }) },

  listApiKeys: { kind: "list", ids: (t) => [t.keyId, idOf(t, "apiKey")] },
  createApiKey: { kind: "create", body: bodies.apiKey, read: readers.apiKey },
  revokeApiKey: freshObject(fresh.apiKey, readers.apiKey),

  listUsers: { kind: "list", ids: (t) => [idOf(t, "user")] },
  inviteUser: { kind: "create", body: bodies.user, read: readers.user },
  getUser: object("user", readers.user),
  updateUser: object("user", readers.user, (t) => ({ name: `${t.marker} renamed` })),
  removeUser: freshObject(fresh.user, readers.user),
  resendInvitation: object("user", readers.user),

  createCustomer: {
    kind: "create",
    body: (t) => bodies.customer(t),
    read: readers.customer,
    foreign: (a, b) => [{ ...bodies.customer(b), testClockId: idOf(a, "testClock") }],
  },
  listCustomers: {
    kind: "list",
    ids: (t) => [idOf(t, "customer")],
    probes: (a): Record<string, string>[] => [
      { email: a.customerEmail },
      { view: idOf(a, "customerView") },
      ...(a.ids.segment ? [{ segmentId: a.ids.segment }] : []),
    ],
  },
  getCustomer: object("customer", readers.customer),
  updateCustomer: object("customer", readers.customer, (t) => ({
    name: `${t.marker} renamed`,
    ...touched(t),
  })),
  deleteCustomer: freshObject(fresh.customer, readers.customer),
  attachPaymentMethod: object("customer", readers.customer, pay),
  listPaymentMethods: object("customer", readers.customer),
  detachPaymentMethod: {
    ...freshObject(fresh.paymentMethod, readers.paymentMethod),
    params: (w, pmId) => ({ id: idOf(w.a, "customer"), pmId }),
  },

  createDiscountCode: { kind: "create", body: (t) => bodies.discountCode(t), read: readers.discountCode },
  listDiscountCodes: {
    kind: "list",
    ids: (t) => [idOf(t, "discountCode")],
    probes: (a) => [{ code: a.discountCode }],
  },
  getDiscountCode: object("discountCode", readers.discountCode),
  updateDiscountCode: object("discountCode", readers.discountCode, touched),

  listEvents: { kind: "list", ids: (t) => t.events, probes: (a) => [{ objectId: idOf(a, "customer") }] },
  getEvent: {
    kind: "object",
    target: (w) => {
      const [first] = w.a.events;
      if (!first) throw new Error("Tenant A has no events");
      return first;
    },
    read: readers.event,
  },

  createProduct: { kind: "create", body: bodies.product, read: readers.product },
  listProducts: { kind: "list", ids: (t) => [idOf(t, "product")], probes: () => [{ currency: "USD" }] },
  getProduct: object("product", readers.product),
  updateProduct: object("product", readers.product, (t) => ({ name: `${t.marker} renamed`, ...touched(t) })),
  deleteProduct: freshObject(fresh.product, readers.product),

  createTaxRate: { kind: "create", body: bodies.taxRate, read: readers.taxRate },
  listTaxRates: { kind: "list", ids: (t) => [idOf(t, "taxRate")], probes: () => [{ country: "DE" }] },
  getTaxRate: object("taxRate", readers.taxRate),
  updateTaxRate: object("taxRate", readers.taxRate, (t) => ({ name: `${t.marker} renamed`, ...touched(t) })),

  createTask: {
    kind: "create",
    body: bodies.task,
    read: readers.task,
    foreign: (a, b) => [{ ...bodies.task(b), related: { customerId: idOf(a, "customer") } }],
  },
  listTasks: {
    kind: "list",
    ids: (t) => [idOf(t, "task")],
    probes: (a): Record<string, string>[] => [
      { relatedTo: idOf(a, "customer") },
      { status: "open" },
      { view: idOf(a, "taskView") },
    ],
  },
  getTask: object("task", readers.task),
  updateTask: object("task", readers.task, (t) => ({ title: `${t.marker} renamed`, status: "done" })),
  // A's unsubscribe page by A's link only; a random token finds nothing, even with a one-click body.
  getUnsubscribePage: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.unsubscribeToken }), status: 200 },
  },
  // Unsubscribing with the page's form or a one-click body is covered by its own tests; here: a random
  // token finds nothing, and A's real token without the form's token is refused (403) and changes nothing.
  submitUnsubscribe: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    requests: () => [form({ "List-Unsubscribe": "One-Click" }), form({ formToken: "1.x" })],
    control: {
      params: (w) => ({ token: w.a.unsubscribeToken }),
      status: 403,
      request: form({}),
      unchanged: (w) => readers.customer(w.a, idOf(w.a, "customer")),
    },
  },

  createTestClock: { kind: "create", body: bodies.testClock, read: readers.testClock },
  listTestClocks: { kind: "list", ids: (t) => [idOf(t, "testClock")] },
  getTestClock: object("testClock", readers.testClock),
  advanceTestClock: object("testClock", readers.testClock, () => ({ frozenTime: "2031-01-01T00:00:00Z" })),
  deleteTestClock: freshObject(fresh.testClock, readers.testClock),

  createInvoice: {
    kind: "create",
    body: bodies.invoice,
    read: readers.invoice,
    foreign: (a, b) => [
      { ...bodies.invoice(b), customerId: idOf(a, "customer") },
      { ...bodies.invoice(b), lineItems: [{ productId: idOf(a, "product"), quantity: 1 }] },
      {
        ...bodies.invoice(b),
        lineItems: [{ description: "Taxed", unitAmount: 100, taxRateIds: [idOf(a, "taxRate")] }],
      },
      { ...bodies.invoice(b), discounts: [{ code: a.discountCode }] },
    ],
  },
  listInvoices: {
    kind: "list",
    ids: (t) => [idOf(t, "draftInvoice"), idOf(t, "openInvoice")],
    probes: (a): Record<string, string>[] => [
      { customerId: idOf(a, "customer") },
      { view: idOf(a, "view") },
      { sort: "dueDate" },
    ],
  },
  getInvoice: object("draftInvoice", readers.invoice),
  createSubscription: {
    kind: "create",
    body: bodies.subscription,
    read: readers.subscription,
    foreign: (a, b) => [
      { ...bodies.subscription(b), customerId: idOf(a, "customer") },
      { ...bodies.subscription(b), items: [{ productId: idOf(a, "product") }] },
      { ...bodies.subscription(b), defaultPaymentMethodId: idOf(a, "paymentMethod") },
      { ...bodies.subscription(b), taxRateIds: [idOf(a, "taxRate")] },
      { ...bodies.subscription(b), discounts: [{ code: a.discountCode }] },
    ],
  },
  listSubscriptions: {
    kind: "list",
    ids: (t) => [idOf(t, "subscription")],
    probes: (a): Record<string, string>[] => [
      { customerId: idOf(a, "customer") },
      { view: idOf(a, "subscriptionView") },
      { status: "scheduled" },
    ],
  },
  getSubscription: object("subscription", readers.subscription),
  updateSubscription: object("subscription", readers.subscription, touched),
  getUpcomingSubscriptionInvoice: object("subscription", readers.subscription),
  previewSubscriptionChange: object("subscription", readers.subscription, () => ({
    items: [{ description: "Bigger plan", unitAmount: 4000 }],
  })),
  // A fresh one per run: A's own cancel stops it.
  cancelSubscription: freshObject(fresh.subscription, readers.subscription, () => ({ atPeriodEnd: false })),
  pauseSubscription: freshObject(fresh.activeSubscription, readers.subscription, () => ({})),
  resumeSubscription: freshObject(fresh.pausingSubscription, readers.subscription),
  updateInvoice: object("draftInvoice", readers.invoice, (t) => ({ memo: `${t.marker} memo` })),
  deleteInvoice: freshObject(fresh.draftInvoice, readers.invoice),
  finalizeInvoice: freshObject(fresh.draftInvoice, readers.invoice),
  sendInvoice: object("openInvoice", readers.invoice),
  voidInvoice: freshObject(fresh.openInvoice, readers.invoice),
  markInvoiceUncollectible: freshObject(fresh.openInvoice, readers.invoice),
  recordInvoicePayment: object("openInvoice", readers.invoice, () => ({
    amount: 100,
    method: "bank_transfer",
    reference: "wire 42",
  })),
  getInvoicePdf: object("openInvoice", readers.invoice),

  // A fresh open invoice per run, so A's own successful charge does not use up the fixture.
  payInvoice: { ...freshObject(fresh.openInvoice, readers.invoice, pay), emits: true },
  listPayments: {
    kind: "list",
    ids: (t) => [idOf(t, "payment")],
    probes: (a): Record<string, string>[] => [
      { invoiceId: idOf(a, "paidInvoice") },
      { customerId: idOf(a, "customer") },
      { view: idOf(a, "paymentView") },
      { view: idOf(a, "view") },
      { status: "partially_refunded" },
    ],
  },
  getPayment: object("payment", readers.payment),
  getPaymentReceiptPdf: object("payment", readers.payment),
  createRefund: { ...object("payment", readers.payment, () => ({ amount: 100 })), emits: true },
  listRefunds: {
    kind: "list",
    ids: (t) => [idOf(t, "refund")],
    probes: (a): Record<string, string>[] => [{ paymentId: idOf(a, "payment") }, { view: idOf(a, "refundView") }],
  },
  getRefund: object("refund", readers.refund),
  connectStripe: {
    kind: "self",
    body: () => ({ returnUrl: "https://shop.test/back", refreshUrl: "https://shop.test/again" }),
    check: async (r, { a, b }) => {
      const accountId = r.body.accountId as string;
      expect(accountId, "connectStripe answers a Stripe account").toMatch(/^acct_/);
      expect((await merchantOf(b)).stripeAccountId, "B's connect sets B's account").toBe(accountId);
      const created = stripe.requests.filter((q) => q.method === "POST" && q.path === "/v1/accounts");
      expect(created, "B's connect creates one Stripe account").toHaveLength(1);
      expect(created[0]?.body, "B's Stripe account is created for B").toMatchObject({
        email: b.email,
        metadata: { kassa_merchant_id: b.merchantId },
      });
      for (const q of stripe.requests) {
        for (const secret of [a.merchantId, a.email])
          expect(q.rawBody, `connectStripe sent A's ${secret} to Stripe`).not.toContain(secret);
      }
      // A's own connect: A's own account, and B's stays B's.
      const own = await api("POST /v1/processor/stripe/connect", { token: a.secret, body: {} });
      expect(own.status, `connectStripe for A: ${own.raw}`).toBe(200);
      expect(own.body.accountId, "A and B share a Stripe account").not.toBe(accountId);
      expect((await merchantOf(a)).stripeAccountId).toBe(own.body.accountId);
      expect((await merchantOf(b)).stripeAccountId, "A's connect changed B's account").toBe(accountId);
    },
  },

  listPayouts: {
    kind: "list",
    ids: (t) => [idOf(t, "payout")],
    probes: (a): Record<string, string>[] => [
      { currency: "USD" },
      { status: "paid" },
      { view: idOf(a, "payoutView") },
    ],
  },
  getPayout: object("payout", readers.payout),
  listPayoutBalanceTransactions: object("payout", readers.payout),

  // ── Reports: each tenant's events folded into its rollups (seed) ──
  getRevenueReport: {
    kind: "report",
    query: reportRange,
    own: (r) => expect(r.body.data.some((row: { paymentCount: number }) => row.paymentCount > 0)).toBe(true),
  },
  getCustomersReport: {
    kind: "report",
    query: reportRange,
    own: (r) =>
      expect(r.body.data.some((row: { payingCustomers: number }) => row.payingCustomers > 0)).toBe(true),
  },
  getTopCustomersReport: {
    kind: "report",
    query: reportRange,
    own: (r, t) =>
      expect(r.body.data.map((row: { customerId: string }) => row.customerId)).toContain(idOf(t, "customer")),
  },

  // MRR: each tenant's active subscription (seed) at its own price, so B's figure is B's alone.
  getSubscriptionsReport: {
    kind: "report",
    query: reportRange,
    own: (r, t) =>
      expect(r.body.data).toEqual([
        expect.objectContaining({ currency: "USD", mrr: mrrOf(t), activeSubscriptions: 1 }),
      ]),
  },
  getReceivablesReport: {
    kind: "report",
    query: () => ({}),
    own: (r) => expect(r.body.data.some((row: { count: number }) => row.count > 0)).toBe(true),
  },

  // ── Ledger: each tenant's money-moving events posted by the ledger consumer (seed) ──
  listLedgerEntries: {
    kind: "report",
    query: () => ({ limit: "100" }),
    own: (r, t) => {
      const entries = r.body.data as { eventId: string }[];
      expect(entries.length).toBeGreaterThan(0);
      for (const entry of entries) expect(t.events).toContain(entry.eventId);
    },
  },
  getLedgerBalances: {
    kind: "report",
    query: () => ({}),
    own: (r) => {
      const rows = r.body.data as { balance: number }[];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.reduce((sum, row) => sum + row.balance, 0)).toBe(0);
    },
  },

  createPaymentLink: {
    kind: "create",
    body: bodies.paymentLink,
    read: readers.paymentLink,
    foreign: (a, b) => [
      { ...bodies.paymentLink(b), lineItems: [{ productId: idOf(a, "product") }] },
      { ...bodies.paymentLink(b), taxRateIds: [idOf(a, "taxRate")] },
      { ...bodies.paymentLink(b), testClockId: idOf(a, "testClock") },
    ],
  },
  listPaymentLinks: {
    kind: "list",
    ids: (t) => [idOf(t, "paymentLink")],
    probes: (a): Record<string, string>[] => [{ active: "true" }, { view: idOf(a, "paymentLinkView") }],
  },
  getPaymentLink: object("paymentLink", readers.paymentLink),
  updatePaymentLink: object("paymentLink", readers.paymentLink, (t) => ({
    name: `${t.marker} renamed`,
    ...touched(t),
  })),
  getPaymentLinkQrCode: object("paymentLink", readers.paymentLink),

  createView: { kind: "create", body: bodies.view, read: readers.view },
  listViews: {
    kind: "list",
    ids: (t) => [
      idOf(t, "view"),
      idOf(t, "paymentView"),
      idOf(t, "subscriptionView"),
      ...newListViews.map((kind) => idOf(t, kind)),
    ],
    probes: () => [
      { object: "invoices" },
      { object: "payments" },
      { object: "subscriptions" },
      { object: "customers" },
      { object: "payment_links" },
      { object: "checkout_sessions" },
      { object: "refunds" },
      { object: "payouts" },
      { object: "tasks" },
    ],
  },
  getView: object("view", readers.view),

  createQuote: {
    kind: "create",
    body: bodies.quote,
    read: readers.quote,
    foreign: (a, b) => [
      { ...bodies.quote(b), customerId: idOf(a, "customer") },
      { ...bodies.quote(b), lineItems: [{ productId: idOf(a, "product"), quantity: 1 }] },
      {
        ...bodies.quote(b),
        lineItems: [{ description: "Taxed", unitAmount: 100, taxRateIds: [idOf(a, "taxRate")] }],
      },
      { ...bodies.quote(b), discounts: [{ code: a.discountCode }] },
      { ...bodies.quote(b), templateId: idOf(a, "quoteTemplate") },
    ],
  },
  listQuotes: {
    kind: "list",
    ids: (t) => [idOf(t, "draftQuote"), idOf(t, "openQuote")],
    probes: (a): Record<string, string>[] => [
      { customerId: idOf(a, "customer") },
      { view: idOf(a, "quoteView") },
      { status: "open" },
    ],
  },
  getQuote: object("draftQuote", readers.quote),
  updateQuote: object("draftQuote", readers.quote, (t) => ({ terms: `${t.marker} terms`, ...touched(t) })),
  deleteQuote: freshObject(fresh.draftQuote, readers.quote),
  publishQuote: freshObject(fresh.draftQuote, readers.quote),
  reviseQuote: object("openQuote", readers.quote),
  cancelQuote: freshObject(fresh.openQuote, readers.quote),
  acceptQuote: freshObject(fresh.openQuote, readers.quote, (t) => ({
    name: `${t.marker} buyer`,
    email: `${t.label.toLowerCase()}-buyer@tenant.test`,
  })),
  getQuotePdf: object("openQuote", readers.quote),
  createQuoteTemplate: { kind: "create", body: bodies.quoteTemplate, read: readers.quoteTemplate },
  listQuoteTemplates: { kind: "list", ids: (t) => [idOf(t, "quoteTemplate")] },
  getQuoteTemplate: object("quoteTemplate", readers.quoteTemplate),
  updateQuoteTemplate: object("quoteTemplate", readers.quoteTemplate, (t) => ({
    name: `${t.marker} renamed`,
    isDefault: true,
  })),
  deleteQuoteTemplate: freshObject(fresh.quoteTemplate, readers.quoteTemplate),
  getQuoteSignedPdf: freshObject(fresh.acceptedQuote, readers.quote),
  // A's quote page and PDF by A's link only; a random token finds nothing.
  getHostedQuotePage: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.quoteToken }), status: 200 },
  },
  getHostedQuotePdf: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.quoteToken }), status: 200 },
  },
  // A's signed PDF by A's link only; A's own quote, not accepted, has none yet (409, nothing made).
  getHostedQuoteSignedPdf: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.quoteToken }), status: 409 },
  },
  // Signing and declining with a valid form are covered by the quote-page tests; here: a random token
  // finds nothing, and A's real token without the form's token is refused (403) and changes nothing.
  signHostedQuote: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    requests: () => [
      form({ name: "Mallory", consent: "yes", contentHash: "0".repeat(64) }),
      form({ name: "Mallory", consent: "yes", formToken: "1.x" }),
    ],
    control: {
      params: (w) => ({ token: w.a.quoteToken }),
      status: 403,
      request: form({ name: "Mallory", consent: "yes" }),
      unchanged: (w) => readers.quote(w.a, idOf(w.a, "openQuote")),
    },
  },
  declineHostedQuote: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    requests: () => [form({ reason: "no" }), form({ formToken: "1.x" })],
    control: {
      params: (w) => ({ token: w.a.quoteToken }),
      status: 403,
      request: form({ reason: "no" }),
      unchanged: (w) => readers.quote(w.a, idOf(w.a, "openQuote")),
    },
  },
  // Paying an accepted quote is covered by the quote-billing tests; here: a random token finds nothing,
  // and A's open quote (nothing to pay yet) sends the buyer back to its page, charging nothing.
  // Without a session the dashboard shows nothing: a page (A's invoice's included) sends to sign-in,
  // a form post is refused before any route runs. Signed-in walls: test/integration/dashboard-sessions.test.ts.
  getDashboardRoot: { kind: "public", status: [303] },
  getDashboardPage: {
    kind: "public",
    status: [303],
    params: (w) => ({ proxy: `invoices/${idOf(w.a, "openInvoice")}` }),
  },
  postDashboardAction: {
    kind: "public",
    status: [403],
    params: (w) => ({ proxy: `invoices/${idOf(w.a, "openInvoice")}/void` }),
    requests: () => [form({}), form({ csrf: "x".repeat(43) })],
  },
  getHostedQuotePayForm: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    control: { params: (w) => ({ token: w.a.quoteToken }), status: 303 },
  },
  submitHostedQuotePayment: {
    kind: "public",
    status: [404],
    params: () => ({ token: hostedToken() }),
    requests: () => [form({ card: "4242424242424242" }), form({ card: "pm_card_visa", formToken: "1.x" })],
    control: {
      params: (w) => ({ token: w.a.quoteToken }),
      status: 303,
      request: form({ card: "4242424242424242" }),
      unchanged: (w) => readers.quote(w.a, idOf(w.a, "openQuote")),
    },
  },
  // A countersign token that is not one of the quote's countersigners' finds nothing, even on A's
  // real quote and with a valid form token for it.
  getHostedQuoteCountersignPage: {
    kind: "public",
    status: [404],
    params: (w) => ({ token: w.a.quoteToken, signerToken: hostedToken() }),
  },
  countersignHostedQuote: {
    kind: "public",
    status: [404],
    params: (w) => ({ token: w.a.quoteToken, signerToken: hostedToken() }),
    requests: (w) => [
      form({
        formToken: formToken(process.env.CURSOR_SECRET ?? "", w.a.quoteToken, Math.floor(Date.now() / 1000)),
        name: "Mallory",
        consent: "yes",
      }),
    ],
  },
  deleteView: freshObject(fresh.view, readers.view),

  createSegment: { kind: "create", body: bodies.segment, read: readers.segment },
  listSegments: { kind: "list", ids: (t) => [idOf(t, "segment")] },
  getSegment: object("segment", readers.segment),
  updateSegment: object("segment", readers.segment, (t) => ({ name: `${t.marker} renamed` })),
  deleteSegment: freshObject(fresh.segment, readers.segment),
  listSegmentCustomers: object("segment", readers.segment),
  addSegmentMembers: object("segment", readers.segment, (t) => ({ customerIds: [idOf(t, "customer")] })),
  removeSegmentMember: {
    ...freshObject(fresh.segment, readers.segment),
    params: (w, id) => ({ id, customerId: idOf(w.a, "customer") }),
  },

  createWebhookEndpoint: { kind: "create", body: bodies.webhookEndpoint, read: readers.webhookEndpoint },
  listWebhookEndpoints: { kind: "list", ids: (t) => [idOf(t, "webhookEndpoint")] },
  getWebhookEndpoint: object("webhookEndpoint", readers.webhookEndpoint),
  updateWebhookEndpoint: object("webhookEndpoint", readers.webhookEndpoint, (t) => ({ description: `${t.marker} renamed` })),
  deleteWebhookEndpoint: freshObject(fresh.webhookEndpoint, readers.webhookEndpoint),
  rotateWebhookSecret: object("webhookEndpoint", readers.webhookEndpoint, () => ({ expireOldAfterHours: 1 })),
  listWebhookDeliveries: object("webhookEndpoint", readers.webhookEndpoint),
  replayWebhookEvents: object("webhookEndpoint", readers.webhookEndpoint, () => ({
    from: "2026-01-01T00:00:00Z",
    to: "2026-01-02T00:00:00Z",
  })),
  // B redelivering A's event to B's own endpoint finds no such event; A's own request delivers it to A's endpoint.
  redeliverEvent: {
    kind: "object",
    target: (w) => {
      const [first] = w.a.events;
      if (!first) throw new Error("Tenant A has no events");
      return first;
    },
    read: readers.event,
    body: (t) => ({ endpointId: idOf(t, "webhookEndpoint") }),
  },

  // A workflow may email the merchant's own team only: A's address in B's workflow is refused.
  createWorkflow: {
    kind: "create",
    body: bodies.workflow,
    read: readers.workflow,
    foreign: (a, b) => [
      {
        ...bodies.workflow(b),
        steps: [{ type: "send_email", to: { userEmail: a.email }, subject: "Hi", body: "Hi" }],
      },
    ],
  },
  listWorkflows: {
    kind: "list",
    ids: (t) => [idOf(t, "workflow")],
    probes: (): Record<string, string>[] => [{ active: "true" }, { trigger: "payment.succeeded" }],
  },
  getWorkflow: object("workflow", readers.workflow),
  updateWorkflow: object("workflow", readers.workflow, (t) => ({ name: `${t.marker} renamed` })),
  deleteWorkflow: freshObject(fresh.workflow, readers.workflow),
  listWorkflowVersions: object("workflow", readers.workflow),
  listWorkflowEnrollments: object("workflow", readers.workflow),
  getWorkflowEnrollment: enrollmentFixture,
  cancelWorkflowEnrollment: enrollmentFixture,
  // The account mapping is the merchant's own: B's change is B's, A's mapping never shows it.
  getLedgerAccountMapping: {
    kind: "self",
    check: async (r) => expect(Object.keys(r.body.accounts as object)).toContain("revenue"),
  },
  updateLedgerAccountMapping: {
    kind: "self",
    body: () => ({ accounts: { revenue: { name: "B Sales" } } }),
    check: async (r, { a }) => {
      expect((r.body.accounts as { revenue: { name: string } }).revenue.name).toBe("B Sales");
      const theirs = await api("GET /v1/ledger/account-mapping", { token: a.secret });
      expect(theirs.raw, "B's mapping change shows in A's").not.toContain("B Sales");
    },
  },
  // B's export is of B's ledger with B's mapping: a CSV naming none of A's data (expectNoLeak).
  exportLedgerJournals: {
    kind: "self",
    params: { format: "quickbooks" },
    query: () => ({ ...reportRange(), currency: "USD" }),
    check: async (r) => expect(r.raw.split("\r\n")[0]).toBe("Journal No.,Journal Date,Account Name,Debits,Credits,Description,Name"),
  },
  // The same three templates for every merchant: nothing of A's.
  listWorkflowTemplates: {
    kind: "self",
    check: async (r) => {
      expect((r.body.data as { id: string }[]).map((t) => t.id)).toEqual([
        "welcome_email",
        "renewal_reminder_with_code",
        "purchase_follow_up",
      ]);
    },
  },
};

/** A buyer's checkout of the tenant's link: its page's form, posted back with an email. */
async function startCheckout(t: Tenant): Promise<string> {
  const page = await api("GET /l/{slug}", { pathParameters: { slug: t.checkoutSlug } });
  const formToken = /name="formToken" value="([^"]+)"/.exec(page.raw)?.[1] ?? "";
  const r = await api("POST /l/{slug}", {
    ...form({ formToken, email: `${t.label.toLowerCase()}-buyer-${unique()}@tenant.test` }),
    pathParameters: { slug: t.checkoutSlug },
  });
  const id = /session=(cs_[0-9A-Z]{26})/.exec(r.headers.location ?? "")?.[1];
  if (!id) throw new Error(`Fixture checkout failed: ${r.status} ${r.raw.slice(0, 300)}`);
  return id;
}

async function seed(label: string): Promise<Tenant> {
  const marker = `PRIVATE${label}${randomBytes(4).toString("hex")}`;
  const merchant = await newMerchant(`Tenant ${label} ${marker}`);
  const t: Tenant = {
    label,
    merchantId: merchant.id,
    secret: merchant.secret,
    keyId: merchant.keyId,
    marker,
    customerEmail: `${label.toLowerCase()}-owner-${unique()}@tenant.test`,
    email: "",
    discountCode: `${label}${marker}`.toUpperCase().slice(0, 40),
    hostedToken: "",
    updateCardToken: "",
    portalToken: "",
    checkoutSlug: "",
    quoteToken: "",
    unsubscribeToken: "",
    ids: {},
    events: [],
  };
  if (has("POST /v1/test-clocks")) t.ids.testClock = await fresh.testClock(t);
  if (has("POST /v1/customers"))
    t.ids.customer = await created("POST /v1/customers", t, bodies.customer(t, t.customerEmail));
  if (has("POST /v1/customers/{id}/payment-methods")) t.ids.paymentMethod = await fresh.paymentMethod(t);
  if (has("GET /c/{token}/payment-method"))
    t.updateCardToken =
      (await updateCardLink(updateCardLinkPorts(systemClock), t.merchantId, idOf(t, "customer")))
        .split("/")
        .at(-2) ?? "";
  if (has("GET /c/{token}"))
    t.portalToken =
      (await portalLink(portalLinkPorts(systemClock), t.merchantId, idOf(t, "customer"))).url
        .split("/")
        .at(-1) ?? "";
  if (has("POST /v1/products")) t.ids.product = await created("POST /v1/products", t, bodies.product(t));
  if (has("POST /v1/tax-rates")) t.ids.taxRate = await created("POST /v1/tax-rates", t, bodies.taxRate(t));
  if (has("POST /v1/tasks")) t.ids.task = await created("POST /v1/tasks", t, bodies.task(t));
  if (has("GET /u/{token}"))
    t.unsubscribeToken =
      (await unsubscribeLink(systemClock)(t.merchantId, idOf(t, "customer"))).split("/").at(-1) ?? "";
  if (has("POST /v1/discount-codes")) {
    t.ids.discountCode = await created("POST /v1/discount-codes", t, bodies.discountCode(t, t.discountCode));
  }
  if (has("POST /v1/api-keys")) t.ids.apiKey = await created("POST /v1/api-keys", t, bodies.apiKey(t));
  if (has("POST /v1/users")) t.ids.user = await fresh.user(t);
  if (has("POST /v1/views")) t.ids.view = await created("POST /v1/views", t, bodies.view(t));
  if (has("POST /v1/segments")) t.ids.segment = await fresh.segment(t);
  if (has("POST /v1/webhook-endpoints")) t.ids.webhookEndpoint = await fresh.webhookEndpoint(t);
  if (has("POST /v1/invoices")) {
    t.ids.draftInvoice = await created("POST /v1/invoices", t, {
      ...bodies.invoice(t),
      lineItems: [
        { productId: idOf(t, "product"), quantity: 2, taxRateIds: [idOf(t, "taxRate")] },
        { description: `${t.marker} consulting`, quantity: 1, unitAmount: 1000 },
      ],
      discounts: [{ code: t.discountCode }],
    });
    t.ids.openInvoice = await fresh.openInvoice(t);
    const open = await readers.invoice(t, t.ids.openInvoice);
    t.hostedToken =
      String((open.body as { hostedUrl?: string }).hostedUrl ?? "")
        .split("/")
        .pop() ?? "";
  }
  if (has("POST /v1/invoices/{id}/pay")) {
    // Money moves: pay an invoice through the sandbox, refund part of it, and pay out the day.
    t.ids.paidInvoice = await fresh.openInvoice(t);
    const paid = await api("POST /v1/invoices/{id}/pay", {
      token: t.secret,
      pathParameters: { id: t.ids.paidInvoice },
      body: pay(),
    });
    if (paid.status !== 200) throw new Error(`Fixture payInvoice failed: ${paid.status} ${paid.raw}`);
    t.ids.payment = paid.body.payment.id as string;
    t.ids.refund = await created("POST /v1/payments/{id}/refunds", t, { amount: 100 }, { id: t.ids.payment });
    // The day's run, for the merchant's local day of the charge (today, unless midnight just passed).
    const { timeZone } = await merchantOf(t);
    const day = localDate(new Date(paid.body.payment.paidAt as string), timeZone);
    const [payout] = await runDailyPayouts(payoutPorts(systemClock), t.merchantId, day);
    if (!payout) throw new Error(`Tenant ${label} got no payout for its payment`);
    t.ids.payout = payout.id;
    expect((await readers.payout(t, payout.id)).status, `${label}'s payout reads back`).toBe(200);
  }
  if (has("POST /v1/views") && t.ids.customer) {
    t.ids.paymentView = await created("POST /v1/views", t, bodies.paymentView(t));
    t.ids.subscriptionView = await created("POST /v1/views", t, bodies.subscriptionView(t));
  }
  if (has("POST /v1/subscriptions")) t.ids.subscription = await fresh.subscription(t);
  if (has("POST /v1/payment-links")) {
    t.ids.paymentLink = await created("POST /v1/payment-links", t, bodies.paymentLink(t));
    t.checkoutSlug =
      String(((await readers.paymentLink(t, t.ids.paymentLink)).body as { url: string }).url).split(
        "/l/",
      )[1] ?? "";
  }
  if (has("POST /l/{slug}")) t.ids.checkoutSession = await startCheckout(t);
  // Before the quotes: they are made with it (the tenant's default).
  if (has("POST /v1/quote-templates"))
    t.ids.quoteTemplate = await created("POST /v1/quote-templates", t, bodies.quoteTemplate(t));
  if (has("POST /v1/quotes")) {
    t.ids.draftQuote = await fresh.draftQuote(t);
    t.ids.openQuote = await fresh.openQuote(t);
    t.quoteToken =
      String(((await readers.quote(t, t.ids.openQuote)).body as { hostedUrl?: string }).hostedUrl ?? "")
        .split("/")
        .pop() ?? "";
    t.ids.quoteView = await created("POST /v1/views", t, bodies.quoteView(t));
  }
  // Saved views of the lists issue 16 added (views-csv), once the objects they name exist.
  if (has("POST /v1/views") && t.ids.payment && t.ids.checkoutSession && t.ids.task)
    for (const kind of newListViews) t.ids[kind] = await created("POST /v1/views", t, bodies[kind](t));
  t.email = (await merchantOf(t)).email;
  if (has("POST /v1/workflows")) t.ids.workflow = await fresh.workflow(t);
  if (has("GET /v1/reports/subscriptions"))
    await created("POST /v1/subscriptions", t, {
      ...bodies.subscription(t),
      items: [{ description: `${t.marker} MRR plan`, unitAmount: mrrOf(t) }],
      startDate: undefined,
      collectionMethod: "send_invoice",
    });
  const eventItems = (await aws.scanAll()).filter(
    (item) => item.type === "event" && item.PK === `MERCHANT#${t.merchantId}`,
  );
  t.events = eventItems.map((item) => String(item.id));
  // The reports consumer folds the tenant's events into its rollups, as the outbox would deliver them.
  const folded = await reportsConsumer({
    Records: eventItems.map((item, i) => ({
      messageId: `${t.label}-${i}`,
      body: JSON.stringify(outboxEventFromItem(item)),
    })) as never,
  });
  expect(folded.batchItemFailures, `${label}'s events folded into its reports`).toEqual([]);
  // …and posts its money-moving events to its ledger.
  const posted = await ledgerConsumer({
    Records: eventItems.map((item, i) => ({
      messageId: `${t.label}-ledger-${i}`,
      body: JSON.stringify(outboxEventFromItem(item)),
    })) as never,
  });
  expect(posted.batchItemFailures, `${label}'s events posted to its ledger`).toEqual([]);
  return t;
}

/** Everything of A's that must not appear in a response to B (the id B itself sent excepted). */
function secretsOf(a: Tenant, except?: string): string[] {
  return [
    a.merchantId,
    a.marker,
    a.customerEmail,
    a.email,
    a.discountCode,
    a.keyId,
    ...Object.values(a.ids),
    ...a.events,
  ].filter((s): s is string => Boolean(s) && s !== except);
}

function expectNoLeak(result: ApiResult, a: Tenant, routeKey: string, except?: string) {
  for (const secret of secretsOf(a, except))
    expect(result.raw, `${routeKey} leaks ${secret}`).not.toContain(secret);
}

const idsOf = (result: ApiResult): string[] =>
  ((result.body?.data ?? []) as { id: string }[]).map((item) => item.id);

function pathParamsOf(op: Operation, id: string): Record<string, string> {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  return Object.fromEntries(names.map((name) => [name, id]));
}

describe("tenant walls: every route in the manifest", () => {
  beforeAll(async () => {
    aws = await useTestAws(["notifications", eventQueue, "webhooks"]);
    // connectStripe talks to Stripe: to the loopback fake here.
    stripe = await startStripeFake();
    process.env.STRIPE_API_BASE = `http://127.0.0.1:${stripe.port}`;
    process.env.STRIPE_SECRET_KEY = "sk_test_tenant_walls_0123456789";
    callRoute = await routeCaller();
    const a = await seed("A");
    const b = await seed("B");
    world = { a, b };
  });

  afterAll(async () => {
    await stripe?.stop();
    delete process.env.STRIPE_API_BASE;
    delete process.env.STRIPE_SECRET_KEY;
  });

  it.each(walk.map((r) => [r.routeKey, r] as const))("%s", async (routeKey, { op }) => {
    if (!op) throw new Error(`${routeKey} is in the manifest but not in allOperations (shared/api/index.ts)`);
    const fixture = fixtures[op.id];
    if (!fixture)
      throw new Error(
        `add a tenant-wall fixture for ${op.id} (${routeKey}) in test/integration/tenant-walls.test.ts`,
      );
    const { a, b } = world;
    const hasParams = op.path.includes("{");

    switch (fixture.kind) {
      case "public": {
        expect(op.auth, routeKey).toBe("public");
        await takeQueued(aws, eventQueue);
        const counted = async () =>
          fixture.countsAttempts
            ? (await aws.scanAll()).filter((i) => i.type !== "rate-window").length
            : aws.countItems();
        const countBefore = await counted();
        for (const token of [undefined, b.secret]) {
          for (const extra of fixture.requests?.(world) ?? [{}]) {
            const r = await api(routeKey, {
              ...extra,
              ...(token ? { token } : {}),
              ...(fixture.params ? { pathParameters: fixture.params(world) } : {}),
            });
            expect(fixture.status, `${routeKey} answered ${r.status}: ${r.raw.slice(0, 300)}`).toContain(
              r.status,
            );
            expectNoLeak(r, a, routeKey);
          }
        }
        expect(await counted(), `${routeKey} wrote items`).toBe(countBefore);
        expect(await takeQueued(aws, eventQueue), `${routeKey} queued events`).toEqual([]);
        if (fixture.control) {
          const { control } = fixture;
          const before = await control.unchanged?.(world);
          const own = await api(routeKey, { ...control.request, pathParameters: control.params(world) });
          expect(own.status, `${routeKey} (A's own hosted token): ${own.raw.slice(0, 300)}`).toBe(
            control.status,
          );
          expect(await counted(), `${routeKey} (A's own hosted token) wrote items`).toBe(countBefore);
          expect(
            await takeQueued(aws, eventQueue),
            `${routeKey} (A's own hosted token) queued events`,
          ).toEqual([]);
          if (before)
            expect(await control.unchanged?.(world), `${routeKey} changed A's object`).toEqual(before);
        }
        return;
      }

      case "admin": {
        expect(op.auth, routeKey).toBe("admin");
        const before = await aws.countItems();
        for (const t of [a, b]) {
          const r = await api(routeKey, {
            token: t.secret,
            ...(fixture.body ? { body: fixture.body() as object } : {}),
          });
          expect(r.status, `${routeKey} with merchant ${t.label}'s key`).toBe(401);
          expect(r.headers["content-type"], routeKey).toBe("application/problem+json");
        }
        expect(await aws.countItems(), `${routeKey} wrote for a merchant key`).toBe(before);
        const admin = await api(routeKey, {
          token: adminToken,
          ...(fixture.body ? { body: fixture.body() as object } : {}),
        });
        expect(admin.status, `${routeKey} with the admin token`).toBe(op.status);
        return;
      }

      case "self": {
        expect(op.auth, routeKey).toBe("merchant");
        const aBefore = await api("GET /v1/merchant", { token: a.secret });
        const r = await api(routeKey, {
          token: b.secret,
          ...(fixture.body ? { body: fixture.body(b) as object } : {}),
          ...(fixture.params ? { pathParameters: fixture.params } : {}),
          ...(fixture.query ? { query: fixture.query() } : {}),
        });
        expect(r.status, `${routeKey}: ${r.raw.slice(0, 300)}`).toBe(op.status);
        expectNoLeak(r, a, routeKey);
        const aAfter = await api("GET /v1/merchant", { token: a.secret });
        expect(aAfter.body, `${routeKey} changed merchant A`).toEqual(aBefore.body);
        if (fixture.check) await fixture.check(r, world);
        else expect(r.body.id, routeKey).toBe(b.merchantId);
        return;
      }

      case "list": {
        expect(op.method, routeKey).toBe("GET");
        expect(hasParams, routeKey).toBe(false);
        const query = { limit: "100" };
        const own = await api(routeKey, { token: a.secret, query });
        expect(own.status, `${routeKey} for A`).toBe(200);
        expect(fixture.ids(a).length, `${routeKey}: A has nothing to list`).toBeGreaterThan(0);
        expect(
          idsOf(own),
          `${routeKey}: A's list must hold A's objects, or the wall check proves nothing`,
        ).toEqual(expect.arrayContaining(fixture.ids(a)));
        const theirs = await api(routeKey, { token: b.secret, query });
        expect(theirs.status, `${routeKey} for B`).toBe(200);
        expect(idsOf(theirs), `${routeKey}: B's list must hold B's objects`).toEqual(
          expect.arrayContaining(fixture.ids(b)),
        );
        for (const id of fixture.ids(a))
          expect(idsOf(theirs), `${routeKey} shows B A's ${id}`).not.toContain(id);
        expectNoLeak(theirs, a, routeKey);
        // Lists that export CSV (views-csv): A's export holds A's objects, B's never shows them.
        if (op.csv) {
          const csv = { ...query, format: "csv" };
          const ownCsv = await api(routeKey, { token: a.secret, query: csv });
          expect(ownCsv.status, `${routeKey} as CSV for A`).toBe(200);
          for (const id of fixture.ids(a)) expect(ownCsv.raw, `${routeKey} as CSV lists A's ${id}`).toContain(id);
          const theirCsv = await api(routeKey, { token: b.secret, query: csv });
          expect(theirCsv.status, `${routeKey} as CSV for B`).toBe(200);
          expectNoLeak(theirCsv, a, `${routeKey} as CSV`);
        }
        for (const probe of fixture.probes?.(a) ?? []) {
          const probed = await api(routeKey, { token: b.secret, query: { ...query, ...probe } });
          const label = `${routeKey}?${new URLSearchParams(probe)}`;
          expect([200, 400], `${label} answered ${probed.status}`).toContain(probed.status);
          for (const id of fixture.ids(a))
            expect(idsOf(probed), `${label} shows B A's ${id}`).not.toContain(id);
          expectNoLeak(probed, a, label);
        }
        return;
      }

      case "create": {
        expect(op.method, routeKey).toBe("POST");
        expect(hasParams, routeKey).toBe(false);
        const r = await api(routeKey, { token: b.secret, body: fixture.body(b) as object });
        expect(r.status, `${routeKey} for B: ${r.raw}`).toBe(op.status);
        const id = r.body.id as string;
        expect((await fixture.read(b, id)).status, `${routeKey}: B reads its new ${id}`).toBe(200);
        expect((await fixture.read(a, id)).status, `${routeKey}: A reads B's new ${id}`).toBe(404);
        for (const body of fixture.foreign?.(a, b) ?? []) {
          const before = await aws.countItems();
          const refused = await api(routeKey, { token: b.secret, body: body as object });
          expect(
            [400, 404],
            `${routeKey} with A's objects in B's body ${JSON.stringify(body)}: ${refused.raw}`,
          ).toContain(refused.status);
          expectNoLeak(refused, a, routeKey);
          expect(await aws.countItems(), `${routeKey} wrote with A's objects in B's body`).toBe(before);
        }
        return;
      }

      case "report": {
        expect([op.method, op.auth, hasParams], routeKey).toEqual(["GET", "merchant", false]);
        const own = await api(routeKey, { token: a.secret, query: fixture.query(a) });
        expect(own.status, `${routeKey} for A: ${own.raw.slice(0, 300)}`).toBe(200);
        fixture.own(own, a);
        const countBefore = await aws.countItems();
        const theirs = await api(routeKey, { token: b.secret, query: fixture.query(b) });
        expect(theirs.status, `${routeKey} for B: ${theirs.raw.slice(0, 300)}`).toBe(200);
        fixture.own(theirs, b);
        expectNoLeak(theirs, a, routeKey);
        expect(await aws.countItems(), `${routeKey} wrote items`).toBe(countBefore);
        return;
      }

      case "object": {
        expect(hasParams, `${routeKey} has no path parameter`).toBe(true);
        expect(op.auth, routeKey).toBe("merchant");
        const id = await fixture.target(world);
        const before = await fixture.read(a, id);
        expect(before.status, `${routeKey}: A's ${id} must exist before B tries it`).toBe(200);
        const request = (t: Tenant): CallOptions => ({
          token: t.secret,
          pathParameters: fixture.params ? fixture.params(world, id) : pathParamsOf(op, id),
          ...(fixture.body ? { body: fixture.body(t) as object } : {}),
        });
        await takeQueued(aws, eventQueue);
        const countBefore = await aws.countItems();
        const r = await api(routeKey, request(b));
        expect(r.status, `${routeKey} with B's key on A's ${id}: ${r.raw}`).toBe(404);
        expect(r.headers["content-type"], routeKey).toBe("application/problem+json");
        expect(r.body.detail, routeKey).not.toMatch(/^Route /);
        expectNoLeak(r, a, routeKey, id);
        expect(await fixture.read(a, id), `${routeKey}: B changed A's ${id}`).toEqual(before);
        expect(await aws.countItems(), `${routeKey}: B's attempt wrote items`).toBe(countBefore);
        expect(await takeQueued(aws, eventQueue), `${routeKey}: B's attempt queued processor events`).toEqual(
          [],
        );
        // The control: A's identical request is served and succeeds, so B's 404 is the wall and nothing else.
        const own = await api(routeKey, request(a));
        expect(own.status, `${routeKey} with A's own key: ${own.raw.slice(0, 500)}`).toBe(op.status);
        if (fixture.emits)
          expect(
            (await takeQueued(aws, eventQueue)).length,
            `${routeKey}: A's success queued no events`,
          ).toBeGreaterThan(0);
        return;
      }
    }
  });
});
