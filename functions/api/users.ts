/** The merchant's team: invite, list, get, change role or name, remove, resend an invitation. */
import * as ops from "../../shared/api/users.ts";
import { userPorts as ports } from "../../shared/composition.ts";
import { requireFound } from "../../shared/domain/errors.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as users from "../../shared/users/service.ts";

export const handler = apiHandler([
  route(ops.listUsers, async (request) =>
    pageResponse(
      request,
      await users.listUsers(ports(request.clock), request.principal.merchantId, await pageRequest(request)),
    ),
  ),
  route(ops.inviteUser, ({ principal, clock, body }) =>
    users.inviteUser(ports(clock), principal.merchantId, body),
  ),
  route(ops.getUser, async ({ principal, clock, params }) =>
    requireFound(await users.getUser(ports(clock), principal.merchantId, params.id), "User"),
  ),
  route(ops.updateUser, ({ principal, clock, params, body }) =>
    users.updateUser(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.removeUser, ({ principal, clock, params }) =>
    users.removeUser(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.resendInvitation, ({ principal, clock, params }) =>
    users.resendInvitation(ports(clock), principal.merchantId, params.id),
  ),
]);
