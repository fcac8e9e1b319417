/**
 * Mail as it goes on the wire to SES: the raw MIME message for SendRawEmail (built by nodemailer's
 * MailComposer, which owns RFC 2045–2047/2231, line lengths and transfer encodings) and the address
 * strings for both SendEmail and SendRawEmail (non-ASCII display names as RFC 2047 encoded words,
 * which SES requires in every address it is given). What is Kassa's own here is what reaches a
 * header: line breaks are removed from every value and addresses and content types are checked, so
 * no input can add a header.
 */
import { randomUUID } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer";
import { encodeWord } from "nodemailer/lib/mime-funcs";

export interface MimeAddress {
  email: string;
  name?: string;
}

export interface MimeAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface MimeMessage {
  from: string | MimeAddress;
  to: string | MimeAddress;
  subject: string;
  text: string;
  html: string;
  attachments?: readonly MimeAttachment[];
  /** Extra header fields (`List-Unsubscribe`…); never one the message's structure owns. */
  headers?: Readonly<Record<string, string>>;
  /** Defaults to now; fixed in tests. */
  date?: Date;
}

const needsEncoding = /[^\x20-\x7e]/;

/** One line for a header: CR, LF and other control characters become spaces. */
function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return value.replace(/[\u0000-\u001f\u007f]+/g, " ");
}

function plainEmail(email: string): string {
  if (!/^[^\s<>"(),;:\\[\]]+@[^\s<>"(),;:\\[\]]+$/.test(email) || needsEncoding.test(email)) {
    throw new RangeError(`Not a plain email address: ${JSON.stringify(email)}`);
  }
  return email;
}

/**
 * `"Name" <a@b>`, `=?UTF-8?B?…?= <a@b>` for a non-ASCII name (SES rejects raw UTF-8 in an address),
 * or the bare address. Encoded words of at most 52 characters, as MailComposer writes them.
 */
export function mimeAddress(address: string | MimeAddress): string {
  const { email, name } = typeof address === "string" ? { email: address, name: undefined } : address;
  plainEmail(email);
  if (!name) return email;
  const display = oneLine(name);
  return needsEncoding.test(display)
    ? `${encodeWord(display, "B", 52)} <${email}>`
    : `"${display.replace(/["\\]/g, (c) => `\\${c}`)}" <${email}>`;
}

/** An address for MailComposer, which encodes the name the way `mimeAddress` does. */
function composerAddress(address: string | MimeAddress): { address: string; name: string } {
  const { email, name } = typeof address === "string" ? { email: address, name: undefined } : address;
  return { address: plainEmail(email), name: oneLine(name ?? "") };
}

/** `token/token`, as RFC 2045 allows; anything else could smuggle parameters or headers. */
function contentType(value: string): string {
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(value))
    throw new RangeError(`Not a MIME type: ${value}`);
  return value.toLowerCase();
}

/** Header fields the composer writes from the message itself: an extra header may not replace them. */
const ownedHeaders = new Set([
  "from",
  "to",
  "cc",
  "bcc",
  "reply-to",
  "sender",
  "subject",
  "date",
  "message-id",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
  "content-disposition",
]);

/**
 * Extra header fields: RFC 5322 field names that are not the message's own, values on one line. An
 * ASCII value goes as given (`prepared`: the composer would fold `List-Unsubscribe: <url>` after
 * its colon), within the 998-character line limit; any other value is encoded by the composer.
 */
function extraHeaders(
  headers: Readonly<Record<string, string>>,
): Record<string, string | { prepared: true; value: string }> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, raw]) => {
      if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name) || ownedHeaders.has(name.toLowerCase()))
        throw new RangeError(`Not an extra header field: ${JSON.stringify(name)}`);
      const value = oneLine(raw);
      const prepared = !needsEncoding.test(value) && name.length + value.length + 2 <= 998;
      return [name, prepared ? { prepared: true, value } : value];
    }),
  );
}

/** The whole message, headers and body, ready to be sent as `RawMessage.Data`. */
export async function buildMimeMessage(message: MimeMessage): Promise<string> {
  const from = typeof message.from === "string" ? { email: message.from } : message.from;
  const domain = plainEmail(from.email).slice(from.email.lastIndexOf("@") + 1);
  const composer = new MailComposer({
    from: composerAddress(message.from),
    to: composerAddress(message.to),
    subject: oneLine(message.subject),
    date: message.date ?? new Date(),
    messageId: `<${randomUUID()}@${domain}>`,
    headers: extraHeaders(message.headers ?? {}),
    text: message.text,
    html: message.html,
    attachments: (message.attachments ?? []).map((a) => ({
      filename: oneLine(a.filename).replace(/[/\\]/g, "_"),
      contentType: contentType(a.contentType),
      content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
    })),
    // Quoted-printable text keeps every line within 76 characters whatever the template renders.
    encoding: "quoted-printable",
    textEncoding: "B",
    newline: "win",
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return (await composer.compile().build()).toString("ascii");
}
