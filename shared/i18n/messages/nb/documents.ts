/** Norwegian Bokmål: see `../en/documents.ts`. */
import type { documents as en } from "../en/documents.ts";

export const documents: Record<keyof typeof en, string> = {
  "document.continued": "{title} (fortsatt)",
  "document.pageOf": "{label} · Side {page} av {pages}",
  "document.testModeTitle": "{title} (TESTMODUS)",
  "document.subject": "{title} fra {merchant} til {customer}",
  "document.status": "Status",
  "document.taxRow": "{name} {percentage}{inclusive, select, yes { (inkl.)} other {}}",
  "document.notes": "Merknader",

  "document.invoice.title": "Faktura {number}",
  "document.invoice.draftTitle": "Fakturautkast",
  "document.invoice.testModeBanner": "TESTMODUS · sandkassefaktura: ingen ekte penger belastes eller betales",
  "document.invoice.paidOn": "Betalt",
  "document.invoice.lineDiscount": "Rabatt: {amount}",
  "document.invoice.discountWith": "Rabatt ({details})",
  "document.invoice.lineDiscounts": "Linjerabatter",
  "document.invoice.payOnline": "Betal på nett: {url}",

  "document.quote.title": "Tilbud {number}",
  "document.quote.testModeBanner": "TESTMODUS · sandkassetilbud: ingen ekte penger belastes eller betales",
  "document.quote.issued": "Utstedt",
  "document.quote.validUntil": "Gyldig til",
  "document.quote.preparedFor": "Utarbeidet for",
  "document.quote.recurring": "Gjentakende",
  "document.quote.recurringBilled":
    "De gjentakende linjene faktureres {interval, select, month {månedlig} quarter {kvartalsvis} half_year {halvårlig} year {årlig} other {{interval}}}.",
  "document.quote.paymentPlan": "Betalingsplan",
  "document.quote.installment":
    "{n}. {amount}, forfaller {days, plural, =0 {ved aksept} one {# dag etter aksept} other {# dager etter aksept}}",
  "document.quote.terms": "Vilkår",
  "document.quote.comments": "Kommentarer",
  "document.quote.reviewOnline": "Se gjennom og godta på nett",
  "document.quote.signatures": "Signaturer",
  "document.quote.buyerSigns": "Kjøper: {name}",
  "document.quote.countersigner": "For {merchant}: {name} <{email}>",

  "document.audit.title": "{title} (signert, med revisjonsspor)",
  "document.audit.heading": "Revisjonsspor",
  "document.audit.hashHeading": "SHA-256 AV DEN OPPRINNELIGE PDF-EN (contentHash)",
  "document.audit.hashExplained":
    "Sidene før denne gjengir tilbudets PDF slik den ble publisert. De opprinnelige bytene finnes på {where} (og GET /v1/quotes/{id}/pdf): SHA-256-verdien deres må være lik hashen ovenfor, den hashen hver signatur nedenfor ble gitt for.",
  "document.audit.quotePage": "tilbudets side",
  "document.audit.published": "Publisert som tilbud {number}",
  "document.audit.publishedNote":
    "Publisert gjennom Kassas API med selgerens nøkkel: ingen IP-adresse eller brukeragent er registrert.",
  "document.audit.countersigned": "Kontrasignert på tilbudets side",
  "document.audit.signed": "Signert av kjøperen på tilbudets side",
  "document.audit.acceptedOnPage": "Godtatt av kjøperen på tilbudets side (signatur ikke påkrevd)",
  "document.audit.acceptedOffline": "Godtatt utenfor Kassa, slik selgeren har registrert det",
  "document.audit.offlineNote":
    "Registrert av {merchant} gjennom Kassas API {at}: selgerens erklæring, ikke en signatur gitt på Kassas side, så ingen IP-adresse, brukeragent eller signert hash ble registrert fra kjøperen.",
  "document.audit.accepted": "Tilbudet er godtatt",
  "document.audit.role":
    "{role, select, merchant {selger} buyer {kjøper} offline {kjøper (utenfor Kassa)} system {system: alle påkrevde signaturer er på plass} other {{role}}}",
  "document.audit.countersignerFor": "kontrasignatar for {merchant}",
  "document.audit.actor": "Aktør",
  "document.audit.ipAddress": "IP-adresse",
  "document.audit.userAgent": "Brukeragent",
  "document.audit.contentHash": "Innholdshash",
  "document.audit.note": "Merknad",
  "document.audit.footer":
    "Signaturene her er enkle elektroniske signaturer (ESIGN Act; eIDAS SES): et skrevet navn med underskriverens samtykke, knyttet til SHA-256-verdien av PDF-en vedkommende ble vist. Tidspunktene er i UTC.",

  "document.receipt.title": "Kvittering {number}",
  "document.receipt.testModeBanner":
    "TESTMODUS · sandkassekvittering: ingen ekte penger er belastet eller betalt",
  "document.receipt.paidBy": "Betalt av",
  "document.receipt.forInvoice": "Betaling av faktura {number}",
  "document.receipt.method":
    "{type, select, bank_transfer {Bankoverføring} cash {Kontant} check {Sjekk} bank_debit {Bankbelastning} other {Annet}}",
  "document.receipt.reference": "{method}, referanse {reference}",
  "document.receipt.invoiceTotal": "Fakturabeløp",
  "document.receipt.refunds": "Refusjoner",
  "document.receipt.refund":
    "Refusjon {date}{status, select, pending { (under behandling)} failed { (mislyktes)} other {}}",
  "document.receipt.refunded": "Refundert",
  "document.receipt.thanks": "Takk for betalingen.",
};
