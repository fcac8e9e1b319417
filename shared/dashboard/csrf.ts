/**
 * Cross-site request forgery defences of every dashboard POST, checked before the route runs: the
 * form's `csrf` field must equal the session's synchronizer token (before sign-in: the sign-in
 * cookie's, a double-submit token), and a request that says where it comes from (`Origin`, else
 * `Referer`) must come from the dashboard's own origin. `SameSite=Lax` cookies stop most forgeries
 * already; these stop the rest (a sibling subdomain, an old browser).
 */
import { timingSafeEqual } from "node:crypto";

/** Whether the request's `Origin` (or, without one, its `Referer`) is the dashboard's; neither sent passes. */
export function fromOwnOrigin(
  headers: Readonly<Record<string, string | undefined>>,
  publicBaseUrl: string,
): boolean {
  const own = new URL(publicBaseUrl).origin;
  const claimed = headers.origin ?? headers.referer;
  if (claimed === undefined) return true;
  try {
    return new URL(claimed).origin === own;
  } catch {
    // `Origin: null` (a sandboxed frame, a redirect across origins) and garbage alike.
    return false;
  }
}

/** Whether the form's token is the expected one (compared in constant time); a missing one never is. */
export function tokenMatches(presented: string | null | undefined, expected: string | undefined): boolean {
  if (!presented || !expected) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
