/**
 * The buyer's side of a quote (`/q/{token}`): found by its hosted-page token, never by id; signed (or
 * accepted, without `requireSignature`) or declined by the buyer, then countersigned by the merchant's
 * countersigners through their own links. A signature is a simple electronic signature: the typed
 * name, the signer's email, time, IP and user agent, and the `contentHash` of the PDF the page showed,
 * which must be the quote's own (a stale tab after a revision signs nothing). Each is one conditional
 * write on the quote's version with its event: a lost race is a 409, never a second signature.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../domain/clock.ts";
import { NotFoundError, StateConflictError, ValidationError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import type { Versioned } from "../domain/records.ts";
import { byPageToken } from "../hosted/lookup.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { InvoiceStore } from "../invoices/ports.ts";
import type { QuoteStore, StoredQuote } from "./ports.ts";
import { presentQuote, type QuoteSignature } from "./quote.ts";

/** A quote's page, by its token. */
export const quotePath = (token: string) => `/q/${token}`;

export interface HostedQuotePorts {
  quotes: Pick<QuoteStore, "findHosted" | "read" | "replace" | "readPdf" | "readSignedPdf" | "keepSignedPdf">;
  /** The accepted quote's first invoice, paid on the page. */
  invoices: Pick<InvoiceStore, "read">;
  merchants: MerchantStore;
  /** A customer's own clock: the quote expires, and is signed, on its customer's (test) clock. */
  customerClock(merchantId: string, customerId: string): Promise<Clock>;
}

export interface HostedQuote {
  quote: StoredQuote;
  version: number;
  merchant: Merchant;
  /** The customer's now. */
  now: Date;
  /** The page of the revision that superseded this quote, when it is for the same customer. */
  newerPath?: string;
}

/** What identifies who signs, as the request tells it. */
export interface SignerContext {
  ip: string;
  userAgent: string;
}

export interface SignatureInput extends SignerContext {
  name: string;
  /** The consent checkbox: only a signature (`requireSignature`) asks for it. */
  consent: boolean;
  contentHash: string;
}

export async function hostedQuote(ports: HostedQuotePorts, token: string): Promise<HostedQuote> {
  const { value, merchant } = await byPageToken<Versioned<StoredQuote>>(
    ports.merchants,
    {
      what: "Quote",
      find: async (t) => {
        const ref = await ports.quotes.findHosted(t);
        return ref && { merchantId: ref.merchantId, id: ref.quoteId };
      },
      read: (merchantId, id) => ports.quotes.read(merchantId, id),
    },
    token,
  );
  const quote = value.value;
  const now = (await ports.customerClock(merchant.id, quote.customerId)).now();
  // A revision may have been re-addressed to another customer: then this buyer is not shown its link.
  const newer = quote.supersededBy
    ? (await ports.quotes.read(merchant.id, quote.supersededBy))?.value
    : undefined;
  const newerPath =
    newer?.hostedToken && newer.customerId === quote.customerId ? `/q/${newer.hostedToken}` : undefined;
  return { quote, version: value.version, merchant, now, ...(newerPath ? { newerPath } : {}) };
}

export const buyerSignature = (quote: StoredQuote) => quote.signatures?.find((s) => s.role === "buyer");

/**
 * Whether an open quote is past its `expiresAt` while its expiry has not fired yet: the page shows it
 * expired and takes nothing. A quote its buyer signed no longer expires.
 */
export const isLapsed = (quote: StoredQuote, now: Date) =>
  quote.status === "open" && !buyerSignature(quote) && now.getTime() >= Date.parse(quote.expiresAt);

/** The countersigner a countersign link names, and whether they have signed. */
export function countersignerOf(quote: StoredQuote, signerToken: string) {
  const index = quote.countersignerTokens?.indexOf(signerToken) ?? -1;
  const signer = index >= 0 ? quote.countersigners[index] : undefined;
  if (!signer) throw new NotFoundError("Quote");
  const signed = (quote.signatures ?? []).some((s) => s.role === "countersigner" && s.email === signer.email);
  return { signer, signed };
}

/** The 409 for a quote that takes no more signatures or answers: it says what it is. */
function assertOpen(quote: StoredQuote, now: Date): void {
  if (isLapsed(quote, now)) throw new StateConflictError("This quote has expired");
  if (quote.status === "superseded")
    throw new StateConflictError(
      "This quote was replaced by a newer version: open the new link you were sent",
    );
  if (quote.status !== "open") throw new StateConflictError(`This quote is ${quote.status}`);
}

