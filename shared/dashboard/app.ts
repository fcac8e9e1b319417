/**
 * The dashboard function's request pipeline, in the order the checks must run: assets (public,
 * immutable); the origin of every POST; the sign-in pages (double-submit token); then the session,
 * the session's CSRF token on every POST, the route and the role's permission — all before a page's
 * handler runs. Every response carries the strict CSP and is compressed as the browser accepts.
 */
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { ClockScope } from "../composition.ts";
import type { Clock } from "../domain/clock.ts";
import { ForbiddenError, PayloadTooLargeError } from "../domain/errors.ts";
import { escapeHtml } from "../hosted/escape.ts";
import { problemFor } from "../http/problem.ts";
import { apiRequestLog, inApiLogContext, log } from "../observability.ts";
import { can } from "../users/roles.ts";
import { assetNamed, immutableCaching } from "./assets.ts";
import type { DashboardRequest, DashboardResult, DashboardRoute } from "./context.ts";
import { compress, type Encoding, negotiateEncoding } from "./compress.ts";
import { clearCookie, cookieName, readCookies, setCookie } from "./cookies.ts";
import { fromOwnOrigin, tokenMatches } from "./csrf.ts";
import { dashboardRouter } from "./router.ts";
import { type DashboardPorts, resolveSession, type SignedInSession } from "./sessions.ts";
import { cardHtml, sectionOf, shellHtml } from "./shell.ts";
import {
  readSignInCookie,
  requestSignInLink,
  type SignInContext,
  signInLinkPage,
  signInPage,
  signOut,
  useSignInLink,
} from "./sign-in-pages.ts";

/** What the pipeline answers before it becomes an HTTP response. */
export type Reply =
  | { kind: "html"; status: number; html: string; cookies: string[] }
  | { kind: "redirect"; location: string; notice?: string | undefined; cookies: string[] }
  | {
      kind: "file";
      status: number;
      contentType: string;
      body: Buffer;
      headers: Record<string, string>;
      /** The body's encoding when it comes encoded already (a cached asset); otherwise compressed here. */
      encodedAs?: Encoding | "identity";
    };

/**
 * The pages' policy. `frame-src 'self'`: a page may frame the dashboard's own `document` results (a
 * live preview of the hosted invoice page or an email, which carry their own inline styles and so
 * cannot be part of a page under this policy).
 */
export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** A `document` result's own policy, which only the dashboard's pages may frame. */
const framedBySelf = (policy: string) =>
  [
    ...policy
      .split(";")
      .map((d) => d.trim())
      .filter((d) => d !== "" && !d.startsWith("frame-ancestors")),
    "frame-ancestors 'self'",
  ].join("; ");

const maxFormBytes = 64 * 1024;

export interface DashboardOptions {
  ports: () => DashboardPorts;
  /** The page routes that may serve a path (`pageRoutesFor` of shared/dashboard/pages/index.ts). */
  pageRoutesFor: (path: string) => Promise<readonly DashboardRoute[]>;
  /** A merchant's clock for its pages (test clocks included): shared/composition.ts `clockFor`. */
  clockFor: (scope: ClockScope) => Clock;
}

/** A signed-in user's own built-in actions, routed like pages. */
const signOutRoutes = (ports: DashboardPorts, signedIn: SignedInSession, cookie: string) =>
  [
    { path: "/app/sign-out", everywhere: false },
    { path: "/app/sign-out-everywhere", everywhere: true },
  ].map(
    ({ path, everywhere }): InternalRoute => ({
      method: "POST",
      path,
      permission: "read",
      run: () => signOut(ports, signedIn, cookie, everywhere),
    }),
  );

interface InternalRoute {
  method: "GET" | "POST";
  path: string;
  permission: DashboardRoute["permission"];
  run(params: Record<string, string>): Promise<Reply>;
}

