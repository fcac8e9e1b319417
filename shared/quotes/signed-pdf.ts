/**
 * An accepted quote's signed PDF: the PDF published (and hashed) at publish, page for page, followed
 * by an audit-trail page listing what happened to it — published, each signature or acceptance with
 * who, when (UTC), from which IP and user agent, and the `contentHash` they signed — and stating that
 * hash, so anyone can check the original bytes (`GET …/pdf`) against it. Made at its first need after
 * acceptance (the `quote.accepted` email, or a download) and kept: the first one made is the one served.
 * The audit trail reads in the buyer's language, like the quote; its times stay exact UTC timestamps.
 */
import { PDFDocument } from "pdf-lib";
import { NotFoundError, PayloadTooLargeError, StateConflictError } from "../domain/errors.ts";
import { embedFonts, Layout, left, muted, parseBrandColor, right } from "../documents/layout.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { maxSignedPdfBytes } from "../store/quotes.ts";
import { type HostedQuotePorts, hostedQuote } from "./hosted.ts";
import type { QuoteStore, StoredQuote } from "./ports.ts";
import { presentQuote, type Quote } from "./quote.ts";

/** One event of a quote's audit trail. */
export interface AuditEntry {
  event: string;
  /** ISO 8601, UTC. */
  at: string;
  actor: { name: string; email?: string | undefined; role: string };
  /** Recorded only for what was done on the quote's page (the notes say so for the rest). */
  ip?: string;
  userAgent?: string;
  /** The `contentHash` the entry is bound to: the one published, or the one a signer's page showed. */
  contentHash?: string | undefined;
  note?: string;
}

/**
 * The quote's recorded events, oldest first. Only what Kassa recorded is listed: a quote's views are
 * not recorded, so none appear; an offline acceptance is the merchant's word and says so.
 */
export function auditTrail(
  quote: Quote,
  merchant: Pick<Merchant, "name" | "email">,
  tr: Translator,
): AuditEntry[] {
  const byMerchant = {
    name: merchant.name,
    email: merchant.email,
    role: tr.t("document.audit.role", { role: "merchant" }),
  };
  const entries: AuditEntry[] = [];
  if (quote.publishedAt)
    entries.push({
      event: tr.t("document.audit.published", { number: quote.number ?? quote.id }),
      at: quote.publishedAt,
      actor: byMerchant,
      contentHash: quote.contentHash,
      note: tr.t("document.audit.publishedNote"),
    });
  for (const s of quote.signatures ?? [])
    entries.push({
      event:
        s.role === "countersigner"
          ? tr.t("document.audit.countersigned")
          : quote.requireSignature
            ? tr.t("document.audit.signed")
            : tr.t("document.audit.acceptedOnPage"),
      at: s.signedAt,
      actor: {
        name: s.name,
        email: s.email,
        role:
          s.role === "buyer"
            ? tr.t("document.audit.role", { role: "buyer" })
            : tr.t("document.audit.countersignerFor", { merchant: merchant.name }),
      },
      ip: s.ip,
      userAgent: s.userAgent,
      contentHash: s.contentHash,
    });
  if (quote.acceptance)
    entries.push({
      event: tr.t("document.audit.acceptedOffline"),
      at: quote.acceptance.acceptedAt,
      actor: {
        name: quote.acceptance.name,
        email: quote.acceptance.email,
        role: tr.t("document.audit.role", { role: "offline" }),
      },
      note: tr.t("document.audit.offlineNote", { merchant: merchant.name, at: quote.acceptance.recordedAt }),
    });
  if (quote.acceptedAt)
    entries.push({
      event: tr.t("document.audit.accepted"),
      // Offline: when the merchant recorded it, which is when Kassa took the quote as accepted.
      at: quote.acceptance?.recordedAt ?? quote.acceptedAt,
      actor: quote.acceptance
        ? byMerchant
        : { name: "Kassa", role: tr.t("document.audit.role", { role: "system" }) },
      contentHash: quote.contentHash,
    });
  // A stable sort: an offline acceptance may be dated before the publish that recorded the quote.
  return entries
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => a.entry.at.localeCompare(b.entry.at) || a.i - b.i)
    .map(({ entry }) => entry);
}

