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
  clock: Clock;
  /** How long a claim blocks other deliveries; the consumer's timeout is a good value. */
  claimSeconds: number;
}

/** Runs `effect` once per key; returns whether it ran now. */
export type Once = (options: OnceOptions, effect: () => Promise<void>) => Promise<boolean>;
