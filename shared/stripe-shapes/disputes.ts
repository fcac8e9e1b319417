/** `charge.dispute.*` events. */
import type Stripe from "stripe";
import type { PaymentMethodDetails } from "../payments/processor.ts";
import { type EventEnvelope, type EventOf, envelope, type KassaMetadata, metadataOf } from "./envelope.ts";
import { clone, fixtures } from "./fixtures.ts";

export type DisputeEventType = "charge.dispute.created" | "charge.dispute.closed";

export interface DisputeInput extends EventEnvelope {
  /** `dp_…` */
  id: string;
  chargeId: string;
  paymentIntentId?: string | null;
  amount: number;
  currency: string;
  /** Defaults to `needs_response` when created and `lost` when closed. */
  status?: Stripe.Dispute.Status;
  reason?: string;
  /** Unix seconds; defaults to 7 days after `created`. */
  evidenceDueBy?: number;
  /** Real disputes carry no metadata of their own (Kassa finds the payment by charge or intent). */
  metadata?: KassaMetadata;
  method?: PaymentMethodDetails;
}

/** `charge.dispute.created` / `charge.dispute.closed`. */
export function disputeEvent<T extends DisputeEventType>(type: T, input: DisputeInput): EventOf<T> {
  const template = clone(fixtures.resources.dispute);
  const status = input.status ?? (type === "charge.dispute.created" ? "needs_response" : "lost");
  const overrides: Partial<Stripe.Dispute> = {
    id: input.id,
    amount: input.amount,
    charge: input.chargeId,
    created: input.created,
    currency: input.currency.toLowerCase(),
    enhanced_eligibility_types: [],
    evidence_details: {
      ...template.evidence_details,
      due_by: input.evidenceDueBy ?? input.created + 7 * 86_400,
    } as Stripe.Dispute.EvidenceDetails,
    is_charge_refundable: false,
    livemode: false,
    metadata: metadataOf(input.metadata),
    payment_intent: input.paymentIntentId ?? null,
    payment_method_details:
      input.method?.type === "card"
        ? ({
            type: "card",
            card: {
              ...template.payment_method_details.card,
              brand: input.method.brand,
              network: input.method.brand,
              case_type: "chargeback",
            },
          } as Stripe.Dispute.PaymentMethodDetails)
        : undefined,
    reason: input.reason ?? "general",
    status,
  };
  return envelope(type, { ...template, ...overrides }, input, status);
}
