/**
 * Accounting exports: the merchant's account mapping (read, patch) and the journal CSV of a range of
 * the ledger in Xero's or QuickBooks Online's import layout, one currency, part by part.
 */
import type { Clock } from "../domain/clock.ts";
import { NotFoundError, ValidationError } from "../domain/errors.ts";
import { type DomainEvent, newEvent } from "../domain/events.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { HttpResponse } from "../http/api.ts";
import { merchantLivemode } from "../payments/mode.ts";
import {
  type AccountMapping,
  type AccountMappingPatch,
  completeMapping,
  patchedMapping,
} from "./account-mapping.ts";
import type { LedgerEntry } from "./entry.ts";
import { type ExportFormat, exportCsv, exportFilename, exportLayouts, exportParts } from "./exports.ts";

export interface LedgerExportPorts {
  /** The ledger's entries of the local days `from`..`to` (both included), all pages. */
  entriesBetween(
    merchantId: string,
    query: { livemode: boolean; from: string; to: string; currency: string },
  ): Promise<LedgerEntry[]>;
  mappings: {
    read(merchantId: string): Promise<{ accounts: Partial<AccountMapping>; updatedAt: string; version: number } | undefined>;
    replace(
      merchantId: string,
      mapping: { accounts: AccountMapping; updatedAt: string },
      expectedVersion: number,
      event: DomainEvent,
    ): Promise<void>;
  };
  merchantOf(merchantId: string): Promise<Merchant | undefined>;
  clock: Clock;
}

export async function getAccountMapping(ports: Pick<LedgerExportPorts, "mappings">, merchantId: string) {
  const stored = await ports.mappings.read(merchantId);
  return { accounts: completeMapping(stored?.accounts), updatedAt: stored?.updatedAt ?? null };
}

export async function updateAccountMapping(
  ports: Pick<LedgerExportPorts, "mappings" | "clock">,
  merchantId: string,
  patch: AccountMappingPatch,
) {
  const stored = await ports.mappings.read(merchantId);
  const accounts = patchedMapping(completeMapping(stored?.accounts), patch);
  const now = ports.clock.now();
  const updatedAt = now.toISOString();
  await ports.mappings.replace(
    merchantId,
    { accounts, updatedAt },
    stored?.version ?? 0,
    newEvent("ledger.account_mapping_updated", merchantId, undefined, now, { accounts, changed: Object.keys(patch) }),
  );
  return { accounts, updatedAt };
}

export interface ExportQuery {
  from: string;
  to: string;
  currency: string;
  part: number;
  livemode?: boolean | undefined;
}

/**
 * One part of the export as `text/csv`, named by Content-Disposition, with the part count in
 * `Kassa-Export-Parts` and a `Link: rel="next"` to the following part. A part past the last is a 400
 * naming `part`.
 */
export async function exportJournals(
  ports: LedgerExportPorts,
  merchantId: string,
  format: ExportFormat,
  query: ExportQuery,
  selfPath: string,
): Promise<HttpResponse> {
  const livemode = query.livemode ?? (await modeOf(ports, merchantId));
  const [entries, { accounts }] = await Promise.all([
    ports.entriesBetween(merchantId, { livemode, from: query.from, to: query.to, currency: query.currency }),
    getAccountMapping(ports, merchantId),
  ]);
  const parts = exportParts(entries, query.currency, exportLayouts[format].maxLines);
  const part = parts[query.part - 1];
  if (!part) {
    throw new ValidationError([{ path: "part", message: `must be at most ${parts.length}: the export has ${parts.length} part(s)` }]);
  }
  const filename = exportFilename(format, query, query.part, parts.length);
  const next =
    query.part < parts.length
      ? `<${selfPath}?${new URLSearchParams({
          from: query.from,
          to: query.to,
          currency: query.currency,
          livemode: String(livemode),
          part: String(query.part + 1),
        })}>; rel="next"`
      : undefined;
  return new HttpResponse(
    200,
    undefined,
    {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "kassa-export-parts": String(parts.length),
      ...(next ? { link: next } : {}),
    },
    { body: exportCsv(format, part, accounts) },
  );
}

async function modeOf(ports: Pick<LedgerExportPorts, "merchantOf">, merchantId: string): Promise<boolean> {
  const merchant = await ports.merchantOf(merchantId);
  if (!merchant) throw new NotFoundError("Merchant");
  return merchantLivemode(merchant);
}
