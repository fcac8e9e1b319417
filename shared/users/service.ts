/**
 * The merchant's team: invite, list, read, change the role or name of, and remove users, and end a
 * user's sessions. The last owner stays: demoting or removing them is a 409 (the store's owner
 * count decides, so two owners demoting each other at once cannot both succeed).
 */
import type { Clock } from "../domain/clock.ts";
import { NotFoundError, retryOnConflict, StateConflictError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Position } from "../http/cursor.ts";
import type { OwnerDelta, UserStore } from "./ports.ts";
import type { Role } from "./roles.ts";
import type { NewUser, User, UserPatch } from "./user.ts";

export interface UserPorts {
  store: UserStore;
  clock: Clock;
}

/** How a change of role moves the owner count. */
const ownerDelta = (from: Role | undefined, to: Role | undefined): OwnerDelta =>
  ((to === "owner" ? 1 : 0) - (from === "owner" ? 1 : 0)) as OwnerDelta;

/** A new user (invited) as of `now`; the merchant's first owner is made by merchant creation with it. */
export function newUser(merchantId: string, input: NewUser, now: Date): User {
  const at = now.toISOString();
  return {
    id: newId("user", now),
    merchantId,
    email: input.email.toLowerCase(),
    name: input.name ?? null,
    role: input.role,
    status: "invited",
    createdAt: at,
    updatedAt: at,
    lastSignInAt: null,
    sessionsValidAfter: null,
  };
}

/** Invites a user: `user.invited` sends them a 7-day invitation link. An address already on the team is a 409. */
export async function inviteUser(
  { store, clock }: UserPorts,
  merchantId: string,
  input: NewUser,
): Promise<User> {
  const now = clock.now();
  const user = newUser(merchantId, input, now);
  await store.create(
    user,
    ownerDelta(undefined, user.role),
    newEvent("user.invited", merchantId, user.id, now, { user }),
  );
  return user;
}

export async function getUser(
  { store }: UserPorts,
  merchantId: string,
  userId: string,
): Promise<User | undefined> {
  return (await store.read(merchantId, userId))?.value;
}

async function readUser(store: UserStore, merchantId: string, userId: string) {
  const found = await store.read(merchantId, userId);
  if (!found) throw new NotFoundError("User");
  return found;
}

export async function listUsers(
  { store }: UserPorts,
  merchantId: string,
  page: { limit: number; after?: Position },
) {
  return store.list(merchantId, page);
}

export async function updateUser(
  { store, clock }: UserPorts,
  merchantId: string,
  userId: string,
  patch: UserPatch,
): Promise<User> {
  const found = await readUser(store, merchantId, userId);
  const now = clock.now();
  const user: User = {
    ...found.value,
    ...(patch.role !== undefined ? { role: patch.role } : {}),
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    updatedAt: now.toISOString(),
  };
  await store.replace(
    user,
    found.version,
    ownerDelta(found.value.role, user.role),
    newEvent("user.updated", merchantId, userId, now, { user, changed: Object.keys(patch) }),
  );
  return user;
}

/** Removes a user: their sessions end at once, since every dashboard request reads its user. */
export async function removeUser(
  { store, clock }: UserPorts,
  merchantId: string,
  userId: string,
): Promise<void> {
  const found = await readUser(store, merchantId, userId);
  await store.remove(
    found.value,
    found.version,
    ownerDelta(found.value.role, undefined),
    newEvent("user.removed", merchantId, userId, clock.now(), { user: found.value }),
  );
}

/** Sends an invited user a new invitation link (`user.invited` again); an active user is a 409. */
export async function resendInvitation(
  { store, clock }: UserPorts,
  merchantId: string,
  userId: string,
): Promise<User> {
  const found = await readUser(store, merchantId, userId);
  if (found.value.status !== "invited")
    throw new StateConflictError(
      "The user has signed in already; they sign in with their email at /app/sign-in",
    );
  await store.announce(
    found.value,
    found.version,
    newEvent("user.invited", merchantId, userId, clock.now(), { user: found.value }),
  );
  return found.value;
}

/** Ends every session the user started until now ("sign out everywhere"). */
export async function endSessions(
  { store, clock }: UserPorts,
  merchantId: string,
  userId: string,
): Promise<void> {
  await retryOnConflict(3, async () => {
    const found = await readUser(store, merchantId, userId);
    await store.replace({ ...found.value, sessionsValidAfter: clock.now().toISOString() }, found.version, 0);
  });
}
