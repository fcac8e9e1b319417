/** How buyer-facing surfaces (the hosted page, the PDF) word an invoice, in the reader's language. */
import type { Translator } from "../i18n/translator.ts";
import type { Invoice } from "./invoice.ts";

export function statusLabel(tr: Translator, status: Invoice["status"]): string {
  switch (status) {
    case "draft":
      return tr.t("common.status.draft");
    case "open":
      return tr.t("common.status.open");
    case "paid":
      return tr.t("common.status.paid");
    case "void":
      return tr.t("common.status.void");
    case "uncollectible":
      return tr.t("common.status.uncollectible");
  }
}
