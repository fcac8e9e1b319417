/**
 * A MIME message (RFC 5322 / 2045–2047 / 2231) for SES SendRawEmail: multipart/mixed holding a
 * multipart/alternative (text + HTML, UTF-8, quoted-printable) and base64 attachments. CRLF line
 * endings, lines within 76 characters, non-ASCII subjects and display names as encoded words, and
 * every value that reaches a header stripped of line breaks so no input can add a header.
 */
import { randomBytes, randomUUID } from "node:crypto";

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
  /** Defaults to now; fixed in tests. */
  date?: Date;
}

const CRLF = "\r\n";
const utf8 = new TextEncoder();
const needsEncoding = /[^\x20-\x7e]/;

/** A boundary that cannot occur in quoted-printable or base64 bodies (both never contain "=_"). */
function boundary(): string {
  return `=_kassa_${randomBytes(12).toString("hex")}`;
}

/** One line for a header: CR, LF and other control characters become spaces. */
function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return value.replace(/[\u0000-\u001f\u007f]+/g, " ");
}

/**
 * RFC 2047 "B" encoded words that never split a character's UTF-8 bytes. At most 36 bytes each
 * (48 base64 characters + 12 for `=?UTF-8?B?` and `?=`), so even the first, after `Subject: `,
 * fits a 76-character line.
 */
export function encodeWords(value: string): string {
  const words: string[] = [];
  let chunk = "";
  let bytes = 0;
  for (const char of value) {
    const size = utf8.encode(char).length;
    if (bytes + size > 36) {
      words.push(chunk);
      chunk = "";
      bytes = 0;
    }
    chunk += char;
    bytes += size;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, "utf8").toString("base64")}?=`).join(" ");
}

/** A header value as it goes on the wire: ASCII as is, anything else as encoded words. */
function headerText(value: string): string {
  const line = oneLine(value);
  return needsEncoding.test(line) ? encodeWords(line) : line;
}

/** `"Name" <a@b>`, `=?UTF-8?B?…?= <a@b>` for a non-ASCII name, or the bare address. */
export function mimeAddress(address: string | MimeAddress): string {
  const { email, name } = typeof address === "string" ? { email: address, name: undefined } : address;
  if (!/^[^\s<>"(),;:\\[\]]+@[^\s<>"(),;:\\[\]]+$/.test(email) || needsEncoding.test(email)) {
    throw new RangeError(`Not a plain email address: ${JSON.stringify(email)}`);
  }
  if (!name) return email;
  const display = oneLine(name);
  return needsEncoding.test(display)
    ? `${encodeWords(display)} <${email}>`
    : `"${display.replace(/["\\]/g, (c) => `\\${c}`)}" <${email}>`;
}

/** `Name: value`, folded at spaces so lines stay within 76 characters where the value allows. */
function header(name: string, value: string): string {
  const out: string[] = [];
  let line = `${name}:`;
  for (const word of value.split(" ")) {
    if (line.length + 1 + word.length > 76 && line.trim() !== `${name}:`) {
      out.push(line);
      line = "";
    }
    line += ` ${word}`;
  }
  out.push(line);
  return out.join(CRLF);
}

/** Base64 in lines of 76 characters. */
function base64Lines(content: Uint8Array): string {
  const encoded = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString("base64");
  return (encoded.match(/.{1,76}/g) ?? []).join(CRLF);
}

const isPlain = (b: number) => (b >= 33 && b <= 126 && b !== 61) || b === 32 || b === 9;
const hex = (b: number) => `=${b.toString(16).toUpperCase().padStart(2, "0")}`;

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text, line breaks as CRLF, soft breaks within 76 characters. */
export function quotedPrintable(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => {
      const bytes = utf8.encode(line);
      const tokens = Array.from(bytes, (b, i) => {
        const last = i === bytes.length - 1;
        // Trailing white space would be stripped in transit; a leading "." could be taken for SMTP's end.
        if (!isPlain(b) || ((b === 32 || b === 9) && last) || (b === 46 && i === 0)) return hex(b);
        return String.fromCharCode(b);
      });
      const out: string[] = [];
      let current = "";
      for (const token of tokens) {
        if (current.length + token.length > 75) {
          out.push(`${current}=`);
          current = "";
        }
        current += token;
      }
      out.push(current);
      return out.join(CRLF);
    })
    .join(CRLF);
}

/** `token/token`, as RFC 2045 allows; anything else could smuggle parameters or headers. */
function contentType(value: string): string {
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(value))
    throw new RangeError(`Not a MIME type: ${value}`);
  return value.toLowerCase();
}

/** `filename="…"`, plus RFC 2231 `filename*=UTF-8''…` when the name is not ASCII. */
function filenameParameters(param: "filename" | "name", filename: string): string {
  const clean = oneLine(filename).replace(/[/\\]/g, "_");
  const ascii = clean.replace(/[^\x20-\x7e]/g, "_").replace(/"/g, "'");
  if (!needsEncoding.test(clean)) return `${param}="${ascii}"`;
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${param}="${ascii}";${CRLF}\t${param}*=UTF-8''${encoded}`;
}

/** `head; param` on one line when it fits in 76 characters, else with the parameters folded onto the next. */
function withParameter(head: string, parameters: string): string {
  const oneLineForm = `${head}; ${parameters}`;
  return oneLineForm.length <= 76 && !oneLineForm.includes(CRLF)
    ? oneLineForm
    : `${head};${CRLF}\t${parameters}`;
}

function textPart(type: "plain" | "html", body: string): string {
  return [
    `Content-Type: text/${type}; charset=UTF-8`,
    "Content-Transfer-Encoding: quoted-printable",
    "",
    quotedPrintable(body),
  ].join(CRLF);
}

function attachmentPart(attachment: MimeAttachment): string {
  return [
    withParameter(
      `Content-Type: ${contentType(attachment.contentType)}`,
      filenameParameters("name", attachment.filename),
    ),
    withParameter("Content-Disposition: attachment", filenameParameters("filename", attachment.filename)),
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(attachment.content),
  ].join(CRLF);
}

function multipart(subtype: "mixed" | "alternative", parts: string[]): { type: string; body: string } {
  const b = boundary();
  return {
    type: `multipart/${subtype}; boundary="${b}"`,
    body: [...parts.map((p) => `--${b}${CRLF}${p}`), `--${b}--`].join(CRLF),
  };
}

/** RFC 5322 date in UTC: `Tue, 08 Dec 2026 07:30:00 +0000`. */
function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

/** The whole message, headers and body, ready to be sent as `RawMessage.Data`. */
export function buildMimeMessage(message: MimeMessage): string {
  const from = typeof message.from === "string" ? { email: message.from } : message.from;
  const domain = from.email.slice(from.email.lastIndexOf("@") + 1);
  const alternative = multipart("alternative", [
    textPart("plain", message.text),
    textPart("html", message.html),
  ]);
  const attachments = message.attachments ?? [];
  const root = attachments.length
    ? multipart("mixed", [
        `${header("Content-Type", alternative.type)}${CRLF}${CRLF}${alternative.body}`,
        ...attachments.map(attachmentPart),
      ])
    : alternative;
  return [
    header("From", mimeAddress(message.from)),
    header("To", mimeAddress(message.to)),
    header("Subject", headerText(message.subject)),
    header("Date", rfc5322Date(message.date ?? new Date())),
    header("Message-ID", `<${randomUUID()}@${domain}>`),
    "MIME-Version: 1.0",
    header("Content-Type", root.type),
    "",
    root.body,
    "",
  ].join(CRLF);
}
