/**
 * A quote's end: a one-time schedule, named after the quote and planned when it is published, fires
 * at its `expiresAt` (on its customer's test clock when it has one). An open quote then becomes
 * `expired` with its `quote.expired` event, in one write on the quote's version: a second firing
 * finds it expired and changes nothing, and a quote accepted, canceled or superseded meanwhile is
 * left alone, as is one its buyer has signed (a signature stops the clock).
 */
import * as z from "zod";
import type { OneTimeSchedule } from "../aws/scheduler.ts";
import type { Clock } from "../domain/clock.ts";
import { retryOnConflict } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { type TimerRegistrations, timerQueue, work } from "../timers/registry.ts";
import { buyerSignature } from "./hosted.ts";
import type { QuoteStore, StoredQuote } from "./ports.ts";
import { presentQuote } from "./quote.ts";
import { lazy } from "../lazy.ts";

/** What a quote's expiry schedule delivers. */
export const quoteExpireMessage = lazy(() =>
  z.object({
    kind: z.literal("quote.expire"),
    merchantId: z.string(),
    quoteId: z.string(),
    /** The customer's test clock: the firing runs on its time (functions/billing/timers.ts). */
    testClockId: z.string().optional(),
  }),
);

/**
 * Named after the quote and the instant it expires at: a publish that planned its schedule and then
 * lost its write to a PATCH of `expiresAt` re-plans under a new name (a schedule's name is taken
 * once), and the stale one, firing early, changes nothing.
 */
export const quoteExpiryName = (quote: Pick<StoredQuote, "id" | "expiresAt">) =>
  `${quote.id}-expiry-${Math.floor(Date.parse(quote.expiresAt) / 1000)}`;

export function quoteExpirySchedule(
  merchantId: string,
  quote: Pick<StoredQuote, "id" | "expiresAt">,
  testClockId?: string,
): OneTimeSchedule {
  return {
    name: quoteExpiryName(quote),
    at: new Date(quote.expiresAt),
    queue: timerQueue,
    payload: {
      kind: "quote.expire",
      merchantId,
      quoteId: quote.id,
      ...(testClockId ? { testClockId } : {}),
    } satisfies z.input<ReturnType<typeof quoteExpireMessage>>,
  };
}

export interface QuoteExpiryPorts {
  quotes: Pick<QuoteStore, "read" | "replace">;
  clock: Clock;
}

export async function expireQuote(
  ports: QuoteExpiryPorts,
  merchantId: string,
  quoteId: string,
): Promise<void> {
  await retryOnConflict(5, async () => {
    const found = await ports.quotes.read(merchantId, quoteId);
    if (found?.value.status !== "open" || buyerSignature(found.value)) return;
    const now = ports.clock.now();
    // A firing ahead of its time (a clock moved back, a schedule from an earlier expiresAt) waits.
    if (now.getTime() < Date.parse(found.value.expiresAt)) return;
    const at = now.toISOString();
    const next: StoredQuote = { ...found.value, status: "expired", expiredAt: at, updatedAt: at };
    await ports.quotes.replace(
      merchantId,
      next,
      found.version,
      newEvent("quote.expired", merchantId, quoteId, now, { quote: presentQuote(next) }),
    );
  });
}

export function quoteTimers(ports: QuoteExpiryPorts): TimerRegistrations {
  return {
    timers: {
      "quote.expire": work(quoteExpireMessage, (message) =>
        expireQuote(ports, message.merchantId, message.quoteId),
      ),
    },
  };
}
