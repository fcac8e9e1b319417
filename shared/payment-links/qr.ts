/**
 * A payment link's QR code as SVG, for a counter display or a flyer: encoded by `qrcode-generator`
 * (dependency-free), drawn here as one path of unit squares on a white field with the standard
 * 4-module quiet zone, so it scales to any print size without blur.
 */
import qrcode from "qrcode-generator";
import { escapeHtml } from "../hosted/escape.ts";
import { HttpResponse } from "../http/api.ts";

/** Modules of white around the code: the quiet zone scanners need (ISO/IEC 18004). */
const quietZone = 4;

/**
 * The SVG of `text`'s QR code: the smallest version that holds it, error correction M (15 % of the
 * code may be damaged or covered). The same text always gives the same SVG.
 */
export function qrSvg(text: string): string {
  const code = qrcode(0, "M");
  code.addData(text, "Byte");
  code.make();
  const count = code.getModuleCount();
  const size = count + 2 * quietZone;
  const squares: string[] = [];
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (code.isDark(row, col)) squares.push(`M${col + quietZone} ${row + quietZone}h1v1h-1z`);
    }
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size * 8}" height="${size * 8}" shape-rendering="crispEdges" role="img">`,
    `<title>${escapeHtml(text)}</title>`,
    `<rect width="${size}" height="${size}" fill="#ffffff"/>`,
    `<path fill="#000000" d="${squares.join("")}"/>`,
    "</svg>",
  ].join("\n");
}

/** The QR code of `url` as a response: an image that may be cached, since a link's URL never changes. */
export function qrSvgResponse(url: string): HttpResponse {
  return new HttpResponse(
    200,
    undefined,
    { "content-type": "image/svg+xml", "cache-control": "private, max-age=3600" },
    { body: qrSvg(url) },
  );
}