export function dashboardApp(options: DashboardOptions) {
  const signInRoute = dashboardRouter([
    { method: "GET", path: "/app/sign-in" },
    { method: "POST", path: "/app/sign-in" },
    { method: "GET", path: "/app/sign-in/{token}" },
    { method: "POST", path: "/app/sign-in/{token}" },
  ] as const);

  /** One request, answered as a Reply (errors in a page's handler included). */
  async function answer(
    event: APIGatewayProxyEventV2,
    requestId: string,
    ports: DashboardPorts,
  ): Promise<Reply> {
    const method = event.requestContext.http.method;
    const path = event.pathParameters?.proxy === undefined ? "/app/" : `/app/${event.pathParameters.proxy}`;
    const assetFile = /^\/app\/assets\/([^/]+)$/.exec(path)?.[1];
    if (method === "GET" && assetFile !== undefined) return assetReply(assetFile, event);

    // API Gateway hands cookies over as `cookies`; a plain `Cookie` header is read as well.
    const cookies = readCookies(event.cookies ?? event.headers.cookie?.split(/;\s*/));
    const query = new URLSearchParams(event.rawQueryString ?? "");
    const form = method === "POST" ? readForm(event) : new URLSearchParams();
    if (form === "too_large")
      return problemReply(
        new PayloadTooLargeError(`The form is larger than ${maxFormBytes / 1024} KB`),
        requestId,
      );
    if (method === "POST" && !fromOwnOrigin(event.headers, ports.publicBaseUrl)) return forbidden(event);

    const sessionCookie = cookies.get(cookieName("session", ports.publicBaseUrl));
    const signedIn = await resolveSession(ports, sessionCookie);
    // A cookie whose session is over is deleted with the answer, whatever it is.
    const dropCookie =
      sessionCookie && !signedIn ? [clearCookie(cookieName("session", ports.publicBaseUrl))] : [];
    const withDropped = (reply: Reply): Reply =>
      reply.kind === "file" ? reply : { ...reply, cookies: [...dropCookie, ...reply.cookies] };
    const noticeCookie = cookies.get(cookieName("notice", ports.publicBaseUrl));
    const notice = noticeCookie ? safeDecode(noticeCookie) : undefined;
    const shown = (reply: Reply): Reply =>
      notice && reply.kind === "html"
        ? { ...reply, cookies: [...reply.cookies, clearCookie(cookieName("notice", ports.publicBaseUrl))] }
        : reply;

    const signInMatch = signInRoute(method, path);
    if (typeof signInMatch === "object") {
      const signInCookie = readSignInCookie(cookies.get(cookieName("signIn", ports.publicBaseUrl)));
      if (method === "POST" && !tokenMatches(form.get("csrf"), signInCookie?.token)) return forbidden(event);
      const context: SignInContext = {
        ports,
        signInCookie,
        sessionCookie,
        sourceIp: event.requestContext.http.sourceIp,
      };
      const token = signInMatch.params.token;
      const reply =
        token === undefined
          ? method === "GET"
            ? signInPage(context, signedIn, query.get("next"), notice)
            : await requestSignInLink(context, form)
          : method === "GET"
            ? await signInLinkPage(context, token)
            : await useSignInLink(context, token);
      return shown(withDropped(reply));
    }

    if (!signedIn || !sessionCookie) {
      if (method === "POST") return withDropped(forbidden(event));
      const next = `${path}${event.rawQueryString ? `?${event.rawQueryString}` : ""}`;
      return withDropped({
        kind: "redirect",
        location: `/app/sign-in?next=${encodeURIComponent(next)}`,
        cookies: [],
      });
    }
    if (method === "POST" && !tokenMatches(form.get("csrf"), signedIn.session.csrfToken))
      return forbidden(event);

    const routes: InternalRoute[] = [
      ...signOutRoutes(ports, signedIn, sessionCookie),
      ...(await options.pageRoutesFor(path)).map((route) =>
        pageRoute(route, signedIn, { path, query, form, notice }),
      ),
    ];
    const matched = dashboardRouter(routes)(method, path);
    const inShell = (status: number, title: string, body: string): Reply => ({
      kind: "html",
      status,
      html: shellHtml({ title, body, section: sectionOf(path), ...shellOf(signedIn), notice }),
      cookies: [],
    });
    if (typeof matched !== "object")
      return shown(
        inShell(
          404,
          "Page not found",
          '<h1>Page not found</h1><p>There is no such page. <a href="/app/">Go home</a>.</p>',
        ),
      );
    if (!can(signedIn.user.role, matched.route.permission))
      return acceptsHtml(event)
        ? shown(
            inShell(
              403,
              "Not allowed",
              `<h1>Not allowed</h1><p>Your role (${escapeHtml(signedIn.user.role)}) may not do this. Ask an owner of your team.</p>`,
            ),
          )
        : forbiddenProblem(requestId);
    try {
      return shown(await matched.route.run(matched.params));
    } catch (error) {
      const { status, detail } = describeError(error, requestId);
      return shown(
        inShell(status, "Something went wrong", `<h1>Something went wrong</h1><p>${escapeHtml(detail)}</p>`),
      );
    }
  }

  function pageRoute(
    route: DashboardRoute,
    signedIn: SignedInSession,
    request: { path: string; query: URLSearchParams; form: URLSearchParams; notice: string | undefined },
  ): InternalRoute {
    return {
      method: route.method,
      path: route.path,
      permission: route.permission,
      run: async (params) => {
        const { user, merchant, session } = signedIn;
        const dashboardRequest: DashboardRequest = {
          method: route.method,
          path: request.path,
          params,
          query: request.query,
          form: request.form,
          clock: options.clockFor({ merchantId: merchant.id }),
          user: {
            id: user.id,
            merchantId: user.merchantId,
            email: user.email,
            name: user.name,
            role: user.role,
          },
          csrfToken: session.csrfToken,
        };
        return fromResult(await route.handle(dashboardRequest), signedIn, request);
      },
    };
  }

  function fromResult(
    result: DashboardResult,
    signedIn: SignedInSession,
    request: { path: string; notice: string | undefined },
  ): Reply {
    switch (result.kind) {
      case "page":
        return {
          kind: "html",
          status: result.status ?? 200,
          html: shellHtml({
            title: result.title,
            body: result.body,
            section: result.nav ?? sectionOf(request.path),
            ...shellOf(signedIn),
            notice: request.notice,
          }),
          cookies: [],
        };
      case "fragment":
        return { kind: "html", status: result.status ?? 200, html: result.body, cookies: [] };
      case "redirect":
        return { kind: "redirect", location: result.location, notice: result.notice, cookies: [] };
      case "file":
        return {
          kind: "file",
          status: 200,
          contentType: result.contentType,
          body: Buffer.isBuffer(result.body) ? result.body : Buffer.from(result.body, "utf8"),
          headers: {
            "content-disposition": `attachment; filename="${result.filename.replace(/[^\w.-]/g, "_")}"`,
            "cache-control": "no-store",
          },
        };
      case "document":
        return {
          kind: "file",
          status: 200,
          contentType: "text/html; charset=utf-8",
          body: Buffer.from(result.html, "utf8"),
          headers: { "content-security-policy": framedBySelf(result.policy), "cache-control": "no-store" },
        };
      default:
        throw new Error(`Unknown dashboard result ${(result as { kind: string }).kind}`);
    }
  }

  return answer;
}

