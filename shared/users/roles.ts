/**
 * Team roles and what each may do. One table, read by the API wrapper (an API key acts with its
 * role) and by every dashboard page and action (a signed-in user acts with theirs), so the API and
 * the dashboard cannot disagree about who may do what.
 */

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
