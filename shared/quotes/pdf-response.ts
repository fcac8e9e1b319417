/**
 * A quote's PDFs as HTTP responses (merchant API and buyer page alike). The signed PDF's module —
 * pdf-lib, since the first download may render it — is loaded on first use, so the other routes of
 * those functions don't pay for it at cold start.
 */
import { pdfResponse } from "../documents/response.ts";
import type { HttpResponse } from "../http/api.ts";
import type { Quote } from "./quote.ts";

/** The published PDF (`Q-0001.pdf`) or, `signed`, the one with its audit trail (`…-signed.pdf`). */
export const quotePdfResponse = (
  { quote, pdf }: { quote: Pick<Quote, "id" | "number">; pdf: Uint8Array },
  signed = false,
): HttpResponse => pdfResponse(pdf, `${quote.number ?? quote.id}${signed ? "-signed" : ""}.pdf`);

export const signedQuotePdfs = () => import("./signed-pdf.ts");
