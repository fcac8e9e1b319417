/**
 * The accounting exports' files (shared/ledger/exports.ts), from hand-built ledger entries: Xero's
 * manual-journal layout (dd/mm/yyyy, signed Amount, a TaxRate per line, ≤ 300 lines a file) and
 * QuickBooks Online's (Journal No., MM/DD/YYYY, Debits/Credits), one currency per file set, entries
 * never split across parts.
 */
import { describe, expect, it } from "vitest";
import { defaultAccountMapping, patchedMapping } from "../../shared/ledger/account-mapping.ts";
import type { LedgerEntry, LedgerLine } from "../../shared/ledger/entry.ts";
import { exportCsv, exportFilename, exportParts, journalNumber } from "../../shared/ledger/exports.ts";

let n = 0;
const entry = (over: Partial<LedgerEntry> & { lines: LedgerLine[] }): LedgerEntry => ({
  id: `le_01JDZ00000000000000000${String(n++).padStart(4, "0")}`,
  livemode: true,
  currency: "USD",
  postedAt: "2026-11-03T10:00:00.000Z",
  date: "2026-11-03",
  description: "Invoice INV-0001 finalized",
  source: { object: "invoice", id: "inv_01JDZ0000000000000000000AA" },
  eventId: "evt_01JDZ0000000000000000000AB",
  ...over,
});
const finalized = entry({
  lines: [
    { account: "accounts_receivable", debit: 11_900, credit: 0 },
    { account: "revenue", debit: 0, credit: 10_000 },
    { account: "tax_payable", debit: 0, credit: 1_900 },
  ],
});
const mapping = patchedMapping(defaultAccountMapping, {
  revenue: { code: "200", name: "Sales:Subscriptions", taxRate: "No VAT" },
});

describe("Xero manual journal CSV", () => {
  it("writes the template's columns, dd/mm/yyyy, the mapped code and tax rate, debit positive and credit negative", () => {
    const csv = exportCsv("xero", [finalized], mapping);
    const rows = csv.split("\r\n");
    expect(rows[0]).toBe(
      "Narration,Date,Description,AccountCode,TaxRate,Amount,TrackingName1,TrackingOption1,TrackingName2,TrackingOption2",
    );
    const narration = `Invoice INV-0001 finalized (${finalized.id})`;
    expect(rows.slice(1, 4)).toEqual([
      `${narration},03/11/2026,accounts_receivable: Invoice INV-0001 finalized (invoice inv_01JDZ0000000000000000000AA),610,Tax Exempt,119.00,,,,`,
      `${narration},03/11/2026,revenue: Invoice INV-0001 finalized (invoice inv_01JDZ0000000000000000000AA),200,No VAT,-100.00,,,,`,
      `${narration},03/11/2026,tax_payable: Invoice INV-0001 finalized (invoice inv_01JDZ0000000000000000000AA),820,Tax Exempt,-19.00,,,,`,
    ]);
    expect(rows[4]).toBe("");
  });

  it("writes the currency's exponent (JPY 0, KWD 3) and leaves lines of zero out", () => {
    const yen = entry({
      currency: "JPY",
      lines: [
        { account: "processor_balance", debit: 5_000, credit: 0 },
        { account: "discounts", debit: 0, credit: 0 },
        { account: "accounts_receivable", debit: 0, credit: 5_000 },
      ],
    });
    const amounts = exportCsv("xero", [yen], mapping)
      .split("\r\n")
      .slice(1, -1)
      .map((row) => row.split(",")[5]);
    expect(amounts).toEqual(["5000", "-5000"]);
    const dinar = entry({ currency: "KWD", lines: [{ account: "bank", debit: 1_250, credit: 0 }, { account: "processor_balance", debit: 0, credit: 1_250 }] });
    expect(exportCsv("xero", [dinar], mapping).split("\r\n")[1]?.split(",")[5]).toBe("1.250");
  });

  it("neutralises a description a spreadsheet would run as a formula, and quotes commas", () => {
    const evil = entry({ description: "=HYPERLINK(\"x\"), paid", lines: finalized.lines });
    const row = exportCsv("xero", [evil], mapping).split("\r\n")[1] ?? "";
    expect(row.startsWith(`"'=HYPERLINK(""x""), paid (${evil.id})"`)).toBe(true);
  });
});

describe("QuickBooks Online journal entry CSV", () => {
  it("writes Journal No., MM/DD/YYYY, the mapped account name, Debits and Credits apart", () => {
    const rows = exportCsv("quickbooks", [finalized], mapping).split("\r\n");
    expect(rows[0]).toBe("Journal No.,Journal Date,Account Name,Debits,Credits,Description,Name");
    const no = journalNumber(finalized.id);
    expect(no).toHaveLength(21);
    expect(finalized.id.endsWith(no)).toBe(true);
    expect(rows.slice(1, 4).map((r) => r.split(",").slice(0, 5))).toEqual([
      [no, "11/03/2026", "Kassa Receivables", "119.00", ""],
      [no, "11/03/2026", "Sales:Subscriptions", "", "100.00"],
      [no, "11/03/2026", "Sales Tax Payable", "", "19.00"],
    ]);
  });
});

describe("parts", () => {
  const threeLines = (date: string, i: number) =>
    entry({ date, postedAt: `${date}T0${i}:00:00.000Z`, lines: finalized.lines });

  it("keeps one currency, orders by date then posting, and never splits an entry: 101 entries of 3 lines → 300 + 3 lines", () => {
    const entries = Array.from({ length: 101 }, (_, i) => threeLines(`2026-11-${String(1 + (i % 28)).padStart(2, "0")}`, i % 10));
    const euro = entry({ currency: "EUR", lines: finalized.lines });
    const parts = exportParts([euro, ...entries].reverse(), "USD", 300);
    expect(parts.map((p) => p.length)).toEqual([100, 1]);
    expect(parts.flat()).not.toContain(euro);
    const order = parts.flat().map((e) => `${e.date}${e.postedAt}`);
    expect(order).toEqual([...order].sort());
    expect(exportCsv("xero", parts[0] ?? [], mapping).split("\r\n")).toHaveLength(1 + 300 + 1);
  });

  it("cuts before an entry that would pass the limit: 2 + 2 lines at a limit of 3 → two parts", () => {
    const two = (i: number) => entry({ postedAt: `2026-11-03T0${i}:00:00.000Z`, lines: finalized.lines.slice(0, 2) });
    expect(exportParts([two(1), two(2)], "USD", 3).map((p) => p.length)).toEqual([1, 1]);
  });

  it("no entries is one part of just the header; the filename names format, currency, range and part", () => {
    const parts = exportParts([], "USD", 300);
    expect(parts).toEqual([[]]);
    expect(exportCsv("quickbooks", parts[0] ?? [], mapping)).toBe(
      "Journal No.,Journal Date,Account Name,Debits,Credits,Description,Name\r\n",
    );
    expect(exportFilename("xero", { currency: "USD", from: "2026-11-01", to: "2026-11-30" }, 2, 3)).toBe(
      "kassa-xero-journals-USD-2026-11-01-to-2026-11-30-part-2-of-3.csv",
    );
  });
});
