/**
 * The MIME builder, checked by parsing its output back with a small independent reader written here
 * (unfold headers, split on the declared boundaries, undo quoted-printable, base64 and RFC 2047).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildMimeMessage,
  encodeWords,
  type MimeMessage,
  mimeAddress,
  quotedPrintable,
} from "../../shared/aws/mime.ts";

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** Splits a message or part into unfolded headers (lower-case names) and body. */
function parsePart(raw: string): Part {
  const end = raw.indexOf("\r\n\r\n");
  const head = end < 0 ? raw : raw.slice(0, end);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: end < 0 ? "" : raw.slice(end + 4) };
}

function boundaryOf(part: Part): string {
  const match = /boundary="([^"]+)"/.exec(part.headers.get("content-type") ?? "");
  if (!match) throw new Error("no boundary");
  return match[1]!;
}

/** The parts of a multipart body, between `--boundary` lines and before `--boundary--`. */
function children(part: Part): Part[] {
  const b = boundaryOf(part);
  const [, ...rest] = part.body.split(`--${b}\r\n`);
  const last = rest.length - 1;
  const closing = rest[last]!.indexOf(`\r\n--${b}--`);
  expect(closing).toBeGreaterThanOrEqual(0);
  rest[last] = rest[last]!.slice(0, closing);
  return rest.map((p, i) => parsePart(i < last ? p.replace(/\r\n$/, "") : p));
}

