/** Norwegian Bokmål: see `../en/emails.ts`. */
import type { emails as en } from "../en/emails.ts";

export const emails: Record<keyof typeof en, string> = {
  "email.testMode.subject": "[TESTMODUS] {subject}",
  "email.testMode.money": "TESTMODUS: dette gjelder testpenger i sandkassen. Ingen ekte penger er overført.",
  "email.testMode.quote":
    "TESTMODUS: dette er et tilbud fra sandkassen. Ingen ekte penger belastes eller betales.",
  "email.testMode.payout":
    "TESTMODUS: denne utbetalingen er simulert. Sandkassen sender ingen penger til noen bankkonto.",
  "email.footer.merchant": "Sendt av {merchant} med Kassa",
  "email.footer.kassa": "Sendt av Kassa",
  "email.support": "Spørsmål? Kontakt {merchant} på {email}.",
  "email.line": "{item}: {amount}.",
  "email.method.card": "kort",
  "email.method.bankAccount": "bankkonto som slutter på {last4}",

  "email.invoice.subject": "Faktura {number} fra {merchant}",
  "email.invoice.lead": "{merchant} har sendt deg faktura {number}. PDF-en er vedlagt.",
  "email.invoice.amountDue": "Å betale: {amount} (totalt {total}).",
  "email.invoice.amountDueLessBalance":
    "Å betale: {amount} (totalt {total}, fratrukket brukt saldo {balance}).",
  "email.invoice.dueDate": "Forfallsdato: {date}.",
  "email.invoice.online": "Se og last den ned på nett: {url}",
  "email.reminder.when":
    "{status, select, upcoming {forfaller om {days, plural, one {# dag} other {# dager}}} today {forfaller i dag} other {er {days, plural, one {# dag} other {# dager}} over forfall}}",
  "email.reminder.subject": "Påminnelse: faktura {number} fra {merchant} {when}",
  "email.reminder.lead": "Dette er en vennlig påminnelse om at faktura {number} {when}.",

  "email.receipt.subject": "Kvittering fra {merchant}: {amount} betalt",
  "email.receipt.thanks": "Takk for betalingen! Vi har mottatt {amount} for faktura {number}.",
  "email.receipt.paidWith": "Betalt med {method}.",
  "email.receipt.paidWithOn": "Betalt {date} med {method}.",
  "email.receipt.number": "Kvitteringsnummer: {id}.",
  "email.receipt.stillDue": "Gjenstår å betale på denne fakturaen: {amount}.",
  "email.receipt.invoice": "Fakturaen din: {url}",
  "email.paymentReceived.subject": "Betaling mottatt: {amount} for faktura {number}",
  "email.paymentReceived.paid": "{customer} betalte {amount} med {method}.",
  "email.paymentReceived.stillDue": "Betaling {id}. Gjenstår å betale: {amount}.",
  "email.refund.subject": "Refusjon fra {merchant}: {amount}",
  "email.refund.refunded":
    "{merchant} har refundert {amount} for faktura {number}. Det kan ta 5–10 virkedager før beløpet vises på kontoutskriften din.",
  "email.refund.number": "Refusjonsnummer: {id}.",
  "email.excessRefunded.subject": "Automatisk refundert: {excess} av en betaling for faktura {number}",
  "email.excessRefunded.paid":
    "{customer} betalte {amount} med {method} for faktura {number}, som da bare skyldte {owed}.",
  "email.excessRefunded.refunded":
    "De overskytende {excess} ble automatisk refundert til kjøperen; du trenger ikke gjøre noe. Betaling {id}.",
  "email.paymentFailed.declined": "den ble avvist",
  "email.paymentFailed.subject": "Betalingen din til {merchant} gikk ikke gjennom",
  "email.paymentFailed.failed":
    "Vi kunne ikke gjennomføre betalingen din på {amount} for faktura {number}: {reason}.",
  "email.paymentFailed.retry": "Du kan prøve igjen med et annet kort her: {url}",
  "email.paymentFailed.contact": "Kontakt oss for å betale på en annen måte.",
  "email.paymentFailed.charge.subject":
    "{what, select, renewal {Fornyelsen} other {Den første betalingen}} av abonnementet ditt hos {merchant} kunne ikke belastes",
  "email.paymentFailed.charge.failed":
    "Vi kunne ikke belaste {what, select, renewal {fornyelsen} other {den første betalingen}} av abonnementet ditt hos {merchant}: {amount}{period}, faktura {number}: {reason}.",
  "email.paymentFailed.charge.period": " for {start} – {end}",
  "email.paymentFailed.charge.updateCard": "Oppdater betalingskortet for abonnementet ditt her: {url}",
  "email.paymentFailed.charge.payNow": "Eller betal denne fakturaen nå med et annet kort: {url}",

  "email.subscription.total": "Totalt: {amount}.",
  "email.subscription.discounts": "Rabatter: {discounts}.",
  "email.subscription.discount": "{off} rabatt{code} på {when}",
  "email.subscription.discountCode": " (kode {code})",
  "email.subscription.discountWhen":
    "{duration, select, forever {hver faktura} once {den første fakturaen} other {de {count} første fakturaene}}",
  "email.subscription.taxes": "MVA og avgifter kommer i tillegg slik hver faktura viser.",
  "email.subscription.trialing": "Gratis prøveperiode til {date}: ingenting faktureres før det.",
  "email.subscription.starts": "Starter {date}.",
  "email.subscription.startsWithTrial":
    "Starter {date} med gratis prøveperiode til {trialEnd}: ingenting faktureres før det.",
  "email.subscription.started": "Startet {date}; den første perioden faktureres nå.",
  "email.subscription.shortFirstPeriod":
    "Den første perioden, til {date}, er kortere og faktureres forholdsmessig.",
  "email.subscription.billingDate": "{which, select, first {Første} other {Neste}} faktureringsdato: {date}.",
  "email.subscription.noBillingDate": "Ingen flere faktureringsdatoer: dette var den eneste perioden.",
  "email.subscription.billed":
    "Faktureres {interval, select, month {månedlig} quarter {kvartalsvis} half_year {halvårlig} other {årlig}} den {day}.{lastDay}, {duration}.",
  "email.subscription.lastDay": " (siste dag i kortere måneder)",
  "email.subscription.untilCanceled": "til det sies opp",
  "email.subscription.cycles":
    "i {count} {interval, select, month {{count, plural, one {måned} other {måneder}}} quarter {{count, plural, one {kvartal} other {kvartaler}}} half_year {{count, plural, one {halvår} other {halvår}}} other {{count, plural, one {år} other {år}}}} i alt, til og med {date}",
  "email.subscription.invoicedYou": "Du får en faktura på e-post for hver periode{due}.",
  "email.subscription.invoicedCustomer": "Kunden får en faktura på e-post for hver periode{due}.",
  "email.subscription.dueOnReceipt": ", forfall ved mottak",
  "email.subscription.dueWithin": ", med {days} dagers betalingsfrist",
  "email.subscription.charged":
    "Hver faktura belastes automatisk på {method, select, card {{whose, select, your {ditt} other {kundens}} {brand}-kort som slutter på {last4}} bank {{whose, select, your {din} other {kundens}} lagrede bankkonto} other {{whose, select, your {din} other {kundens}} lagrede betalingsmåte}}.",
  "email.subscription.portal": "Administrer abonnementet ditt og se fakturaene dine på kontoen din: {url}",
  "email.subscription.customer": "Kunde {id}",
  "email.subscription.confirmed.subject": "Abonnementet ditt hos {merchant} er bekreftet",
  "email.subscription.confirmed.thanks": "Takk for at du abonnerer hos {merchant}. Abonnement {id}:",
  "email.subscription.new.subject": "Nytt abonnement: {who}, {amount}",
  "email.subscription.new.subscribed": "{who} har tegnet abonnement. Abonnement {id}:",
  "email.subscription.endedWithPeriod": "Det ble avsluttet ved periodens slutt {date}, som ønsket: {billed}.",
  "email.subscription.canceledNow": "Det ble sagt opp {date} med umiddelbar virkning: {billed}.",
  "email.subscription.canceled.subject": "Abonnementet ditt hos {merchant} er sagt opp",
  "email.subscription.canceled.summary": "Abonnementet ditt {id} hos {merchant}: {summary}.",
  "email.subscription.canceled.nothingBilled": "ingenting mer blir fakturert",
  "email.subscription.canceledNotice.subject": "Abonnement sagt opp: {who}, {amount}",
  "email.subscription.canceledNotice.summary": "Abonnement {id} for {who}: {summary}.",
  "email.subscription.canceledNotice.noInvoices": "det lages ingen flere fakturaer",
  "email.renewal.discount": "rabatt −{amount}",
  "email.renewal.tax": "MVA {amount}",
  "email.renewal.subject": "Abonnementet ditt hos {merchant} fornyes {date}",
  "email.renewal.renews": "Abonnementet ditt {id} hos {merchant} fornyes {date}: {items} ({amount}).",
  "email.renewal.billed":
    "{date} blir du {how, select, invoice {fakturert} other {belastet}} {amount} for perioden til {end}.",
  "email.renewal.updateCard": "Vil du bruke et annet kort, kan du oppdatere det her: {url}",
  "email.renewal.cancel": "Vil du ikke at det skal fornyes? Kontakt {merchant} før {date} for å si det opp.",
  "email.trial.subject": "Prøveperioden din hos {merchant} slutter {date}",
  "email.trial.ends":
    "Den gratis prøveperioden din (abonnement {id}) slutter {date}. Deretter koster det {amount}:",
  "email.trial.needsCard":
    "Du har ingen lagret betalingsmåte: legg til en før prøveperioden slutter for å beholde abonnementet, ellers blir det sagt opp.",
  "email.trial.cancel":
    "Ikke det du vil? Kontakt {merchant} for å si opp før {date}, så blir ingenting fakturert.",

  "email.renewalFailed.subject": "Fornyelsesbetaling mislyktes: {who}, {amount} (faktura {number})",
  "email.renewalFailed.failed":
    "Fornyelsen av abonnement {id}{what} for {who} kunne ikke belastes: faktura {number}, {amount} (forsøk {attempt}).",
  "email.renewalFailed.reason": "Årsak: {reason} ({code}).",
  "email.renewalFailed.nextRetry":
    "Neste forsøk: {date}, på kortet kunden har da; et nytt kort kunden legger til, belastes med en gang.",
  "email.renewalFailed.ifRetriesFail": "Hvis alle forsøk mislykkes: {date} {action}.",
  "email.renewalFailed.notRetried":
    "Denne avvisningen prøves ikke på nytt: kunden er bedt om et nytt kort, som belastes med en gang det legges til.",
  "email.renewalFailed.ifNonePays": "Hvis ingen betaler fakturaen innen {date}, {action}.",
  "email.renewalFailed.lastRetry": "Det var siste forsøk: {action}.",
  "email.renewalFailed.will":
    "{action, select, cancel {blir abonnementet sagt opp (fakturaen forblir åpen)} mark_uncollectible {blir fakturaen markert som ikke innkrevbar, og abonnementet forblir aktivt} other {forblir abonnementet forfalt og fakturaen åpen}}",
  "email.renewalFailed.did":
    "{action, select, cancel {abonnementet er sagt opp; fakturaen forblir åpen} mark_uncollectible {fakturaen er markert som ikke innkrevbar; abonnementet forblir aktivt} other {abonnementet forblir forfalt og fakturaen åpen}}",
  "email.decline":
    "{code, select, generic_decline {kortet ble avvist av banken} insufficient_funds {det er ikke nok dekning på kortet} lost_card {kortet er meldt tapt} stolen_card {kortet er meldt stjålet} pickup_card {banken ba om at kortet holdes tilbake (det kan være tapt, stjålet eller stengt)} restricted_card {kortet er sperret av banken} revocation_of_all_authorizations {kunden har trukket tilbake alle betalinger til deg i banken sin} revocation_of_authorization {kunden har trukket tilbake denne betalingen i banken sin} stop_payment_order {kunden ba banken stoppe denne betalingen} do_not_try_again {banken sa at kortet ikke skal prøves igjen} expired_card {kortet er utløpt} incorrect_cvc {kortets sikkerhetskode var feil} card_velocity_exceeded {kortets beløpsgrense er nådd} authentication_required {banken krever at kunden bekrefter denne betalingen} payment_method_missing {ingen betalingsmåte er lagret å belaste} other {betalingen mislyktes ({words})}}",

  "email.quote.recurring":
    " ({upfront} én gang, deretter {recurring} {interval, select, month {månedlig} quarter {kvartalsvis} half_year {halvårlig} other {årlig}})",
  "email.quote.subject": "Tilbud {number} fra {merchant}",
  "email.quote.revisedSubject": "Revidert tilbud {number} fra {merchant} (erstatter {replaces})",
  "email.quote.sent": "{merchant} har sendt deg tilbud {number}{title} på {amount}{recurring}.",
  "email.quote.replaces":
    "Det erstatter tilbud {replaces}, som du fikk tidligere og ikke lenger kan {signs, select, sign {signere} other {godta}}.",
  "email.quote.validUntil": "Det gjelder til {date}.",
  "email.quote.link":
    "Les det, last ned PDF-en, og {signs, select, sign {signer} other {godta}} eller avslå det her: {url}",
  "email.quote.what": "Tilbud {number}{title} på {amount}",
  "email.quote.attached":
    "Den signerte PDF-en er vedlagt: tilbudet slik det ble publisert, deretter revisjonssporet — hvem som signerte eller godtok det, når (UTC), fra hvilken IP-adresse og nettleser, og SHA-256 av den opprinnelige PDF-en ({hash}) som hver signatur binder.",
  "email.quote.accepted.subject": "Tilbud {number} fra {merchant} er godtatt",
  "email.quote.accepted.buyer": "{what} mellom deg ({customer}) og {merchant} er godtatt.",
  "email.quote.accepted.downloadAgain": "Du kan laste det ned igjen her: {url}",
  "email.quote.accepted.countersignerSubject": "Tilbud {number} til {customer} er godtatt",
  "email.quote.accepted.countersigner": "{what}, som du kontrasignerte for {merchant}, er godtatt.",
  "email.quote.accepted.merchantSubject": "Tilbud {number} godtatt av {customer}",
  "email.quote.accepted.merchant": "{what} til {customer} er godtatt{offline}.",
  "email.quote.accepted.offline": " (registrert manuelt: {name})",
  "email.quote.accepted.served": "Det er også tilgjengelig på {path}.",
  "email.quote.countersign.subject": "Tilbud {number} er signert av {customer}: vennligst kontrasigner",
  "email.quote.countersign.signed":
    "{signer} signerte tilbud {number}{title} på {amount} på vegne av {customer}.",
  "email.quote.countersign.link":
    "Som kontrasignatar for {merchant} kan du gå gjennom og kontrasignere det her (lenken er bare din): {url}",
  "email.quote.countersign.once": "Tilbudet er godtatt når alle kontrasignatarer har signert.",

  "email.order.subtotal": "Delsum: {amount}.",
  "email.order.discount": "Rabatt ({code}): −{amount}.",
  "email.order.tax": "MVA: {amount}.",
  "email.order.total": "Totalt: {amount}.",
  "email.order.paidToday": "Betalt i dag: {amount}.",
  "email.order.totalPaid": "Totalt betalt: {amount}.",
  "email.order.subscription": "Abonnement: {id}.",
  "email.order.subject": "Bestillingen din fra {merchant}: {amount} betalt",
  "email.order.thanks": "Takk for bestillingen din fra {merchant}. Du kjøpte:",
  "email.order.invoiceNumber": "Fakturanummer: {number}.",
  "email.order.invoice": "Fakturaen og kvitteringen din: {url}",
  "email.newOrder.subject": "Ny bestilling: {who}, {amount}",
  "email.newOrder.bought": "{who} kjøpte via {link}. Checkout-økt {id}{invoice}:",
  "email.newOrder.namedLink": "betalingslenken «{name}» ({id})",
  "email.newOrder.link": "betalingslenke {id}",
  "email.newOrder.invoice": ", faktura {number}",
  "email.newOrder.email": "E-post: {email}.",
  "email.newOrder.name": "Navn: {name}.",
  "email.newOrder.phone": "Telefon: {phone}.",
  "email.newOrder.billingAddress": "Fakturaadresse: {address}.",
  "email.newOrder.shippingAddress": "Leveringsadresse: {address}.",
  "email.newOrder.customFields": "Egendefinerte felt:",
  "email.newOrder.notAnswered": "(ikke besvart)",

  "email.payout.subject": "Utbetaling på {amount} for {day}",
  "email.payout.failedSubject": "Utbetalingen på {amount} for {day} mislyktes",
  "email.payout.noneSubject": "Ingen utbetaling for {day}: nettobeløpet var {amount}",
  "email.payout.hello": "Hei {merchant}, her er oppsummeringen i {currency} for {day}.",
  "email.payout.charges":
    "Belastninger: {count, plural, one {# belastning} other {# belastninger}}, {amount}.",
  "email.payout.fees": "Gebyrer: {amount}.",
  "email.payout.refunds": "Refusjoner: {count, plural, one {# refusjon} other {# refusjoner}}, {amount}.",
  "email.payout.disputes": "Tvister: {count, plural, one {# tapt tvist} other {# tapte tvister}}, {amount}.",
  "email.payout.net": "Netto: {amount}.",
  "email.payout.netStripe":
    "Netto: {amount}. Stripe-dashbordet viser transaksjonene denne utbetalingen består av.",
  "email.payout.arrival": "Ventes på bankkontoen din {date}.",
  "email.payout.failed":
    "Utbetalingen mislyktes; sjekk bankkontoopplysningene dine hos betalingsleverandøren.",
  "email.payout.reference": "Utbetalingsreferanse: {id}.",
  "email.task.subject": "Ny oppgave: {title}",
  "email.task.due": "Frist: {date}.",
  "email.task.noDueDate": "Ingen frist.",
  "email.task.relatedField":
    "{field, select, customerId {Kunde} invoiceId {Faktura} paymentId {Betaling} subscriptionId {Abonnement} other {Tilbud}}",
  "email.task.related": "Gjelder: {related}.",
  "email.task.createdBy": "Opprettet av arbeidsflyt {workflow}{enrollment}.",
  "email.task.enrollment": " (innrullering {id})",
  "email.task.markDone": "Merk den som utført med {request}.",
  "email.webhookDisabled.subject": "Webhook-endepunkt deaktivert",
  "email.webhookDisabled.failingSince":
    "Kassa har deaktivert webhook-endepunktet ditt {id} ({url}): alle leveranser til det har mislyktes siden {since}.",
  "email.webhookDisabled.failing":
    "Kassa har deaktivert webhook-endepunktet ditt {id} ({url}): alle leveranser til det har mislyktes de siste tre dagene.",
  "email.webhookDisabled.stopped":
    "Ingenting mer sendes til det. Leveranselisten ({deliveries}) viser hva det svarte.",
  "email.webhookDisabled.reenable":
    "Når det svarer igjen, slå det på med {enable}, og hent inn det tapte med {replay}.",
  "email.welcome.subject": "Velkommen til Kassa, {merchant}",
  "email.welcome.ready": "Bedriftskontoen din {id} er klar.",
  "email.welcome.apiKey":
    "Bruk API-nøkkelen du fikk, til å opprette kunder, produkter og fakturaer. Hold den hemmelig: den vises bare én gang.",
  "email.welcome.dashboard":
    "Logg inn på kontrollpanelet med denne lenken (den virker én gang, i {days} dager): {url}",
  // Teamets e-post (shared/notifications/team.ts).
  "email.invitation.subject": "{merchant} har invitert deg til Kassa",
  "email.invitation.body":
    "Du er invitert til teamet til {merchant} på Kassa som {role, select, owner {eier} admin {administrator} member {medlem} other {leser}}.",
  "email.invitation.link": "Godta invitasjonen og logg inn: {url}",
  "email.invitation.validity": "Lenken virker én gang, i {days} dager.",
  "email.signIn.subject": "Innloggingslenken din for {merchant}",
  "email.signIn.body": "Logg inn på kontrollpanelet til {merchant} på Kassa: {url}",
  "email.signIn.validity":
    "Lenken virker én gang, i {minutes} minutter. Hvis du ikke ba om den, kan du se bort fra denne e-posten.",
};
