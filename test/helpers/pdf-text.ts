/**
 * Reads back the text a PDF shows, from its saved bytes: each page's content streams are inflated
 * here with node:zlib and their text-showing operators (`Tj`, `TJ`, `'`, `"`) decoded from WinAnsi,
 * so a test sees what a viewer would draw, not what the renderer meant to draw. pdf-lib only parses
 * the file to find the pages' streams.
 */
import { inflateSync } from "node:zlib";
import { PDFArray, PDFDocument, PDFName, type PDFObject, PDFRawStream, PDFRef } from "pdf-lib";

/** WinAnsiEncoding bytes 0x80–0x9F; the rest of the range is Latin-1. Undefined codes decode to U+FFFD. */
const winAnsiHigh = [
  0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152,
  0xfffd, 0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122,
  0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
];

export function decodeWinAnsi(bytes: readonly number[]): string {
  return String.fromCodePoint(
    ...bytes.map((b) => (b >= 0x80 && b <= 0x9f ? (winAnsiHigh[b - 0x80] ?? 0xfffd) : b)),
  );
}

type Token =
  | { kind: "string"; bytes: number[] }
  | { kind: "arrayStart" }
  | { kind: "arrayEnd" }
  | { kind: "operator"; value: string }
  | { kind: "operand" };

const whitespace = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const delimiters = new Set([...whitespace, 0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const literalEscapes: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, f: 0x0c };

/** Tokenizes a content stream (PDF 32000-1 §7.2–7.3), keeping strings, arrays and operators. */
function* tokenize(data: Uint8Array): Generator<Token> {
  let i = 0;
  const at = (k: number) => data[k] ?? -1;
  while (i < data.length) {
    const c = at(i);
    if (whitespace.has(c)) {
      i++;
    } else if (c === 0x25 /* % comment */) {
      while (i < data.length && at(i) !== 0x0a && at(i) !== 0x0d) i++;
    } else if (c === 0x28 /* ( literal string */) {
      const bytes: number[] = [];
      let depth = 1;
      i++;
      while (i < data.length) {
        const b = at(i++);
        if (b === 0x5c /* \ */) {
          const e = at(i++);
          const letter = String.fromCharCode(e);
          if (letter in literalEscapes) bytes.push(literalEscapes[letter]!);
          else if (e >= 0x30 && e <= 0x37) {
            let octal = letter;
            while (octal.length < 3 && at(i) >= 0x30 && at(i) <= 0x37) octal += String.fromCharCode(at(i++));
            bytes.push(Number.parseInt(octal, 8) & 0xff);
          } else if (e === 0x0d) {
            if (at(i) === 0x0a) i++;
          } else if (e !== 0x0a) bytes.push(e);
        } else if (b === 0x28) {
          depth++;
          bytes.push(b);
        } else if (b === 0x29) {
          if (--depth === 0) break;
          bytes.push(b);
        } else bytes.push(b);
      }
      yield { kind: "string", bytes };
    } else if (c === 0x3c && at(i + 1) === 0x3c) {
      i += 2; // dictionary start (inline image or marked-content properties): not text
      yield { kind: "operand" };
    } else if (c === 0x3e && at(i + 1) === 0x3e) {
      i += 2;
      yield { kind: "operand" };
    } else if (c === 0x3c /* < hex string */) {
      let hex = "";
      i++;
      while (i < data.length && at(i) !== 0x3e) {
        const h = String.fromCharCode(at(i++));
        if (/[0-9a-f]/i.test(h)) hex += h;
      }
      i++;
      if (hex.length % 2) hex += "0";
      const bytes: number[] = [];
      for (let k = 0; k < hex.length; k += 2) bytes.push(Number.parseInt(hex.slice(k, k + 2), 16));
      yield { kind: "string", bytes };
    } else if (c === 0x5b) {
      i++;
      yield { kind: "arrayStart" };
    } else if (c === 0x5d) {
      i++;
      yield { kind: "arrayEnd" };
    } else {
      let word = "";
      if (c === 0x2f /* name */) word += String.fromCharCode(at(i++));
      while (i < data.length && !delimiters.has(at(i))) word += String.fromCharCode(at(i++));
      if (!word) {
        i++; // a stray delimiter ({, }, ), >): skip it
        continue;
      }
      const isOperand =
        word.startsWith("/") ||
        /^[+-]?(\d+\.?\d*|\.\d+)$/.test(word) ||
        word === "true" ||
        word === "false" ||
        word === "null";
      yield isOperand ? { kind: "operand" } : { kind: "operator", value: word };
    }
  }
}

/** The text runs a content stream shows, one per text-showing operator, in drawing order. */
export function textRuns(content: Uint8Array): string[] {
  const runs: string[] = [];
  let strings: number[][] = [];
  let inArray = false;
  let arrayStrings: number[][] = [];
  for (const token of tokenize(content)) {
    if (token.kind === "string") (inArray ? arrayStrings : strings).push(token.bytes);
    else if (token.kind === "arrayStart") {
      inArray = true;
      arrayStrings = [];
    } else if (token.kind === "arrayEnd") {
      inArray = false;
      strings.push(arrayStrings.flat());
    } else if (token.kind === "operator") {
      if (["Tj", "TJ", "'", '"'].includes(token.value) && strings.length) {
        runs.push(decodeWinAnsi(strings[strings.length - 1]!));
      }
      strings = [];
    }
  }
  return runs;
}

function streamBytes(stream: PDFRawStream): Uint8Array {
  const filter = stream.dict.get(PDFName.of("Filter"));
  const filters = filter instanceof PDFArray ? filter.asArray() : filter ? [filter] : [];
  let data = stream.getContents();
  for (const f of filters) {
    if (f !== PDFName.of("FlateDecode"))
      throw new Error(`pdfText: unsupported stream filter ${f.toString()}`);
    data = inflateSync(data);
  }
  return data;
}

/** The text of each page, in page order: the page's text runs joined by newlines. */
export async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  return doc.getPages().map((page) => {
    const contents = page.node.Contents();
    const parts: PDFObject[] = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
    return parts
      .map((part) => (part instanceof PDFRef ? doc.context.lookup(part) : part))
      .flatMap((stream) => {
        if (!(stream instanceof PDFRawStream)) throw new Error("pdfText: a page content is not a raw stream");
        return textRuns(streamBytes(stream));
      })
      .join("\n");
  });
}

/** All the visible text of a PDF: pages in order, each page's text runs on their own lines. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  return (await pdfPages(bytes)).join("\n");
}
