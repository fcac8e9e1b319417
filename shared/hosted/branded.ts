/**
 * A merchant-branded hosted page (the invoice page today; checkout, quote and "update your card"
 * pages next): the TEST MODE band of a test-mode merchant, the masthead in the brand colour with the
 * merchant's mark and name, the page's own content, and the merchant's footer text. One
 * self-contained document with no external assets: the merchant's logo is not fetched.
 */
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { escapeHtml } from "./escape.ts";
import { htmlPage, type Page } from "./page.ts";
import { accentText, brandColorOf, textOn } from "./theme.ts";

/** The frame's styles; the page's own follow them and may use its colours (`--brand`, `--accent`…). */
function frameStyle(brand: string): string {
  const onBrand = textOn(brand);
  const accent = accentText(brand);
  return `
:root{--brand:${brand};--on-brand:${onBrand};--accent:${accent};--text:#1f2937;--muted:#4b5563;--line:#e5e7eb;--bg:#f3f4f6}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--accent)}
a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.masthead{background:var(--brand);color:var(--on-brand)}
.masthead-inner{max-width:860px;margin:0 auto;padding:20px 24px;display:flex;align-items:center;gap:14px}
.mark{flex:none;width:44px;height:44px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-weight:700;font-size:16px;letter-spacing:.5px;background:var(--on-brand);color:var(--brand)}
.merchant-name{font-size:18px;font-weight:600;margin:0}
main{max-width:860px;margin:0 auto;padding:24px}
.visually-hidden{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.test-mode{margin:0;padding:12px 24px;background:#fef3c7;color:#92400e;border-bottom:3px solid #f59e0b;text-align:center;font-weight:700;letter-spacing:.04em}
.site-footer{max-width:860px;margin:0 auto;padding:8px 24px 40px;color:var(--muted);font-size:13px;text-align:center}
.site-footer p{margin:0 0 6px;white-space:pre-line}
@media (max-width:600px){
body{font-size:14px}
.masthead-inner{padding:16px}
main{padding:10px}
}
@media print{
body{background:#fff;font-size:12pt}
.masthead{background:none;color:#000;border-bottom:2px solid var(--brand)}
.mark{border:1px solid #000;background:none;color:#000}
main{padding:0;max-width:none}
a{color:#000;text-decoration:none}
.site-footer{color:#000}
}
`;
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words
    .map((w) => Array.from(w).find((c) => /[\p{L}\p{N}]/u.test(c)))
    .filter((c): c is string => c !== undefined);
  return (letters.length > 1 ? [letters[0], letters.at(-1)] : letters.slice(0, 1)).join("").toUpperCase();
}

export function brandedPage(input: {
  merchant: Merchant;
  /** The locale the page reads in: its `<html lang>`. */
  locale: string;
  /** Plain text. */
  title: string;
  /** What the page says above everything else while the merchant is in test mode. */
  testModeNotice: string;
  /** The page's own styles. */
  style: string;
  /** The page's `<main>` content (HTML, already escaped). */
  main: string;
  /** The page's inline script, when it has one (see `htmlPage`). */
  script?: string;
}): Page {
  const { merchant } = input;
  const footerText = merchant.branding?.footerText;
  const mark = initials(merchant.name);
  return htmlPage({
    title: input.title,
    lang: input.locale,
    style: `${frameStyle(brandColorOf(merchant))}${input.style}`,
    formAction: "self",
    ...(input.script === undefined ? {} : { script: input.script }),
    body: `${merchantLivemode(merchant) ? "" : `<p class="test-mode" role="note">${escapeHtml(input.testModeNotice)}</p>\n`}<header class="masthead">
<div class="masthead-inner">
${mark ? `<span class="mark" aria-hidden="true">${escapeHtml(mark)}</span>` : ""}
<p class="merchant-name">${escapeHtml(merchant.name)}</p>
</div>
</header>
<main>
${input.main}
</main>
${footerText ? `<footer class="site-footer"><p>${escapeHtml(footerText)}</p></footer>` : ""}`,
  });
}
