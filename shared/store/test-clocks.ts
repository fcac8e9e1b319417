/**
 * Test clocks: a collection in the merchant's partition (`SK = clk_…`). The clock item also counts its
 * customers: binding one is an update in the customer's own transaction, conditioned on the clock
 * existing in the merchant's partition and having room, and it bumps the clock's version so an
 * advance read before it loses its race (409) instead of overwriting the count.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DomainEvent } from "../domain/events.ts";
import { maxCustomersPerClock, type TestClock } from "../test-clocks/test-clock.ts";
import { collection, type ExtraWrite, type ListQuery, type Page, type Versioned } from "./collection.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

const testClocks = collection<TestClock>({ type: "testClock", idKind: "testClock", label: "test clock" });

export interface TestClockStore {
  read(merchantId: string, id: string): Promise<Versioned<TestClock> | undefined>;
  create(merchantId: string, testClock: TestClock, event: DomainEvent): Promise<void>;
  replace(merchantId: string, testClock: TestClock, version: number, event: DomainEvent): Promise<void>;
  remove(merchantId: string, id: string, version: number, event: DomainEvent): Promise<void>;
  list(merchantId: string, query: ListQuery): Promise<Page<TestClock>>;
  /**
   * Moves an advancing clock's time forward to `frozenTime` (the next due work's time); false when
   * the clock is gone or no longer advancing, so its advance stops.
   */
  moveTo(merchantId: string, id: string, frozenTime: string): Promise<boolean>;
}

export const dynamoTestClockStore: TestClockStore = {
  read: (merchantId, id) => testClocks.read(merchantId, id),
  create: (merchantId, testClock, event) => testClocks.create(merchantId, testClock, event),
  replace: (merchantId, testClock, version, event) =>
    testClocks.replace(merchantId, testClock, version, event),
  remove: (merchantId, id, version, event) => testClocks.remove(merchantId, id, version, event),
  list: (merchantId, query) => testClocks.list(merchantId, query),
  async moveTo(merchantId, id, frozenTime) {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.merchantObject(merchantId, id),
          UpdateExpression: "SET frozenTime = :at, version = version + :one",
          // Never back: ISO instants in UTC compare as strings.
          ConditionExpression: "#type = :type AND #status = :advancing AND frozenTime <= :at",
          ExpressionAttributeNames: { "#type": "type", "#status": "status" },
          ExpressionAttributeValues: {
            ":at": frozenTime,
            ":one": 1,
            ":type": "testClock",
            ":advancing": "advancing",
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
};

/** Counts one more customer on the clock, for the customer's create transaction. */
export const bindCustomerWrite = (merchantId: string, testClockId: string): ExtraWrite => ({
  item: {
    Update: {
      TableName: tableName(),
      Key: keys.merchantObject(merchantId, testClockId),
      UpdateExpression: "SET version = version + :one ADD customerCount :one",
      ConditionExpression: "#type = :type AND (attribute_not_exists(customerCount) OR customerCount < :max)",
      ExpressionAttributeNames: { "#type": "type" },
      ExpressionAttributeValues: { ":one": 1, ":type": "testClock", ":max": maxCustomersPerClock },
    },
  },
  conflict: `The test clock already has ${maxCustomersPerClock} customers (the most a clock takes), or was deleted`,
});

/** Counts one customer less on the clock, for the customer's delete transaction (the clock must still exist). */
export const releaseCustomerWrite = (merchantId: string, testClockId: string): ExtraWrite => ({
  item: {
    Update: {
      TableName: tableName(),
      Key: keys.merchantObject(merchantId, testClockId),
      UpdateExpression: "SET version = version + :one ADD customerCount :minusOne",
      ConditionExpression: "#type = :type",
      ExpressionAttributeNames: { "#type": "type" },
      ExpressionAttributeValues: { ":one": 1, ":minusOne": -1, ":type": "testClock" },
    },
  },
});
