/**
 * `npm run bench:load`: autocannon against the local gateway (bench/load-server.ts, rate limits
 * raised), 50 concurrent clients on each of create invoice, get invoice, list invoices, pay by API and
 * the checkout page: requests/s, p50/p99 latency and errors (must be 0). Then each of those handlers
 * in this process, against the same DynamoDB Local: CPU ms per request (user + system, after a
 * warm-up; DynamoDB Local's own work is in its Java process and not counted). test/soak/load.test.ts
 * runs a small smoke of the same.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { relative } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { loadHandler } from "../infra/local/invoke-lambda.ts";
import { routes } from "../infra/manifest.ts";
import { event, type Handler } from "./dynamodb.ts";
import { raiseMerchantRateLimit } from "./rate-limits.ts";
import { printTable, type Row, writeJson } from "./report.ts";
import { median, round } from "./stats.ts";

/** The part of autocannon's result the tables read (the package ships no types). */
interface CannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface CannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: CannonRequest) => CannonRequest;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  amount: number;
  requests: CannonRequest[];
  timeout?: number;
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export interface LoadOptions {
  connections: number;
  /** Requests per scenario (pay gets this many open invoices, one each). */
  requests: number;
  /** In-process CPU samples per handler; 0 skips the CPU table. */
  cpuSamples: number;
}

interface Server {
  apiUrl: string;
  adminToken: string;
  env: Record<string, string>;
  stop: () => Promise<void>;
}

async function startServer(): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "bench/load-server.ts"], {
    cwd: new URL("..", import.meta.url).pathname,
    env: { POWERTOOLS_LOG_LEVEL: "SILENT", ...process.env, POWERTOOLS_METRICS_DISABLED: "true" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    if (!line.startsWith("{")) continue;
    const started = JSON.parse(line) as Omit<Server, "stop">;
    return {
      ...started,
      stop: async () => {
        child.kill("SIGTERM");
        await exited;
      },
    };
  }
  throw new Error("bench/load-server.ts exited before the gateway was up");
}

/** A JSON request to the gateway that must succeed; its parsed body. */
async function api(server: Server, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  // biome-ignore lint/suspicious/noExplicitAny: setup responses are read field by field
  return JSON.parse(text) as Record<string, any>;
}

/** `count` results of `make`, at most `parallel` at a time. */
async function pooled<T>(count: number, parallel: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (out.length < count) {
        out.push(undefined as T);
        out[out.length - 1] = await make();
      }
    }),
  );
  return out;
}

const invoiceBody = (customerId: string) => ({
  customerId,
  currency: "USD",
  lineItems: [{ description: "Load", unitAmount: 1000 }],
});

