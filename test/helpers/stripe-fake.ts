/**
 * A loopback stand-in for Stripe's API that the real `stripe` SDK talks to (host/port/protocol). It
 * records each request exactly as the SDK sent it — headers and the form body, decoded from Stripe's
 * `a[b][0][c]=v` bracket encoding — and answers with Stripe's canonical example objects from
 * `../shared/stripe/fixtures3.json`, with ids, amounts, statuses and metadata taken from the request.
 *
 * Default payment-intent outcomes follow Stripe's test payment methods: `pm_card_visa` (and other
 * `pm_card_<brand>`) succeed, `pm_card_chargeDeclinedInsufficientFunds` / `pm_card_chargeDeclined`
 * decline with 402, `pm_card_authenticationRequired` needs 3-D Secure (402 when off-session, like
 * Stripe), `pm_usBankAccount` is processing. Tests override any route with `respond`.
 *
 * Refunds are kept like Stripe keeps them: `POST /v1/refunds` replays the refund of an idempotency key
 * it has seen, and refuses the key with other parameters (until `forgetIdempotencyKeys`, Stripe's
 * pruning after 24 h), and `GET /v1/refunds`
 * lists them by payment intent. `fault` makes the next requests to a path fail the ambiguous ways a
 * network and Stripe can: no answer at all, an answer lost after Stripe acted, or a 500.
 *
 * Checkout sessions are kept: `expire` closes an open one
 * and refuses any other, like Stripe; `completeSession` stands in for a buyer who paid. Tests override
 * any route with `respond`.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { signEvent } from "../../shared/payments/signing.ts";
import { paymentIntentEvent } from "../../shared/stripe-shapes/payment-intents.ts";

export interface RecordedRequest {
  method: string;
  /** Without the query string, e.g. `/v1/payment_intents/pi_123`. */
  path: string;
  /** The query string, decoded into nested objects like the body. */
  query: Record<string, unknown>;
  /** As received; Node lower-cases the names (`stripe-account`, `idempotency-key`, `stripe-version`…). */
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Each form pair as sent, with its bracket key: `{ "metadata[kassa_payment_id]": "pay_1" }`. */
  form: Record<string, string>;
  /** The form decoded into nested objects; `a[0]`, `a[1]` become arrays. */
  body: Record<string, unknown>;
}

