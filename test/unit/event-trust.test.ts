/**
 * Which processor events may act on the payment, refund or dispute their refs name (shared/payments/
 * event-trust.ts), and the order rules for dispute reports (shared/payments/payment.ts).
 */
import { describe, expect, it } from "vitest";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { type EventClaim, type EventSubject, rejectionOf } from "../../shared/payments/event-trust.ts";
import { type DisputeReport, disputeReportApplies, type Payment, type PaymentDispute } from "../../shared/payments/payment.ts";
import type { Refund } from "../../shared/payments/refund.ts";
import { isLiveStripeKey } from "../../shared/payments/stripe-mode.ts";

const at = "2026-05-01T10:00:00.000Z";
const merchant = { id: "mer_A", stripeAccountId: "acct_A", processor: "stripe" } as Merchant;
const payment = (over: Partial<Payment> = {}): Payment => ({
  id: "pay_1",
  status: "succeeded",
  amount: 10_000,
  currency: "USD",
  fee: 0,
  net: 10_000,
  processor: "stripe",
  livemode: false,
  method: { type: "card", brand: "visa", last4: "4242" },
  customerId: "cus_1",
  for: { kind: "invoice", id: "inv_1" },
  amountRefunded: 0,
  amountRefundedSettled: 0,
  processorPaymentId: "pi_1",
  history: [],
  createdAt: at,
  updatedAt: at,
  ...over,
});
const refund: Refund = {
  id: "re_kassa",
  paymentId: "pay_1",
  livemode: false,
  customerId: "cus_1",
  amount: 4_000,
  currency: "USD",
  status: "pending",
  createdAt: at,
  updatedAt: at,
};
const claim = (over: Partial<EventClaim> = {}): EventClaim => ({
  account: "acct_A",
  livemode: false,
  processorPaymentId: "pi_1",
  amount: 10_000,
  currency: "usd",
  ...over,
});
const ofPayment = (over: Partial<Payment> = {}): EventSubject => ({ kind: "payment", payment: payment(over) });
const ofRefund = (over: Partial<Extract<EventSubject, { kind: "refund" }>> = {}): EventSubject => ({
  kind: "refund",
  payment: payment({ amountRefunded: 4_000 }),
  refund,
  claimedPaymentId: "pay_1",
  processorRefundId: "re_stripe",
  ...over,
});
const reasonOf = (c: EventClaim, subject: EventSubject, live = false, m: Merchant = merchant) =>
  rejectionOf(c, subject, m, live)?.reason;

describe("processor events and the payment they name", () => {
  it("accepts a Stripe payment's event from the merchant's account in the key's mode, for the same money", () => {
    expect(rejectionOf(claim(), ofPayment(), merchant, false)).toBeUndefined();
    expect(rejectionOf(claim({ livemode: true }), ofPayment(), merchant, true)).toBeUndefined();
    // The payment may learn its processor id from the event itself (a checkout's first report).
    expect(rejectionOf(claim({ processorPaymentId: "pi_new" }), ofPayment({ processorPaymentId: undefined }), merchant, false)).toBeUndefined();
  });

  it("rejects a Stripe payment's event from another account, from the platform itself, or in the other mode", () => {
    expect(reasonOf(claim({ account: "acct_B" }), ofPayment())).toBe("account");
    expect(reasonOf(claim({ account: undefined }), ofPayment())).toBe("account");
    expect(reasonOf(claim(), ofPayment(), false, { ...merchant, stripeAccountId: undefined })).toBe("account");
    expect(reasonOf(claim({ livemode: true }), ofPayment(), false)).toBe("livemode");
    expect(reasonOf(claim({ livemode: false }), ofPayment(), true)).toBe("livemode");
  });

  it("accepts a sandbox payment's events only from no account, in test mode", () => {
    const sandbox = ofPayment({ processor: "sandbox" });
    expect(reasonOf(claim({ account: undefined }), sandbox)).toBeUndefined();
    expect(reasonOf(claim({ account: "acct_A" }), sandbox)).toBe("account");
    expect(reasonOf(claim({ account: undefined, livemode: true }), sandbox)).toBe("livemode");
  });

  it("rejects any processor event about a payment recorded by hand", () => {
    expect(reasonOf(claim({ account: undefined }), ofPayment({ processor: "manual" }))).toBe("processor");
  });

  it("rejects an outcome for other money or another processor payment", () => {
    expect(reasonOf(claim({ amount: 9_999 }), ofPayment())).toBe("amount");
    expect(reasonOf(claim({ currency: "eur" }), ofPayment())).toBe("currency");
    expect(reasonOf(claim({ processorPaymentId: "pi_2" }), ofPayment())).toBe("payment");
  });

  it("lets a refund event settle only that payment's refund, for its amount", () => {
    expect(reasonOf(claim({ amount: 4_000 }), ofRefund())).toBeUndefined();
    expect(reasonOf(claim({ amount: 4_000 }), ofRefund({ claimedPaymentId: "pay_other" }))).toBe("refund");
    expect(reasonOf(claim({ amount: 4_000 }), ofRefund({ refund: { ...refund, paymentId: "pay_other" } }))).toBe("refund");
    expect(reasonOf(claim({ amount: 4_000 }), ofRefund({ refund: { ...refund, processorRefundId: "re_known" } }))).toBe("refund");
    expect(reasonOf(claim({ amount: 4_000, processorPaymentId: "pi_2" }), ofRefund())).toBe("payment");
    expect(reasonOf(claim({ amount: 10_000 }), ofRefund())).toBe("amount");
    expect(reasonOf(claim({ amount: 4_000, account: "acct_B" }), ofRefund())).toBe("account");
  });

  it("lets a dispute of at most the payment's amount through, only on the payment's own processor payment", () => {
    const dispute: EventSubject = { kind: "dispute", payment: payment() };
    expect(reasonOf(claim({ amount: 2_500 }), dispute)).toBeUndefined();
    expect(reasonOf(claim({ amount: 10_001 }), dispute)).toBe("amount");
    expect(reasonOf(claim(), { kind: "dispute", payment: payment({ processorPaymentId: undefined }) })).toBe("payment");
  });

  it("reads Kassa's mode from its Stripe key: sk_live_/rk_live_ are live, anything else is not", () => {
    expect(isLiveStripeKey("sk_live_abc")).toBe(true);
    expect(isLiveStripeKey("rk_live_abc")).toBe(true);
    expect(isLiveStripeKey("sk_test_abc")).toBe(false);
    expect(isLiveStripeKey("pk_live_abc")).toBe(false);
  });
});