const shellOf = (signedIn: SignedInSession) => ({
  user: signedIn.user,
  merchant: signedIn.merchant,
  csrfToken: signedIn.session.csrfToken,
});

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function readForm(event: APIGatewayProxyEventV2): URLSearchParams | "too_large" {
  const raw =
    event.body === undefined ? "" : Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8");
  if (raw.length > maxFormBytes) return "too_large";
  return new URLSearchParams(raw.toString());
}

const acceptsHtml = (event: APIGatewayProxyEventV2) =>
  /text\/html|\*\/\*/.test(event.headers.accept ?? "text/html");

function errorPage(status: number, title: string, text: string): Reply {
  return {
    kind: "html",
    status,
    html: cardHtml({
      title,
      body: `<p>${escapeHtml(text)}</p><p><a href="/app/">Go to the dashboard</a></p>`,
    }),
    cookies: [],
  };
}

/** A refused POST (CSRF token or origin): nothing was done. */
const forbidden = (event: APIGatewayProxyEventV2): Reply =>
  acceptsHtml(event)
    ? errorPage(
        403,
        "Not allowed",
        "This form is out of date or did not come from the dashboard. Go back, reload the page and try again.",
      )
    : forbiddenProblem(event.requestContext.requestId);

const forbiddenProblem = (requestId: string): Reply =>
  problemReply(
    new ForbiddenError("Your role, or this request's form token or origin, does not allow this"),
    requestId,
  );

/** A problem document, for what no browser form sends (a body too large) and clients that take no HTML. */
function problemReply(error: Error, requestId: string): Reply {
  const problem = problemFor(error, requestId);
  return {
    kind: "file",
    status: problem.statusCode ?? 500,
    contentType: "application/problem+json",
    body: Buffer.from(String(problem.body ?? "")),
    headers: { "cache-control": "no-store" },
  };
}