export interface FakeResponse {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (
  request: RecordedRequest,
  params: Record<string, string>,
) => FakeResponse | Promise<FakeResponse>;

/**
 * `timeout`: nothing happens and no answer comes. `lost`: the request takes effect, then no answer
 * comes. `server_error`: a 500 `api_error`, nothing happens. `reset`: the connection is reset before
 * anything happens; `reset_after`: the request takes effect, then the connection is reset.
 */
export type Fault = "timeout" | "lost" | "server_error" | "reset" | "reset_after";

export const faults: readonly Fault[] = ["timeout", "lost", "server_error", "reset", "reset_after"];

export interface StripeFake {
  port: number;
  /** Every request in arrival order, retries included. */
  requests: RecordedRequest[];
  /** Every refund created, as Stripe holds it. */
  refunds: Json[];
  /** Every payment intent created, as Stripe holds it (`latest_charge` by id). */
  intents(): Json[];
  /** Answers `method` + `pathPattern` (`/v1/payment_intents/:id`) with `handler`; the latest registration wins. */
  respond(method: string, pathPattern: string, handler: RouteHandler): void;
  /** The next `times` requests to `method` + exact `path` fail with `fault`. */
  fault(method: string, path: string, fault: Fault, times?: number): void;
  /**
   * From now on, `pick` chooses for each request to `method` + exact `path` a fault or none (the
   * fault suite draws them at random); `undefined` ends it.
   */
  chaos(method: string, path: string, pick: ((request: RecordedRequest) => Fault | undefined) | undefined): void;
  /** Stripe prunes idempotency keys after 24 hours: a key sent again creates anew. */
  forgetIdempotencyKeys(): void;
  /** Like `respond`, for the next matching request only. */
  respondOnce(method: string, pathPattern: string, handler: RouteHandler): void;
  /** The buyer paid in a Checkout session: it is `complete` from now on. */
  completeSession(id: string): void;
  stop(): Promise<void>;
}

/** The answer that resets the connection instead. */
const reset = Symbol("reset");

/** A handler that never answers, to exercise client timeouts. */
export const neverAnswer: RouteHandler = () => new Promise<never>(() => {});

type Json = Record<string, unknown>;

/**
 * Stripe's canonical example objects: the unchanged subset of `fixtures3.json` (see
 * `../shared/stripe/README.md`) committed with the sandbox, so tests need nothing outside the repo.
 */
const fixturesPath =
  process.env.STRIPE_FIXTURES ??
  resolve(import.meta.dirname, "../../shared/stripe-shapes/stripe-fixtures.json");
let fixtures: Record<string, Json> | undefined;

/** A deep copy of Stripe's example object of `type` (`payment_intent`, `checkout.session`, `event`…) with `overrides` on top. */
export function stripeFixture(type: string, overrides: Json = {}): Json {
  fixtures ??= (JSON.parse(readFileSync(fixturesPath, "utf8")) as { resources: Record<string, Json> })
    .resources;
  const example = fixtures[type];
  if (!example) throw new Error(`No Stripe fixture for ${type} in ${fixturesPath}`);
  return { ...structuredClone(example), ...overrides };
}

export function stripeId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}`;
}

/** Stripe's 402 body for a declined card: the error with the failed PaymentIntent and PaymentMethod attached. */
export function cardDeclinedError(options: {
  declineCode: string;
  code?: string;
  message: string;
  paymentIntent: Json;
  paymentMethod?: Json;
  chargeId?: string;
}): FakeResponse {
  const error = {
    type: "card_error",
    code: options.code ?? "card_declined",
    decline_code: options.declineCode,
    message: options.message,
    doc_url: `https://docs.stripe.com/error-codes/${options.code ?? "card-declined"}`,
    ...(options.chargeId ? { charge: options.chargeId } : {}),
    ...(options.paymentMethod ? { payment_method: options.paymentMethod } : {}),
  };
  const paymentIntent = {
    ...options.paymentIntent,
    status: "requires_payment_method",
    last_payment_error: error,
  };
  return { status: 402, body: { error: { ...error, payment_intent: paymentIntent } } };
}

function stripeError(status: number, type: string, message: string): FakeResponse {
  return { status, body: { error: { type, message } } };
}

/** Stripe refuses a key sent again with other parameters rather than replaying or creating. */
const idempotencyMismatch = (): FakeResponse =>
  stripeError(
    400,
    "idempotency_error",
    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
  );

/** Decodes Stripe's form encoding into nested objects (arrays where the keys are 0…n-1). */
export function decodeForm(encoded: string): { form: Record<string, string>; body: Record<string, unknown> } {
  const form: Record<string, string> = {};
  const body: Json = {};
  for (const [key, value] of new URLSearchParams(encoded)) {
    form[key] = value;
    const [head = key, ...rest] = key.split("[");
    const path = [head, ...rest.map((segment) => segment.replace(/]$/, ""))];
    let node: Json = body;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        node[segment] = value;
        return;
      }
      node[segment] ??= {};
      node = node[segment] as Json;
    });
  }
  return { form, body: arraysOf(body) as Record<string, unknown> };
}

function arraysOf(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).map(([key, inner]) => [key, arraysOf(inner)] as const);
  const indexed = entries.length > 0 && entries.every(([key], index) => key === String(index));
  return indexed ? entries.map(([, inner]) => inner) : Object.fromEntries(entries);
}

