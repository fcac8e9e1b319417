/**
 * The dashboard's two static files: one stylesheet (the shell's base and the components' `uiCss`) and
 * one small script that only enhances pages which work without it. Each is served under a name that
 * carries the hash of its content (`/app/assets/dashboard.<hash>.css`), so browsers may keep it for a
 * year: a change is a new name. Compressed once per encoding, on first use.
 */
import { createHash } from "node:crypto";
import { compress, type Encoding } from "./compress.ts";
import { uiCss } from "./ui.ts";

const baseCss = `
*,*::before,*::after{box-sizing:border-box}
:root{--text:#1e293b;--muted:#64748b;--line:#e2e8f0;--paper:#fff;--wash:#f8fafc;--accent:#1d4ed8;--warn:#92400e;--warn-bg:#fef3c7;--ok-bg:#dcfce7;--ok:#166534;--danger:#b91c1c}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--text);background:var(--wash)}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--paper);padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.5rem 1rem;background:var(--paper);border-bottom:1px solid var(--line)}
.top .brand{font-weight:600;margin-right:auto}
.top .who{color:var(--muted);font-size:.875rem}
.top form{margin:0}
.test-mode{background:var(--warn-bg);color:var(--warn);font-size:.75rem;font-weight:700;letter-spacing:.05em;padding:.125rem .5rem;border-radius:.25rem}
.nav{background:var(--paper);border-bottom:1px solid var(--line)}
.nav ul{display:flex;gap:.25rem;margin:0;padding:0 .5rem;list-style:none;overflow-x:auto;white-space:nowrap}
.nav a{display:block;padding:.625rem .75rem;color:var(--text);text-decoration:none;border-bottom:3px solid transparent}
.nav a[aria-current=page]{border-bottom-color:var(--accent);font-weight:600}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
.notice{background:var(--ok-bg);color:var(--ok);padding:.75rem 1rem;border-radius:.375rem;margin-bottom:1rem}
.sign-in{background:var(--paper);border:1px solid var(--line);border-radius:.5rem;padding:1.25rem;max-width:28rem;margin:2rem auto}
.sign-in h1{margin-top:0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=email],input[type=text],input[type=search],input[type=number],input[type=date],select,textarea{width:100%;padding:.5rem;font:inherit;border:1px solid #94a3b8;border-radius:.375rem;background:var(--paper);color:var(--text)}
button,.button{display:inline-block;padding:.5rem 1rem;font:inherit;font-weight:600;border:1px solid var(--accent);border-radius:.375rem;background:var(--accent);color:#fff;cursor:pointer;text-decoration:none}
button.quiet{background:transparent;color:var(--accent);border-color:transparent;padding:.25rem .5rem}
.sign-in button{margin-top:1rem;width:100%}
.error{color:var(--danger)}
@media (max-width:40rem){main{padding:.75rem}.top .who{flex-basis:100%;order:3}}
`;

/**
 * Asks before a form marked `data-confirm` (on the form or its submit button) is sent; submits filter
 * forms (`data-autosubmit`) when a select changes. Live previews: a form with `data-preview="<url>"`
 * and `data-preview-into="<id>"` sends its fields to the url (POST, CSRF token included) 300 ms after
 * the last keystroke and puts the answer — a `fragment` (shared/dashboard/context.ts) — into that
 * element; an `<img>` or `<iframe>` target gets the fields as the url's query instead (GET, without the
 * CSRF token). Only the newest answer is shown. A `<button type="button" data-copy="<id>">` copies that
 * element's value or text. Pages work the same without it: totals show after saving, the text to copy
 * is selectable.
 */
const script = `"use strict";
document.addEventListener("submit",function(e){var f=e.target,s=e.submitter,c=(s&&s.getAttribute("data-confirm"))||(f instanceof HTMLFormElement&&f.getAttribute("data-confirm"));if(c&&!window.confirm(c))e.preventDefault()});
document.addEventListener("change",function(e){var t=e.target;if(t instanceof HTMLSelectElement&&t.form&&t.form.hasAttribute("data-autosubmit"))t.form.requestSubmit()});
var P=new WeakMap();
function preview(f){var u=f.getAttribute("data-preview"),t=document.getElementById(f.getAttribute("data-preview-into")||""),b=new URLSearchParams(new FormData(f)),n=(P.get(f)||{n:0}).n+1;P.set(f,{n:n});if(!u||!t)return;
if(t instanceof HTMLImageElement||t instanceof HTMLIFrameElement){b.delete("csrf");b.delete("once");t.src=u+"?"+b;return}
t.setAttribute("aria-busy","true");fetch(u,{method:"POST",body:b,credentials:"same-origin",headers:{accept:"text/html"}}).then(function(r){return r.text()}).then(function(h){if(P.get(f).n===n){t.innerHTML=h;t.removeAttribute("aria-busy")}})}
function later(e){var f=e.target&&e.target.form;if(f&&f.hasAttribute("data-preview")){clearTimeout((P.get(f)||{}).t);var s=P.get(f)||{n:0};s.t=setTimeout(function(){preview(f)},300);P.set(f,s)}}
document.addEventListener("input",later);document.addEventListener("change",later);
document.addEventListener("click",function(e){var b=e.target instanceof Element&&e.target.closest("button[data-copy]"),s=b&&document.getElementById(b.getAttribute("data-copy"));if(s&&navigator.clipboard)navigator.clipboard.writeText("value" in s?s.value:s.textContent).then(function(){b.textContent="Copied"})});
`;

export interface Asset {
  /** The hashed file name, e.g. `dashboard.3f9c0a1b2c.css`. */
  file: string;
  /** Where pages link it. */
  url: string;
  contentType: string;
  body: Buffer;
}

function asset(name: string, extension: "css" | "js", contentType: string, text: string): Asset {
  const body = Buffer.from(text.trim(), "utf8");
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  const file = `${name}.${hash}.${extension}`;
  return { file, url: `/app/assets/${file}`, contentType, body };
}

export const assets = {
  stylesheet: asset("dashboard", "css", "text/css; charset=utf-8", `${baseCss}\n${uiCss}`),
  script: asset("dashboard", "js", "text/javascript; charset=utf-8", script),
} as const;

const byFile = new Map(Object.values(assets).map((a) => [a.file, a]));
const compressed = new Map<string, Buffer>();

/** The asset named `file` (hash included), with its body in `encoding`; undefined for any other name. */
export function assetNamed(
  file: string,
  encoding: Encoding | undefined,
): { asset: Asset; body: Buffer } | undefined {
  const found = byFile.get(file);
  if (!found) return undefined;
  if (!encoding) return { asset: found, body: found.body };
  const key = `${file} ${encoding}`;
  const body = compressed.get(key) ?? compress(found.body, encoding, "best");
  compressed.set(key, body);
  return { asset: found, body };
}

/** A year, and never revalidated: the name changes with the content. */
export const immutableCaching = "public, max-age=31536000, immutable";
