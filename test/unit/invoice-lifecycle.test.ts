import { describe, expect, it } from "vitest";
import { addDays, localDate, localTime } from "../../shared/domain/calendar.ts";
import {
  assertInvoiceCan,
  assertNoPaymentInFlight,
  dueDateFor,
  type InvoiceAction,
  type InvoiceStatus,
  isPayable,
  lockAfterOutcome,
  overdueAt,
  type PaymentLock,
  paymentInFlight,
} from "../../shared/domain/invoice-lifecycle.ts";

describe("invoice state machine", () => {
  const statuses: InvoiceStatus[] = ["draft", "open", "paid", "void", "uncollectible"];
  const allowed: Record<InvoiceAction, InvoiceStatus[]> = {
    edit: ["draft"],
    delete: ["draft"],
    finalize: ["draft"],
    send: ["open", "uncollectible", "paid"],
    void: ["open", "uncollectible"],
    markUncollectible: ["open"],
    recordPayment: ["open", "uncollectible"],
  };
  for (const [action, from] of Object.entries(allowed) as [InvoiceAction, InvoiceStatus[]][]) {
    for (const status of statuses) {
      it(`${from.includes(status) ? "allows" : "refuses"} ${action} from ${status}`, () => {
        if (from.includes(status)) expect(() => assertInvoiceCan(action, status)).not.toThrow();
        else expect(() => assertInvoiceCan(action, status)).toThrow(new RegExp(`status is ${status}$`));
      });
    }
  }
});

describe("what a buyer can pay", () => {
  it("is an open or uncollectible invoice with an amount still due, and nothing else", () => {
    const statuses: InvoiceStatus[] = ["draft", "open", "paid", "void", "uncollectible"];
    expect(statuses.filter((status) => isPayable({ status, amountRemaining: 1 }))).toEqual([
      "open",
      "uncollectible",
    ]);
    expect(isPayable({ status: "open", amountRemaining: 0 })).toBe(false);
    expect(isPayable({ status: "uncollectible", amountRemaining: 0 })).toBe(false);
  });
});

describe("the payment lock", () => {
  const now = new Date("2026-11-02T10:00:00Z");
  const charge: PaymentLock = { paymentId: "pay_1", via: "charge", until: "2026-11-02T10:15:00.000Z" };
  const checkout: PaymentLock = { paymentId: "pay_2", via: "checkout", checkoutSessionId: "cs_1", until: "2026-11-02T10:36:00.000Z" };

  it("holds until its time, and for ever once it has none (a processing bank debit)", () => {
    expect(paymentInFlight(undefined, now)).toBe(false);
    expect(paymentInFlight(charge, now)).toBe(true);
    expect(paymentInFlight(charge, new Date("2026-11-02T10:15:00Z"))).toBe(false);
    const { until: _, ...held } = charge;
    expect(paymentInFlight(held, new Date("2036-01-01T00:00:00Z"))).toBe(true);
    expect(() => assertNoPaymentInFlight(checkout, now)).toThrow(/in progress/);
    expect(() => assertNoPaymentInFlight(checkout, new Date("2026-11-02T10:36:00Z"))).not.toThrow();
  });

  it("is released by a success, kept without a time limit while processing, released by a failure only when the attempt is over", () => {
    for (const lock of [charge, checkout]) {
      expect(lockAfterOutcome(lock, "succeeded")).toBeUndefined();
      const processing = lockAfterOutcome(lock, "processing");
      expect(processing).toEqual({ ...lock, until: undefined });
      expect(processing && lockAfterOutcome(processing, "processing")).toBe(processing);
    }
    expect(lockAfterOutcome(charge, "failed")).toBeUndefined();
    // A card declined inside an open Checkout session: the buyer may try another there.
    expect(lockAfterOutcome(checkout, "failed")).toBe(checkout);
    expect(lockAfterOutcome(checkout, "failed", true)).toBeUndefined();
  });
});

describe("payment terms in the merchant's time zone", () => {
  it("counts from the local issue date", () => {
    // 2026-11-30 23:30 in New York is already Dec 1 in UTC.
    const issued = new Date("2026-12-01T04:30:00Z");
    expect(dueDateFor(issued, "America/New_York", { paymentTerms: "net_30" })).toBe("2026-12-30");
    expect(dueDateFor(issued, "UTC", { paymentTerms: "net_30" })).toBe("2026-12-31");
    expect(dueDateFor(issued, "Pacific/Auckland", { paymentTerms: "due_on_receipt" })).toBe("2026-12-01");
    expect(dueDateFor(issued, "UTC", {})).toBe("2026-12-01");
    expect(dueDateFor(issued, "UTC", { paymentTerms: "net_90" })).toBe("2027-03-01");
  });

  it("accepts an explicit due date on or after the issue date only", () => {
    const issued = new Date("2026-12-01T12:00:00Z");
    expect(dueDateFor(issued, "UTC", { dueDate: "2026-12-01" })).toBe("2026-12-01");
    expect(() => dueDateFor(issued, "UTC", { dueDate: "2026-11-30" })).toThrow(/must not be before the issue date 2026-12-01/);
  });

  it("makes an invoice overdue at the start of the next local day, across DST", () => {
    expect(overdueAt("2026-12-30", "America/New_York").toISOString()).toBe("2026-12-31T05:00:00.000Z");
    expect(overdueAt("2026-03-07", "America/New_York").toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(overdueAt("2026-03-08", "America/New_York").toISOString()).toBe("2026-03-09T04:00:00.000Z");
    expect(localTime("2026-06-15", 9, "Europe/Berlin").toISOString()).toBe("2026-06-15T07:00:00.000Z");
    expect(localDate(new Date("2026-06-15T22:30:00Z"), "Europe/Berlin")).toBe("2026-06-16");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
  });
});