function decodeQuotedPrintable(body: string): string {
  const bytes: number[] = [];
  const data = body.replace(/=\r\n/g, "");
  for (let i = 0; i < data.length; i++) {
    if (data[i] === "=") {
      bytes.push(Number.parseInt(data.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(data.charCodeAt(i));
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
}

/** Undoes RFC 2047 "B" words; adjacent words (separated by white space only) are joined. */
function decodeWords(value: string): string {
  return value.replace(/=\?UTF-8\?B\?[A-Za-z0-9+/=]*\?=(?:\s+=\?UTF-8\?B\?[A-Za-z0-9+/=]*\?=)*/g, (run) =>
    Buffer.concat(run.split(/\s+/).map((word) => Buffer.from(word.slice(10, -2), "base64"))).toString("utf8"),
  );
}

const pdfBytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff);

const message = (overrides: Partial<MimeMessage> = {}): MimeMessage => ({
  from: "billing@kassa.test",
  to: { email: "jo@example.test", name: "Jo Example" },
  subject: "Invoice INV-0001 from Acme",
  text: "Hello Jo,\nyour invoice is attached.\n\nAcme",
  html: "<p>Hello Jo,</p>\n<p>your invoice is <b>attached</b>.</p>",
  attachments: [{ filename: "INV-0001.pdf", contentType: "application/pdf", content: pdfBytes }],
  date: new Date("2026-12-08T07:30:00Z"),
  ...overrides,
});

describe("buildMimeMessage", () => {
  it("builds multipart/mixed with the text/html alternative and a base64 attachment", () => {
    const raw = buildMimeMessage(message());
    const root = parsePart(raw);

    expect(root.headers.get("from")).toBe("billing@kassa.test");
    expect(root.headers.get("to")).toBe('"Jo Example" <jo@example.test>');
    expect(root.headers.get("subject")).toBe("Invoice INV-0001 from Acme");
    expect(root.headers.get("date")).toBe("Tue, 08 Dec 2026 07:30:00 +0000");
    expect(root.headers.get("message-id")).toMatch(/^<[0-9a-f-]{36}@kassa\.test>$/);
    expect(root.headers.get("mime-version")).toBe("1.0");
    expect(root.headers.get("content-type")).toMatch(/^multipart\/mixed; boundary="[^"]+"$/);

    const [alternative, attachment, ...more] = children(root);
    expect(more).toEqual([]);
    expect(alternative!.headers.get("content-type")).toMatch(/^multipart\/alternative; boundary="[^"]+"$/);
    expect(boundaryOf(alternative!)).not.toBe(boundaryOf(root));
    const [text, html] = children(alternative!);
    expect(text!.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
    expect(text!.headers.get("content-transfer-encoding")).toBe("quoted-printable");
    expect(decodeQuotedPrintable(text!.body)).toBe("Hello Jo,\r\nyour invoice is attached.\r\n\r\nAcme");
    expect(html!.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(decodeQuotedPrintable(html!.body)).toBe(
      "<p>Hello Jo,</p>\r\n<p>your invoice is <b>attached</b>.</p>",
    );

    expect(attachment!.headers.get("content-type")).toBe('application/pdf; name="INV-0001.pdf"');
    expect(attachment!.headers.get("content-disposition")).toBe('attachment; filename="INV-0001.pdf"');
    expect(attachment!.headers.get("content-transfer-encoding")).toBe("base64");
    const lines = attachment!.body.split("\r\n");
    expect(lines.slice(0, -1).every((l) => l.length === 76)).toBe(true);
    expect(new Uint8Array(Buffer.from(attachment!.body.replace(/\r\n/g, ""), "base64"))).toEqual(pdfBytes);
  });

  it("uses CRLF only and keeps every line within 76 characters", () => {
    const raw = buildMimeMessage(
      message({
        subject: `Rechnung für Jörg Müller — ${"sehr lang ".repeat(12)} 🎉`,
        text: `${"Ünïcödé ".repeat(40)}\nline with trailing space \n.leading dot`,
        html: `<p>${"x".repeat(300)}</p>`,
      }),
    );
    expect(raw).not.toMatch(/[^\r]\n|\r[^\n]/);
    expect(raw.endsWith("\r\n")).toBe(true);
    for (const line of raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
    expect(raw).toMatch(/^[\x20-\x7e\r\n\t]*$/);
  });

  it("encodes a non-ASCII subject and display name as RFC 2047 words", () => {
    const subject = `Rechnung für Jörg Müller — ${"sehr lang ".repeat(12)} 🎉`;
    const raw = buildMimeMessage(
      message({ subject, to: { email: "jorg@example.test", name: "Jörg Müller" } }),
    );
    const root = parsePart(raw);

    expect(root.headers.get("subject")).toMatch(/^=\?UTF-8\?B\?/);
    for (const word of root.headers.get("subject")!.split(" ")) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(root.headers.get("subject")!)).toBe(subject);
    expect(root.headers.get("to")).toMatch(/^=\?UTF-8\?B\?[^ ]+\?= <jorg@example\.test>$/);
    expect(decodeWords(root.headers.get("to")!)).toBe("Jörg Müller <jorg@example.test>");
  });

  it("never lets a value add a header", () => {
    const raw = buildMimeMessage(
      message({
        subject: "Hi\r\nBcc: victim@example.test",
        to: { email: "jo@example.test", name: 'Jo "The Boss"\nX-Evil: 1' },
        attachments: [{ filename: 'a"\r\nX-Evil: 2.pdf', contentType: "application/pdf", content: pdfBytes }],
      }),
    );
    const root = parsePart(raw);
    expect(root.headers.get("subject")).toBe("Hi Bcc: victim@example.test");
    expect(root.headers.get("to")).toBe('"Jo \\"The Boss\\" X-Evil: 1" <jo@example.test>');
    expect(raw).not.toMatch(/^(Bcc|X-Evil):/im);
    expect(() => buildMimeMessage(message({ to: "jo@example.test>\r\nBcc: x@y" }))).toThrow(RangeError);
    expect(() =>
      buildMimeMessage(
        message({ attachments: [{ filename: "a", contentType: "text/plain\r\nX: 1", content: pdfBytes }] }),
      ),
    ).toThrow(RangeError);
  });

  it("names a non-ASCII attachment with RFC 2231 and an ASCII fallback", () => {
    const raw = buildMimeMessage(
      message({
        attachments: [{ filename: "Rechnung März.pdf", contentType: "application/pdf", content: pdfBytes }],
      }),
    );
    const [, attachment] = children(parsePart(raw));
    expect(attachment!.headers.get("content-disposition")).toBe(
      "attachment; filename=\"Rechnung M_rz.pdf\"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf",
    );
  });

  it("draws new boundaries and message ids for every message", () => {
    const a = parsePart(buildMimeMessage(message()));
    const b = parsePart(buildMimeMessage(message()));
    expect(boundaryOf(a)).not.toBe(boundaryOf(b));
    expect(a.headers.get("message-id")).not.toBe(b.headers.get("message-id"));
  });

  it("is multipart/alternative alone without attachments", () => {
    const root = parsePart(buildMimeMessage(message({ attachments: [] })));
    expect(root.headers.get("content-type")).toMatch(/^multipart\/alternative;/);
    expect(children(root).map((p) => p.headers.get("content-type"))).toEqual([
      "text/plain; charset=UTF-8",
      "text/html; charset=UTF-8",
    ]);
  });
});

describe("encoding helpers", () => {
  it("quoted-printable round-trips any text, lines within 76 characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        const encoded = quotedPrintable(text);
        for (const line of encoded.split("\r\n")) {
          expect(line.length).toBeLessThanOrEqual(76);
          expect(line).not.toMatch(/[ \t]$/);
        }
        expect(encoded).toMatch(/^[\x20-\x7e\r\n\t]*$/);
        expect(decodeQuotedPrintable(encoded)).toBe(text.replace(/\r\n|\r|\n/g, "\r\n"));
      }),
      { numRuns: 300 },
    );
  });

  it("encoded words round-trip and never split a character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 200 }), (text) => {
        const words = encodeWords(text);
        for (const word of words.split(" ")) {
          expect(word.length).toBeLessThanOrEqual(75);
          expect(() =>
            new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(word.slice(10, -2), "base64")),
          ).not.toThrow();
        }
        expect(decodeWords(words)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("formats addresses", () => {
    expect(mimeAddress("a@b.test")).toBe("a@b.test");
    expect(mimeAddress({ email: "a@b.test", name: "Acme, Inc." })).toBe('"Acme, Inc." <a@b.test>');
    expect(mimeAddress({ email: "a@b.test", name: "Café" })).toBe("=?UTF-8?B?Q2Fmw6k=?= <a@b.test>");
  });
});
