/** Consumer of the ledger queue: each money-moving event posts its entries once (shared/ledger/). */
import { clockFor, ledgerPorts } from "../../shared/composition.ts";
import { postEvent } from "../../shared/ledger/service.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";

export const handler = sqsConsumer(eventMessage, async (event) => {
  await postEvent(ledgerPorts(clockFor({ merchantId: event.merchantId })), event);
});
