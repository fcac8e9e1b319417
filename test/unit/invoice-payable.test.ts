/**
 * The invoice as a payable (shared/invoices/payable.ts), on a recording invoice store: what an attempt
 * takes and holds, what an outcome of it settles (what the invoice takes of a success, invoice.paid
 * and the customer's open count once nothing remains, the lock as `lockAfterOutcome` ends it), and
 * that an outcome that does not move the payment only ends the lock.
 */
import { describe, expect, it } from "vitest";
import type { PaymentLock } from "../../shared/domain/invoice-lifecycle.ts";
import type { Change } from "../../shared/domain/records.ts";
import { payableInvoices } from "../../shared/invoices/payable.ts";
import type { InvoiceStore, StoredInvoice } from "../../shared/invoices/ports.ts";
import type { OutcomeOfPayment } from "../../shared/payments/payable.ts";

const now = new Date("2026-03-02T10:00:00.000Z");
const later = "2026-03-02T10:15:00.000Z";

const invoice = (over: Partial<StoredInvoice> = {}): StoredInvoice =>
  ({
    id: "inv_1",
    status: "open",
    number: "ACME-0007",
    currency: "EUR",
    customerId: "cus_1",
    customer: { id: "cus_1", email: "bea@example.test", name: "Bea" },
    total: 10_000,
    amountPaid: 4_000,
    amountRemaining: 6_000,
    hostedUrl: "https://pay.example.test/i/tok",
    createdAt: "2026-03-01T10:00:00.000Z",
    updatedAt: "2026-03-01T10:00:00.000Z",
    ...over,
  }) as StoredInvoice;

/** An invoice store holding one invoice at version 3, whose changes say what they would write. */
function storeWith(held: StoredInvoice) {
  type Written =
    | { replace: StoredInvoice; version: number; customerDelta?: 1 | -1 }
    | { lock: PaymentLock | undefined; version: number };
  const change = (written: Written) => written as unknown as Change;
  const store = {
    read: async (_merchantId: string, id: string) =>
      id === held.id ? { value: held, version: 3 } : undefined,
    replaceWrites: (_merchantId: string, next: StoredInvoice, version: number, customerDelta?: 1 | -1) => [
      change({ replace: next, version, ...(customerDelta ? { customerDelta } : {}) }),
    ],
    paymentLockWrite: (_merchantId: string, _id: string, version: number, lock: PaymentLock | undefined) =>
      change({ lock, version }),
  } as Partial<InvoiceStore> as InvoiceStore;
  return { payable: payableInvoices(store), written: (c: Change[]) => c as unknown as Written[] };
}

const outcome = (over: Partial<OutcomeOfPayment>): OutcomeOfPayment => ({
  paymentId: "pay_1",
  status: "succeeded",
  sessionOver: false,
  moves: true,
  taken: 0,
  livemode: false,
  now,
  ...over,
});

describe("opening an attempt on an invoice", () => {
  it("takes what remains due, holds the invoice for the payment and counts the attempt", async () => {
    const { payable, written } = storeWith(invoice({ paymentAttempts: 1 }));

    const opening = await payable.open("mer_1", "inv_1", {
      paymentId: "pay_1",
      via: "charge",
      until: later,
      now,
    });

    expect(opening).toMatchObject({
      amount: 6_000,
      currency: "EUR",
      customerId: "cus_1",
      customerEmail: "bea@example.test",
      description: "Invoice ACME-0007",
      attempt: 2,
    });
    const [hold] = written([opening.hold]);
    expect(hold).toEqual({
      replace: {
        ...invoice(),
        paymentLock: { paymentId: "pay_1", via: "charge", until: later },
        paymentAttempts: 2,
        updatedAt: now.toISOString(),
      },
      version: 3,
    });
  });

  it.each([
    [
      "a paid invoice",
      invoice({ status: "paid", amountRemaining: 0 }),
      "Cannot record a payment on an invoice whose status is paid",
    ],
    ["an invoice with nothing due", invoice({ amountRemaining: 0 }), "Nothing is due on this invoice"],
    [
      "an invoice another attempt holds",
      invoice({ paymentLock: { paymentId: "pay_0", via: "checkout", until: later } }),
      "A card or bank payment for this invoice is in progress; wait for its outcome and try again",
    ],
  ])("refuses %s", async (_, held, message) => {
    const { payable } = storeWith(held);
    await expect(
      payable.open("mer_1", "inv_1", { paymentId: "pay_1", via: "charge", until: later, now }),
    ).rejects.toThrow(message);
  });
});

