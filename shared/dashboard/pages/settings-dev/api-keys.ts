/**
 * The API keys page (owners): the merchant's keys with their role, hint, status and last use; create
 * one (its secret shown once, on the answer to the form) and revoke one — through the use cases
 * `/v1/api-keys` runs, so the key, its role and its `api_key.*` events are the API's.
 */
import * as ops from "../../../api/merchants.ts";
import { merchantPorts } from "../../../composition.ts";
import { createApiKey, revokeApiKey } from "../../../merchants/service.ts";
import { permissionFor, roles } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { actionButton, badge, html, pageHeader, postForm, section, table, when } from "../../ui.ts";
import { bodyOf, merchantOf, once, onceField, words } from "../details/common.ts";
import { secretPage } from "./secret.ts";

const path = "/app/settings/api-keys";
const roleOptions = roles.map((role) => [role, words(role)] as const);

async function apiKeysPage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const [merchant, keys] = await Promise.all([
    merchantOf(request),
    merchantPorts(request.clock).store.listApiKeys(merchantId, { limit: 100 }),
  ]);
  const zone = merchant.timeZone;
  const body = html`${pageHeader("API keys", html`<a class="button button-link" href="/app/settings">All settings</a>`, "Keys your systems call the Kassa API with; each acts with a role")}
${section(
  "Keys",
  table({
    caption: "API keys",
    rows: keys.items,
    empty: "No API keys.",
    columns: [
      { header: "Name", cell: (k) => k.name },
      { header: "Key", cell: (k) => html`<code>${k.hint}</code>` },
      { header: "Role", cell: (k) => words(k.role ?? "owner") },
      { header: "Status", cell: (k) => badge(k.status === "active" ? "active" : "void", k.status) },
      { header: "Created", cell: (k) => when(k.createdAt, zone) },
      { header: "Last used", cell: (k) => when(k.lastUsedAt, zone) },
      {
        header: "Actions",
        cell: (k) =>
          k.status === "active"
            ? actionButton({
                action: `${path}/${k.id}/revoke`,
                label: "Revoke",
                csrfToken: request.csrfToken,
                tone: "danger",
                confirm: `Revoke ${k.name} (${k.hint})? Calls with it fail within 30 seconds.`,
              })
            : "",
      },
    ],
  }),
)}
${section(
  "Create a key",
  postForm({
    action: path,
    csrfToken: request.csrfToken,
    idPrefix: "key",
    submit: "Create key",
    fields: [
      {
        name: "name",
        label: "Name",
        required: true,
        hint: "Where it is used, e.g. Online shop",
        attributes: { autocomplete: "off" },
      },
      {
        name: "role",
        label: "Role",
        options: roleOptions,
        value: "member",
        hint: "What calls with it may do: the team role's permissions. Give a key the least it needs.",
      },
    ],
    hidden: onceField(),
  }),
)}`;
  return { kind: "page" as const, title: "API keys", body: String(body) };
}

async function create(request: DashboardRequest) {
  const { form } = request;
  const input = bodyOf(ops.createApiKey, { name: form.get("name") ?? "", role: form.get("role") ?? "" });
  const key = await once(
    request,
    () => createApiKey(merchantPorts(request.clock), request.user.merchantId, input.name, input.role),
    { carriesSecret: true },
  );
  return secretPage({
    title: "API key created",
    what: `${key.name}: acts as ${words(key.role ?? "owner").toLowerCase()}`,
    secret: key.secret,
    next: { href: path, label: "Back to API keys" },
    about: html`<p class="muted">Send it as <code>Authorization: Bearer …</code>. The key list shows it as <code>${key.hint}</code>.</p>`,
  });
}

async function revoke(request: DashboardRequest) {
  const key = await revokeApiKey(
    merchantPorts(request.clock),
    request.user.merchantId,
    request.params.id ?? "",
  );
  return {
    kind: "redirect" as const,
    location: path,
    notice: `Revoked ${key.name} (${key.hint}): it stops working within 30 seconds`,
  };
}

export const apiKeyRoutes: readonly DashboardRoute[] = [
  { method: "GET", path, permission: permissionFor(ops.listApiKeys), handle: apiKeysPage },
  { method: "POST", path, permission: permissionFor(ops.createApiKey), handle: create },
  {
    method: "POST",
    path: `${path}/{id}/revoke`,
    permission: permissionFor(ops.revokeApiKey),
    handle: revoke,
  },
];
