/**
 * Dashboard sessions: server-side, behind a cookie that carries only a 32-byte random secret (and the
 * merchant and user it belongs to, so the session and its user are read together). The store keeps
 * the secret's SHA-256, never the secret. A session ends after 8 idle hours or 7 days, when it signs
 * out, and at once when its user is removed or signs out everywhere (`sessionsValidAfter`): the user
 * is read on every request, so no list of sessions has to be found and deleted.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.ts";
import type { WindowCounter } from "../domain/limits.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Role } from "../users/roles.ts";

/** A session as stored: `idHash` is the SHA-256 of the cookie's secret. */
export interface Session {
  merchantId: string;
  userId: string;
  idHash: string;
  /** The synchronizer token every form of this session carries (shared/dashboard/csrf.ts). */
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
}

/** The user as the dashboard needs it (shared/users/user.ts `User` is one). */
export interface DashboardUser {
  id: string;
  merchantId: string;
  email: string;
  name: string | null;
  role: Role;
  /** Sessions started before this are over ("sign out everywhere", removal). */
  sessionsValidAfter: string | null;
}

export interface SessionStore {
  /** Writes a new session; `expiresAt` is the item's TTL (DynamoDB removes it some time after). */
  create(session: Session, expiresAt: Date): Promise<void>;
  /**
   * The session with its user and merchant, read together on every request (one round trip), so a
   * removed user or a "sign out everywhere" is seen on the very next one.
   */
  readSignedIn(
    merchantId: string,
    idHash: string,
    userId: string,
  ): Promise<{ session?: Session; user?: DashboardUser; merchant?: Merchant }>;
  /** Records activity: the idle expiry moves on. */
  touch(merchantId: string, idHash: string, lastSeenAt: string, expiresAt: Date): Promise<void>;
  remove(merchantId: string, idHash: string): Promise<void>;
}

/**
 * What the dashboard needs from the users module (shared/users/service.ts, sign-in.ts), wired in
 * shared/composition.ts `dashboardPorts`, and from the rest of the platform.
 */
export interface DashboardPorts {
  sessions: SessionStore;
  users: {
    /** Ends every session of the user (sets `sessionsValidAfter` to now). */
    endSessions(merchantId: string, userId: string): Promise<void>;
  };
  signIn: {
    /** Emails a sign-in link to each membership of `email`; says nothing about whether there is one. */
    request(email: string): Promise<void>;
    /** Uses the link up (once) and answers its user; throws an error named `SignInLinkError` when it is not valid. */
    consume(token: string): Promise<DashboardUser>;
    /** Whether the link would sign in, consuming nothing (the page a mail scanner may fetch). */
    inspect(token: string): Promise<"valid" | "invalid">;
  };
  limits: WindowCounter;
  /** The system clock: sessions live in real time, never on a merchant's test clock. */
  clock: Clock;
  /** The deployment's public base URL: the dashboard's origin, and whether its cookies get `__Host-`. */
  publicBaseUrl: string;
}

export const sessionLimits = {
  idleMs: 8 * 3600_000,
  absoluteMs: 7 * 24 * 3600_000,
  /** `lastSeenAt` is written at most this often: a page view costs a write once a minute, not each time. */
  touchEveryMs: 60_000,
} as const;

/** What the browser holds: `<merchantId>.<userId>.<secret>`. */
const cookieValuePattern = /^([a-z]+_[0-9A-Za-z]+)\.([a-z]+_[0-9A-Za-z]+)\.([A-Za-z0-9_-]{43})$/;

const hashOf = (secret: string) => createHash("sha256").update(secret).digest("base64url");

export const randomToken = (): string => randomBytes(32).toString("base64url");

/** When a session ends unless it is used again: idle expiry, capped by the absolute one. */
function expiryOf(session: Session): Date {
  return new Date(
    Math.min(
      Date.parse(session.lastSeenAt) + sessionLimits.idleMs,
      Date.parse(session.createdAt) + sessionLimits.absoluteMs,
    ),
  );
}

export interface SignedInSession {
  session: Session;
  user: DashboardUser;
  merchant: Merchant;
}

/**
 * Starts a session for `user` (just signed in): a new secret every time, and the session the browser
 * had before, if any, is deleted. Answers the cookie value.
 */
export async function startSession(
  ports: DashboardPorts,
  user: DashboardUser,
  previousCookie: string | undefined,
): Promise<string> {
  if (previousCookie) await endSession(ports, previousCookie);
  const secret = randomToken();
  const now = ports.clock.now().toISOString();
  const session: Session = {
    merchantId: user.merchantId,
    userId: user.id,
    idHash: hashOf(secret),
    csrfToken: randomToken(),
    createdAt: now,
    lastSeenAt: now,
  };
  await ports.sessions.create(session, expiryOf(session));
  return `${user.merchantId}.${user.id}.${secret}`;
}

/**
 * The session the cookie names, with its user and merchant, when it is still good; a session found
 * past its end (expired, or its user removed or signed out everywhere) is deleted on the way.
 */
export async function resolveSession(
  ports: DashboardPorts,
  cookie: string | undefined,
): Promise<SignedInSession | undefined> {
  const parts = cookie ? cookieValuePattern.exec(cookie) : null;
  if (!parts) return undefined;
  const [, merchantId = "", userId = "", secret = ""] = parts;
  const idHash = hashOf(secret);
  const { session, user, merchant } = await ports.sessions.readSignedIn(merchantId, idHash, userId);
  if (!session || session.userId !== userId) return undefined;
  const now = ports.clock.now();
  const over =
    !user ||
    !merchant ||
    expiryOf(session) <= now ||
    (user.sessionsValidAfter !== null && session.createdAt < user.sessionsValidAfter);
  if (over) {
    await ports.sessions.remove(merchantId, idHash);
    return undefined;
  }
  if (now.getTime() - Date.parse(session.lastSeenAt) >= sessionLimits.touchEveryMs) {
    const touched = { ...session, lastSeenAt: now.toISOString() };
    await ports.sessions.touch(merchantId, idHash, touched.lastSeenAt, expiryOf(touched));
    return { session: touched, user, merchant };
  }
  return { session, user, merchant };
}

/** Signs the browser's session out (deletes it); a cookie naming none does nothing. */
export async function endSession(ports: DashboardPorts, cookie: string): Promise<void> {
  const parts = cookieValuePattern.exec(cookie);
  if (parts) await ports.sessions.remove(parts[1] ?? "", hashOf(parts[3] ?? ""));
}

/** Seconds a new session's cookie is kept: its absolute lifetime. */
export const sessionCookieMaxAge = sessionLimits.absoluteMs / 1000;
