/**
 * What a dashboard page or action receives and returns. The dashboard function
 * (functions/dashboard/app.ts) resolves the session, checks the CSRF token of every POST and the
 * route's permission (shared/users/roles.ts) before a handler runs, and wraps a page's body in the
 * shell; a handler only reads through the services and renders.
 */
import type { Clock } from "../domain/clock.ts";
import type { Permission, Role } from "../users/roles.ts";

export interface SignedInUser {
  id: string;
  merchantId: string;
  email: string;
  name: string | null;
  role: Role;
}

export interface DashboardRequest {
  method: "GET" | "POST";
  /** The request path, e.g. `/app/invoices/inv_…`. */
  path: string;
  /** The route's `{name}` placeholders. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /** A POST's form (`application/x-www-form-urlencoded`), its CSRF token already checked; empty on GET. */
  form: URLSearchParams;
  /** The merchant's clock (test clocks included): shared/composition.ts `clockFor`. */
  clock: Clock;
  user: SignedInUser;
  /** The session's CSRF token, for the hidden `csrf` field of every form a page renders. */
  csrfToken: string;
}

export type DashboardResult =
  /** A page: `body` is HTML (escaped by its maker), wrapped in the shell with `title` and the nav. */
  | { kind: "page"; title: string; body: string; status?: number; nav?: string }
  /** After an action (POST-redirect-GET); `notice` is shown once on the next page. */
  | { kind: "redirect"; location: string; notice?: string }
  /**
   * A piece of a page, not wrapped in the shell: what a live preview (a form's `data-preview`, see
   * shared/dashboard/assets.ts) puts in place, e.g. an editor's totals from the server's pricing.
   */
  | { kind: "fragment"; body: string; status?: number }
  /** A download (PDF, CSV). */
  | { kind: "file"; contentType: string; filename: string; body: Buffer | string }
  /**
   * A whole HTML document shown in a frame of a dashboard page, under its own `policy` (its CSP; the
   * dashboard adds `frame-ancestors 'self'`): what buyers would see, e.g. the branding settings'
   * live preview of the hosted invoice page and of an email, rendered by their own renderers.
   */
  | { kind: "document"; html: string; policy: string };

export interface DashboardRoute {
  method: "GET" | "POST";
  /** e.g. `/app/invoices/{id}`; matched segment by segment. */
  path: string;
  /** Who may use it; every POST names the permission of the API operation it mirrors. */
  permission: Permission;
  handle(request: DashboardRequest): Promise<DashboardResult>;
}
