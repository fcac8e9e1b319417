/** What the users and sign-in use cases run on, in their own words; shared/store/users.ts implements them. */
import type { DomainEvent } from "../domain/events.ts";
import type { Change, Page, PageRequest, Versioned } from "../domain/records.ts";
import type { User } from "./user.ts";

/**
 * A change's effect on the number of owners: +1 (a new owner), -1 (an owner demoted or removed) or 0.
 * A -1 fails when it would leave none, whatever ran concurrently: the count is one item.
 */
export type OwnerDelta = -1 | 0 | 1;

export interface UserStore {
  read(merchantId: string, userId: string): Promise<Versioned<User> | undefined>;
  list(merchantId: string, page: Pick<PageRequest, "limit" | "after">): Promise<Page<User>>;
  /** Every membership of an address (at most 100 merchants' teams). */
  findByEmail(email: string): Promise<User[]>;
  /** A new user and its email claim (an address already on the team: 409). */
  create(user: User, owners: OwnerDelta, event: DomainEvent): Promise<void>;
  /** The new writes of a merchant's first owner, for the merchant's own creation transaction. */
  firstOwnerWrites(user: User): Change[];
  /** Replaces the user at `expectedVersion`; `event` none for bookkeeping (last sign-in, sessions). */
  replace(user: User, expectedVersion: number, owners: OwnerDelta, event?: DomainEvent): Promise<void>;
  remove(user: User, expectedVersion: number, owners: OwnerDelta, event: DomainEvent): Promise<void>;
  /** Records an event about the user while it is still at `expectedVersion` (an invitation sent again). */
  announce(user: User, expectedVersion: number, event: DomainEvent): Promise<void>;
}

/** A sign-in or invitation link as stored: never the token, only its SHA-256. */
export interface SignInLink {
  merchantId: string;
  userId: string;
  purpose: "sign_in" | "invitation";
  /** ISO 8601; the table's TTL removes the item some time after. */
  validUntil: string;
  usedAt?: string;
}

export interface SignInLinkStore {
  /** Saves a new link (a hash collision is a 409). */
  put(tokenHash: string, link: SignInLink): Promise<void>;
  find(tokenHash: string): Promise<SignInLink | undefined>;
  /**
   * Marks the link used at `at` if it is unused and still valid then: one conditional write, so of
   * two racing requests exactly one gets the link; the other (and any later one) gets undefined.
   */
  use(tokenHash: string, at: string): Promise<SignInLink | undefined>;
}
