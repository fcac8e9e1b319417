/**
 * A complete HTML response for the hosted pages: one inline `<style>` allowed by its sha256 hash in
 * the Content-Security-Policy, no scripts at all, and the headers every buyer-facing page sends.
 */
import { createHash } from "node:crypto";
import { escapeHtml } from "../notifications/html.ts";

export interface Page {
  html: string;
  headers: Record<string, string>;
}

export function htmlPage(input: {
  title: string;
  style: string;
  body: string;
  formAction?: "self" | "none";
}): Page {
  const styleHash = createHash("sha256").update(input.style, "utf8").digest("base64");
  return {
    html: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(input.title)}</title>
<style>${input.style}</style>
</head>
<body>
${input.body}
</body>
</html>
`,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'self' data:; base-uri 'none'; form-action '${input.formAction ?? "none"}'; frame-ancestors 'none'`,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
    },
  };
}
