/**
 * A subscription's renewal notices: the `subscription.renewal_upcoming` event of a renewal is written
 * with a marker item (`keys.subscriptionRenewalNotice`) in one transaction conditioned on the marker's
 * absence and on the subscription's version, so a renewal is announced at most once, and only as the
 * subscription stood when the reminder decided to announce it.
 */
import { ConflictError } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import { cancellationReasons, sendTransaction, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";
import { eventPut, sequenceEvents } from "./outbox.ts";

export interface RenewalNoticeStore {
  /**
   * Records the notice of the renewal into `period` with its event; false when it was recorded
   * before. A subscription no longer at `version` is a ConflictError (read it again and decide anew).
   */
  record(
    merchantId: string,
    subscriptionId: string,
    version: number,
    period: number,
    event: DomainEvent,
  ): Promise<boolean>;
}

export const dynamoRenewalNoticeStore: RenewalNoticeStore = {
  async record(merchantId, subscriptionId, version, period, event) {
    try {
      await sendTransaction({
        // The event's sequence is the subscription's version the notice is conditioned on.
        TransactItems: sequenceEvents([
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.subscriptionRenewalNotice(merchantId, subscriptionId, period),
                type: "subscriptionRenewalNotice",
                subscriptionId,
                period,
                eventId: event.id,
              },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
          {
            ConditionCheck: {
              TableName: tableName(),
              Key: keys.merchantObject(merchantId, subscriptionId),
              ConditionExpression: "version = :version",
              ExpressionAttributeValues: { ":version": version },
            },
          },
          eventPut(event),
        ]),
      });
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons[0] === "ConditionalCheckFailed") return false;
      if (reasons.includes("ConditionalCheckFailed") || reasons.includes("TransactionConflict"))
        throw new ConflictError("The subscription changed while its renewal was announced");
      throw error;
    }
  },
};
