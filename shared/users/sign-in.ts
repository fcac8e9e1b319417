/**
 * Dashboard sign-in by emailed link. A link's token is 32 random bytes (base64url) that exist only
 * in the email: the table keeps its SHA-256, with `validUntil` and, once used, `usedAt`. Using a
 * link is one conditional write, so it works once even when two requests race. Sign-in links live
 * 15 minutes, invitations (an invited user's, a new merchant's owner's) 7 days.
 *
 * Tokens are minted when the email is rendered (the notifications consumer calls `issueSignInLink`
 * and `issueInvitation`), never earlier: no event, queue message or log line ever holds one.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.ts";
import { retryOnConflict } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { type WindowCounter, windowLimits } from "../domain/limits.ts";
import type { SignInLink, SignInLinkStore, UserStore } from "./ports.ts";
import type { User } from "./user.ts";

export const signInLinkMinutes = 15;
export const invitationDays = 7;

/** A link that is unknown, used or past: one error and one message for all three, to tell nobody which. */
export class SignInLinkError extends Error {
  override readonly name = "SignInLinkError";
  constructor() {
    super("This sign-in link is not valid any more; ask for a new one");
  }
}

export interface SignInPorts {
  users: UserStore;
  links: SignInLinkStore;
  /** The per-address window of sign-in requests. */
  limits: WindowCounter;
  clock: Clock;
  publicBaseUrl: string;
}

const hashToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

/** Where a link's token leads: the dashboard's page that asks for a click before using it. */
export const signInUrl = (publicBaseUrl: string, token: string): string =>
  `${publicBaseUrl}/app/sign-in/${token}`;

/** The rate window's owner: requests are counted per address, across merchants. */
const platform = "platform";

/**
 * Emails a sign-in link to each team the address belongs to (`user.sign_in_requested` per
 * membership; the notification mints the link). An unknown address does nothing, and more than
 * `windowLimits.signInRequests` requests for one address in its window do nothing either: the
 * caller learns neither.
 */
export async function requestSignIn(ports: Pick<SignInPorts, "users" | "limits" | "clock">, email: string) {
  const address = email.trim().toLowerCase();
  const now = ports.clock.now();
  const take = await ports.limits.take(windowLimits.signInRequests, platform, hashToken(address), now);
  if (!take.taken) return;
  for (const user of await ports.users.findByEmail(address)) {
    await retryOnConflict(3, async () => {
      const found = await ports.users.read(user.merchantId, user.id);
      if (!found) return;
      await ports.users.announce(
        found.value,
        found.version,
        newEvent("user.sign_in_requested", user.merchantId, user.id, now, { user: found.value }),
      );
    });
  }
}

async function issue(
  ports: Pick<SignInPorts, "links" | "clock" | "publicBaseUrl">,
  user: Pick<User, "merchantId" | "id">,
  purpose: SignInLink["purpose"],
  lifetimeMs: number,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const validUntil = new Date(ports.clock.now().getTime() + lifetimeMs).toISOString();
  await ports.links.put(hashToken(token), {
    merchantId: user.merchantId,
    userId: user.id,
    purpose,
    validUntil,
  });
  return signInUrl(ports.publicBaseUrl, token);
}

/** A new 15-minute sign-in link for the user (its URL). */
export const issueSignInLink = (
  ports: Pick<SignInPorts, "links" | "clock" | "publicBaseUrl">,
  user: Pick<User, "merchantId" | "id">,
) => issue(ports, user, "sign_in", signInLinkMinutes * 60_000);

/** A new 7-day invitation link for the user (its URL). */
export const issueInvitation = (
  ports: Pick<SignInPorts, "links" | "clock" | "publicBaseUrl">,
  user: Pick<User, "merchantId" | "id">,
) => issue(ports, user, "invitation", invitationDays * 86_400_000);

/**
 * Uses the link: the user it signs in (an invited one becomes active). Throws SignInLinkError for a
 * link that is unknown, used, past, or whose user was removed.
 */
export async function consumeSignInLink(
  ports: Pick<SignInPorts, "users" | "links" | "clock">,
  token: string,
): Promise<User> {
  const now = ports.clock.now().toISOString();
  const link = await ports.links.use(hashToken(token), now);
  if (!link) throw new SignInLinkError();
  // The link is spent: a concurrent change of the user (a new role) must not lose the sign-in.
  return retryOnConflict(3, async () => {
    const found = await ports.users.read(link.merchantId, link.userId);
    if (!found) throw new SignInLinkError();
    const activated = found.value.status === "invited";
    const user: User = {
      ...found.value,
      status: "active",
      lastSignInAt: now,
      ...(activated ? { updatedAt: now } : {}),
    };
    await ports.users.replace(
      user,
      found.version,
      0,
      activated
        ? newEvent("user.updated", link.merchantId, user.id, new Date(now), { user, changed: ["status"] })
        : undefined,
    );
    return user;
  });
}

/** Whether the link would sign someone in now; uses nothing (the GET of the page a mail scanner may follow). */
export async function inspectSignInLink(
  ports: Pick<SignInPorts, "users" | "links" | "clock">,
  token: string,
): Promise<"valid" | "invalid"> {
  const link = await ports.links.find(hashToken(token));
  if (!link || link.usedAt || link.validUntil <= ports.clock.now().toISOString()) return "invalid";
  return (await ports.users.read(link.merchantId, link.userId)) ? "valid" : "invalid";
}
