/**
 * A secret the API shows once (a new API key, a webhook endpoint's signing secret), answered as the
 * page of the POST that made it rather than through a redirect: it never rides in a URL or the notice
 * cookie, and leaving the page loses it. A readonly field keeps it selectable without the script; the
 * copy button is the script's.
 */
import { type Html, html, pageHeader, section } from "../../ui.ts";

export function secretPage(input: {
  title: string;
  what: string;
  secret: string;
  next: { href: string; label: string };
  about: Html;
}) {
  const body = html`${pageHeader(input.title, undefined, input.what)}
${section(
  "Copy the secret now",
  html`<p><strong>This is the only time it is shown.</strong> Kassa keeps it sealed and cannot show it again; if you lose it, make a new one.</p>
<div class="field"><label for="shown-secret">Secret</label><input id="shown-secret" type="text" readonly value="${input.secret}" autocomplete="off" spellcheck="false"></div>
<div class="form-actions"><button type="button" class="button button-primary" data-copy="shown-secret">Copy</button> <a class="button button-secondary" href="${input.next.href}">${input.next.label}</a></div>
${input.about}`,
)}`;
  return { kind: "page" as const, title: input.title, body: String(body) };
}
