/**
 * The credit balance on an invoice (shared/invoices/balance.ts), pure: what a finalize (and the
 * subscription's upcoming-invoice preview) applies, what remains due and what the customer keeps.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { translator } from "../../shared/i18n/translator.ts";
import { applyCreditBalance, balanceRows } from "../../shared/invoices/balance.ts";

describe("applyCreditBalance", () => {
  it.each([
    // total, credited, balance → applied, due, after
    [11_000, 0, 3000, 3000, 8000, 0],
    [1200, 0, 5000, 1200, 0, 3800],
    [5000, 0, 0, 0, 5000, 0],
    [0, 3000, 500, 0, 0, 3500],
    [0, 0, 700, 0, 0, 700],
  ])(
    "total %i, credited %i, balance %i → applies %i, %i due, %i left",
    (total, credited, balance, applied, due, after) => {
      expect(applyCreditBalance(total, credited, balance)).toEqual({
        appliedBalance: applied,
        amountDue: due,
        balanceAfter: after,
      });
    },
  );

  it("never applies more than the total or the balance, and moves no money in or out", () => {
    const total = fc.integer({ min: 0, max: 10_000_000 });
    fc.assert(
      fc.property(total, fc.integer({ min: 0, max: 10_000_000 }), (t, balance) => {
        const r = applyCreditBalance(t, 0, balance);
        expect(r.appliedBalance).toBe(Math.min(t, balance));
        expect(r.amountDue + r.appliedBalance).toBe(t);
        expect(r.balanceAfter + r.appliedBalance).toBe(balance);
        expect(r.balanceAfter).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe("balanceRows", () => {
  const english = translator("en-US");
  it("lists the applied balance as a deduction and the credit, each only when there is one", () => {
    expect(balanceRows({ status: "open", appliedBalance: 2000, creditedToBalance: 0 }, english)).toEqual([
      ["Applied balance", -2000],
    ]);
    expect(balanceRows({ status: "paid", creditedToBalance: 4000 }, english)).toEqual([
      ["Credited to your balance", 4000],
    ]);
    expect(balanceRows({ status: "open" }, english)).toEqual([]);
  });

  it("labels the rows in the reader's language", () => {
    expect(balanceRows({ status: "open", appliedBalance: 2000, creditedToBalance: 4000 }, translator("nb-NO"))).toEqual([
      ["Brukt kreditt", -2000],
      ["Godskrevet saldoen din", 4000],
    ]);
  });

  it("leaves out the applied balance of a void invoice: voiding gave it back", () => {
    expect(balanceRows({ status: "void", appliedBalance: 2000 }, english)).toEqual([]);
  });
});
