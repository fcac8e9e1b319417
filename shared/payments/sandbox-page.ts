/**
 * The pay page: in the sandbox, where a buyer "enters a card" in test mode (it lists the test cards);
 * for a processor with hosted checkout, the button that starts the attempt and leads there. A plain
 * form (no scripts) posting to the same origin with a signed anti-forgery token: only that POST ever
 * starts a payment, never a GET (link previews, prefetchers and crawlers follow GETs).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { formatMoney } from "../domain/format.ts";
import { htmlPage, type Page } from "../hosted/page.ts";
import { escapeHtml } from "../hosted/escape.ts";
import { sandboxTestMethods } from "./sandbox-cards.ts";

const formLifetimeSeconds = 30 * 60;

/** A token binding the form to its hosted page and time: forged or stale posts are refused. */
export function formToken(secret: string, hostedToken: string, nowSeconds: number): string {
  const mac = createHmac("sha256", secret)
    .update(`sandbox-pay\n${hostedToken}\n${nowSeconds}`)
    .digest("base64url");
  return `${nowSeconds}.${mac}`;
}

export function checkFormToken(
  secret: string,
  hostedToken: string,
  presented: string,
  nowSeconds: number,
): boolean {
  const [issued, mac] = presented.split(".");
  const at = Number(issued);
  if (!mac || !Number.isSafeInteger(at) || nowSeconds - at > formLifetimeSeconds || at > nowSeconds + 60)
    return false;
  const expected = Buffer.from(formToken(secret, hostedToken, at).split(".")[1] ?? "");
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const style = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1f2937;margin:0;padding:24px}
main{max-width:440px;margin:0 auto;background:#fff;border-radius:10px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:20px;margin:0 0 4px}.amount{font-size:28px;font-weight:700;margin:12px 0 20px}
label{display:block;font-weight:600;margin-bottom:6px}input{width:100%;box-sizing:border-box;font-size:18px;padding:10px;border:1px solid #cbd5e1;border-radius:6px}
button{margin-top:16px;width:100%;font-size:17px;padding:12px;border:0;border-radius:6px;background:#1d4ed8;color:#fff;cursor:pointer}
.error{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;padding:10px;border-radius:6px;margin-bottom:14px}
.test-mode{margin:0 0 16px;padding:10px;background:#fef3c7;color:#92400e;border:2px solid #f59e0b;border-radius:6px;text-align:center;font-weight:700;letter-spacing:.04em}
table{width:100%;border-collapse:collapse;margin-top:20px;font-size:13px}td{padding:4px 0;border-top:1px solid #eee}
a{color:#1d4ed8}`;

export function renderSandboxPayPage(input: {
  merchantName: string;
  invoiceNumber: string;
  amountDue: number;
  currency: string;
  formToken: string;
  backUrl: string;
  error?: string;
  /** The buyer pays on the processor's hosted checkout: no card field, no test cards. */
  checkout?: boolean;
}): Page {
  const outcomes: Record<string, string> = {
    succeeds: "succeeds",
    settles_later: "bank debit: processing, then succeeds",
  };
  const cards = sandboxTestMethods
    .map((m) => {
      const outcome =
        outcomes[m.behaviour.kind] ??
        ("declineCode" in m.behaviour
          ? `declined (${String(m.behaviour.declineCode)})`
          : m.behaviour.kind.replace(/_/g, " "));
      return `<tr><td><code>${escapeHtml(m.number)}</code></td><td>${escapeHtml(m.token)}</td><td>${escapeHtml(outcome)}</td></tr>`;
    })
    .join("");
  const amount = escapeHtml(formatMoney(input.amountDue, input.currency));
  const card = input.checkout
    ? ""
    : `<label for="card">Card number</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required maxlength="40">`;
  return htmlPage({
    title: `Pay ${input.invoiceNumber}`,
    style,
    formAction: "self",
    body: `<main>${input.checkout ? "" : `<p class="test-mode" role="note">TEST MODE · sandbox card page: no real card is charged</p>`}<h1>${escapeHtml(input.merchantName)}</h1><div>Invoice ${escapeHtml(input.invoiceNumber)}</div>
<div class="amount">${amount}</div>${input.error ? `<div class="error" role="alert">${escapeHtml(input.error)}</div>` : ""}
<form method="post"><input type="hidden" name="formToken" value="${escapeHtml(input.formToken)}">
${card}<button type="submit">Pay ${amount}</button></form>
<p><a href="${escapeHtml(input.backUrl)}">Back to the invoice</a></p>
${input.checkout ? "" : `<table><caption>Sandbox test cards</caption>${cards}</table>`}</main>`,
  });
}
