/** A merchant's team member: who signs in to the dashboard, with which role. */
import type { Role } from "./roles.ts";

export interface User {
  /** `usr_…` */
  id: string;
  merchantId: string;
  /** Lower case; unique within the merchant (one address may belong to several merchants' teams). */
  email: string;
  name: string | null;
  role: Role;
  /** `invited` until the first sign-in through a link (invitation or sign-in). */
  status: "invited" | "active";
  createdAt: string;
  updatedAt: string;
  lastSignInAt: string | null;
  /** Sessions started before this are ended ("sign out everywhere", removal). */
  sessionsValidAfter: string | null;
}

/** What an owner sets when inviting. */
export interface NewUser {
  email: string;
  role: Role;
  name?: string | undefined;
}

/** What an owner may change of a user. */
export interface UserPatch {
  role?: Role | undefined;
  name?: string | null | undefined;
}