const cards: Record<string, { brand: string; last4: string }> = {
  visa: { brand: "visa", last4: "4242" },
  mastercard: { brand: "mastercard", last4: "4444" },
  amex: { brand: "amex", last4: "8431" },
  chargeDeclinedInsufficientFunds: { brand: "visa", last4: "9995" },
  chargeDeclined: { brand: "visa", last4: "0002" },
  authenticationRequired: { brand: "visa", last4: "3184" },
};

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
  once?: boolean;
}

function compile(method: string, pathPattern: string, handler: RouteHandler): Route {
  const names: string[] = [];
  const source = pathPattern
    .split("/")
    .map((part) => {
      if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(part.slice(1));
      return "([^/]+)";
    })
    .join("/");
  return { method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), names, handler };
}

export async function startStripeFake(): Promise<StripeFake> {
  const requests: RecordedRequest[] = [];
  const routes: Route[] = [];
  const intents = new Map<string, Json>();
  const refunds: Json[] = [];
  /** Refunds created by idempotency key (with the body that created them), replayed like payment intents. */
  const refundsByKey = new Map<string, { body: string; refund: Json }>();
  const planned: { method: string; path: string; fault: Fault; times: number }[] = [];
  const chaos = new Map<string, (request: RecordedRequest) => Fault | undefined>();
  /** Payment intents created by idempotency key (with the body that created them), replayed like Stripe replays them. */
  const intentsByKey = new Map<string, { body: string; response: FakeResponse }>();
  const sessions = new Map<string, Json>();

  const respond = (method: string, pathPattern: string, handler: RouteHandler) => {
    routes.unshift(compile(method, pathPattern, handler));
  };

  for (const [method, path, handler] of defaultRoutes(intents, intentsByKey, refunds, refundsByKey, sessions))
    respond(method, path, handler);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const { form, body } = decodeForm(rawBody);
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: decodeForm(url.search.slice(1)).body,
        headers: req.headers,
        rawBody,
        form,
        body,
      };
      requests.push(recorded);
      void answer(recorded).then((out) => {
        if (out === reset) {
          req.socket.destroy();
          return;
        }
        if (res.destroyed) return;
        res.writeHead(out.status ?? 200, {
          "content-type": "application/json",
          "request-id": stripeId("req"),
          ...out.headers,
        });
        res.end(JSON.stringify(out.body));
      });
    });
  });

  async function answer(request: RecordedRequest): Promise<FakeResponse | typeof reset> {
    if (!/^Bearer sk_(test|live)_\S+$/.test(request.headers.authorization ?? "")) {
      return stripeError(401, "invalid_request_error", "You did not provide an API key.");
    }
    const next = planned.find((f) => f.method === request.method && f.path === request.path && f.times > 0);
    if (next) next.times -= 1;
    const fault = next?.fault ?? chaos.get(`${request.method} ${request.path}`)?.(request);
    if (!fault) return routed(request);
    if (fault === "server_error") return stripeError(500, "api_error", "An unknown error occurred (fake).");
    if (fault === "lost" || fault === "reset_after") await routed(request);
    return fault === "reset" || fault === "reset_after" ? reset : neverAnswer(request, {});
  }

  async function routed(request: RecordedRequest): Promise<FakeResponse> {
    for (const route of routes) {
      const match = route.method === request.method ? route.pattern.exec(request.path) : null;
      if (!match) continue;
      if (route.once) routes.splice(routes.indexOf(route), 1);
      const params = Object.fromEntries(
        route.names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? "")]),
      );
      try {
        return await route.handler(request, params);
      } catch (error) {
        return stripeError(500, "api_error", `Fake route failed: ${(error as Error).message}`);
      }
    }
    return stripeError(
      404,
      "invalid_request_error",
      `Unrecognized request URL (${request.method}: ${request.path}).`,
    );
  }

  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    requests,
    refunds,
    respond,
    intents: () => [...intents.values()],
    fault: (method, path, fault, times = 1) => {
      planned.push({ method: method.toUpperCase(), path, fault, times });
    },
    chaos: (method, path, pick) => {
      if (pick) chaos.set(`${method.toUpperCase()} ${path}`, pick);
      else chaos.delete(`${method.toUpperCase()} ${path}`);
    },
    forgetIdempotencyKeys: () => {
      refundsByKey.clear();
      intentsByKey.clear();
    },
    respondOnce: (method, pathPattern, handler) => {
      routes.unshift({ ...compile(method, pathPattern, handler), once: true });
    },
    completeSession: (id) => {
      const session = sessions.get(id);
      if (!session) throw new Error(`No such checkout session: ${id}`);
      sessions.set(id, { ...session, status: "complete", payment_status: "paid", url: null });
    },
    stop: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}