function signatureOf(
  input: SignatureInput,
  quote: StoredQuote,
  signer: { email: string; role: QuoteSignature["role"] },
  now: Date,
): QuoteSignature {
  const name = input.name.trim();
  const errors = [
    ...(name === "" || name.length > 200
      ? [{ path: "name", message: "Enter your full name (at most 200 characters)" }]
      : []),
    ...(quote.requireSignature || signer.role === "countersigner"
      ? input.consent
        ? []
        : [{ path: "consent", message: "Tick the box to agree that your typed name is your signature" }]
      : []),
  ];
  if (errors.length) throw new ValidationError(errors);
  if (input.contentHash !== quote.contentHash)
    throw new StateConflictError(
      "This quote changed after the page was opened: reload it and read it again before signing",
    );
  return {
    name,
    email: signer.email,
    role: signer.role,
    signedAt: now.toISOString(),
    ip: input.ip,
    userAgent: input.userAgent,
    contentHash: input.contentHash,
  };
}

/** Accepted once every signature is in: the buyer's and each countersigner's. */
function withSignature(quote: StoredQuote, signature: QuoteSignature, now: Date) {
  const signatures = [...(quote.signatures ?? []), signature];
  const all = quote.countersigners.every((c) =>
    signatures.some((s) => s.role === "countersigner" && s.email === c.email),
  );
  const at = now.toISOString();
  const next: StoredQuote = {
    ...quote,
    signatures,
    ...(all ? { status: "accepted" as const, acceptedAt: at } : {}),
    updatedAt: at,
  };
  return { next, accepted: all };
}

/**
 * The buyer signs (or accepts) the open quote they were shown: without countersigners it is accepted
 * in the same write (`quote.accepted`); else `quote.signed`, and each countersigner gets a link of
 * their own (mailed by the `quote.signed` notification).
 */
export async function signQuote(ports: HostedQuotePorts, token: string, input: SignatureInput) {
  const { quote, version, merchant, now } = await hostedQuote(ports, token);
  assertOpen(quote, now);
  if (buyerSignature(quote)) throw new StateConflictError("This quote is already signed");
  const signature = signatureOf(input, quote, { email: quote.customer.email, role: "buyer" }, now);
  const { next, accepted } = withSignature(quote, signature, now);
  const signed: StoredQuote = accepted
    ? next
    : { ...next, countersignerTokens: quote.countersigners.map(() => randomBytes(24).toString("base64url")) };
  await ports.quotes.replace(
    merchant.id,
    signed,
    version,
    newEvent(accepted ? "quote.accepted" : "quote.signed", merchant.id, quote.id, now, {
      quote: presentQuote(signed),
    }),
  );
  return presentQuote(signed);
}

/** A countersigner signs after the buyer; the last one's signature accepts the quote. */
export async function countersignQuote(
  ports: HostedQuotePorts,
  token: string,
  signerToken: string,
  input: SignatureInput,
) {
  const { quote, version, merchant, now } = await hostedQuote(ports, token);
  const { signer, signed } = countersignerOf(quote, signerToken);
  assertOpen(quote, now);
  if (signed) throw new StateConflictError("You have already countersigned this quote");
  const signature = signatureOf(input, quote, { email: signer.email, role: "countersigner" }, now);
  const { next, accepted } = withSignature(quote, signature, now);
  await ports.quotes.replace(
    merchant.id,
    next,
    version,
    newEvent(accepted ? "quote.accepted" : "quote.countersigned", merchant.id, quote.id, now, {
      quote: presentQuote(next),
    }),
  );
  return presentQuote(next);
}

/** The buyer declines the open quote, with a reason if they give one; a signed quote is not declined. */
export async function declineQuote(ports: HostedQuotePorts, token: string, reason: string | undefined) {
  const { quote, version, merchant, now } = await hostedQuote(ports, token);
  assertOpen(quote, now);
  if (buyerSignature(quote)) throw new StateConflictError("This quote is already signed");
  const why = reason?.trim();
  if (why && why.length > 1000)
    throw new ValidationError([{ path: "reason", message: "must be at most 1000 characters" }]);
  const at = now.toISOString();
  const next: StoredQuote = {
    ...quote,
    status: "declined",
    declinedAt: at,
    ...(why ? { declineReason: why } : {}),
    updatedAt: at,
  };
  await ports.quotes.replace(
    merchant.id,
    next,
    version,
    newEvent("quote.declined", merchant.id, quote.id, now, { quote: presentQuote(next) }),
  );
  return presentQuote(next);
}

/** The PDF stored at publish, for the buyer's download. */
export async function hostedQuotePdf(ports: HostedQuotePorts, token: string) {
  const { quote, merchant } = await hostedQuote(ports, token);
  const pdf = await ports.quotes.readPdf(merchant.id, quote.id);
  if (!pdf) throw new NotFoundError("Quote");
  return { quote, pdf };
}
