/**
 * Every dashboard response is compressed as the browser asks (`Accept-Encoding`): brotli, else gzip,
 * else sent as is. Pages are compressed per request at a fast brotli level; assets once, at the best.
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

export type Encoding = "br" | "gzip";

/** The encoding to send: the first of brotli and gzip the header accepts (`q=0` refuses one). */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").toLowerCase().split(",")) {
    const [name = "", ...params] = part.trim().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    if (name) accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const wildcard = accepted.get("*");
  const ok = (name: Encoding) => (accepted.get(name) ?? wildcard ?? 0) > 0;
  return ok("br") ? "br" : ok("gzip") ? "gzip" : undefined;
}

export function compress(body: Buffer, encoding: Encoding, effort: "fast" | "best" = "fast"): Buffer {
  if (encoding === "gzip") return gzipSync(body, { level: effort === "best" ? 9 : 6 });
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: effort === "best" ? 11 : 5,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}
