/**
 * The MIME message SES is sent (nodemailer's MailComposer behind shared/aws/mime.ts), checked by
 * parsing it back with a small independent reader written here (unfold headers, split on the declared
 * boundaries, undo quoted-printable, base64, RFC 2047 words and RFC 2231 parameters).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildMimeMessage, type MimeMessage, mimeAddress } from "../../shared/aws/mime.ts";

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

/** An address header as its parts: the display name unquoted and decoded, and the address. */
function address(value: string): { name: string; email: string } {
  const match = /^(.*?)\s*<([^>]+)>$/.exec(value);
  if (!match) return { name: "", email: value };
  const display = match[1]!;
  const name = display.startsWith('"') ? display.slice(1, -1).replace(/\\(.)/g, "$1") : decodeWords(display);
  return { name, email: match[2]! };
}

/**
 * A structured header (`type; a=b; c*0*=utf-8''…`) as its value and its parameters, quotes removed,
 * RFC 2231 continuations joined and percent-decoded, RFC 2047 words in a parameter decoded.
 */
function structured(value: string): { value: string; params: Record<string, string> } {
  const [head, ...rest] = value.split(/;\s*/);
  const params: Record<string, string> = {};
  const extended: Record<string, string[]> = {};
  for (const param of rest) {
    const eq = param.indexOf("=");
    const key = param.slice(0, eq).toLowerCase();
    const raw = param.slice(eq + 1).replace(/^"(.*)"$/, "$1");
    const continuation = /^(.+?)\*(\d+)?\*?$/.exec(key);
    if (continuation) {
      const pieces = extended[continuation[1]!] ?? [];
      pieces[Number(continuation[2] ?? 0)] = raw;
      extended[continuation[1]!] = pieces;
    } else params[key] = decodeWords(raw);
  }
  for (const [key, pieces] of Object.entries(extended)) {
    const joined = pieces.join("");
    params[key] = decodeURIComponent(joined.slice(joined.indexOf("'", joined.indexOf("'") + 1) + 1));
  }
  return { value: head!.toLowerCase(), params };
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
  it("builds multipart/mixed with the text/html alternative and a base64 attachment", async () => {
    const raw = await buildMimeMessage(message());
    const root = parsePart(raw);

    expect(root.headers.get("from")).toBe("billing@kassa.test");
    expect(address(root.headers.get("to")!)).toEqual({ name: "Jo Example", email: "jo@example.test" });
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
    expect(structured(text!.headers.get("content-type")!)).toEqual({ value: "text/plain", params: { charset: "utf-8" } });
    expect(text!.headers.get("content-transfer-encoding")).toBe("quoted-printable");
    expect(decodeQuotedPrintable(text!.body)).toBe("Hello Jo,\r\nyour invoice is attached.\r\n\r\nAcme");
    expect(structured(html!.headers.get("content-type")!)).toEqual({ value: "text/html", params: { charset: "utf-8" } });
    expect(decodeQuotedPrintable(html!.body)).toBe(
      "<p>Hello Jo,</p>\r\n<p>your invoice is <b>attached</b>.</p>",
    );

    expect(structured(attachment!.headers.get("content-type")!)).toEqual({
      value: "application/pdf",
      params: { name: "INV-0001.pdf" },
    });
    expect(structured(attachment!.headers.get("content-disposition")!)).toEqual({
      value: "attachment",
      params: { filename: "INV-0001.pdf" },
    });
    expect(attachment!.headers.get("content-transfer-encoding")).toBe("base64");
    const lines = attachment!.body.split("\r\n");
    expect(lines.slice(0, -1).every((l) => l.length === 76)).toBe(true);
    expect(new Uint8Array(Buffer.from(attachment!.body.replace(/\r\n/g, ""), "base64"))).toEqual(pdfBytes);
  });

  it("uses CRLF only and keeps every line within 76 characters", async () => {
    const raw = await buildMimeMessage(
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

  it("encodes a non-ASCII subject and display name as RFC 2047 words", async () => {
    const subject = `Rechnung für Jörg Müller — ${"sehr lang ".repeat(12)} 🎉`;
    const raw = await buildMimeMessage(
      message({ subject, to: { email: "jorg@example.test", name: "Jörg Müller" } }),
    );
    const root = parsePart(raw);

    expect(root.headers.get("subject")).toMatch(/^=\?UTF-8\?B\?/);
    for (const word of root.headers.get("subject")!.split(" ")) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(root.headers.get("subject")!)).toBe(subject);
    expect(root.headers.get("to")).toMatch(/^=\?UTF-8\?B\?[^ ]+\?= <jorg@example\.test>$/);
    expect(address(root.headers.get("to")!)).toEqual({ name: "Jörg Müller", email: "jorg@example.test" });
  });

  it("never lets a value add a header", async () => {
    const raw = await buildMimeMessage(
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
    await expect(buildMimeMessage(message({ to: "jo@example.test>\r\nBcc: x@y" }))).rejects.toThrow(RangeError);
    await expect(
      buildMimeMessage(
        message({ attachments: [{ filename: "a", contentType: "text/plain\r\nX: 1", content: pdfBytes }] }),
      ),
    ).rejects.toThrow(RangeError);
  });

  it("names a non-ASCII attachment with RFC 2231 (and RFC 2047 in the content type's name)", async () => {
    const raw = await buildMimeMessage(
      message({
        attachments: [{ filename: "Rechnung März.pdf", contentType: "application/pdf", content: pdfBytes }],
      }),
    );
    const [, attachment] = children(parsePart(raw));
    expect(attachment!.headers.get("content-disposition")).toMatch(/filename\*(0\*)?=utf-8''/i);
    expect(structured(attachment!.headers.get("content-disposition")!).params).toEqual({
      filename: "Rechnung März.pdf",
    });
    expect(structured(attachment!.headers.get("content-type")!).params).toEqual({ name: "Rechnung März.pdf" });
    expect(raw).toMatch(/^[\x20-\x7e\r\n\t]*$/);
  });

  it("draws new boundaries and message ids for every message", async () => {
    const a = parsePart(await buildMimeMessage(message()));
    const b = parsePart(await buildMimeMessage(message()));
    expect(boundaryOf(a)).not.toBe(boundaryOf(b));
    expect(a.headers.get("message-id")).not.toBe(b.headers.get("message-id"));
  });

  it("is multipart/alternative alone without attachments", async () => {
    const root = parsePart(await buildMimeMessage(message({ attachments: [] })));
    expect(root.headers.get("content-type")).toMatch(/^multipart\/alternative;/);
    expect(children(root).map((p) => structured(p.headers.get("content-type")!))).toEqual([
      { value: "text/plain", params: { charset: "utf-8" } },
      { value: "text/html", params: { charset: "utf-8" } },
    ]);
  });
});

describe("encoding", () => {
  it("any text body round-trips as quoted-printable, lines within 76 characters", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", minLength: 1, maxLength: 400 }), async (text) => {
        const raw = await buildMimeMessage(message({ text, attachments: [] }));
        for (const line of raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
        expect(raw).toMatch(/^[\x20-\x7e\r\n\t]*$/);
        const [plain] = children(parsePart(raw));
        expect(plain!.headers.get("content-transfer-encoding")).toBe("quoted-printable");
        for (const line of plain!.body.split("\r\n")) expect(line).not.toMatch(/[ \t]$/);
        // Line breaks go out as CRLF; a lone CR is content, sent encoded.
        expect(decodeQuotedPrintable(plain!.body)).toBe(text.replace(/\r?\n/g, "\r\n"));
      }),
      { numRuns: 150 },
    );
  });

  it("any subject and display name round-trip as encoded words that never split a character", async () => {
    const printable = fc.string({ unit: "binary", minLength: 1, maxLength: 120 }).map((s) =>
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters never reach a header
      s.replace(/[\u0000-\u001f\u007f]+/g, " ").trim(),
    );
    await fc.assert(
      fc.asyncProperty(printable, printable, async (subject, name) => {
        fc.pre(subject.length > 0 && name.length > 0);
        const root = parsePart(await buildMimeMessage(message({ subject, to: { email: "a@b.test", name } })));
        for (const header of ["subject", "to"]) {
          for (const word of root.headers.get(header)!.match(/=\?UTF-8\?B\?[^?]*\?=/g) ?? []) {
            expect(word.length).toBeLessThanOrEqual(75);
            expect(() =>
              new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(word.slice(10, -2), "base64")),
            ).not.toThrow();
          }
        }
        expect(decodeWords(root.headers.get("subject")!)).toBe(subject);
        expect(address(root.headers.get("to")!)).toEqual({ name, email: "a@b.test" });
      }),
      { numRuns: 150 },
    );
  });

  it("formats addresses", () => {
    expect(mimeAddress("a@b.test")).toBe("a@b.test");
    expect(mimeAddress({ email: "a@b.test", name: "Acme, Inc." })).toBe('"Acme, Inc." <a@b.test>');
    expect(mimeAddress({ email: "a@b.test", name: "Café" })).toBe("=?UTF-8?B?Q2Fmw6k=?= <a@b.test>");
  });
});
