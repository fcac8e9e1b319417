/** `payout.*` events from a connected account. */
import type Stripe from "stripe";
import { type EventEnvelope, type EventOf, envelope, type KassaMetadata, metadataOf } from "./envelope.ts";
import { clone, fixtures } from "./fixtures.ts";

export type PayoutEventType = "payout.paid" | "payout.failed";

export interface PayoutInput extends EventEnvelope {
  /** `po_…` */
  id: string;
  amount: number;
  currency: string;
  /** Unix seconds. */
  arrivalDate: number;
  balanceTransactionId?: string | null;
  /** The bank account (`ba_…`). */
  destination?: string | null;
  /** On `payout.failed`: Stripe's failure code (`account_closed`, `insufficient_funds`…) and message. */
  failure?: { code: string; message: string };
  metadata?: KassaMetadata;
}

/** `payout.paid` / `payout.failed` (from the connected account named in `accountId`). */
export function payoutEvent<T extends PayoutEventType>(type: T, input: PayoutInput): EventOf<T> {
  const template = clone(fixtures.resources.payout);
  const failed = type === "payout.failed";
  const overrides: Partial<Stripe.Payout> = {
    id: input.id,
    amount: input.amount,
    arrival_date: input.arrivalDate,
    balance_transaction: input.balanceTransactionId ?? null,
    created: input.created,
    currency: input.currency.toLowerCase(),
    destination: input.destination ?? null,
    failure_balance_transaction: null,
    failure_code: failed ? (input.failure?.code ?? "could_not_process") : null,
    failure_message: failed ? (input.failure?.message ?? "The bank could not process this payout.") : null,
    livemode: false,
    metadata: metadataOf(input.metadata),
    status: failed ? "failed" : "paid",
    trace_id: null,
  };
  return envelope(type, { ...template, ...overrides }, input);
}