describe("settling an outcome on an invoice", () => {
  it("owes what remains while it takes payments, nothing once it is void, and names its hosted page", async () => {
    expect(await storeWith(invoice()).payable.atOutcome("mer_1", "inv_1", "pay_1")).toMatchObject({
      owed: 6_000,
      hostedUrl: "https://pay.example.test/i/tok",
    });
    expect(
      await storeWith(invoice({ status: "void", amountRemaining: 0 })).payable.atOutcome(
        "mer_1",
        "inv_1",
        "pay_1",
      ),
    ).toMatchObject({ owed: 0 });
    expect(await storeWith(invoice()).payable.atOutcome("mer_1", "inv_other", "pay_1")).toBeUndefined();
  });

  it("a success taking all that remains pays the invoice: invoice.paid in the payment's mode, one open invoice fewer, the lock gone", async () => {
    const lock: PaymentLock = { paymentId: "pay_1", via: "charge", until: later };
    const { payable, written } = storeWith(invoice({ paymentLock: lock }));
    const settling = (await payable.atOutcome("mer_1", "inv_1", "pay_1"))!;

    const settled = settling.settle(outcome({ taken: 6_000, livemode: true }));

    const { paymentLock: _, ...unlocked } = invoice();
    const paid = {
      ...unlocked,
      amountPaid: 10_000,
      amountRemaining: 0,
      status: "paid",
      paidAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    expect(written(settled.changes)).toEqual([{ replace: paid, version: 3, customerDelta: -1 }]);
    expect(settled.after).toEqual(paid);
    expect(settled.events).toHaveLength(1);
    expect(settled.events[0]).toMatchObject({
      type: "invoice.paid",
      objectId: "inv_1",
      livemode: true,
      data: { invoice: { id: "inv_1", status: "paid", amountRemaining: 0 } },
    });
    expect(settled.events[0]!.data.invoice).not.toHaveProperty("paymentLock");
  });

  it("a success taking part of what remains adds it to the amount paid and leaves the invoice open, without invoice.paid", async () => {
    const { payable, written } = storeWith(invoice());
    const settled = (await payable.atOutcome("mer_1", "inv_1", "pay_1"))!.settle(outcome({ taken: 2_500 }));

    expect(written(settled.changes)).toEqual([
      {
        replace: { ...invoice(), amountPaid: 6_500, amountRemaining: 3_500, updatedAt: now.toISOString() },
        version: 3,
      },
    ]);
    expect(settled.events).toEqual([]);
  });

  it("a success it takes nothing of (the invoice was paid or voided meanwhile) changes nothing but its own lock", async () => {
    const voided = storeWith(invoice({ status: "void", amountRemaining: 0 }));
    const unlocked = (await voided.payable.atOutcome("mer_1", "inv_1", "pay_1"))!.settle(
      outcome({ taken: 0 }),
    );
    expect(unlocked).toEqual({ changes: [], events: [] });

    const lock: PaymentLock = { paymentId: "pay_1", via: "checkout", until: later };
    const held = storeWith(invoice({ status: "void", amountRemaining: 0, paymentLock: lock }));
    const released = (await held.payable.atOutcome("mer_1", "inv_1", "pay_1"))!.settle(outcome({ taken: 0 }));
    const { paymentLock: _, ...rest } = invoice({ status: "void", amountRemaining: 0, paymentLock: lock });
    expect(held.written(released.changes)).toEqual([
      { replace: { ...rest, updatedAt: now.toISOString() }, version: 3 },
    ]);
  });

  it.each([
    ["a charge's decline releases it", { via: "charge" as const }, { status: "failed" as const }, undefined],
    [
      "a decline inside an open Checkout session keeps it",
      { via: "checkout" as const },
      { status: "failed" as const },
      "same",
    ],
    [
      "a Checkout session that is over releases it",
      { via: "checkout" as const },
      { status: "failed" as const, sessionOver: true },
      undefined,
    ],
  ])("%s", async (_, held, result, expected) => {
    const lock: PaymentLock = { paymentId: "pay_1", until: later, ...held };
    const { payable, written } = storeWith(invoice({ paymentLock: lock }));
    const settled = (await payable.atOutcome("mer_1", "inv_1", "pay_1"))!.settle(outcome(result));

    if (expected === "same") {
      expect(settled).toEqual({ changes: [], events: [] });
    } else {
      const { paymentLock: __, ...rest } = invoice({ paymentLock: lock });
      expect(written(settled.changes)).toEqual([
        { replace: { ...rest, updatedAt: now.toISOString() }, version: 3 },
      ]);
    }
  });

  it("a bank debit that starts processing keeps the lock without its time limit", async () => {
    const { payable, written } = storeWith(
      invoice({ paymentLock: { paymentId: "pay_1", via: "charge", until: later } }),
    );
    const settled = (await payable.atOutcome("mer_1", "inv_1", "pay_1"))!.settle(
      outcome({ status: "processing" }),
    );
    expect(written(settled.changes)).toEqual([
      {
        replace: {
          ...invoice(),
          paymentLock: { paymentId: "pay_1", via: "charge" },
          updatedAt: now.toISOString(),
        },
        version: 3,
      },
    ]);
  });

  it("an outcome that does not move the payment (a duplicate, a stale report) only ends the lock, by a lock write", async () => {
    const { payable, written } = storeWith(
      invoice({ paymentLock: { paymentId: "pay_1", via: "charge", until: later } }),
    );
    const settled = (await payable.atOutcome("mer_1", "inv_1", "pay_1"))!.settle(
      outcome({ moves: false, status: "succeeded" }),
    );
    expect(written(settled.changes)).toEqual([{ lock: undefined, version: 3 }]);
    expect(settled.events).toEqual([]);
    expect(settled.after).toBeUndefined();
  });

  it("leaves another payment's lock alone", async () => {
    const { payable } = storeWith(
      invoice({ paymentLock: { paymentId: "pay_0", via: "charge", until: later } }),
    );
    const settled = (await payable.atOutcome("mer_1", "inv_1", "pay_1"))!.settle(
      outcome({ status: "failed" }),
    );
    expect(settled).toEqual({ changes: [], events: [] });
  });
});
