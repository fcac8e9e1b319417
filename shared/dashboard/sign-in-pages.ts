/**
 * Signing in by magic link, and out. The email form never says whether the address has an account
 * (the users module emails a link only where there is one) and is limited per source address. The
 * emailed link opens a page whose button POSTs to use it: a mail scanner that follows links fetches
 * the page and uses nothing up. Using the link starts a new session; signing out deletes it, and
 * signing out everywhere ends every session of the user.
 */
import { windowLimits } from "../domain/limits.ts";
import { escapeHtml } from "../hosted/escape.ts";
import type { Reply } from "./app.ts";
import { clearCookie, cookieName, setCookie } from "./cookies.ts";
import {
  type DashboardPorts,
  endSession,
  randomToken,
  type SignedInSession,
  sessionCookieMaxAge,
  startSession,
} from "./sessions.ts";
import { cardHtml } from "./shell.ts";

/** How long a sign-in form stays usable: its token and the page to return to live in one cookie. */
const signInCookieMaxAge = 3600;

/**
 * Where to go after signing in: a dashboard path of this origin only (never `//evil.test` or an
 * absolute URL), else the home page.
 */
export function localNext(next: string | null | undefined): string {
  if (!next?.startsWith("/app") || next.startsWith("//") || next.includes("\\")) return "/app/";
  try {
    const url = new URL(next, "https://dashboard.invalid");
    return url.origin === "https://dashboard.invalid" && /^\/app(\/|$)/.test(url.pathname)
      ? `${url.pathname}${url.search}`
      : "/app/";
  } catch {
    return "/app/";
  }
}

/** The sign-in cookie: `<token>` or `<token>.<next, URI-encoded>`; a base64url token holds no dot. */
export function readSignInCookie(value: string | undefined): { token: string; next: string } | undefined {
  if (!value) return undefined;
  const dot = value.indexOf(".");
  const token = dot < 0 ? value : value.slice(0, dot);
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  let next = "/app/";
  try {
    next = localNext(dot < 0 ? undefined : decodeURIComponent(value.slice(dot + 1)));
  } catch {
    // A mangled cookie goes home.
  }
  return { token, next };
}

export interface SignInContext {
  ports: DashboardPorts;
  /** The sign-in cookie as the browser sent it, if any. */
  signInCookie: { token: string; next: string } | undefined;
  sessionCookie: string | undefined;
  sourceIp: string;
}

const tokenField = (token: string) => `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;

/** The form's token, reused while the browser holds one; a new cookie otherwise (and for a new `next`). */
function formToken(context: SignInContext, next: string): { token: string; cookies: string[] } {
  const known = context.signInCookie;
  if (known && known.next === next) return { token: known.token, cookies: [] };
  const token = known?.token ?? randomToken();
  const value = next === "/app/" ? token : `${token}.${encodeURIComponent(next)}`;
  return {
    token,
    cookies: [setCookie(cookieName("signIn", context.ports.publicBaseUrl), value, signInCookieMaxAge)],
  };
}

function emailForm(token: string, options: { email?: string; error?: string } = {}): string {
  const error = options.error ? `<p class="error" id="email-error">${escapeHtml(options.error)}</p>` : "";
  return `<p>We will email you a link that signs you in.</p>
<form method="post" action="/app/sign-in" novalidate>
${tokenField(token)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(options.email ?? "")}"${options.error ? ' aria-invalid="true" aria-describedby="email-error"' : ""}>
${error}<button>Email me a sign-in link</button>
</form>`;
}

const page = (
  status: number,
  title: string,
  body: string,
  cookies: string[] = [],
  notice?: string,
): Reply => ({
  kind: "html",
  status,
  html: cardHtml({ title, body, notice }),
  cookies,
});

export function signInPage(
  context: SignInContext,
  signedIn: SignedInSession | undefined,
  nextParam: string | null,
  notice: string | undefined,
): Reply {
  const next = localNext(nextParam);
  if (signedIn) return { kind: "redirect", location: next, cookies: [] };
  const { token, cookies } = formToken(context, next);
  return page(200, "Sign in to Kassa", emailForm(token), cookies, notice);
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function requestSignInLink(context: SignInContext, form: URLSearchParams): Promise<Reply> {
  const { ports } = context;
  const email = (form.get("email") ?? "").trim();
  const token = context.signInCookie?.token ?? "";
  if (!emailPattern.test(email) || email.length > 254)
    return page(
      400,
      "Sign in to Kassa",
      emailForm(token, { email, error: "Enter an email address, like you@example.com." }),
    );
  const take = await ports.limits.take(
    windowLimits.dashboardSignIns,
    "platform",
    context.sourceIp,
    ports.clock.now(),
  );
  if (!take.taken)
    return page(
      429,
      "Too many sign-in requests",
      `<p>Too many sign-in links were asked for from your network. Try again in ${Math.ceil(take.retryAfterSeconds / 60)} minutes.</p>`,
    );
  await ports.signIn.request(email.toLowerCase());
  return page(
    200,
    "Check your email",
    `<p>If <strong>${escapeHtml(email)}</strong> belongs to a Kassa team, a sign-in link is on its way. It works once, for 15 minutes.</p>
<p><a href="/app/sign-in">Use another address</a></p>`,
  );
}

const invalidLink = () =>
  page(
    410,
    "This sign-in link does not work",
    `<p>It was used already, has expired, or was mistyped. Links work once, for 15 minutes.</p>
<p><a class="button" href="/app/sign-in">Get a new link</a></p>`,
  );

export async function signInLinkPage(context: SignInContext, linkToken: string): Promise<Reply> {
  if ((await context.ports.signIn.inspect(linkToken)) === "invalid") return invalidLink();
  const next = context.signInCookie?.next ?? "/app/";
  const { token, cookies } = formToken(context, next);
  return page(
    200,
    "Sign in to Kassa",
    `<form method="post" action="/app/sign-in/${encodeURIComponent(linkToken)}">
${tokenField(token)}
<p>Press the button to finish signing in on this device.</p>
<button>Sign in</button>
</form>`,
    cookies,
  );
}

export async function useSignInLink(context: SignInContext, linkToken: string): Promise<Reply> {
  const { ports } = context;
  let user: Awaited<ReturnType<DashboardPorts["signIn"]["consume"]>>;
  try {
    user = await ports.signIn.consume(linkToken);
  } catch (error) {
    if (error instanceof Error && error.name === "SignInLinkError") return invalidLink();
    throw error;
  }
  const session = await startSession(ports, user, context.sessionCookie);
  return {
    kind: "redirect",
    location: context.signInCookie?.next ?? "/app/",
    cookies: [
      setCookie(cookieName("session", ports.publicBaseUrl), session, sessionCookieMaxAge),
      clearCookie(cookieName("signIn", ports.publicBaseUrl)),
    ],
  };
}

export async function signOut(
  ports: DashboardPorts,
  signedIn: SignedInSession,
  sessionCookie: string,
  everywhere: boolean,
): Promise<Reply> {
  if (everywhere) await ports.users.endSessions(signedIn.user.merchantId, signedIn.user.id);
  await endSession(ports, sessionCookie);
  return {
    kind: "redirect",
    location: "/app/sign-in",
    notice: everywhere ? "You are signed out on every device." : "You are signed out.",
    cookies: [clearCookie(cookieName("session", ports.publicBaseUrl))],
  };
}