describe("dispute reports in any order", () => {
  const report = (status: string, reportedAt: string, over: Partial<DisputeReport> = {}): DisputeReport => ({
    id: "dp_1",
    status,
    amount: 10_000,
    createdAt: "2026-05-01T10:00:00.000Z",
    reportedAt,
    ...over,
  });
  const held = (status: string, reportedAt: string, closed = false): PaymentDispute => ({
    id: "dp_1",
    status,
    amount: 10_000,
    createdAt: "2026-05-01T10:00:00.000Z",
    reportedAt,
    closed,
  });

  it("never reopens a closed dispute, whatever arrives after", () => {
    for (const late of ["needs_response", "under_review", "won"]) {
      expect(disputeReportApplies(held("lost", "2026-05-10T00:00:00.000Z", true), report(late, "2026-05-20T00:00:00.000Z"))).toBe(false);
    }
    // Records from before `closed` was kept: the status alone says it.
    const { closed: _, ...legacy } = held("won", "2026-05-10T00:00:00.000Z");
    expect(disputeReportApplies(legacy, report("needs_response", "2026-05-20T00:00:00.000Z"))).toBe(false);
  });

  it("closes an open dispute even if the decision's report is older than the one held", () => {
    expect(disputeReportApplies(held("under_review", "2026-05-05T00:00:00.000Z"), report("won", "2026-05-04T00:00:00.000Z"))).toBe(true);
  });

  it("moves an open dispute only to a newer report (in the same second: the review after the request)", () => {
    const h = held("under_review", "2026-05-05T00:00:00.000Z");
    expect(disputeReportApplies(h, report("needs_response", "2026-05-04T00:00:00.000Z"))).toBe(false);
    expect(disputeReportApplies(h, report("needs_response", "2026-05-05T00:00:00.000Z"))).toBe(false);
    expect(disputeReportApplies(held("needs_response", "2026-05-05T00:00:00.000Z"), report("under_review", "2026-05-05T00:00:00.000Z"))).toBe(true);
    expect(disputeReportApplies(h, report("under_review", "2026-05-06T00:00:00.000Z"))).toBe(false);
  });

  it("replaces the held dispute with another only if that one was opened later", () => {
    const h = held("lost", "2026-05-05T00:00:00.000Z", true);
    expect(disputeReportApplies(h, report("needs_response", "2026-06-01T00:00:00.000Z", { id: "dp_2", createdAt: "2026-06-01T00:00:00.000Z" }))).toBe(true);
    expect(disputeReportApplies(h, report("needs_response", "2026-06-01T00:00:00.000Z", { id: "dp_0", createdAt: "2026-04-01T00:00:00.000Z" }))).toBe(false);
  });
});
