/** Consumer of the notifications queue: sends the email(s) a domain event calls for, once per event. */
import {
  clockFor,
  type NotificationConsumerPorts,
  notificationPorts,
  once,
} from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { notificationFor } from "../../shared/notifications/registry.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";

/** One event per record, on the clock resolved for that event (and the ports built on it). */
export function notifications(portsFor: (clock: Clock) => NotificationConsumerPorts) {
  return sqsConsumer(eventMessage, async (event) => {
    const notification = notificationFor(event.type);
    if (!notification) return;
    const data = notification.data().parse(event.data);
    const ports = portsFor(clockFor({ merchantId: event.merchantId }));
    await once(
      { consumer: "notifications", key: event.id, clock: ports.clock, claimSeconds: 30 },
      async () => {
        for (const mail of await notification.render({ ...event, data }, ports))
          await ports.mailer.send(mail);
      },
    );
  });
}

export const handler = notifications(notificationPorts);
