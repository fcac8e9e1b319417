/**
 * Signing in to the dashboard the way a person does — ask for a link on /app/sign-in, read the mail,
 * open the link, press the button — for tests: in a Playwright page (end-to-end, against `npm start`),
 * and as a plain-HTTP client with a cookie jar that scrapes each page's CSRF token (fast integration
 * tests, in-process against the handler or over HTTP against a running stack).
 */
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { APIGatewayProxyResultV2 } from "aws-lambda";
import type { Page } from "playwright-core";
import {
  compileRoute,
  fromHandlerResult,
  matchRoute,
  toApiGatewayEvent,
} from "../../infra/local/apigateway.ts";
import { signInLinkPattern } from "../../infra/local/dashboard-link.ts";
import { functionNamed } from "../../infra/manifest.ts";
import { eventually, type MailRecord } from "./aws.ts";
import { lambdaContext } from "./events.ts";

/** The newest sign-in link mailed to `email` that is not one of `seen`, once it has arrived. */
export async function signInLinkFor(
  email: string,
  mails: () => Promise<MailRecord[]>,
  seen: ReadonlySet<string> = new Set(),
): Promise<string> {
  return eventually(async () => {
    const links = (await mails())
      .filter((m) => m.destination.to.some((to) => to.toLowerCase().includes(email.toLowerCase())))
      .map((m) => signInLinkPattern.exec(`${m.body.text}\n${m.body.html}`)?.[0])
      .filter((link): link is string => link !== undefined && !seen.has(link));
    return links.at(-1);
  }, 20_000);
}

/** Every sign-in link mailed so far to `email` (to tell the next one from them). */
export async function signInLinksSoFar(
  email: string,
  mails: () => Promise<MailRecord[]>,
): Promise<Set<string>> {
  return new Set(
    (await mails())
      .filter((m) => m.destination.to.some((to) => to.toLowerCase().includes(email.toLowerCase())))
      .flatMap((m) => signInLinkPattern.exec(`${m.body.text}\n${m.body.html}`)?.[0] ?? []),
  );
}

/** Signs `email` in through the real pages in `page`; it ends on `/app/`. */
export async function signInInBrowser(
  page: Page,
  baseUrl: string,
  email: string,
  mails: () => Promise<MailRecord[]>,
): Promise<void> {
  const seen = await signInLinksSoFar(email, mails);
  await page.goto(`${baseUrl}/app/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  const link = await signInLinkFor(email, mails, seen);
  await page.goto(link);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${baseUrl}/app/`);
}

export interface DashboardResponse {
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
  /** The body as sent (compressed when `content-encoding` says so). */
  raw: Buffer;
  /** The body decompressed, as text. */
  text: string;
}

export interface DashboardRequestInit {
  method: "GET" | "POST";
  /** Path and query, e.g. `/app/sign-in?next=%2Fapp%2Finvoices`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export type DashboardTransport = (request: DashboardRequestInit) => Promise<DashboardResponse>;

function decoded(raw: Buffer, encoding: string | undefined): string {
  if (encoding === "br") return brotliDecompressSync(raw).toString("utf8");
  if (encoding === "gzip") return gunzipSync(raw).toString("utf8");
  return raw.toString("utf8");
}

type Handler = (
  event: ReturnType<typeof toApiGatewayEvent>,
  context: typeof lambdaContext,
) => Promise<unknown>;

/**
 * The dashboard function called in-process with the event API Gateway would deliver for its
 * manifest routes (the local gateway's own translation), and its result read as API Gateway reads it.
 */
export function handlerTransport(handler: Handler, options: { sourceIp?: string } = {}): DashboardTransport {
  const fn = functionNamed("dashboard");
  const routes = (fn.routes ?? []).map((route) => compileRoute(route, fn));
  return async (request) => {
    const url = new URL(request.path, "http://127.0.0.1");
    const matched = matchRoute(routes, request.method, url.pathname);
    if (typeof matched !== "object")
      throw new Error(`The dashboard serves no ${request.method} ${url.pathname}`);
    const event = toApiGatewayEvent({
      method: request.method,
      url,
      headers: request.headers,
      body: Buffer.from(request.body ?? ""),
      route: matched.match.route,
      pathParameters: matched.pathParameters,
      sourceIp: options.sourceIp ?? "198.51.100.7",
    });
    const result = fromHandlerResult((await handler(event, lambdaContext)) as APIGatewayProxyResultV2);
    return {
      status: result.statusCode,
      headers: result.headers,
      setCookies: result.cookies,
      raw: result.body,
      text: decoded(result.body, result.headers["content-encoding"]),
    };
  };
}

/** The dashboard over HTTP (a running `npm start`): redirects are not followed, bodies read as sent. */
export function fetchTransport(baseUrl: string): DashboardTransport {
  return async (request) => {
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      redirect: "manual",
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    // fetch decompresses on its own; `raw` is then the decompressed body.
    const raw = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return {
      status: response.status,
      headers,
      setCookies: response.headers.getSetCookie(),
      raw,
      text: raw.toString("utf8"),
    };
  };
}

/** The CSRF token of the first form on a page. */
export const csrfOf = (html: string): string | undefined =>
  /<input type="hidden" name="csrf" value="([^"]*)"/.exec(html)?.[1];

/**
 * A browser without a browser: keeps the cookies it is given (deleting those set with `Max-Age=0`),
 * sends them back, and remembers the last page's CSRF token for the next form.
 */
export class DashboardClient {
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had a form. */
  csrf: string | undefined;
  /** Headers every request sends (e.g. `accept-encoding`). */
  constructor(
    private readonly send: DashboardTransport,
    readonly defaultHeaders: Record<string, string> = { "accept-encoding": "br, gzip", accept: "text/html" },
  ) {}

  private async request(init: Omit<DashboardRequestInit, "headers"> & { headers?: Record<string, string> }) {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await this.send({
      ...init,
      headers: { ...this.defaultHeaders, ...(cookie ? { cookie } : {}), ...init.headers },
    });
    for (const set of response.setCookies) {
      const [pair = "", ...attributes] = set.split(/;\s*/);
      const at = pair.indexOf("=");
      const name = pair.slice(0, at);
      if (attributes.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1));
    }
    this.csrf = csrfOf(response.text) ?? this.csrf;
    return response;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<DashboardResponse> {
    return this.request({ method: "GET", path, headers });
  }

  /** A form post; `csrf` is the last page's token unless the fields name one. */
  post(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const body = new URLSearchParams({ ...(this.csrf ? { csrf: this.csrf } : {}), ...fields }).toString();
    return this.request({
      method: "POST",
      path,
      body,
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }

  /**
   * Signs `email` in through the pages: the email form, the link `linkOf` finds in the mail, its
   * page, its button. Answers the last response (303 to the page asked for).
   */
  async signIn(email: string, linkOf: () => Promise<string>): Promise<DashboardResponse> {
    await this.get("/app/sign-in");
    const asked = await this.post("/app/sign-in", { email });
    if (asked.status !== 200)
      throw new Error(`Asking for a sign-in link: ${asked.status} ${asked.text.slice(0, 300)}`);
    const link = new URL(await linkOf());
    await this.get(link.pathname);
    const done = await this.post(link.pathname);
    if (done.status !== 303)
      throw new Error(`Using the sign-in link: ${done.status} ${done.text.slice(0, 300)}`);
    return done;
  }
}
