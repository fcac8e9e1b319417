/** Consumer of the notifications queue: sends the email a domain event calls for, once per event. */
import * as z from "zod";
import { type Mailer, sesMailer } from "../../shared/aws/mailer.ts";
import { type Clock, systemClock } from "../../shared/domain/clock.ts";
import { presentInvoice } from "../../shared/invoices/service.ts";
import { checkoutExpiredCode } from "../../shared/payments/payment.ts";
import {
  excessRefundedEmail,
  invoiceEmail,
  paymentFailedEmail,
  paymentReceivedEmail,
  payoutEmail,
  receiptEmail,
  refundEmail,
  welcomeEmail,
} from "../../shared/notifications/templates.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { dynamoInvoiceStore, type InvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore, type MerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPaymentStore, type PaymentStore } from "../../shared/store/payments.ts";
import { once } from "../../shared/store/processed.ts";

const paymentMail = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  method: z.object({ type: z.string(), brand: z.string().optional(), last4: z.string().optional() }),
  paidAt: z.string().optional(),
  invoiceId: z.string().optional(),
  failure: z.object({ declineCode: z.string(), message: z.string() }).optional(),
  // Money recorded before it carried a mode is test money.
  livemode: z.boolean().default(false),
});
const refundMail = z.object({
  id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  invoiceId: z.string().optional(),
  livemode: z.boolean().default(false),
});

/** The payment or refund a payment event is about, and its invoice. */
function paymentMailSubject(data: Record<string, unknown>): { invoiceId?: string; paymentOrRefund: unknown } {
  const subject = (data.payment ?? data.refund) as { invoiceId?: string } | undefined;
  return {
    ...(subject?.invoiceId ? { invoiceId: subject.invoiceId } : {}),
    paymentOrRefund: data.refund ?? data.payment,
  };
}

const excessRefunded = z.object({
  payment: paymentMail,
  invoiceId: z.string(),
  excessAmount: z.number().int(),
});

const merchantCreated = z.object({
  merchant: z.object({ id: z.string(), name: z.string(), email: z.email() }),
});

const payoutPaid = z.object({
  payout: z.object({
    id: z.string(),
    currency: z.string(),
    amount: z.number().int(),
    grossAmount: z.number().int(),
    feeTotal: z.number().int(),
    refundTotal: z.number().int(),
    disputeTotal: z.number().int(),
    chargeCount: z.number().int(),
    refundCount: z.number().int(),
    disputeCount: z.number().int(),
    date: z.string(),
    status: z.enum(["paid", "failed", "skipped"]),
    source: z.enum(["sandbox", "stripe"]),
    livemode: z.boolean().default(false),
    arrivalDate: z.string().optional(),
  }),
});

interface Ports {
  payments: PaymentStore;
  mailer: Mailer;
  clock: Clock;
  invoices: InvoiceStore;
  merchants: MerchantStore;
}

export function notifications(ports: Ports) {
  const { mailer, clock } = ports;
  return sqsConsumer(eventMessage, async (event) => {
    const exactlyOnce = (send: () => Promise<void>) =>
      once({ consumer: "notifications", key: event.id, clock, claimSeconds: 30 }, send);
    switch (event.type) {
      case "merchant.created": {
        const { merchant } = merchantCreated.parse(event.data);
        await exactlyOnce(async () => {
          await mailer.send(welcomeEmail(merchant));
        });
        return;
      }
      case "invoice.sent": {
        const [found, merchant] = await Promise.all([
          ports.invoices.read(event.merchantId, event.objectId ?? ""),
          ports.merchants.readMerchant(event.merchantId),
        ]);
        if (!found || !merchant) throw new Error(`Invoice ${event.objectId} or its merchant is missing`);
        const invoice = presentInvoice(found.value, clock.now());
        await exactlyOnce(async () => {
          const { renderInvoicePdf } = await import("../../shared/invoices/pdf.ts");
          const pdf = await renderInvoicePdf(invoice, merchant.value);
          await mailer.send({
            ...invoiceEmail(invoice, merchant.value),
            attachments: [
              {
                filename: `${invoice.number ?? invoice.id}.pdf`,
                contentType: "application/pdf",
                content: pdf,
              },
            ],
          });
        });
        return;
      }
      case "payout.paid": {
        const { payout } = payoutPaid.parse(event.data);
        const merchant = await ports.merchants.readMerchant(event.merchantId);
        if (!merchant) throw new Error(`The merchant of payout ${payout.id} is missing`);
        await exactlyOnce(async () => {
          await mailer.send(payoutEmail(merchant.value, payout));
        });
        return;
      }
      case "payment.duplicate_refunded": {
        const { payment, invoiceId, excessAmount } = excessRefunded.parse(event.data);
        const [found, merchant] = await Promise.all([
          ports.invoices.read(event.merchantId, invoiceId),
          ports.merchants.readMerchant(event.merchantId),
        ]);
        if (!found || !merchant) throw new Error(`Invoice ${invoiceId} or its merchant is missing`);
        const invoice = presentInvoice(found.value, clock.now());
        await exactlyOnce(async () => {
          await mailer.send(excessRefundedEmail(payment, invoice, merchant.value, excessAmount));
        });
        return;
      }
      case "payment.succeeded":
      case "payment.failed":
      case "refund.succeeded": {
        const { invoiceId, paymentOrRefund } = paymentMailSubject(event.data);
        if (!invoiceId) return;
        const [found, merchant] = await Promise.all([
          ports.invoices.read(event.merchantId, invoiceId),
          ports.merchants.readMerchant(event.merchantId),
        ]);
        if (!found || !merchant) throw new Error(`Invoice ${invoiceId} or its merchant is missing`);
        const invoice = presentInvoice(found.value, clock.now());
        // The payment as it is now: an event may have been written before a later report filled in
        // the card's details.
        const current =
          event.type === "refund.succeeded"
            ? undefined
            : await ports.payments.read(event.merchantId, event.objectId ?? "");
        const subject = current?.value ?? paymentOrRefund;
        await exactlyOnce(async () => {
          if (event.type === "payment.succeeded") {
            const payment = paymentMail.parse(subject);
            await mailer.send(receiptEmail(payment, invoice, merchant.value));
            await mailer.send(paymentReceivedEmail(payment, invoice, merchant.value));
          } else if (event.type === "payment.failed") {
            const payment = paymentMail.parse(subject);
            // The buyer left Checkout (or let it lapse): nothing was declined, so no failure to report.
            if (payment.failure?.declineCode === checkoutExpiredCode) return;
            await mailer.send(paymentFailedEmail(payment, invoice, merchant.value));
          } else {
            await mailer.send(refundEmail(refundMail.parse(paymentOrRefund), invoice, merchant.value));
          }
        });
        return;
      }
      default:
        return;
    }
  });
}

export const handler = notifications({
  payments: dynamoPaymentStore,
  mailer: sesMailer,
  clock: systemClock,
  invoices: dynamoInvoiceStore,
  merchants: dynamoMerchantStore,
});
