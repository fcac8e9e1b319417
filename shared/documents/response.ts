/** A rendered PDF document as an HTTP response, shown inline under its file name and never cached. */
import { HttpResponse } from "../http/api.ts";

export function pdfResponse(pdf: Uint8Array, filename: string): HttpResponse {
  return new HttpResponse(
    200,
    undefined,
    {
      "content-type": "application/pdf",
      "content-disposition": `inline; filename="${filename}"`,
      "cache-control": "no-store",
    },
    { body: Buffer.from(pdf).toString("base64"), isBase64Encoded: true },
  );
}
