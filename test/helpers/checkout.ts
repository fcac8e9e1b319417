/**
 * A payment link's hosted checkout page as a buyer's browser drives it, through its handler: the
 * page, its form posts (form-encoded, with the page's own signed form token), and the session a
 * POST starts. Shared by the checkout suites.
 */
import { handler as links } from "../../functions/api/payment-links.ts";
import { handler as hosted } from "../../functions/hosted/checkout.ts";
import { call, expectStatus, merchantCall } from "./api.ts";
import { testPublicBaseUrl } from "./aws.ts";

/** `GET /l/{slug}` (with `?session=…` and the like in `query`). */
export const page = (slug: string, query?: Record<string, string>) =>
  call(hosted as never, "GET /l/{slug}", { pathParameters: { slug }, ...(query ? { query } : {}) });

/** `POST /l/{slug}` with a form, as a browser posts it. */
export const post = (slug: string, form: Record<string, string>) =>
  call(hosted as never, "POST /l/{slug}", {
    pathParameters: { slug },
    body: new URLSearchParams(form).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });

/** The signed form token a page's form carries. */
export const formTokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** The session a start's redirect names. */
export const sessionIdOf = (location: string | undefined) =>
  /[?&]session=(cs_[0-9A-Z]{26})$/.exec(location ?? "")?.[1] ?? "";

/** A merchant's new payment link: its id, and the slug its public `url` ends with. */
export async function newPaymentLink(token: string, body: object) {
  const link = await expectStatus(merchantCall(links, "POST /v1/payment-links", token, { body }), 201);
  return { id: link.id as string, slug: String(link.url).slice(`${testPublicBaseUrl}/l/`.length) };
}
