/**
 * The fuzzed merchant and the routes to fuzz, for test/integration/fuzz.test.ts and its soak form:
 * one merchant with an object of most kinds (so generated ids and page tokens reach the services),
 * Stripe on the loopback fake, and every manifest route with its operation and loaded handler.
 */
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import { queues } from "../../infra/manifest.ts";
import type { Operation } from "../../shared/http/operation.ts";
import { call, type Handler, newMerchant } from "./api.ts";
import { type TestAws, useTestAws } from "./aws.ts";
import type { FuzzWorld } from "./fuzz.ts";
import { manifestRoutes } from "./manifest-routes.ts";
import { type StripeFake, startStripeFake } from "./stripe-fake.ts";

export interface FuzzSetup {
  aws: TestAws;
  stripe: StripeFake;
  world: FuzzWorld;
  routes: { routeKey: string; op: Operation; handler: Handler }[];
}

export async function fuzzSetup(): Promise<FuzzSetup> {
  const aws = await useTestAws(Object.keys(queues));
  const stripe = await startStripeFake();
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${stripe.port}`;
  process.env.STRIPE_SECRET_KEY = "sk_test_fuzz_0123456789";
  const routes: FuzzSetup["routes"] = [];
  for (const { fn, routeKey, op } of manifestRoutes) {
    if (!op) throw new Error(`${routeKey} is in the manifest but not in allOperations (shared/api/index.ts)`);
    routes.push({ routeKey, op, handler: (await loadHandler(fn)) as Handler });
  }
  const handlerOf = (routeKey: string) => {
    const route = routes.find((r) => r.routeKey === routeKey);
    if (!route) throw new Error(`No function in the manifest serves ${routeKey}`);
    return route.handler;
  };
  const { secret } = await newMerchant("Fuzz Shop");
  const ids: string[] = [];
  const tokens: string[] = [];
  /** A fixture request: its response body, the id it names kept for the generator. */
  const make = async (routeKey: string, body?: object, pathParameters?: Record<string, string>) => {
    const r = await call(handlerOf(routeKey), routeKey, {
      token: secret,
      ...(body ? { body } : {}),
      ...(pathParameters ? { pathParameters } : {}),
    });
    if (r.status >= 300) throw new Error(`Fuzz fixture ${routeKey} failed: ${r.status} ${r.raw}`);
    if (typeof r.body?.id === "string") ids.push(r.body.id);
    return r.body;
  };
  /** The last path segment of a hosted page's URL: its token (or a payment link's slug). */
  const tokenOf = (url: unknown) => tokens.push(String(url).split("/").pop() ?? "");

  const customer = (await make("POST /v1/customers", { email: "owner@fuzz.test", name: "Owner" })).id;
  const product = (await make("POST /v1/products", { name: "Widget", unitAmount: 1500, currency: "USD" })).id;
  const recurring = (
    await make("POST /v1/products", {
      name: "Pro",
      unitAmount: 4900,
      currency: "USD",
      recurring: { interval: "month" },
    })
  ).id;
  await make("POST /v1/tax-rates", { name: "VAT", percentage: 19, inclusive: false });
  await make("POST /v1/discount-codes", { code: "FUZZ10", percentOff: 10, duration: "once" });
  await make("POST /v1/test-clocks", { frozenTime: "2030-01-01T00:00:00Z" });
  await make("POST /v1/customers/{id}/payment-methods", { paymentMethod: "pm_card_visa" }, { id: customer });
  const invoice = { customerId: customer, currency: "USD", lineItems: [{ description: "Work", unitAmount: 1000 }] };
  await make("POST /v1/invoices", invoice);
  for (let i = 0; i < 3; i++) {
    const open = (await make("POST /v1/invoices", invoice)).id;
    tokenOf((await make("POST /v1/invoices/{id}/finalize", undefined, { id: open })).hostedUrl);
  }
  const paid = (await make("POST /v1/invoices", invoice)).id;
  await make("POST /v1/invoices/{id}/finalize", undefined, { id: paid });
  const payment = await make("POST /v1/invoices/{id}/pay", { paymentMethod: "pm_card_visa" }, { id: paid });
  ids.push(payment.payment.id);
  await make("POST /v1/subscriptions", {
    customerId: customer,
    items: [{ productId: recurring, quantity: 1 }],
    currency: "USD",
    interval: "month",
    collectionMethod: "send_invoice",
  });
  tokenOf(
    (await make("POST /v1/payment-links", { name: "Beans", lineItems: [{ productId: product, quantity: 1 }] })).url,
  );
  await make("POST /v1/quotes", invoice);
  const quote = (await make("POST /v1/quotes", invoice)).id;
  tokenOf((await make("POST /v1/quotes/{id}/publish", undefined, { id: quote })).hostedUrl);
  await make("POST /v1/quote-templates", { name: "Standard" });
  await make("POST /v1/workflows", { fromTemplate: "welcome_email" });
  await make("POST /v1/segments", { name: "Everyone", type: "active" });
  await make("POST /v1/webhook-endpoints", { url: "https://hooks.example.com/in", events: ["invoice.paid"] });
  await make("POST /v1/tasks", { title: "Follow up", related: { customerId: customer } });
  await make("POST /v1/users", { email: "ann@fuzz.test", role: "member", name: "Ann" });
  return { aws, stripe, world: { secret, ids, tokens }, routes };
}

export async function fuzzTeardown(setup: FuzzSetup | undefined): Promise<void> {
  await setup?.stripe.stop();
  delete process.env.STRIPE_API_BASE;
  delete process.env.STRIPE_SECRET_KEY;
}
