/**
 * Charges and balance transactions: the parts of a payment intent the sandbox expands.
 *
 * Real webhooks carry `latest_charge` as an id; the sandbox sends it expanded (a charge with
 * `payment_method_details` and its balance transaction, which holds the fee) because nothing can be
 * fetched from a processor that keeps no state. `latestCharge` takes either form, so consumers
 * should accept both.
 */
import type Stripe from "stripe";
import type { PaymentMethodDetails } from "../payments/processor.ts";
import { clone, fixtures } from "./fixtures.ts";

export interface ChargeInput {
  /** `ch_…` */
  id: string;
  status: "succeeded" | "pending" | "failed";
  method?: PaymentMethodDetails;
  /** The processor's fee; with `balanceTransactionId` the balance transaction is expanded to carry it. */
  fee?: number;
  /** `txn_…` */
  balanceTransactionId?: string;
  /** Cumulative, minor units. */
  amountRefunded?: number;
  failure?: { code: string; declineCode: string; message: string };
  /** Refunds listed on the charge, newest first. */
  refunds?: Stripe.Refund[];
  /** Whether refunds before those listed exist. */
  moreRefunds?: boolean;
}

export interface ChargeContext {
  amount: number;
  currency: string;
  created: number;
  paymentIntentId: string | null;
  paymentMethodId: string | null;
  customerId: string | null;
  description: string | null;
  metadata: Stripe.Metadata;
}

function methodDetails(
  method: PaymentMethodDetails | undefined,
  amount: number,
): Stripe.Charge.PaymentMethodDetails | null {
  if (!method) return null;
  if (method.type === "card") {
    const template = clone(fixtures.resources.charge.payment_method_details.card);
    return {
      type: "card",
      card: {
        ...template,
        amount_authorized: amount,
        brand: method.brand,
        fingerprint: null,
        last4: method.last4,
        network: method.brand,
        overcapture: { maximum_amount_capturable: amount, status: "unavailable" },
        three_d_secure: null,
        wallet: null,
      },
    } as unknown as Stripe.Charge.PaymentMethodDetails;
  }
  return {
    type: "us_bank_account",
    us_bank_account: {
      account_holder_type: "individual",
      account_type: "checking",
      bank_name: method.bankName ?? null,
      fingerprint: null,
      last4: method.last4 ?? null,
      mandate: null,
      payment_reference: null,
      routing_number: "110000000",
    },
  } as unknown as Stripe.Charge.PaymentMethodDetails;
}

/** A balance transaction for a charge: `net = amount − fee`, the fee itemised as the processor's. */
export function balanceTransactionObject(input: {
  id: string;
  chargeId: string;
  amount: number;
  fee: number;
  currency: string;
  created: number;
}): Stripe.BalanceTransaction {
  const currency = input.currency.toLowerCase();
  const overrides: Partial<Stripe.BalanceTransaction> = {
    id: input.id,
    amount: input.amount,
    available_on: input.created + 2 * 86_400,
    created: input.created,
    currency,
    description: null,
    fee: input.fee,
    fee_details:
      input.fee > 0
        ? [
            {
              amount: input.fee,
              application: null,
              currency,
              description: "Sandbox processing fees",
              type: "stripe_fee",
            },
          ]
        : [],
    net: input.amount - input.fee,
    reporting_category: "charge",
    source: input.chargeId,
    status: "pending",
    type: "charge",
  };
  return { ...clone(fixtures.resources.balance_transaction), ...overrides } as Stripe.BalanceTransaction;
}

export function chargeObject(input: ChargeInput, context: ChargeContext): Stripe.Charge {
  const template = clone(fixtures.resources.charge);
  const currency = context.currency.toLowerCase();
  const amountRefunded = input.amountRefunded ?? 0;
  const failed = input.status === "failed";
  const overrides: Partial<Stripe.Charge> = {
    id: input.id,
    amount: context.amount,
    amount_captured: failed ? 0 : context.amount,
    amount_refunded: amountRefunded,
    balance_transaction:
      input.balanceTransactionId === undefined
        ? null
        : input.fee === undefined
          ? input.balanceTransactionId
          : balanceTransactionObject({
              id: input.balanceTransactionId,
              chargeId: input.id,
              amount: context.amount,
              fee: input.fee,
              currency,
              created: context.created,
            }),
    billing_details: { ...template.billing_details, name: null },
    captured: !failed,
    created: context.created,
    currency,
    customer: context.customerId,
    description: context.description,
    disputed: false,
    failure_code: input.failure?.code ?? null,
    failure_message: input.failure?.message ?? null,
    livemode: false,
    metadata: context.metadata,
    outcome: failed
      ? {
          ...template.outcome,
          network_status: "declined_by_network",
          reason: input.failure?.declineCode ?? null,
          seller_message: "The bank did not return any further details with this decline.",
          type: "issuer_declined",
        }
      : {
          ...template.outcome,
          network_status: "approved_by_network",
          reason: null,
          seller_message: "Payment complete.",
          type: "authorized",
        },
    paid: input.status === "succeeded",
    payment_intent: context.paymentIntentId,
    payment_method: context.paymentMethodId,
    payment_method_details: methodDetails(input.method, context.amount),
    receipt_url: null,
    refunded: amountRefunded > 0 && amountRefunded >= context.amount,
    refunds: {
      object: "list",
      data: input.refunds ?? [],
      has_more: input.moreRefunds ?? false,
      url: `/v1/charges/${input.id}/refunds`,
    },
    shipping: null,
    source: null,
    status: input.status,
    transfer_data: null,
  };
  return { ...template, ...overrides } as unknown as Stripe.Charge;
}
