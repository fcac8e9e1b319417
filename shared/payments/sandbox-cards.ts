/**
 * The sandbox's test payment methods and fees: a pure card network in a table. Tokens and numbers
 * are Stripe's test ones (https://docs.stripe.com/testing), so what works against the sandbox works
 * against Stripe in test mode. Nothing here touches the network, and raw card numbers never leave
 * this module: a method is known by its token (`pm_card_visa`), which is also the payment method id
 * the sandbox reports and saves for later off-session charges.
 */
import { isCurrency } from "../domain/currency.ts";
import { divRound, isAmount, toTenThousandths } from "../domain/money.ts";
import type { AttachPaymentMethodResult, PaymentMethodDetails } from "./processor.ts";

export type SandboxBehaviour =
  /** The charge succeeds at once. */
  | { kind: "succeeds" }
  /**
   * The issuer declines with this decline code. Attaching the card to a customer is declined too
   * (the issuer refuses its verification, as in Stripe), unless `atAttach` says it attaches.
   */
  | { kind: "declines"; declineCode: string; atAttach?: "attaches" }
  /** 3-D Secure: needs the buyer on the page; off-session the charge fails with `authentication_required`. */
  | { kind: "requires_authentication" }
  /** A bank debit: `processing` at first, succeeds after a delay. */
  | { kind: "settles_later" };

export interface SandboxTestMethod {
  /** The test token, used as the payment method id in events (`pm_card_visa`). */
  token: string;
  /** The card number, or the bank account number for a bank debit. */
  number: string;
  type: "card" | "us_bank_account";
  behaviour: SandboxBehaviour;
  details: PaymentMethodDetails;
}

const card = (
  token: string,
  number: string,
  brand: string,
  behaviour: SandboxBehaviour,
): SandboxTestMethod => ({
  token,
  number,
  type: "card",
  behaviour,
  details: { type: "card", brand, last4: number.slice(-4) },
});

/** Stripe's test bank (routing number 110000000) and its always-succeeding account. */
export const sandboxBankName = "STRIPE TEST BANK";

export const sandboxTestMethods: readonly SandboxTestMethod[] = Object.freeze([
  card("pm_card_visa", "4242424242424242", "visa", { kind: "succeeds" }),
  card("pm_card_mastercard", "5555555555554444", "mastercard", { kind: "succeeds" }),
  card("pm_card_chargeDeclined", "4000000000000002", "visa", {
    kind: "declines",
    declineCode: "generic_decline",
  }),
  card("pm_card_insufficientFunds", "4000000000009995", "visa", {
    kind: "declines",
    declineCode: "insufficient_funds",
  }),
  /** A lost card: a hard decline, never retried (declined at attach too, as in Stripe). */
  card("pm_card_visa_chargeDeclinedLostCard", "4000000000009987", "visa", {
    kind: "declines",
    declineCode: "lost_card",
  }),
  card("pm_card_authenticationRequired", "4000002760003184", "visa", { kind: "requires_authentication" }),
  /** Attaches to a customer like any good card; every later charge is declined (Stripe's 0341). */
  card("pm_card_chargeCustomerFail", "4000000000000341", "visa", {
    kind: "declines",
    declineCode: "generic_decline",
    atAttach: "attaches",
  }),
  {
    token: "pm_usBankAccount_success",
    number: "000123456789",
    type: "us_bank_account",
    behaviour: { kind: "settles_later" },
    details: { type: "bank_debit", bankName: sandboxBankName, last4: "6789" },
  },
]);

/**
 * The test method a charge names: a token exactly as Stripe spells it, or a card / account number,
 * spaces and dashes allowed (`4242 4242 4242 4242`). `undefined` for anything else.
 */
export function findTestMethod(paymentMethod: string): SandboxTestMethod | undefined {
  const trimmed = paymentMethod.trim();
  const digits = trimmed.replace(/[\s-]/g, "");
  return sandboxTestMethods.find((m) => m.token === trimmed || (/^\d+$/.test(digits) && m.number === digits));
}

/** Stripe's messages for the outcomes the sandbox produces (what the buyer would be shown). */
const messages: Record<string, string> = {
  generic_decline: "Your card was declined.",
  insufficient_funds: "Your card has insufficient funds.",
  lost_card: "Your card has been declined.",
  authentication_required: "Your card was declined. This transaction requires authentication.",
  invalid_payment_method:
    "The sandbox accepts only its test payment methods, e.g. pm_card_visa or 4242 4242 4242 4242.",
};