export async function loadSection(options: LoadOptions): Promise<{ load: Row[]; cpu: Row[] }> {
  const server = await startServer();
  try {
    const { apiKey } = await api(server, server.adminToken, "POST", "/v1/merchants", {
      name: "Load Shop",
      email: "owner@load.test",
    });
    const key: string = apiKey.secret;
    const customer = (await api(server, key, "POST", "/v1/customers", { email: "buyer@load.test" })).id as string;
    const product = (await api(server, key, "POST", "/v1/products", { name: "Beans", unitAmount: 1299, currency: "USD" }))
      .id as string;
    const link = await api(server, key, "POST", "/v1/payment-links", {
      name: "Beans",
      lineItems: [{ productId: product }],
    });
    const slug = String(link.url).split("/l/")[1] ?? "";
    const openInvoice = async () => {
      const { id } = await api(server, key, "POST", "/v1/invoices", invoiceBody(customer));
      await api(server, key, "POST", `/v1/invoices/${id}/finalize`);
      return id as string;
    };
    const invoice = await openInvoice();
    // Two at a time: concurrent finalizes of one merchant contend on its gapless number counter.
    const payable = await pooled(options.requests + options.cpuSamples + 20, 2, openInvoice);

    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    let next = 0;
    const scenarios: { name: string; routeKey: string; request: CannonRequest }[] = [
      {
        name: "create invoice",
        routeKey: "POST /v1/invoices",
        request: { method: "POST", path: "/v1/invoices", headers, body: JSON.stringify(invoiceBody(customer)) },
      },
      { name: "get invoice", routeKey: "GET /v1/invoices/{id}", request: { method: "GET", path: `/v1/invoices/${invoice}`, headers } },
      { name: "list invoices", routeKey: "GET /v1/invoices", request: { method: "GET", path: "/v1/invoices?limit=20", headers } },
      {
        name: "pay by API",
        routeKey: "POST /v1/invoices/{id}/pay",
        request: {
          method: "POST",
          path: "/v1/invoices/{id}/pay",
          headers,
          body: JSON.stringify({ paymentMethod: "pm_card_visa" }),
          // Each request pays an invoice of its own: paying one twice is a 409, not load.
          setupRequest: (request) => ({ ...request, path: `/v1/invoices/${payable[next++]}/pay` }),
        },
      },
      { name: "checkout page", routeKey: "GET /l/{slug}", request: { method: "GET", path: `/l/${slug}` } },
    ];

    const load: Row[] = [];
    for (const { name, request } of scenarios) {
      const r = await autocannon({
        url: server.apiUrl,
        connections: options.connections,
        amount: options.requests,
        requests: [request],
        timeout: 30,
      });
      load.push({
        scenario: name,
        clients: options.connections,
        requests: r.requests.total,
        "req/s": round(r.requests.average, 0),
        "p50 ms": r.latency.p50,
        "p99 ms": r.latency.p99,
        errors: r.errors + r.timeouts + r.non2xx,
      });
    }

    const cpu: Row[] = [];
    if (options.cpuSamples > 0) {
      // The handlers in this process, against the server's DynamoDB Local and queues.
      Object.assign(process.env, server.env);
      // As in the server: 210 calls of one merchant in a tight loop would otherwise meet its 429s.
      raiseMerchantRateLimit();
      const handlers = new Map<string, Handler>();
      for (const { fn, route } of routes())
        handlers.set(`${route.method} ${route.path}`, (await loadHandler(fn)) as unknown as Handler);
      const events: Record<string, () => ReturnType<typeof event>> = {
        "create invoice": () => event("POST /v1/invoices", key, invoiceBody(customer)),
        "get invoice": () => event("GET /v1/invoices/{id}", key, undefined, { id: invoice }),
        "list invoices": () => event("GET /v1/invoices", key, undefined, undefined, { limit: "20" }),
        "pay by API": () =>
          event("POST /v1/invoices/{id}/pay", key, { paymentMethod: "pm_card_visa" }, { id: String(payable[next++]) }),
        "checkout page": () => ({ ...event("GET /l/{slug}", "", undefined, { slug }), headers: {} }),
      };
      const context = { getRemainingTimeInMillis: () => 30_000 } as never;
      for (const { name, routeKey } of scenarios) {
        const handler = handlers.get(routeKey);
        const make = events[name];
        if (!handler || !make) throw new Error(`No handler or event for ${name}`);
        const once = async () => {
          const result = (await handler(make(), context)) as { statusCode?: number; body?: string };
          if ((result.statusCode ?? 500) >= 400) throw new Error(`${name} → ${result.statusCode} ${result.body}`);
        };
        for (let i = 0; i < 10; i++) await once();
        const walls: number[] = [];
        const before = process.cpuUsage();
        for (let i = 0; i < options.cpuSamples; i++) {
          const t0 = performance.now();
          await once();
          walls.push(performance.now() - t0);
        }
        const used = process.cpuUsage(before);
        cpu.push({
          handler: name,
          samples: options.cpuSamples,
          "cpu ms/request": round((used.user + used.system) / 1000 / options.cpuSamples, 2),
          "wall ms (median)": round(median(walls), 2),
        });
      }
    }
    return { load, cpu };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const requests = Number(process.env.KASSA_LOAD_REQUESTS ?? 2000);
  const { load, cpu } = await loadSection({ connections: 50, requests, cpuSamples: 200 });
  printTable(`Load: autocannon, 50 clients, ${requests} requests per scenario, local gateway (rate limits raised)`, load);
  printTable("Handler CPU per request, in-process (after 10 warm-up calls)", cpu);
  console.log(`wrote ${relative(process.cwd(), writeJson("load.json", { load, cpu }))}`);
  if (load.some((row) => row.errors !== 0)) process.exitCode = 1;
}
