import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalScheduler } from "../../infra/local/scheduler.ts";
import { tableScheduler } from "../../shared/aws/scheduler.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { keys } from "../../shared/store/keys.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";

let aws: TestAws;
const clock = fixedClock(new Date("2026-12-01T08:00:00Z"));
let scheduler: ReturnType<typeof startLocalScheduler>;
const payload = JSON.parse(sampleEvent<SQSEvent>("scheduler-one-time-delivery.json").Records[0]!.body);

describe("the local scheduler behind the scheduler port", () => {
  beforeAll(async () => {
    aws = await useTestAws(["billing"]);
    scheduler = startLocalScheduler({
      db: aws.db,
      tableName: aws.tableName,
      sqs: aws.sqs,
      queueUrls: { billing: aws.queues.billing!.url },
      clock,
      recurring: [],
      intervalMs: 60_000,
    });
  });
  afterAll(() => scheduler.stop());

  it("fires a one-time schedule to its queue once the clock passes it, once, and deletes it", async () => {
    await tableScheduler.scheduleOnce({ name: "inv_1-reminder-7", at: new Date("2026-12-08T08:00:00Z"), queue: "billing", payload });
    await tableScheduler.scheduleOnce({ name: "inv_1-reminder-7", at: new Date("2026-12-09T08:00:00Z"), queue: "billing", payload });

    expect(await scheduler.fireDue()).toBe(0);
    clock.set(new Date("2026-12-08T07:59:59Z"));
    expect(await scheduler.fireDue()).toBe(0);
    clock.set(new Date("2026-12-08T08:00:00Z"));
    expect(await scheduler.fireDue()).toBe(1);
    expect(await scheduler.fireDue()).toBe(0);

    const messages = await aws.receive("billing");
    // The first schedule of the name wins, and its firing carries the time it was due.
    expect(messages.map((m) => m.body)).toEqual([{ ...payload, scheduledAt: "2026-12-08T08:00:00.000Z" }]);
    const { Item } = await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: keys.schedule("kassa", "inv_1-reminder-7") }));
    expect(Item).toBeUndefined();
  });

  it("never fires a cancelled schedule", async () => {
    await tableScheduler.scheduleOnce({ name: "inv_2-reminder-0", at: new Date("2026-12-10T00:00:00Z"), queue: "billing", payload });
    await tableScheduler.cancel("inv_2-reminder-0");
    await tableScheduler.cancel("never-existed");
    clock.set(new Date("2026-12-31T00:00:00Z"));
    expect(await scheduler.fireDue()).toBe(0);
    expect(await aws.receive("billing")).toEqual([]);
  });
});
