/** English words of the documents. ICU MessageFormat; amounts and dates arrive formatted. */
export const documents = {
  // The layout every PDF shares.
  "document.continued": "{title} (continued)",
  "document.pageOf": "{label} · Page {page} of {pages}",
  "document.testModeTitle": "{title} (TEST MODE)",
  "document.subject": "{title} from {merchant} to {customer}",
  "document.status": "Status",
  "document.taxRow": "{name} {percentage}{inclusive, select, yes { (incl.)} other {}}",
  "document.notes": "Notes",

  // The invoice PDF.
  "document.invoice.title": "Invoice {number}",
  "document.invoice.draftTitle": "Draft invoice",
  "document.invoice.testModeBanner": "TEST MODE · sandbox invoice: no real money is charged or paid",
  "document.invoice.paidOn": "Paid on",
  "document.invoice.lineDiscount": "Discount: {amount} off",
  "document.invoice.discountWith": "Discount ({details})",
  "document.invoice.lineDiscounts": "Line discounts",
  "document.invoice.payOnline": "Pay online: {url}",

  // The quote PDF.
  "document.quote.title": "Quote {number}",
  "document.quote.testModeBanner": "TEST MODE · sandbox quote: no real money is charged or paid",
  "document.quote.issued": "Issued",
  "document.quote.validUntil": "Valid until",
  "document.quote.preparedFor": "Prepared for",
  "document.quote.recurring": "Recurring",
  "document.quote.recurringBilled":
    "The recurring lines are billed {interval, select, month {monthly} quarter {quarterly} half_year {half-yearly} year {yearly} other {{interval}}}.",
  "document.quote.paymentPlan": "Payment plan",
  "document.quote.installment":
    "{n}. {amount}, due {days, plural, =0 {on acceptance} one {# day after acceptance} other {# days after acceptance}}",
  "document.quote.terms": "Terms",
  "document.quote.comments": "Comments",
  "document.quote.reviewOnline": "Review and accept online",
  "document.quote.signatures": "Signatures",
  "document.quote.buyerSigns": "Buyer: {name}",
  "document.quote.countersigner": "For {merchant}: {name} <{email}>",

  // The signed quote PDF's audit trail.
  "document.audit.title": "{title} (signed, with audit trail)",
  "document.audit.heading": "Audit trail",
  "document.audit.hashHeading": "SHA-256 OF THE ORIGINAL PDF (contentHash)",
  "document.audit.hashExplained":
    "The pages before this one reproduce the quote's PDF as published. Its original bytes are served at {where} (and GET /v1/quotes/{id}/pdf): their SHA-256 must equal the hash above, the hash each signature below was given for.",
  "document.audit.quotePage": "the quote's page",
  "document.audit.published": "Published as quote {number}",
  "document.audit.publishedNote":
    "Published through Kassa's API with the merchant's key: no IP address or user agent is recorded.",
  "document.audit.countersigned": "Countersigned on the quote's page",
  "document.audit.signed": "Signed by the buyer on the quote's page",
  "document.audit.acceptedOnPage": "Accepted by the buyer on the quote's page (no signature required)",
  "document.audit.acceptedOffline": "Accepted offline (outside Kassa), as recorded by the merchant",
  "document.audit.offlineNote":
    "Recorded by {merchant} through Kassa's API at {at}: the merchant's statement, not a signature given on Kassa's page, so no IP, user agent or signed hash was captured from the buyer.",
  "document.audit.accepted": "Quote accepted",
  "document.audit.role":
    "{role, select, merchant {merchant} buyer {buyer} offline {buyer (offline)} system {system: every required signature is in} other {{role}}}",
  "document.audit.countersignerFor": "countersigner for {merchant}",
  "document.audit.actor": "Actor",
  "document.audit.ipAddress": "IP address",
  "document.audit.userAgent": "User agent",
  "document.audit.contentHash": "Content hash",
  "document.audit.note": "Note",
  "document.audit.footer":
    "Signatures here are simple electronic signatures (ESIGN Act; eIDAS SES): a typed name with the signer's consent, bound to the SHA-256 of the PDF they were shown. Times are UTC.",

  // The payment receipt PDF.
  "document.receipt.title": "Receipt {number}",
  "document.receipt.testModeBanner": "TEST MODE · sandbox receipt: no real money was charged or paid",
  "document.receipt.paidBy": "Paid by",
  "document.receipt.forInvoice": "Payment for invoice {number}",
  "document.receipt.method":
    "{type, select, bank_transfer {Bank transfer} cash {Cash} check {Check} bank_debit {Bank debit} other {Other}}",
  "document.receipt.reference": "{method}, reference {reference}",
  "document.receipt.invoiceTotal": "Invoice total",
  "document.receipt.refunds": "Refunds",
  "document.receipt.refund":
    "Refund {date}{status, select, pending { (pending)} failed { (failed)} other {}}",
  "document.receipt.refunded": "Refunded",
  "document.receipt.thanks": "Thank you for your payment.",
} as const;
