/**
 * The team page (owners): the merchant's users with their role, status and last sign-in; invite a
 * user (the 7-day invitation email), change a role, resend an invitation, remove a user — each through
 * the use case `/v1/users` calls, so the last owner's 409 and the taken address's 409 are the API's.
 */
import * as ops from "../../api/users.ts";
import { userPorts } from "../../composition.ts";
import { permissionFor, roles } from "../../users/roles.ts";
import * as users from "../../users/service.ts";
import type { User } from "../../users/user.ts";
import type { DashboardRequest, DashboardRoute } from "../context.ts";
import { actionButton, badge, csrfField, html, pageHeader, postForm, section, table, when } from "../ui.ts";
import { bodyOf, merchantOf, once, onceField, words } from "./details/common.ts";

const path = "/app/team";
const roleOptions = roles.map((role) => [role, words(role)] as const);

/**
 * A user's role as a select and a button, in their row. The select is named by `aria-label`: a
 * visually hidden label is positioned against the page, not the table's scrolling region, and would
 * widen a 360 px page.
 */
function roleForm(request: DashboardRequest, user: User) {
  return html`<form method="post" action="${path}/${user.id}/role" class="inline-form">${csrfField(request.csrfToken)}<select name="role" aria-label="Role of ${user.email}">${roleOptions.map(([value, label]) => html`<option value="${value}"${value === user.role ? html` selected` : ""}>${label}</option>`)}</select> <button type="submit" class="button button-secondary">Change role</button></form>`;
}

function rowActions(request: DashboardRequest, user: User) {
  const { csrfToken } = request;
  return html`${roleForm(request, user)}
${user.status === "invited" ? actionButton({ action: `${path}/${user.id}/resend-invitation`, label: "Resend invitation", csrfToken }) : ""}
${actionButton({ action: `${path}/${user.id}/remove`, label: "Remove", csrfToken, tone: "danger", confirm: `Remove ${user.email} from the team? Their sessions end at once.` })}`;
}

async function teamPage(request: DashboardRequest) {
  const [merchant, team] = await Promise.all([
    merchantOf(request),
    users.listUsers(userPorts(request.clock), request.user.merchantId, { limit: 100 }),
  ]);
  const zone = merchant.timeZone;
  const body = html`${pageHeader("Team", undefined, "Who can sign in to this dashboard, and what each may do")}
${section(
  "Users",
  table({
    caption: "Users",
    rows: team.items,
    empty: "No users.",
    columns: [
      { header: "Email", cell: (u) => u.email },
      { header: "Name", cell: (u) => u.name ?? html`<span class="muted">—</span>` },
      { header: "Role", cell: (u) => words(u.role) },
      { header: "Status", cell: (u) => badge(u.status) },
      { header: "Last sign-in", cell: (u) => when(u.lastSignInAt, zone) },
      { header: "Actions", cell: (u) => rowActions(request, u) },
    ],
  }),
)}
${section(
  "Invite a user",
  postForm({
    action: `${path}/invite`,
    csrfToken: request.csrfToken,
    idPrefix: "invite",
    submit: "Send invitation",
    fields: [
      { name: "email", label: "Email", type: "email", required: true, attributes: { autocomplete: "off" } },
      {
        name: "role",
        label: "Role",
        options: roleOptions,
        value: "member",
        hint: "Owner: everything. Admin: all but the team, API keys and the processor. Member: documents and manual payments. Viewer: read only.",
      },
      { name: "name", label: "Name", hint: "Optional" },
    ],
    hidden: onceField(),
  }),
)}`;
  return { kind: "page" as const, title: "Team", body: String(body) };
}

const userId = (request: DashboardRequest) => request.params.id ?? "";

export const teamRoutes: readonly DashboardRoute[] = [
  { method: "GET", path, permission: permissionFor(ops.listUsers), handle: teamPage },
  {
    method: "POST",
    path: `${path}/invite`,
    permission: permissionFor(ops.inviteUser),
    async handle(request) {
      const { form } = request;
      const name = form.get("name")?.trim();
      const input = bodyOf(ops.inviteUser, {
        email: form.get("email")?.trim() ?? "",
        role: form.get("role") ?? undefined,
        ...(name ? { name } : {}),
      });
      const user = await once(request, () =>
        users.inviteUser(userPorts(request.clock), request.user.merchantId, input),
      );
      return {
        kind: "redirect",
        location: path,
        notice: `Invited ${user.email} as ${words(user.role).toLowerCase()}: they have a link for 7 days`,
      };
    },
  },
  {
    method: "POST",
    path: `${path}/{id}/role`,
    permission: permissionFor(ops.updateUser),
    async handle(request) {
      const patch = bodyOf(ops.updateUser, { role: request.form.get("role") ?? undefined });
      const user = await users.updateUser(
        userPorts(request.clock),
        request.user.merchantId,
        userId(request),
        patch,
      );
      return {
        kind: "redirect",
        location: path,
        notice: `${user.email} is now ${words(user.role).toLowerCase()}`,
      };
    },
  },
  {
    method: "POST",
    path: `${path}/{id}/resend-invitation`,
    permission: permissionFor(ops.resendInvitation),
    async handle(request) {
      const user = await users.resendInvitation(
        userPorts(request.clock),
        request.user.merchantId,
        userId(request),
      );
      return { kind: "redirect", location: path, notice: `Sent ${user.email} a new invitation` };
    },
  },
  {
    method: "POST",
    path: `${path}/{id}/remove`,
    permission: permissionFor(ops.removeUser),
    async handle(request) {
      await users.removeUser(userPorts(request.clock), request.user.merchantId, userId(request));
      return { kind: "redirect", location: path, notice: "Removed the user: their sessions have ended" };
    },
  },
];