export type SandboxDecision =
  | { status: "succeeded" | "processing"; method: SandboxTestMethod }
  | { status: "requires_action"; method: SandboxTestMethod; message: string }
  | {
      status: "failed";
      /** Stripe's error code: `card_declined`, `authentication_required` or `resource_missing`. */
      code: string;
      declineCode: string;
      message: string;
      /** Absent for an unknown method. */
      method?: SandboxTestMethod;
    };

/**
 * What the network does with a charge of `paymentMethod`. An unknown method is a failed charge
 * (decline code `invalid_payment_method`), never an exception.
 */
export function decideSandboxCharge(
  paymentMethod: string,
  context: { offSession: boolean },
): SandboxDecision {
  const method = findTestMethod(paymentMethod);
  if (!method) {
    return {
      status: "failed",
      code: "resource_missing",
      declineCode: "invalid_payment_method",
      message: messages.invalid_payment_method!,
    };
  }
  const behaviour = method.behaviour;
  switch (behaviour.kind) {
    case "succeeds":
      return { status: "succeeded", method };
    case "settles_later":
      return { status: "processing", method };
    case "declines":
      return {
        status: "failed",
        code: "card_declined",
        declineCode: behaviour.declineCode,
        message: messages[behaviour.declineCode] ?? messages.generic_decline!,
        method,
      };
    case "requires_authentication":
      if (context.offSession) {
        return {
          status: "failed",
          code: "authentication_required",
          declineCode: "authentication_required",
          message: messages.authentication_required!,
          method,
        };
      }
      return {
        status: "requires_action",
        method,
        message: "The buyer must authenticate this payment (3-D Secure).",
      };
  }
}

/** Test cards carry no expiry: the sandbox reports Stripe's test default, December of a far year. */
const testCardExpiry = { expMonth: 12, expYear: 2034 } as const;

/** What attaching `paymentMethod` to a customer does: the same table, the same tokens as a charge. */
export function decideSandboxAttach(paymentMethod: string): AttachPaymentMethodResult {
  const method = findTestMethod(paymentMethod);
  if (!method) return { status: "invalid", message: messages.invalid_payment_method! };
  const { behaviour, details } = method;
  if (behaviour.kind === "declines" && behaviour.atAttach !== "attaches") {
    return {
      status: "declined",
      declineCode: behaviour.declineCode,
      message: messages[behaviour.declineCode] ?? messages.generic_decline!,
    };
  }
  return {
    status: "attached",
    processorId: method.token,
    type: method.type,
    ...(details.type === "card"
      ? { card: { brand: details.brand, last4: details.last4, ...testCardExpiry } }
      : {}),
  };
}

export interface SandboxFeeSchedule {
  /** Percent of the amount, at most 4 decimals, 0–100. */
  percent: number;
  /** Minor units of the charge's currency, added to every charge. */
  fixed: number;
}

/** 2.9 % + 30 minor units, like Stripe's standard US card pricing. */
export const defaultSandboxFee: Readonly<SandboxFeeSchedule> = Object.freeze({ percent: 2.9, fixed: 30 });

/**
 * The sandbox's fee on a charge: `amount × percent / 100` rounded half away from zero, plus `fixed`,
 * in exact integer arithmetic. `fixed` is literally that many minor units of the charge's currency
 * whatever its exponent: 30 is $0.30, but ¥30 and 0.030 KWD — one predictable rule rather than a
 * per-currency price list (the sandbox's fees are realistic, not real).
 */
export function sandboxFee(amount: number, currency: string, fee: Partial<SandboxFeeSchedule> = {}): number {
  const { percent, fixed } = { ...defaultSandboxFee, ...fee };
  if (!isAmount(amount)) throw new RangeError("sandboxFee: amount must be a non-negative safe integer");
  if (!isCurrency(currency.toUpperCase())) throw new RangeError(`sandboxFee: unknown currency ${currency}`);
  const scaledPercent = toTenThousandths(percent);
  if (scaledPercent === undefined || scaledPercent < 0n || scaledPercent > 100n * 10_000n) {
    throw new RangeError("sandboxFee: percent must be between 0 and 100 with at most 4 decimals");
  }
  if (!isAmount(fixed)) throw new RangeError("sandboxFee: fixed must be a non-negative safe integer");
  return Number(divRound(BigInt(amount) * scaledPercent, 100n * 10_000n)) + fixed;
}
