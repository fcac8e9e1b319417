/** Consumer of the notifications queue: sends the email a domain event calls for, once per event. */
import * as z from "zod";
import { type Mailer, sesMailer } from "../../shared/aws/mailer.ts";
import { type Clock, systemClock } from "../../shared/domain/clock.ts";
import { renderInvoicePdf } from "../../shared/invoices/pdf.ts";
import { presentInvoice } from "../../shared/invoices/service.ts";
import { invoiceEmail, welcomeEmail } from "../../shared/notifications/templates.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { dynamoInvoiceStore, type InvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore, type MerchantStore } from "../../shared/store/merchants.ts";
import { once } from "../../shared/store/processed.ts";

export const eventMessage = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  merchantId: z.string().min(1),
  objectId: z.string().optional(),
  occurredAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});

const merchantCreated = z.object({ merchant: z.object({ id: z.string(), name: z.string(), email: z.email() }) });

interface Ports {
  mailer: Mailer;
  clock: Clock;
  invoices: InvoiceStore;
  merchants: MerchantStore;
}

export function notifications(ports: Ports) {
  const { mailer, clock } = ports;
  return sqsConsumer(eventMessage, async (event) => {
    const exactlyOnce = (send: () => Promise<void>) => once({ consumer: "notifications", key: event.id, clock, claimSeconds: 30 }, send);
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
          const pdf = await renderInvoicePdf(invoice, merchant.value);
          await mailer.send({
            ...invoiceEmail(invoice, merchant.value),
            attachments: [{ filename: `${invoice.number ?? invoice.id}.pdf`, contentType: "application/pdf", content: pdf }],
          });
        });
        return;
      }
      default:
        return;
    }
  });
}

export const handler = notifications({ mailer: sesMailer, clock: systemClock, invoices: dynamoInvoiceStore, merchants: dynamoMerchantStore });
