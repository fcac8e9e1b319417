/** Operations on the merchant's team: its users and their roles (owners only). */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { roles } from "../users/roles.ts";
import type { NewUser, UserPatch } from "../users/user.ts";
import { email, idParams, listQuery, page, parsesTo } from "./common.ts";
import { lazy } from "../lazy.ts";

const role = lazy(() =>
  z
    .enum(roles)
    .describe(
      "owner: everything; admin: everything but users, API keys and the processor; member: documents, customers, tasks, saved views, manual payments; viewer: read only",
    ),
);

const name = lazy(() => z.string().trim().min(1).max(200));

export const user = lazy(() =>
  z.object({
    id: z.string(),
    merchantId: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: role(),
    status: z
      .enum(["invited", "active"])
      .describe("invited until the user first signs in through an invitation or sign-in link"),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastSignInAt: z.string().nullable(),
    sessionsValidAfter: z
      .string()
      .nullable()
      .describe("Dashboard sessions started before this have ended (sign out everywhere)"),
  }),
);

export const newUser = lazy(() =>
  parsesTo<NewUser>()(z.strictObject({ email: email(), role: role(), name: name().optional() })),
);

export const userPatch = lazy(() =>
  parsesTo<UserPatch>()(z.strictObject({ role: role().optional(), name: name().nullable().optional() })),
);

const lastOwner = {
  409: { description: "The team's last owner cannot be demoted or removed", content: ["problem"] },
} as const;

export const listUsers = defineOperation({
  id: "listUsers",
  method: "GET",
  path: "/v1/users",
  auth: "merchant",
  tag: "Users",
  summary: "List the team's users, newest first (owners only)",
  query: listQuery,
  response: () => page(user()),
  status: 200,
});

export const inviteUser = defineOperation({
  id: "inviteUser",
  method: "POST",
  path: "/v1/users",
  auth: "merchant",
  tag: "Users",
  summary:
    "Invite a user by email with a role: they get a 7-day invitation link to the dashboard (owners only; an address already on the team is a 409)",
  body: newUser,
  response: user,
  status: 201,
});

export const getUser = defineOperation({
  id: "getUser",
  method: "GET",
  path: "/v1/users/{id}",
  auth: "merchant",
  tag: "Users",
  summary: "Get a user (owners only)",
  params: () => idParams("user"),
  response: user,
  status: 200,
});

export const updateUser = defineOperation({
  id: "updateUser",
  method: "PATCH",
  path: "/v1/users/{id}",
  auth: "merchant",
  tag: "Users",
  summary: "Change a user's role or name (owners only; the last owner cannot be demoted)",
  params: () => idParams("user"),
  body: userPatch,
  response: user,
  status: 200,
  otherResponses: lastOwner,
});

export const removeUser = defineOperation({
  id: "removeUser",
  method: "DELETE",
  path: "/v1/users/{id}",
  auth: "merchant",
  tag: "Users",
  summary: "Remove a user: their dashboard sessions end at once (owners only; not the last owner)",
  params: () => idParams("user"),
  status: 204,
  otherResponses: lastOwner,
});

export const resendInvitation = defineOperation({
  id: "resendInvitation",
  method: "POST",
  path: "/v1/users/{id}/resend-invitation",
  auth: "merchant",
  tag: "Users",
  summary: "Email an invited user a new 7-day invitation link (owners only; 409 once they signed in)",
  params: () => idParams("user"),
  response: user,
  status: 200,
});

export const userOperations = [listUsers, inviteUser, getUser, updateUser, removeUser, resendInvitation];