function defaultRoutes(
  intents: Map<string, Json>,
  intentsByKey: Map<string, { body: string; response: FakeResponse }>,
  refunds: Json[],
  refundsByKey: Map<string, { body: string; refund: Json }>,
  sessions: Map<string, Json>,
): [string, string, RouteHandler][] {
  const noSession = (id: string) =>
    stripeError(404, "invalid_request_error", `No such checkout.session: '${id}'`);
  return [
    [
      "POST",
      "/v1/payment_intents",
      (request) => {
        const key = `${request.headers["stripe-account"] ?? ""}|${request.headers["idempotency-key"] ?? ""}`;
        const seen = request.headers["idempotency-key"] ? intentsByKey.get(key) : undefined;
        if (seen && seen.body !== request.rawBody) return idempotencyMismatch();
        if (seen) return { ...seen.response, headers: { ...seen.response.headers, "idempotent-replayed": "true" } };
        const created = createPaymentIntent(request, intents);
        if (request.headers["idempotency-key"] && (created.status ?? 200) < 500)
          intentsByKey.set(key, { body: request.rawBody, response: created });
        return created;
      },
    ],
    [
      "GET",
      "/v1/payment_intents/:id",
      (_request, { id = "" }) => {
        const known = intents.get(id);
        return known
          ? { body: known }
          : stripeError(404, "invalid_request_error", `No such payment_intent: '${id}'`);
      },
    ],
    [
      "POST",
      "/v1/checkout/sessions",
      ({ body }) => {
        const id = stripeId("cs_test");
        const item = (body.line_items as Json[] | undefined)?.[0] as
          | { price_data?: Json; quantity?: string }
          | undefined;
        const total = Number(item?.price_data?.unit_amount ?? 0) * Number(item?.quantity ?? 1);
        const session = stripeFixture("checkout.session", {
          id,
          url: `https://checkout.stripe.com/c/pay/${id}`,
          mode: body.mode,
          currency: item?.price_data?.currency ?? null,
          amount_subtotal: total,
          amount_total: total,
          customer_email: body.customer_email ?? null,
          customer_creation: body.customer_creation ?? null,
          success_url: body.success_url,
          cancel_url: body.cancel_url,
          metadata: body.metadata ?? {},
          payment_intent: null,
          status: "open",
          payment_status: "unpaid",
          expires_at:
            body.expires_at === undefined ? Math.floor(Date.now() / 1000) + 86_400 : Number(body.expires_at),
        });
        sessions.set(id, session);
        return { body: session };
      },
    ],
    [
      "GET",
      "/v1/checkout/sessions/:id",
      (_request, { id = "" }) => {
        const session = sessions.get(id);
        return session ? { body: session } : noSession(id);
      },
    ],
    [
      "POST",
      "/v1/checkout/sessions/:id/expire",
      (_request, { id = "" }) => {
        const session = sessions.get(id);
        if (!session) return noSession(id);
        if (session.status !== "open") {
          return stripeError(
            400,
            "invalid_request_error",
            `Only Checkout Sessions with a status in [open] can be expired. This Checkout Session has a status of ${String(session.status)}.`,
          );
        }
        const expired = { ...session, status: "expired", url: null };
        sessions.set(id, expired);
        return { body: expired };
      },
    ],
    [
      "POST",
      "/v1/refunds",
      ({ body, headers, rawBody }) => {
        const key = `${headers["stripe-account"] ?? ""}|${headers["idempotency-key"] ?? ""}`;
        const seen = headers["idempotency-key"] ? refundsByKey.get(key) : undefined;
        if (seen && seen.body !== rawBody) return idempotencyMismatch();
        if (seen) return { body: seen.refund, headers: { "idempotent-replayed": "true" } };
        const intent = intents.get(String(body.payment_intent));
        const amount = Number(body.amount ?? intent?.amount ?? 0);
        const chargeId = intent?.latest_charge;
        const refund = stripeFixture("refund", {
          id: stripeId("re"),
          amount,
          currency: intent?.currency ?? "usd",
          payment_intent: body.payment_intent,
          charge:
            typeof chargeId === "object" && chargeId ? (chargeId as Json).id : (chargeId ?? stripeId("ch")),
          reason: body.reason ?? null,
          metadata: body.metadata ?? {},
          status: "succeeded",
        });
        refunds.push(refund);
        if (headers["idempotency-key"]) refundsByKey.set(key, { body: rawBody, refund });
        return { body: refund };
      },
    ],
    [
      "GET",
      "/v1/refunds",
      ({ query }) => {
        const data = refunds.filter(
          (r) => !query.payment_intent || r.payment_intent === query.payment_intent,
        );
        return { body: { object: "list", data: data.toReversed(), has_more: false, url: "/v1/refunds" } };
      },
    ],
    [
      "POST",
      "/v1/accounts",
      ({ body }) => ({
        body: stripeFixture("account", {
          id: stripeId("acct"),
          type: body.type ?? "standard",
          email: body.email ?? null,
          metadata: body.metadata ?? {},
          charges_enabled: false,
          payouts_enabled: false,
          details_submitted: false,
        }),
      }),
    ],
    [
      "POST",
      "/v1/account_links",
      ({ body }) => ({
        body: stripeFixture("account_link", {
          url: `https://connect.stripe.com/setup/s/${String(body.account)}/${randomBytes(9).toString("base64url")}`,
          created: Math.floor(Date.now() / 1000),
          expires_at: Math.floor(Date.now() / 1000) + 300,
        }),
      }),
    ],
  ];
}

