/**
 * Accounting exports against DynamoDB Local: the account mapping (defaults, a PATCH merged field by
 * field, its event), and the export's HTTP shape — CSV, a Content-Disposition filename, the part count
 * and a Link to the next part — with the ledger's entries handed in through the port (the ledger's
 * store is the ledger helper's; until the merge the composition's source is empty).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as eventsHandler } from "../../functions/api/events.ts";
import { handler } from "../../functions/api/ledger.ts";
import { ledgerExportPorts } from "../../shared/composition.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { defaultAccountMapping } from "../../shared/ledger/account-mapping.ts";
import type { LedgerEntry } from "../../shared/ledger/entry.ts";
import { exportJournals } from "../../shared/ledger/exports-service.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { ConflictError } from "../../shared/domain/errors.ts";
import { dynamoAccountMappingStore } from "../../shared/store/ledger-account-mapping.ts";
import { useTestAws } from "../helpers/aws.ts";
import { call, newMerchant, type TestMerchant } from "../helpers/api.ts";

const mappingOf = (m: TestMerchant) => call(handler, "GET /v1/ledger/account-mapping", { token: m.secret });
const patch = (m: TestMerchant, body: object) => call(handler, "PATCH /v1/ledger/account-mapping", { token: m.secret, body });

/** An invoice's entry of 3 lines on `date`. */
const entry = (i: number, date = "2026-11-03"): LedgerEntry => ({
  id: `le_01JDZ0000000000000000${String(i).padStart(5, "0")}`,
  livemode: false,
  currency: "USD",
  postedAt: `${date}T10:00:00.000Z`,
  date,
  description: `Invoice INV-${i} finalized`,
  source: { object: "invoice", id: `inv_${i}` },
  eventId: `evt_${i}`,
  lines: [
    { account: "accounts_receivable", debit: 1_190, credit: 0 },
    { account: "revenue", debit: 0, credit: 1_000 },
    { account: "tax_payable", debit: 0, credit: 190 },
  ],
});

describe("accounting exports against DynamoDB Local", () => {
  let m: TestMerchant;
  beforeAll(async () => {
    await useTestAws();
    m = await newMerchant("Ledger Exporter");
  });

  it("shows the default mapping until changed; a PATCH changes only the fields it names, and emits an event", async () => {
    const before = await mappingOf(m);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ accounts: defaultAccountMapping, updatedAt: null });

    const changed = await patch(m, { accounts: { revenue: { code: "4000" }, bank: { name: "Checking", taxRate: "No VAT" } } });
    expect(changed.status, changed.raw).toBe(200);
    expect(changed.body.accounts.revenue).toEqual({ ...defaultAccountMapping.revenue, code: "4000" });
    expect(changed.body.accounts.bank).toEqual({ code: defaultAccountMapping.bank.code, name: "Checking", taxRate: "No VAT" });
    expect(changed.body.accounts.tax_payable).toEqual(defaultAccountMapping.tax_payable);
    expect((await mappingOf(m)).body).toEqual(changed.body);

    const again = await patch(m, { accounts: { revenue: { name: "Sales:Kassa" } } });
    expect(again.body.accounts.revenue).toEqual({ ...defaultAccountMapping.revenue, code: "4000", name: "Sales:Kassa" });
    expect(again.body.accounts.bank.name).toBe("Checking");

    const events = await call(eventsHandler, "GET /v1/events", { token: m.secret, query: { type: "ledger.account_mapping_updated" } });
    expect(events.body.data.map((e: { data: { changed: string[] } }) => e.data.changed)).toEqual([["revenue"], ["revenue", "bank"]]);
  });

  it("refuses a write from a stale read (a concurrent PATCH) with a conflict, leaving the mapping as it was", async () => {
    const before = (await mappingOf(m)).body;
    const stale = { accounts: { ...defaultAccountMapping, revenue: { code: "STALE", name: "Stale", taxRate: "Stale" } }, updatedAt: new Date().toISOString() };
    for (const version of [0, 1]) {
      const event = newEvent("ledger.account_mapping_updated", m.id, undefined, new Date(), {});
      await expect(dynamoAccountMappingStore.replace(m.id, stale, version, event)).rejects.toBeInstanceOf(ConflictError);
    }
    expect((await mappingOf(m)).body).toEqual(before);
  });

  it("answers CSV with a filename and the part count; with no entries, one part of just the header", async () => {
    const r = await call(handler, "GET /v1/ledger/exports/{format}", {
      token: m.secret,
      pathParameters: { format: "xero" },
      query: { from: "2026-11-01", to: "2026-11-30", currency: "usd" },
    });
    expect(r.status, r.raw).toBe(200);
    expect(r.headers).toMatchObject({
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="kassa-xero-journals-USD-2026-11-01-to-2026-11-30-part-1-of-1.csv"',
      "kassa-export-parts": "1",
    });
    expect(r.headers).not.toHaveProperty("link");
    expect(r.raw).toBe(
      "Narration,Date,Description,AccountCode,TaxRate,Amount,TrackingName1,TrackingOption1,TrackingName2,TrackingOption2\r\n",
    );
  });

  it("splits 101 three-line entries into Xero files of ≤ 300 lines, linked part to part, in the merchant's mode and mapping", async () => {
    const asked: unknown[] = [];
    const ports = {
      ...ledgerExportPorts(systemClock),
      entriesBetween: async (merchantId: string, query: unknown) => {
        asked.push([merchantId, query]);
        return Array.from({ length: 101 }, (_, i) => entry(i + 1));
      },
    };
    const query = { from: "2026-11-01", to: "2026-11-30", currency: "USD" };
    const first = await exportJournals(ports, m.id, "xero", { ...query, part: 1 }, "/v1/ledger/exports/xero");
    const second = await exportJournals(ports, m.id, "xero", { ...query, part: 2 }, "/v1/ledger/exports/xero");

    expect(asked[0]).toEqual([m.id, { ...query, livemode: false }]);
    expect(first.headers).toMatchObject({
      "kassa-export-parts": "2",
      link: '</v1/ledger/exports/xero?from=2026-11-01&to=2026-11-30&currency=USD&livemode=false&part=2>; rel="next"',
    });
    expect(first.headers["content-disposition"]).toContain("part-1-of-2.csv");
    const rows = (first.raw?.body ?? "").split("\r\n").slice(1, -1);
    expect(rows).toHaveLength(300);
    expect(rows[1]?.split(",")[3]).toBe("4000");
    expect((second.raw?.body ?? "").split("\r\n").slice(1, -1)).toHaveLength(3);
    expect(second.headers).not.toHaveProperty("link");
    await expect(exportJournals(ports, m.id, "xero", { ...query, part: 3 }, "/v1/ledger/exports/xero")).rejects.toThrow(
      /part: must be at most 2/,
    );
  });
});
