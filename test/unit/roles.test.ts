/**
 * The role table (shared/users/roles.ts) against the words (issue 20 §1): owner everything;
 * admin everything but users, API keys and the processor; member creates and sends documents and
 * records manual payments, no refunds, no settings; viewer reads. And every operation the manifest
 * deploys with merchant auth has a permission someone chose, not the fallback.
 */
import { describe, expect, it } from "vitest";
import { allOperations } from "../../shared/api/index.ts";
import { type Role, can, changePermissions, permissionFor, roles } from "../../shared/users/roles.ts";
import { manifestRoutes } from "../helpers/manifest-routes.ts";

const op = (id: string) => {
  const found = allOperations.find((o) => o.id === id);
  if (!found) throw new Error(`No operation ${id}`);
  return found;
};

/** Who may run the operation. */
const allowed = (id: string): Role[] => roles.filter((role) => can(role, permissionFor(op(id))));

describe("role permissions", () => {
  it("classifies every merchant operation the manifest deploys: a GET reads, a change names its resource's permission", () => {
    const merchantOps = manifestRoutes.flatMap(({ op: o }) => (o?.auth === "merchant" ? [o] : []));
    expect(merchantOps.length).toBeGreaterThan(100);
    const unclassified = merchantOps.filter((o) => o.method !== "GET" && !(o.tag in changePermissions));
    expect(unclassified.map((o) => `${o.id} (${o.tag})`)).toEqual([]);
    for (const o of merchantOps)
      if (o.method === "GET" && !["listUsers", "getUser", "listApiKeys"].includes(o.id))
        expect(permissionFor(o), o.id).toBe("read");
  });

  it.each([
    // owner only: users, API keys (reads too), the processor
    ["inviteUser", ["owner"]],
    ["listUsers", ["owner"]],
    ["removeUser", ["owner"]],
    ["listApiKeys", ["owner"]],
    ["createApiKey", ["owner"]],
    ["revokeApiKey", ["owner"]],
    ["connectStripe", ["owner"]],
    // admin and up: refunds and everything configured
    ["createRefund", ["owner", "admin"]],
    ["updateMerchant", ["owner", "admin"]],
    ["createProduct", ["owner", "admin"]],
    ["createWorkflow", ["owner", "admin"]],
    ["createWebhookEndpoint", ["owner", "admin"]],
    ["createTestClock", ["owner", "admin"]],
    ["createSegment", ["owner", "admin"]],
    // member and up: documents, customers, tasks, views, manual payments
    ["createInvoice", ["owner", "admin", "member"]],
    ["finalizeInvoice", ["owner", "admin", "member"]],
    ["sendInvoice", ["owner", "admin", "member"]],
    ["voidInvoice", ["owner", "admin", "member"]],
    ["recordInvoicePayment", ["owner", "admin", "member"]],
    ["createQuote", ["owner", "admin", "member"]],
    ["createPaymentLink", ["owner", "admin", "member"]],
    ["cancelSubscription", ["owner", "admin", "member"]],
    ["createCustomer", ["owner", "admin", "member"]],
    ["createTask", ["owner", "admin", "member"]],
    ["createView", ["owner", "admin", "member"]],
    // everyone reads
    ["listInvoices", ["owner", "admin", "member", "viewer"]],
    ["getPayment", ["owner", "admin", "member", "viewer"]],
    ["getMerchant", ["owner", "admin", "member", "viewer"]],
  ] as const)("%s: %j", (id, who) => {
    expect(allowed(id)).toEqual(who);
  });
});