/** The published PDF's pages, then the audit-trail page(s). */
export async function renderSignedQuotePdf(
  original: Uint8Array,
  quote: Quote,
  merchant: Merchant,
): Promise<Uint8Array> {
  const tr = translator(readerLocale(merchant, quote.customer));
  const doc = await PDFDocument.load(original, { updateMetadata: false });
  const quoteTitle = tr.t("document.quote.title", { number: quote.number ?? quote.id });
  doc.setTitle(tr.t("document.audit.title", { title: quoteTitle }));
  doc.setModificationDate(new Date(quote.acceptedAt ?? quote.updatedAt));
  const title = `${merchant.name} · ${quoteTitle} · ${tr.t("document.audit.heading")}`;
  const out = new Layout(
    doc,
    await embedFonts(doc),
    tr,
    parseBrandColor(merchant.branding.brandColor),
    title,
    merchantLivemode(merchant) ? undefined : tr.t("document.quote.testModeBanner"),
  );
  const width = right - left;
  out.text(tr.t("document.audit.heading"), left, { size: 18, bold: true });
  out.y -= 18;
  out.paragraph(
    tr.t("document.subject", {
      title: quoteTitle,
      merchant: merchant.name,
      customer: quote.customer.name ?? quote.customer.email,
    }),
    left,
    width,
    { color: muted },
  );
  out.y -= 8;
  out.text(tr.t("document.audit.hashHeading"), left, { size: 8, bold: true, color: muted });
  out.y -= 14;
  out.paragraph(quote.contentHash ?? "", left, width, { bold: true });
  out.paragraph(
    tr.t("document.audit.hashExplained", {
      where: quote.hostedUrl ? `${quote.hostedUrl}/pdf` : tr.t("document.audit.quotePage"),
      id: quote.id,
    }),
    left,
    width,
    { size: 9 },
  );
  for (const entry of auditTrail(quote, merchant, tr)) {
    out.y -= 10;
    out.need(60);
    out.hr();
    out.y -= 14;
    out.paragraph(`${entry.at} · ${entry.event}`, left, width, { bold: true });
    const actor = `${entry.actor.name}${entry.actor.email ? ` <${entry.actor.email}>` : ""} (${entry.actor.role})`;
    const facts: [string, string | undefined][] = [
      [tr.t("document.audit.actor"), actor],
      [tr.t("document.audit.ipAddress"), entry.ip],
      [tr.t("document.audit.userAgent"), entry.userAgent],
      [tr.t("document.audit.contentHash"), entry.contentHash],
      [tr.t("document.audit.note"), entry.note],
    ];
    for (const [label, value] of facts)
      if (value !== undefined) out.paragraph(`${label}: ${value}`, left, width, { size: 9 });
  }
  out.y -= 14;
  out.paragraph(tr.t("document.audit.footer"), left, width, { size: 8, color: muted });
  out.numberPages(title);
  return doc.save({ useObjectStreams: false });
}

export interface SignedQuotePdfPorts {
  quotes: Pick<QuoteStore, "read" | "readPdf" | "readSignedPdf" | "keepSignedPdf">;
  merchants: Pick<MerchantStore, "readMerchant">;
}

/**
 * The signed PDF of an accepted quote, made and kept at its first need (a 409 before acceptance):
 * whoever makes it first, the kept one is what everyone gets.
 */
export async function signedPdfOf(
  ports: SignedQuotePdfPorts,
  quote: StoredQuote,
  merchant: Merchant,
): Promise<Uint8Array> {
  if (quote.status !== "accepted")
    throw new StateConflictError(
      `The quote is ${quote.status}: its signed PDF, with the audit trail, is made once it is accepted`,
    );
  const kept = await ports.quotes.readSignedPdf(merchant.id, quote.id);
  if (kept) return kept;
  const original = await ports.quotes.readPdf(merchant.id, quote.id);
  if (!original) throw new NotFoundError("Quote PDF");
  const pdf = await renderSignedQuotePdf(original, presentQuote(quote), merchant);
  if (pdf.byteLength > maxSignedPdfBytes)
    throw new PayloadTooLargeError(
      `The signed PDF would be ${pdf.byteLength} bytes, more than the ${maxSignedPdfBytes} a quote keeps`,
    );
  return ports.quotes.keepSignedPdf(merchant.id, quote.id, pdf);
}

/** `GET /v1/quotes/{id}/signed-pdf`: the merchant's own quote (another merchant's id is a 404). */
export async function getSignedQuotePdf(ports: SignedQuotePdfPorts, merchantId: string, quoteId: string) {
  const [found, merchant] = await Promise.all([
    ports.quotes.read(merchantId, quoteId),
    ports.merchants.readMerchant(merchantId),
  ]);
  if (!found || !merchant) throw new NotFoundError("Quote");
  return { quote: presentQuote(found.value), pdf: await signedPdfOf(ports, found.value, merchant.value) };
}

/** `/q/{token}/signed-pdf`: the buyer's download, once the quote is accepted. */
export async function hostedSignedQuotePdf(ports: HostedQuotePorts, token: string) {
  const { quote, merchant } = await hostedQuote(ports, token);
  return { quote: presentQuote(quote), pdf: await signedPdfOf(ports, quote, merchant) };
}
