/** Consumer of the notifications queue: sends the email a domain event calls for, once per event. */
import * as z from "zod";
import { type Mailer, sesMailer } from "../../shared/aws/mailer.ts";
import { type Clock, systemClock } from "../../shared/domain/clock.ts";
import { welcomeEmail } from "../../shared/notifications/templates.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { once } from "../../shared/store/processed.ts";

const eventMessage = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  merchantId: z.string().min(1),
  occurredAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});

const merchantCreated = z.object({ merchant: z.object({ id: z.string(), name: z.string(), email: z.email() }) });

export function notifications({ mailer, clock }: { mailer: Mailer; clock: Clock }) {
  return sqsConsumer(eventMessage, async (event) => {
    if (event.type !== "merchant.created") return;
    const { merchant } = merchantCreated.parse(event.data);
    await once({ consumer: "notifications", key: event.id, clock, claimSeconds: 30 }, async () => {
      await mailer.send(welcomeEmail(merchant));
    });
  });
}

export const handler = notifications({ mailer: sesMailer, clock: systemClock });
