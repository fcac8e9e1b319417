/**
 * A merchant's look on everything Kassa renders for its buyers (hosted pages, PDFs): the brand colour
 * and what reads on it, and which URLs are safe to link. The one home of these checks: the API's
 * validation, the pages and the documents all ask here.
 */
import type { Merchant } from "../merchants/merchant.ts";

/** A brand colour as the API accepts it: `#rrggbb`. */
export const brandColorPattern = /^#[0-9a-fA-F]{6}$/;

/** A neutral slate for a merchant without a (usable) brand colour. */
export const neutralBrand = "#334155";

/** `color` lower-cased when it is a `#rrggbb` colour, else `undefined` (stored data predates checks). */
export function validBrandColor(color: unknown): string | undefined {
  return typeof color === "string" && brandColorPattern.test(color) ? color.toLowerCase() : undefined;
}

/** The merchant's `#rrggbb` colour, or the neutral slate when it is missing or malformed. */
export function brandColorOf(merchant: Pick<Merchant, "branding">): string {
  return validBrandColor(merchant.branding?.brandColor) ?? neutralBrand;
}

/** The red, green and blue of a `#rrggbb` colour, each from 0 to 1. */
export function channelsOf(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
}

function luminance(hex: string): number {
  const [r, g, b] = channelsOf(hex).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** White or near-black, whichever reads better on `background`. */
export function textOn(background: string): string {
  return contrast(background, "#ffffff") >= contrast(background, "#111827") ? "#ffffff" : "#111827";
}

/** The brand colour when it is readable as text on white (WCAG AA, 4.5:1), else the neutral colour. */
export function accentText(brand: string): string {
  return contrast(brand, "#ffffff") >= 4.5 ? brand : neutralBrand;
}

/**
 * `url` when it is safe to put in an `href`: an `http:`/`https:` URL, or a relative path (`/a`, `a/b`,
 * `./a`, `?q`, `#f`). Anything else (`javascript:`, `data:`, protocol-relative `//host`, backslashes,
 * whitespace or control characters, which browsers strip or reinterpret) gives `undefined`.
 */
export function safeUrl(url: string | undefined): string | undefined {
  if (typeof url !== "string" || url === "") return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(url)) return undefined;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? url : undefined;
  }
  if (url.startsWith("//")) return undefined;
  return url;
}
