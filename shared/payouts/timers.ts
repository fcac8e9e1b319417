/**
 * The payouts' timed work on the billing queue: a new merchant's chain starts on merchant.created,
 * each `payouts.run` runs a day (and schedules the next), and the daily `payouts.sweep` re-seeds
 * dead chains (see run.ts).
 */
import { eventMessage } from "../outbox/message.ts";
import { type TimerRegistrations, work } from "../timers/registry.ts";
import {
  handlePayoutRun,
  type PayoutSweepPorts,
  payoutRunMessage,
  payoutSweepMessage,
  startPayoutChain,
  sweepPayoutChains,
} from "./run.ts";

export function payoutTimers(ports: () => PayoutSweepPorts): TimerRegistrations {
  return {
    timers: {
      "payouts.run": work(payoutRunMessage, async (message) => {
        await handlePayoutRun(ports(), message);
      }),
      "payouts.sweep": work(payoutSweepMessage, async () => {
        await sweepPayoutChains(ports());
      }),
    },
    events: {
      // Each run schedules the next, so one run started here keeps the merchant's chain going.
      "merchant.created": work(eventMessage, (event) => startPayoutChain(ports(), event.merchantId)),
    },
  };
}
