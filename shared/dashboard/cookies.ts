/**
 * The dashboard's cookies: all `HttpOnly; Secure; SameSite=Lax; Path=/`, and `__Host-` prefixed where
 * the dashboard is served over https (the browser then refuses them from any other host or path).
 */
export type CookieKind = "session" | "signIn" | "notice";

const baseNames: Record<CookieKind, string> = {
  session: "kassa_session",
  /** The double-submit CSRF token of the sign-in forms (no session yet). */
  signIn: "kassa_signin",
  /** A one-time notice for the next page (after POST-redirect-GET). */
  notice: "kassa_notice",
};

export const cookieName = (kind: CookieKind, publicBaseUrl: string): string =>
  `${new URL(publicBaseUrl).protocol === "https:" ? "__Host-" : ""}${baseNames[kind]}`;

/** A `Set-Cookie` value; `maxAgeSeconds` 0 deletes the cookie. */
export const setCookie = (name: string, value: string, maxAgeSeconds?: number): string =>
  `${name}=${value}; ${maxAgeSeconds === undefined ? "" : `Max-Age=${maxAgeSeconds}; `}Path=/; HttpOnly; Secure; SameSite=Lax`;

export const clearCookie = (name: string): string => setCookie(name, "", 0);

/** The request's cookies (API Gateway v2 hands them over as `name=value` strings), the first of each name. */
export function readCookies(cookies: readonly string[] | undefined): Map<string, string> {
  const jar = new Map<string, string>();
  for (const cookie of cookies ?? []) {
    const at = cookie.indexOf("=");
    if (at <= 0) continue;
    const name = cookie.slice(0, at).trim();
    if (!jar.has(name)) jar.set(name, cookie.slice(at + 1).trim());
  }
  return jar;
}
