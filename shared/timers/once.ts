/**
 * The port at-least-once consumers make an effect exactly-once with (implemented by
 * `shared/store/processed.ts`): the effect runs unless a previous delivery of the same key already
 * ran it; a claim whose holder crashed expires after `claimSeconds`, so the message is retried.
 */
import type { Clock } from "../domain/clock.ts";

export interface OnceOptions {
  /** Whose keys these are (keys of different consumers never collide). */
  consumer: string;
  key: string;
  /** Real time (never a test clock's): a crashed holder's claim must expire while the clock stands still. */
  clock: Clock;
  /** How long a claim blocks other deliveries; the consumer's timeout is a good value. */
  claimSeconds: number;
}

/** Runs `effect` once per key; returns whether it ran now. */
export type Once = (options: OnceOptions, effect: () => Promise<void>) => Promise<boolean>;

/**
 * What became of a keyed effect: `ran` now, `done` by an earlier delivery, or `held` — another
 * delivery's claim is in place and its effect may still fail, so this one must not count it as done.
 * `result` is what the effect returned, kept on the key (an email's message id).
 */
export type OnceOutcome = { status: "ran" | "done"; result?: string } | { status: "held" };

/** `Once` telling a finished key from a held one, and keeping what the effect returned. */
export type OnceRecorded = (
  options: OnceOptions,
  effect: () => Promise<string | undefined>,
) => Promise<OnceOutcome>;