/** What went wrong, as the API would say it (shared/http/problem.ts): the status and a sentence naming the fields. */
function describeError(error: unknown, requestId: string): { status: number; detail: string } {
  const problem = problemFor(error, requestId);
  const status = problem.statusCode ?? 500;
  try {
    const { detail, errors } = JSON.parse(String(problem.body)) as {
      detail: string;
      errors?: { path: string; message: string }[];
    };
    const fields = (errors ?? []).map((e) => `${e.path} ${e.message}`).join("; ");
    return { status, detail: fields ? `${detail} (${fields})` : detail };
  } catch {
    log.error("Dashboard error without a problem document", { requestId });
    return { status, detail: `Something went wrong on our side. Quote request id ${requestId}.` };
  }
}

function assetReply(file: string, event: APIGatewayProxyEventV2): Reply {
  const encoding = negotiateEncoding(event.headers["accept-encoding"]);
  const found = assetNamed(file, encoding);
  if (!found) return errorPage(404, "Not found", "There is no such file.");
  return {
    kind: "file",
    status: 200,
    contentType: found.asset.contentType,
    body: found.body,
    headers: { "cache-control": immutableCaching },
    encodedAs: encoding ?? "identity",
  };
}

/** What is worth compressing: text (pages, CSV, JSON, the assets); a PDF is compressed inside already. */
const compressible = /^(text\/|application\/(json|problem\+json|javascript))/;

/** The HTTP response: security headers on every one, the body compressed per `Accept-Encoding`. */
export function toHttp(
  reply: Reply,
  event: APIGatewayProxyEventV2,
  requestId: string,
  publicBaseUrl: string,
): APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> } {
  const headers: Record<string, string> = {
    "content-security-policy": contentSecurityPolicy,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-request-id": requestId,
    vary: "accept-encoding, cookie",
  };
  if (reply.kind === "redirect") {
    const cookies = reply.notice
      ? [
          ...reply.cookies,
          setCookie(cookieName("notice", publicBaseUrl), encodeURIComponent(reply.notice), 60),
        ]
      : reply.cookies;
    return {
      statusCode: 303,
      headers: { ...headers, location: reply.location, "cache-control": "no-store" },
      cookies,
      body: "",
    };
  }
  const { body, contentType, extra, cookies } =
    reply.kind === "html"
      ? {
          body: Buffer.from(reply.html, "utf8"),
          contentType: "text/html; charset=utf-8",
          extra: { "cache-control": "no-store" },
          cookies: reply.cookies,
        }
      : { body: reply.body, contentType: reply.contentType, extra: reply.headers, cookies: [] };
  const ready = reply.kind === "file" ? reply.encodedAs : undefined;
  const encoding =
    ready !== undefined
      ? ready === "identity"
        ? undefined
        : ready
      : compressible.test(contentType)
        ? negotiateEncoding(event.headers["accept-encoding"])
        : undefined;
  const sent = encoding && ready === undefined ? compress(body, encoding) : body;
  const plainText = !encoding && compressible.test(contentType);
  return {
    statusCode: reply.status,
    headers: {
      ...headers,
      "content-type": contentType,
      ...extra,
      ...(encoding ? { "content-encoding": encoding } : {}),
    },
    cookies,
    // Compressed bytes and binary files go base64 (API Gateway decodes them); uncompressed text as is.
    ...(plainText
      ? { body: sent.toString("utf8") }
      : { body: sent.toString("base64"), isBase64Encoded: true }),
  };
}

/** The Lambda handler: the pipeline behind the API's request log, errors answered as a page. */
export function dashboardHandler(options: DashboardOptions) {
  const answer = dashboardApp(options);
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(apiRequestLog())
    .handler(async (event) => {
      const requestId = event.requestContext.requestId;
      const ports = options.ports();
      let reply: Reply;
      try {
        reply = await answer(event, requestId, ports);
      } catch (error) {
        const { status, detail } = describeError(error, requestId);
        reply = errorPage(status, "Something went wrong", detail);
      }
      return toHttp(reply, event, requestId, ports.publicBaseUrl);
    });
  return (event: APIGatewayProxyEventV2, context: Context) =>
    inApiLogContext(event, context, () => handler(event, context));
}
