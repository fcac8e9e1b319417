/**
 * An accepted quote's signed PDF: the PDF published (and hashed) at publish, page for page, followed
 * by an audit-trail page listing what happened to it — published, each signature or acceptance with
 * who, when (UTC), from which IP and user agent, and the `contentHash` they signed — and stating that
 * hash, so anyone can check the original bytes (`GET …/pdf`) against it. Made at its first need after
 * acceptance (the `quote.accepted` email, or a download) and kept: the first one made is the one served.
 */
import { PDFDocument } from "pdf-lib";
import { NotFoundError, PayloadTooLargeError, StateConflictError } from "../domain/errors.ts";
import { embedFonts, Layout, left, muted, parseBrandColor, right } from "../documents/layout.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { maxSignedPdfBytes } from "../store/quotes.ts";
import { quoteTestModeBanner } from "./pdf.ts";
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
export function auditTrail(quote: Quote, merchant: Pick<Merchant, "name" | "email">): AuditEntry[] {
  const byMerchant = { name: merchant.name, email: merchant.email, role: "merchant" };
  const entries: AuditEntry[] = [];
  if (quote.publishedAt)
    entries.push({
      event: `Published as quote ${quote.number ?? quote.id}`,
      at: quote.publishedAt,
      actor: byMerchant,
      contentHash: quote.contentHash,
      note: "Published through Kassa's API with the merchant's key: no IP address or user agent is recorded.",
    });
  for (const s of quote.signatures ?? [])
    entries.push({
      event:
        s.role === "countersigner"
          ? "Countersigned on the quote's page"
          : quote.requireSignature
            ? "Signed by the buyer on the quote's page"
            : "Accepted by the buyer on the quote's page (no signature required)",
      at: s.signedAt,
      actor: {
        name: s.name,
        email: s.email,
        role: s.role === "buyer" ? "buyer" : `countersigner for ${merchant.name}`,
      },
      ip: s.ip,
      userAgent: s.userAgent,
      contentHash: s.contentHash,
    });
  if (quote.acceptance)
    entries.push({
      event: "Accepted offline (outside Kassa), as recorded by the merchant",
      at: quote.acceptance.acceptedAt,
      actor: { name: quote.acceptance.name, email: quote.acceptance.email, role: "buyer (offline)" },
      note: `Recorded by ${merchant.name} through Kassa's API at ${quote.acceptance.recordedAt}: the merchant's statement, not a signature given on Kassa's page, so no IP, user agent or signed hash was captured from the buyer.`,
    });
  if (quote.acceptedAt)
    entries.push({
      event: "Quote accepted",
      // Offline: when the merchant recorded it, which is when Kassa took the quote as accepted.
      at: quote.acceptance?.recordedAt ?? quote.acceptedAt,
      actor: quote.acceptance
        ? byMerchant
        : { name: "Kassa", role: "system: every required signature is in" },
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
  const doc = await PDFDocument.load(original, { updateMetadata: false });
  const number = quote.number ?? quote.id;
  doc.setTitle(`Quote ${number} (signed, with audit trail)`);
  doc.setModificationDate(new Date(quote.acceptedAt ?? quote.updatedAt));
  const title = `${merchant.name} · Quote ${number} · Audit trail`;
  const out = new Layout(
    doc,
    await embedFonts(doc),
    parseBrandColor(merchant.branding.brandColor),
    title,
    merchantLivemode(merchant) ? undefined : quoteTestModeBanner,
  );
  const width = right - left;
  out.text("Audit trail", left, { size: 18, bold: true });
  out.y -= 18;
  out.paragraph(
    `Quote ${number} from ${merchant.name} to ${quote.customer.name ?? quote.customer.email}`,
    left,
    width,
    { color: muted },
  );
  out.y -= 8;
  out.text("SHA-256 OF THE ORIGINAL PDF (contentHash)", left, { size: 8, bold: true, color: muted });
  out.y -= 14;
  out.paragraph(quote.contentHash ?? "", left, width, { bold: true });
  out.paragraph(
    `The pages before this one reproduce the quote's PDF as published. Its original bytes are served at ${quote.hostedUrl ? `${quote.hostedUrl}/pdf` : "the quote's page"} (and GET /v1/quotes/${quote.id}/pdf): their SHA-256 must equal the hash above, the hash each signature below was given for.`,
    left,
    width,
    { size: 9 },
  );
  for (const entry of auditTrail(quote, merchant)) {
    out.y -= 10;
    out.need(60);
    out.hr();
    out.y -= 14;
    out.paragraph(`${entry.at} · ${entry.event}`, left, width, { bold: true });
    const actor = `${entry.actor.name}${entry.actor.email ? ` <${entry.actor.email}>` : ""} (${entry.actor.role})`;
    const facts: [string, string | undefined][] = [
      ["Actor", actor],
      ["IP address", entry.ip],
      ["User agent", entry.userAgent],
      ["Content hash", entry.contentHash],
      ["Note", entry.note],
    ];
    for (const [label, value] of facts)
      if (value !== undefined) out.paragraph(`${label}: ${value}`, left, width, { size: 9 });
  }
  out.y -= 14;
  out.paragraph(
    "Signatures here are simple electronic signatures (ESIGN Act; eIDAS SES): a typed name with the signer's consent, bound to the SHA-256 of the PDF they were shown. Times are UTC.",
    left,
    width,
    { size: 8, color: muted },
  );
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
