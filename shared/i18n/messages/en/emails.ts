/**
 * English words of the emails (`shared/notifications/`): the buyer's mail in the buyer's locale, the
 * merchant's in the merchant's. ICU MessageFormat; amounts and dates arrive formatted, and text that
 * holds braces (API requests) arrives as an argument.
 */
export const emails = {
  // The frame every email shares.
  "email.testMode.subject": "[TEST MODE] {subject}",
  "email.testMode.money": "TEST MODE: this is about test money in the sandbox. No real money moved.",
  "email.testMode.quote": "TEST MODE: this is a sandbox quote. No real money is charged or paid.",
  "email.testMode.payout": "TEST MODE: this payout is simulated. The sandbox sends no money to any bank account.",
  "email.footer.merchant": "Sent by {merchant} with Kassa",
  "email.footer.kassa": "Sent by Kassa",
  "email.support": "Questions? Contact {merchant} at {email}.",
  "email.line": "{item}: {amount}.",
  "email.method.card": "card",
  "email.method.bankAccount": "bank account ending in {last4}",

  // Unpaid invoices: the invoice itself and its reminders.
  "email.invoice.subject": "Invoice {number} from {merchant}",
  "email.invoice.lead": "{merchant} sent you invoice {number}. The PDF is attached.",
  "email.invoice.amountDue": "Amount due: {amount} (total {total}).",
  "email.invoice.amountDueLessBalance": "Amount due: {amount} (total {total}, less applied balance {balance}).",
  "email.invoice.dueDate": "Due date: {date}.",
  "email.invoice.online": "View and download it online: {url}",
  "email.reminder.when":
    "{status, select, upcoming {is due in {days, plural, one {# day} other {# days}}} today {is due today} other {is {days, plural, one {# day} other {# days}} overdue}}",
  "email.reminder.subject": "Reminder: invoice {number} from {merchant} {when}",
  "email.reminder.lead": "This is a friendly reminder that invoice {number} {when}.",

  // Payments and refunds.
  "email.receipt.subject": "Receipt from {merchant}: {amount} paid",
  "email.receipt.thanks": "Thank you! We received your payment of {amount} for invoice {number}.",
  "email.receipt.paidWith": "Paid with {method}.",
  "email.receipt.paidWithOn": "Paid with {method} on {date}.",
  "email.receipt.number": "Receipt number: {id}.",
  "email.receipt.stillDue": "Still due on this invoice: {amount}.",
  "email.receipt.invoice": "Your invoice: {url}",
  "email.paymentReceived.subject": "Payment received: {amount} for invoice {number}",
  "email.paymentReceived.paid": "{customer} paid {amount} with {method}.",
  "email.paymentReceived.stillDue": "Payment {id}. Amount still due: {amount}.",
  "email.refund.subject": "Refund from {merchant}: {amount}",
  "email.refund.refunded":
    "{merchant} refunded {amount} for invoice {number}. It can take 5–10 business days to appear on your statement.",
  "email.refund.number": "Refund number: {id}.",
  "email.excessRefunded.subject": "Refunded automatically: {excess} of a payment for invoice {number}",
  "email.excessRefunded.paid":
    "{customer} paid {amount} with {method} for invoice {number}, which then owed only {owed}.",
  "email.excessRefunded.refunded":
    "The {excess} beyond that was refunded to the buyer automatically; there is nothing to do. Payment {id}.",
  "email.paymentFailed.declined": "it was declined",
  "email.paymentFailed.subject": "Your payment to {merchant} did not go through",
  "email.paymentFailed.failed": "We could not take your payment of {amount} for invoice {number}: {reason}.",
  "email.paymentFailed.retry": "You can try again with another card here: {url}",
  "email.paymentFailed.contact": "Please contact us to pay another way.",
  "email.paymentFailed.charge.subject":
    "The {what, select, renewal {renewal} other {first payment}} of your subscription to {merchant} could not be charged",
  "email.paymentFailed.charge.failed":
    "We could not charge the {what, select, renewal {renewal} other {first payment}} of your subscription to {merchant}: {amount}{period}, invoice {number}: {reason}.",
  "email.paymentFailed.charge.period": " for {start} – {end}",
  "email.paymentFailed.charge.updateCard": "Update the card your subscription is charged to here: {url}",
  "email.paymentFailed.charge.payNow": "Or pay this invoice now with another card: {url}",

  // Subscriptions: what, how much, when, how.
  "email.subscription.total": "Total: {amount}.",
  "email.subscription.discounts": "Discounts: {discounts}.",
  "email.subscription.discount": "{off} off{code} on {when}",
  "email.subscription.discountCode": " (code {code})",
  "email.subscription.discountWhen":
    "{duration, select, forever {every invoice} once {the first invoice} other {the first {count} invoices}}",
  "email.subscription.taxes": "Taxes apply as each invoice shows them.",
  "email.subscription.trialing": "Free trial until {date}: nothing is billed before.",
  "email.subscription.starts": "Starts on {date}.",
  "email.subscription.startsWithTrial": "Starts on {date} with a free trial until {trialEnd}: nothing is billed before.",
  "email.subscription.started": "Started on {date}; its first period is billed now.",
  "email.subscription.shortFirstPeriod": "The first period, until {date}, is shorter and billed pro rata.",
  "email.subscription.billingDate": "{which, select, first {First} other {Next}} billing date: {date}.",
  "email.subscription.noBillingDate": "No further billing date: this was its only period.",
  "email.subscription.billed":
    "Billed {interval, select, month {monthly} quarter {quarterly} half_year {half-yearly} other {yearly}} on day {day}{lastDay}, {duration}.",
  "email.subscription.lastDay": " (the last day of shorter months)",
  "email.subscription.untilCanceled": "until canceled",
  "email.subscription.cycles":
    "for {count} {interval, select, month {{count, plural, one {month} other {months}}} quarter {{count, plural, one {quarter} other {quarters}}} half_year {{count, plural, one {half-year} other {half-years}}} other {{count, plural, one {year} other {years}}}} in all, ending on {date}",
  "email.subscription.invoicedYou": "You'll receive an invoice by email for each period{due}.",
  "email.subscription.invoicedCustomer": "The customer receives an invoice by email for each period{due}.",
  "email.subscription.dueOnReceipt": ", due on receipt",
  "email.subscription.dueWithin": ", due within {days} days",
  "email.subscription.charged":
    "Each invoice is charged automatically to {whose, select, your {your} other {the customer's}} {method, select, card {{brand} card ending in {last4}} bank {saved bank account} other {saved payment method}}.",
  "email.subscription.portal": "Manage your subscription and see your invoices in your account: {url}",
  "email.subscription.customer": "Customer {id}",
  "email.subscription.confirmed.subject": "Your subscription to {merchant} is confirmed",
  "email.subscription.confirmed.thanks": "Thank you for subscribing to {merchant}. Subscription {id}:",
  "email.subscription.new.subject": "New subscription: {who}, {amount}",
  "email.subscription.new.subscribed": "{who} subscribed. Subscription {id}:",
  "email.subscription.endedWithPeriod": "It ended with its period on {date}, as requested: {billed}.",
  "email.subscription.canceledNow": "It was canceled on {date}, effective immediately: {billed}.",
  "email.subscription.canceled.subject": "Your subscription to {merchant} is canceled",
  "email.subscription.canceled.summary": "Your subscription {id} to {merchant}: {summary}.",
  "email.subscription.canceled.nothingBilled": "nothing more will be billed",
  "email.subscription.canceledNotice.subject": "Subscription canceled: {who}, {amount}",
  "email.subscription.canceledNotice.summary": "Subscription {id} of {who}: {summary}.",
  "email.subscription.canceledNotice.noInvoices": "no further invoices are created",
  "email.renewal.discount": "discount −{amount}",
  "email.renewal.tax": "tax {amount}",
  "email.renewal.subject": "Your subscription to {merchant} renews on {date}",
  "email.renewal.renews": "Your subscription {id} to {merchant} renews on {date}: {items} ({amount}).",
  "email.renewal.billed":
    "On {date} you'll be {how, select, invoice {invoiced} other {charged}} {amount}, for the period until {end}.",
  "email.renewal.updateCard": "To charge another card, update it here: {url}",
  "email.renewal.cancel": "Don't want it to renew? Contact {merchant} before {date} to cancel it.",
  "email.trial.subject": "Your trial of {merchant} ends on {date}",
  "email.trial.ends": "Your free trial (subscription {id}) ends on {date}. From then on it costs {amount}:",
  "email.trial.needsCard":
    "You have no payment method saved: add one before the trial ends to keep your subscription, or it will be canceled.",
  "email.trial.cancel": "Not what you want? Contact {merchant} to cancel before {date}, and nothing will be billed.",

  // A failed renewal, told to the merchant.
  "email.renewalFailed.subject": "Renewal payment failed: {who}, {amount} (invoice {number})",
  "email.renewalFailed.failed":
    "The renewal of subscription {id}{what} of {who} could not be charged: invoice {number}, {amount} (attempt {attempt}).",
  "email.renewalFailed.reason": "Reason: {reason} ({code}).",
  "email.renewalFailed.nextRetry":
    "Next retry: {date}, on the customer's card of the moment; a new card they add is charged at once.",
  "email.renewalFailed.ifRetriesFail": "If every retry fails, on {date} {action}.",
  "email.renewalFailed.notRetried":
    "This decline is not retried: the customer was asked for a new card, which is charged at once when added.",
  "email.renewalFailed.ifNonePays": "If none pays the invoice by {date}, {action}.",
  "email.renewalFailed.lastRetry": "That was the last retry: {action}.",
  "email.renewalFailed.will":
    "{action, select, cancel {the subscription will be canceled (the invoice stays open)} mark_uncollectible {the invoice will be marked uncollectible and the subscription stays active} other {the subscription stays past due and the invoice open}}",
  "email.renewalFailed.did":
    "{action, select, cancel {the subscription is canceled; the invoice stays open} mark_uncollectible {the invoice is marked uncollectible; the subscription stays active} other {the subscription stays past due and the invoice open}}",
  "email.decline":
    "{code, select, generic_decline {the card was declined by its bank} insufficient_funds {the card has insufficient funds} lost_card {the card was reported lost} stolen_card {the card was reported stolen} pickup_card {the bank asked for the card to be retained (it may be lost, stolen or closed)} restricted_card {the card is restricted by its bank} revocation_of_all_authorizations {the customer revoked all payments to you with their bank} revocation_of_authorization {the customer revoked this payment with their bank} stop_payment_order {the customer asked their bank to stop this payment} do_not_try_again {the bank said not to try this card again} expired_card {the card has expired} incorrect_cvc {the card's security code was wrong} card_velocity_exceeded {the card's spending limit was reached} authentication_required {the bank requires the customer to authenticate this payment} payment_method_missing {no payment method is saved to charge} other {the payment failed ({words})}}",

  // Quotes.
  "email.quote.recurring": " ({upfront} due once, then {recurring} {interval, select, month {monthly} quarter {quarterly} half_year {half-yearly} other {yearly}})",
  "email.quote.subject": "Quote {number} from {merchant}",
  "email.quote.revisedSubject": "Revised quote {number} from {merchant} (replaces {replaces})",
  "email.quote.sent": "{merchant} sent you quote {number}{title} for {amount}{recurring}.",
  "email.quote.replaces":
    "It replaces quote {replaces}, which you received earlier and can no longer {signs, select, sign {sign} other {accept}}.",
  "email.quote.validUntil": "It is valid until {date}.",
  "email.quote.link": "Read it, download its PDF, and {signs, select, sign {sign} other {accept}} or decline it here: {url}",
  "email.quote.what": "Quote {number}{title} for {amount}",
  "email.quote.attached":
    "The signed PDF is attached: the quote as published, then its audit trail — who signed or accepted it, when (UTC), from which IP address and browser, and the SHA-256 of the original PDF ({hash}) that each signature binds.",
  "email.quote.accepted.subject": "Quote {number} from {merchant} is accepted",
  "email.quote.accepted.buyer": "{what} between you ({customer}) and {merchant} is accepted.",
  "email.quote.accepted.downloadAgain": "You can download it again here: {url}",
  "email.quote.accepted.countersignerSubject": "Quote {number} to {customer} is accepted",
  "email.quote.accepted.countersigner": "{what}, which you countersigned for {merchant}, is accepted.",
  "email.quote.accepted.merchantSubject": "Quote {number} accepted by {customer}",
  "email.quote.accepted.merchant": "{what} to {customer} is accepted{offline}.",
  "email.quote.accepted.offline": " (recorded offline: {name})",
  "email.quote.accepted.served": "It is also served at {path}.",
  "email.quote.countersign.subject": "Quote {number} is signed by {customer}: please countersign",
  "email.quote.countersign.signed": "{signer} signed quote {number}{title} for {amount} on behalf of {customer}.",
  "email.quote.countersign.link":
    "As a countersigner for {merchant}, review and countersign it here (this link is yours alone): {url}",
  "email.quote.countersign.once": "The quote is accepted once every countersigner has signed.",

  // Orders through payment links.
  "email.order.subtotal": "Subtotal: {amount}.",
  "email.order.discount": "Discount ({code}): −{amount}.",
  "email.order.tax": "Tax: {amount}.",
  "email.order.total": "Total: {amount}.",
  "email.order.paidToday": "Paid today: {amount}.",
  "email.order.totalPaid": "Total paid: {amount}.",
  "email.order.subscription": "Subscription: {id}.",
  "email.order.subject": "Your order from {merchant}: {amount} paid",
  "email.order.thanks": "Thank you for your order from {merchant}. You bought:",
  "email.order.invoiceNumber": "Invoice number: {number}.",
  "email.order.invoice": "Your invoice and receipt: {url}",
  "email.newOrder.subject": "New order: {who}, {amount}",
  "email.newOrder.bought": "{who} bought through {link}. Checkout {id}{invoice}:",
  "email.newOrder.namedLink": "payment link \"{name}\" ({id})",
  "email.newOrder.link": "payment link {id}",
  "email.newOrder.invoice": ", invoice {number}",
  "email.newOrder.email": "Email: {email}.",
  "email.newOrder.name": "Name: {name}.",
  "email.newOrder.phone": "Phone: {phone}.",
  "email.newOrder.billingAddress": "Billing address: {address}.",
  "email.newOrder.shippingAddress": "Shipping address: {address}.",
  "email.newOrder.customFields": "Custom fields:",
  "email.newOrder.notAnswered": "(not answered)",

  // The merchant's own account.
  "email.payout.subject": "Payout of {amount} for {day}",
  "email.payout.failedSubject": "Payout of {amount} for {day} failed",
  "email.payout.noneSubject": "No payout for {day}: the net was {amount}",
  "email.payout.hello": "Hello {merchant}, here is the {currency} summary for {day}.",
  "email.payout.charges": "Charges: {count, plural, one {# charge} other {# charges}}, {amount}.",
  "email.payout.fees": "Fees: {amount}.",
  "email.payout.refunds": "Refunds: {count, plural, one {# refund} other {# refunds}}, {amount}.",
  "email.payout.disputes": "Disputes: {count, plural, one {# lost dispute} other {# lost disputes}}, {amount}.",
  "email.payout.net": "Net: {amount}.",
  "email.payout.netStripe": "Net: {amount}. Stripe's dashboard lists the transactions this payout contains.",
  "email.payout.arrival": "Expected in your bank account on {date}.",
  "email.payout.failed": "The payout failed; check your bank account details with your processor.",
  "email.payout.reference": "Payout reference: {id}.",
  "email.task.subject": "New task: {title}",
  "email.task.due": "Due: {date}.",
  "email.task.noDueDate": "No due date.",
  "email.task.relatedField":
    "{field, select, customerId {Customer} invoiceId {Invoice} paymentId {Payment} subscriptionId {Subscription} other {Quote}}",
  "email.task.related": "Related: {related}.",
  "email.task.createdBy": "Created by workflow {workflow}{enrollment}.",
  "email.task.enrollment": " (enrollment {id})",
  "email.task.markDone": "Mark it done with {request}.",
  "email.webhookDisabled.subject": "Webhook endpoint disabled",
  "email.webhookDisabled.failingSince":
    "Kassa disabled your webhook endpoint {id} ({url}): every delivery to it has failed since {since}.",
  "email.webhookDisabled.failing":
    "Kassa disabled your webhook endpoint {id} ({url}): every delivery to it has failed since three days ago.",
  "email.webhookDisabled.stopped": "Nothing more is sent to it. Its deliveries list ({deliveries}) shows what it answered.",
  "email.webhookDisabled.reenable": "Once it answers again, turn it back on with {enable}, and catch up with {replay}.",
  "email.welcome.subject": "Welcome to Kassa, {merchant}",
  "email.welcome.ready": "Your merchant account {id} is ready.",
  "email.welcome.apiKey":
    "Use the API key you were given to create customers, products and invoices. Keep it secret: it is shown only once.",
  "email.welcome.dashboard":
    "Sign in to your dashboard with this link (it works once, for {days} days): {url}",
  // The team's mail (shared/notifications/team.ts).
  "email.invitation.subject": "{merchant} invited you to Kassa",
  "email.invitation.body":
    "You are invited to {merchant}'s team on Kassa as {role, select, owner {an owner} admin {an admin} member {a member} other {a viewer}}.",
  "email.invitation.link": "Accept the invitation and sign in: {url}",
  "email.invitation.validity": "The link works once, for {days} days.",
  "email.signIn.subject": "Your sign-in link for {merchant}",
  "email.signIn.body": "Sign in to {merchant}'s dashboard on Kassa: {url}",
  "email.signIn.validity": "The link works once, for {minutes} minutes. If you did not ask for it, ignore this email.",
} as const;
