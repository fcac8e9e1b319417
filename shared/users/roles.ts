/**
 * Team roles and what each may do. One table, read by the API wrapper (an API key acts with its
 * role) and by every dashboard page and action (a signed-in user acts with theirs), so the API and
 * the dashboard cannot disagree about who may do what.
 */
import { ForbiddenError } from "../domain/errors.ts";
import type { Operation } from "../http/operation.ts";

export const roles = ["owner", "admin", "member", "viewer"] as const;
export type Role = (typeof roles)[number];

/**
 * - `read`: see everything (every role);
 * - `documents`: create and send documents (invoices, quotes, payment links, subscriptions), customers,
 *   tasks and saved views, record manual payments;
 * - `money`: refunds and everything the merchant configures (settings, catalog, workflows, webhooks);
 * - `team`: users, API keys and the processor.
 */
export const permissions = ["read", "documents", "money", "team"] as const;
export type Permission = (typeof permissions)[number];

const granted: Readonly<Record<Role, readonly Permission[]>> = {
  owner: ["read", "documents", "money", "team"],
  admin: ["read", "documents", "money"],
  member: ["read", "documents"],
  viewer: ["read"],
};

export const can = (role: Role, permission: Permission): boolean => granted[role].includes(permission);

/** A 403 unless `role` has `permission`, for a part of an operation that needs more than the operation (`what`). */
export function requirePermission(role: Role, permission: Permission, what: string): void {
  if (!can(role, permission))
    throw new ForbiddenError(`${what} needs the ${permission} permission, which the ${role} role lacks`);
}

/**
 * The permission each API resource's changes need, by the operation's tag (every read needs only
 * `read`). A tag missing here fails the test that walks the manifest (test/unit/roles.test.ts), and
 * at run time needs `team`: an operation nobody classified is the owner's until someone does.
 */
export const changePermissions: Readonly<Record<string, Permission>> = {
  // Documents and the people they are for: what a member does every day.
  Customers: "documents",
  Invoices: "documents",
  Quotes: "documents",
  Subscriptions: "documents",
  "Payment links": "documents",
  Payments: "documents",
  Tasks: "documents",
  "Saved views": "documents",
  // Money going back, and everything the merchant configures.
  Refunds: "money",
  "Merchant settings": "money",
  Products: "money",
  "Tax rates": "money",
  "Discount codes": "money",
  "Quote templates": "money",
  Workflows: "money",
  "Webhook endpoints": "money",
  "Test clocks": "money",
  Segments: "money",
  Ledger: "money",
  // Who can act for the merchant, and where its money goes.
  Users: "team",
  "API keys": "team",
  Processor: "team",
};

/**
 * Operations whose permission is not their tag's: every operation on users and API keys is the
 * owner's, reads included (a key list names every key; the team list, every address).
 */
const operationPermissions: Readonly<Record<string, Permission>> = {
  listUsers: "team",
  getUser: "team",
  listApiKeys: "team",
};

/** What an operation with merchant auth needs of the caller's role. */
export function permissionFor(operation: Pick<Operation, "id" | "method" | "tag">): Permission {
  const own = operationPermissions[operation.id];
  if (own) return own;
  if (operation.method === "GET") return "read";
  return changePermissions[operation.tag] ?? "team";
}
