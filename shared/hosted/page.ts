/**
 * The page shell of every HTML page Kassa serves (hosted buyer pages, the API reference): one inline
 * `<style>` allowed by its sha256 hash in the Content-Security-Policy, no external assets at all, no
 * scripts unless a page brings one inline script that only enhances it (allowed by its hash too, and
 * talking only to this origin), and the headers every such page sends.
 */
import { createHash } from "node:crypto";
import { escapeHtml } from "./escape.ts";

export interface Page {
  html: string;
  headers: Record<string, string>;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("base64");

/**
 * The policy that allows exactly `style` as the page's only style block, and `script` (when given) as
 * its only script, which may fetch from this origin; nothing else.
 */
export function contentSecurityPolicy(
  style: string,
  formAction: "self" | "none" = "none",
  script?: string,
): string {
  const scripts = script === undefined ? "" : ` script-src 'sha256-${sha256(script)}'; connect-src 'self';`;
  return `default-src 'none'; style-src 'sha256-${sha256(style)}';${scripts} img-src 'self' data:; base-uri 'none'; form-action '${formAction}'; frame-ancestors 'none'`;
}

export function htmlPage(input: {
  /** Plain text: the shell escapes it. */
  title: string;
  style: string;
  body: string;
  formAction?: "self" | "none";
  /** An inline script that only enhances the page (it works without it), run at the end of the body. */
  script?: string;
  /** A public reference page may be indexed; a buyer's page never is. */
  indexable?: boolean;
  /** The BCP 47 locale the page reads in (a buyer's page: its translator's); the API reference is English. */
  lang?: string;
}): Page {
  const robots = input.indexable ? "" : `<meta name="robots" content="noindex, nofollow">\n`;
  return {
    html: `<!doctype html>
<html lang="${escapeHtml(input.lang ?? "en")}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${robots}<title>${escapeHtml(input.title)}</title>
<style>${input.style}</style>
</head>
<body>
${input.body}
${input.script === undefined ? "" : `<script>${input.script}</script>\n`}</body>
</html>
`,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": contentSecurityPolicy(input.style, input.formAction, input.script),
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
    },
  };
}
