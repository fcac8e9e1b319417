/**
 * The workflows queue's consumer: trigger events enroll, `workflow.resume` messages (with the
 * scheduler's `scheduledAt`) continue their enrollment, and a record that fails or does not parse is
 * reported alone as a partial batch failure.
 */
import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { workflows } from "../../functions/workflows/run.ts";
import { fakeEngine, merchant, paymentEvent, workflowOf } from "../helpers/workflow-fakes.ts";

const records = (...bodies: unknown[]): SQSEvent => ({
  Records: bodies.map(
    (body, i) => ({ messageId: `m${i}`, body: JSON.stringify(body) }) as SQSEvent["Records"][number],
  ),
});

describe("workflows consumer", () => {
  it("enrolls on a trigger event and resumes a delay when its schedule's message arrives", async () => {
    const engine = fakeEngine();
    engine.save(
      workflowOf("wf_a", {
        steps: [
          { type: "delay", duration: "PT5M" },
          { type: "send_email", to: "merchant", subject: "Paid", body: "{{payment.amount | money}}" },
        ],
      }),
    );
    const consumer = workflows(() => engine.ports);

    expect(await consumer(records(paymentEvent("evt_1")))).toEqual({ batchItemFailures: [] });
    const [enrollment] = engine.enrollments();
    expect(enrollment).toMatchObject({ status: "running", resumeAt: "2030-01-01T00:05:00.000Z" });
    expect(engine.sent).toHaveLength(0);

    engine.clock.set(new Date("2030-01-01T00:05:00Z"));
    const resume = {
      ...engine.schedules[0]?.payload,
      scheduledAt: "2030-01-01T00:05:00.000Z",
    };
    expect(resume).toMatchObject({ kind: "workflow.resume", merchantId: merchant.id, path: "0" });
    expect(await consumer(records(resume))).toEqual({ batchItemFailures: [] });
    expect(engine.enrollments()[0]?.status).toBe("completed");
    expect(engine.sent.map((m) => m.text)).toEqual([expect.stringContaining("€50.00")]);
  });

  it("reports only the records that failed: a malformed body, a failing step; the others are done", async () => {
    const engine = fakeEngine();
    engine.save(
      workflowOf("wf_a", { steps: [{ type: "send_email", to: "merchant", subject: "Paid", body: "b" }] }),
    );
    const consumer = workflows(() => engine.ports);
    engine.failing.mailer = new Error("SES throttled");
    const result = await consumer(
      records({ kind: "workflow.resume" }, paymentEvent("evt_1"), {
        type: "customer.updated",
        id: "evt_2",
        merchantId: merchant.id,
        occurredAt: "2030-01-01T00:00:00Z",
        data: {},
      }),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m0" }, { itemIdentifier: "m1" }] });
    expect(engine.enrollments()[0]).toMatchObject({ status: "running", attempts: 1 });
  });

  it("resumes a test clock's delay at its schedule's instant, though the clock has moved on since", async () => {
    const engine = fakeEngine(new Date("2030-01-01T10:00:00Z"));
    engine.ports.clockOf = async () => ({
      now: () => engine.clock.now(),
      testClock: { id: "clock_1", merchantId: merchant.id },
    });
    engine.save(
      workflowOf("wf_a", {
        steps: [
          { type: "delay", duration: "P1D" },
          { type: "create_task", title: "Call", dueInDays: 1 },
          { type: "create_discount_code", percentOff: 10, expiresInDays: 7, maxRedemptions: 1 },
          { type: "delay", duration: "PT1H" },
        ],
      }),
    );
    const consumer = workflows(() => engine.ports);
    expect(await consumer(records(paymentEvent("evt_1")))).toEqual({ batchItemFailures: [] });
    expect(engine.schedules[0]?.payload).toMatchObject({ kind: "workflow.resume", testClockId: "clock_1" });

    // The advance fired the schedule at Jan 2 10:00 and went on to Jan 10 before the queue's consumer ran.
    engine.clock.set(new Date("2030-01-10T00:00:00Z"));
    const resume = { ...engine.schedules[0]?.payload, scheduledAt: "2030-01-02T10:00:00.000Z" };
    expect(await consumer(records(resume))).toEqual({ batchItemFailures: [] });

    const [enrollment] = engine.enrollments();
    expect(enrollment).toMatchObject({ status: "running", next: "3", resumeAt: "2030-01-02T11:00:00.000Z" });
    expect(enrollment?.log.map((l) => l.at)).toEqual([
      "2030-01-01T10:00:00.000Z",
      "2030-01-02T10:00:00.000Z",
      "2030-01-02T10:00:00.000Z",
      "2030-01-02T10:00:00.000Z",
      "2030-01-02T10:00:00.000Z",
    ]);
    const changes = engine.committed.flatMap((c) => c.changes) as unknown as {
      task?: { dueDate: string };
      code?: { expiresAt: string };
    }[];
    expect(changes.find((c) => c.task)?.task?.dueDate).toBe("2030-01-03");
    expect(changes.find((c) => c.code)?.code?.expiresAt).toBe("2030-01-09T10:00:00.000Z");
    expect(engine.schedules[1]?.at).toEqual(new Date("2030-01-02T11:00:00.000Z"));
  });
});
