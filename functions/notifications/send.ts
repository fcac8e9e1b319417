/** Consumer of the notifications queue: sends the email(s) a domain event calls for, once per event. */
import { type Mailer, sesMailer } from "../../shared/aws/mailer.ts";
import { type Clock, systemClock } from "../../shared/domain/clock.ts";
import { presentInvoice } from "../../shared/invoices/service.ts";
import type { NotificationPorts } from "../../shared/notifications/ports.ts";
import { notificationFor } from "../../shared/notifications/registry.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { once } from "../../shared/store/processed.ts";

export function notifications(ports: NotificationPorts & { mailer: Mailer; clock: Clock }) {
  return sqsConsumer(eventMessage, async (event) => {
    const notification = notificationFor(event.type);
    if (!notification) return;
    const data = notification.data.parse(event.data);
    await once(
      { consumer: "notifications", key: event.id, clock: ports.clock, claimSeconds: 30 },
      async () => {
        for (const mail of await notification.render({ ...event, data }, ports))
          await ports.mailer.send(mail);
      },
    );
  });
}

export const handler = notifications({
  mailer: sesMailer,
  clock: systemClock,
  invoice: async (merchantId, invoiceId) => {
    const found = await dynamoInvoiceStore.read(merchantId, invoiceId);
    return found && presentInvoice(found.value, systemClock.now());
  },
  merchant: async (merchantId) => (await dynamoMerchantStore.readMerchant(merchantId))?.value,
  payment: async (merchantId, paymentId) => (await dynamoPaymentStore.read(merchantId, paymentId))?.value,
  // Loaded on first use: the PDF renderer is heavy and only the invoice email needs it.
  invoicePdf: async (invoice, merchant) =>
    (await import("../../shared/invoices/pdf.ts")).renderInvoicePdf(invoice, merchant),
});