/** Stripe-like fee (2.9% + 30¢) so tests can tell a fee from the balance transaction apart from a default 0. */
export function stripeFee(amount: number): number {
  return Math.round(amount * 0.029) + 30;
}

function createPaymentIntent({ body }: RecordedRequest, intents: Map<string, Json>): FakeResponse {
  const id = stripeId("pi");
  const amount = Number(body.amount);
  const currency = String(body.currency);
  const paymentMethodId = String(body.payment_method ?? "");
  const token = paymentMethodId.replace(/^pm_card_/, "");
  const offSession = body.off_session === "true";
  const expand = (body.expand as string[] | undefined) ?? [];
  const base = {
    id,
    amount,
    currency,
    customer: body.customer ?? null,
    description: body.description ?? null,
    metadata: body.metadata ?? {},
    client_secret: `${id}_secret_${randomBytes(12).toString("base64url")}`,
    created: Math.floor(Date.now() / 1000),
    canceled_at: null,
    next_action: null,
    last_payment_error: null,
    latest_charge: null,
    amount_received: 0,
  };

  const bank = paymentMethodId === "pm_usBankAccount";
  const card = cards[token] ?? cards.visa!;
  const paymentMethod = bank
    ? stripeFixture("payment_method", {
        id: stripeId("pm"),
        type: "us_bank_account",
        card: undefined,
        us_bank_account: { bank_name: "STRIPE TEST BANK", last4: "6789", account_type: "checking" },
      })
    : stripeFixture("payment_method", {
        id: stripeId("pm"),
        type: "card",
        card: { ...(stripeFixture("payment_method").card as Json), ...card },
      });
  const withMethod = (intent: Json): Json => ({
    ...intent,
    payment_method: expand.includes("payment_method") ? paymentMethod : paymentMethod.id,
  });

  if (token === "chargeDeclinedInsufficientFunds" || token === "chargeDeclined") {
    const intent = withMethod(stripeFixture("payment_intent", base));
    intents.set(id, { ...intent, status: "requires_payment_method" });
    return cardDeclinedError({
      declineCode: token === "chargeDeclined" ? "generic_decline" : "insufficient_funds",
      message: token === "chargeDeclined" ? "Your card was declined." : "Your card has insufficient funds.",
      paymentIntent: intent,
      paymentMethod,
      chargeId: stripeId("ch"),
    });
  }
  if (token === "authenticationRequired") {
    const intent = withMethod(stripeFixture("payment_intent", base));
    if (offSession) {
      intents.set(id, { ...intent, status: "requires_payment_method" });
      return cardDeclinedError({
        code: "authentication_required",
        declineCode: "authentication_required",
        message: "Your card was declined. This transaction requires authentication.",
        paymentIntent: intent,
        paymentMethod,
      });
    }
    const pending = {
      ...intent,
      status: "requires_action",
      next_action: { type: "use_stripe_sdk", use_stripe_sdk: {} },
    };
    intents.set(id, pending);
    return { body: pending };
  }

  const status = bank ? "processing" : "succeeded";
  const balanceTransaction = bank
    ? null
    : stripeFixture("balance_transaction", {
        id: stripeId("txn"),
        amount,
        currency,
        fee: stripeFee(amount),
        net: amount - stripeFee(amount),
        fee_details: [
          { amount: stripeFee(amount), currency, description: "Stripe processing fees", type: "stripe_fee" },
        ],
      });
  const chargeId = stripeId("ch");
  const charge = stripeFixture("charge", {
    id: chargeId,
    amount,
    amount_captured: bank ? 0 : amount,
    currency,
    status: bank ? "pending" : "succeeded",
    paid: !bank,
    payment_intent: id,
    metadata: body.metadata ?? {},
    payment_method: paymentMethod.id,
    balance_transaction: expand.includes("latest_charge.balance_transaction")
      ? balanceTransaction
      : (balanceTransaction?.id ?? null),
    payment_method_details: bank
      ? { type: "us_bank_account", us_bank_account: { bank_name: "STRIPE TEST BANK", last4: "6789" } }
      : {
          type: "card",
          card: { ...((stripeFixture("charge").payment_method_details as Json).card as Json), ...card },
        },
  });
  const latestCharge = expand.some((path) => path === "latest_charge" || path.startsWith("latest_charge."))
    ? charge
    : chargeId;
  const intent = withMethod(
    stripeFixture("payment_intent", {
      ...base,
      status,
      amount_received: bank ? 0 : amount,
      latest_charge: latestCharge,
    }),
  );
  intents.set(id, { ...intent, latest_charge: chargeId, payment_method: paymentMethod.id });
  return { body: intent };
}

/**
 * The signed `payment_intent.succeeded` webhook body Stripe sends for a succeeded intent the fake
 * holds (a Visa card, its charge and balance transaction), for the connected account `accountId`.
 */
export function intentSucceededWebhook(
  pi: Record<string, unknown>,
  accountId: string,
  secret: string,
): string {
  const id = String(pi.id);
  const event = paymentIntentEvent("payment_intent.succeeded", {
    id,
    amount: Number(pi.amount),
    currency: String(pi.currency),
    created: Number(pi.created),
    accountId,
    metadata: pi.metadata as Record<string, string>,
    paymentMethodId: "pm_card_visa",
    latestCharge: {
      id: String(pi.latest_charge),
      status: "succeeded",
      method: { type: "card", brand: "visa", last4: "4242" },
      fee: 88,
      balanceTransactionId: `txn_${id.slice(3)}`,
    },
  });
  return JSON.stringify(signEvent(event, secret, Math.floor(Date.now() / 1000)));
}
