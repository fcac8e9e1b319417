/**
 * The workflow engine against DynamoDB Local: the real workflow store, enrollments, tasks, discount
 * codes, `Once` and the test clocks' due work — only the mailer and the buyer-facing links are
 * stand-ins. Exactly once under duplicated and reordered events, a versioned edit while an
 * enrollment waits, a failing step retried then failed, a delay on a test clock.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as enrollmentsApi } from "../../functions/api/workflow-enrollments.ts";
import { handler as testClocks } from "../../functions/api/test-clocks.ts";
import type { Mail } from "../../shared/aws/mailer.ts";
import { workflowEnginePorts } from "../../shared/composition.ts";
import { type Clock, systemClock } from "../../shared/domain/clock.ts";
import { type DomainEvent, newEvent } from "../../shared/domain/events.ts";
import { newId } from "../../shared/domain/ids.ts";
import { dynamoClockWorkStore } from "../../shared/store/clock-work.ts";
import { dynamoTaskStore } from "../../shared/store/tasks.ts";
import { dynamoTestClockStore } from "../../shared/store/test-clocks.ts";
import { dynamoWorkflowStore } from "../../shared/store/workflows.ts";
import { type AdvancePorts, runAdvance } from "../../shared/test-clocks/advance.ts";
import {
  EmailClaimHeldError,
  enrollOnEvent,
  resumeEnrollment,
  workflowResumeMessage,
} from "../../shared/workflows/engine.ts";
import type { WorkflowEnginePorts } from "../../shared/workflows/ports.ts";
import type { Workflow, WorkflowDefinition, WorkflowStep } from "../../shared/workflows/workflow.ts";
import { callForBody, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { paymentSucceeded } from "../helpers/events.ts";

let aws: TestAws;
let shop: TestMerchant;

const api = (
  handler: unknown,
  routeKey: string,
  pathParameters: Record<string, string> = {},
  body?: object,
  query?: Record<string, string>,
) =>
  callForBody(handler as Parameters<typeof callForBody>[0], routeKey, {
    token: shop.secret,
    pathParameters,
    ...(body ? { body } : {}),
    ...(query ? { query } : {}),
  });

/** The engine's real ports, with a mailer that records (or fails) and stand-in links. */
function engine(failWith?: () => Error | undefined) {
  const sent: Mail[] = [];
  const ports = (clock: Clock): WorkflowEnginePorts => {
    const real = workflowEnginePorts(clock);
    return {
      ...real,
      reads: {
        ...real.reads,
        links: {
          unsubscribe: async (_m, customerId) => `https://pay.kassa.test/u/tok-${customerId}`,
          renewEarly: async () => "https://pay.kassa.test/c/tok/renew",
        },
      },
      mailer: {
        async send(mail) {
          const error = failWith?.();
          if (error) throw error;
          sent.push(mail);
          return { messageId: `ses-${sent.length}` };
        },
      },
    };
  };
  return { sent, ports };
}

async function newCustomer(testClockId?: string, extra: object = {}) {
  const email = `buyer-${newId("customer", new Date()).slice(-8).toLowerCase()}@wf.test`;
  const { status, body } = await api(
    customers,
    "POST /v1/customers",
    {},
    { email, name: "Ada", ...(testClockId ? { testClockId } : {}), ...extra },
  );
  expect(status).toBe(201);
  return body.id as string;
}

async function saveWorkflow(definition: Partial<WorkflowDefinition>): Promise<Workflow> {
  const now = new Date();
  const workflow: Workflow = {
    id: newId("workflow", now),
    name: "Test",
    active: true,
    version: 1,
    trigger: { event: "payment.succeeded", filters: [] },
    reenroll: false,
    steps: [],
    ...definition,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await dynamoWorkflowStore.create(
    shop.id,
    workflow,
    newEvent("workflow.created", shop.id, workflow.id, now, {}),
  );
  return workflow;
}

const paid = (customerId: string, at = new Date()): DomainEvent =>
  paymentSucceeded(shop.id, customerId, 4200, at);

const thanks: WorkflowStep = {
  type: "send_email",
  to: "customer",
  subject: "Thanks {{customer.name}}",
  body: "You paid {{payment.amount | money}}.",
};

const enrollmentsOf = async (workflowId: string, query: Record<string, string> = {}) => {
  const { status, body } = await api(
    enrollmentsApi,
    "GET /v1/workflows/{id}/enrollments",
    { id: workflowId },
    undefined,
    query,
  );
  expect(status).toBe(200);
  return body.data as Record<string, unknown>[];
};

beforeAll(async () => {
  aws = await useTestAws([]);
});

// A merchant of its own per test: every active workflow of the merchant listens to the same events.
beforeEach(async () => {
  shop = await newMerchant("Workflow Shop");
});

describe("workflow engine against DynamoDB Local", () => {
  it("enrolls a customer once however the events arrive (duplicated, concurrent, reordered): one enrollment, one email", async () => {
    const { sent, ports } = engine();
    const workflow = await saveWorkflow({ steps: [thanks] });
    const customerId = await newCustomer();
    const first = paid(customerId);
    const second = paid(customerId);

    const concurrent = await Promise.allSettled(
      [second, first, first, second].map((event) => enrollOnEvent(ports(systemClock), event)),
    );
    // A delivery that met another one's claim on the email is retried (SQS redelivers it).
    for (const outcome of concurrent) {
      if (outcome.status === "rejected") expect(outcome.reason).toBeInstanceOf(EmailClaimHeldError);
    }
    await enrollOnEvent(ports(systemClock), first);

    const listed = await enrollmentsOf(workflow.id);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ status: "completed", customerId, version: 1 });
    expect(listed[0]).not.toHaveProperty("context");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.subject).toBe("[TEST MODE] Thanks Ada");
    expect(sent[0]?.headers?.["List-Unsubscribe"]).toBe(`<https://pay.kassa.test/u/tok-${customerId}>`);
  });

  it("writes to a buyer in nb-NO in Norwegian formats and words, and to the merchant (en-US) in English", async () => {
    const { sent, ports } = engine();
    const text =
      '{% if language == "nb" %}Takk, du betalte {{ payment.amount }}{% else %}Thanks, you paid {{ payment.amount }}{% endif %}' +
      " ({{ locale }})";
    await saveWorkflow({
      steps: [
        { type: "send_email", to: "customer", subject: text, body: text },
        { type: "send_email", to: "merchant", subject: text, body: text },
      ],
    });
    // Saved as `nb-no`, read canonical by the engine's own customer read.
    const customerId = await newCustomer(undefined, { locale: "nb-no" });
    await enrollOnEvent(ports(systemClock), paid(customerId));

    const [buyer, merchant] = sent;
    // (The test-mode prefix is the mail frame's, in its own words.)
    expect(buyer?.subject).toMatch(/ Takk, du betalte 42,00\u00a0USD \(nb-NO\)$/);
    expect(buyer?.text).toContain(
      `Meld deg av e-poster som denne fra Workflow Shop: https://pay.kassa.test/u/tok-${customerId}`,
    );
    expect(merchant?.subject).toBe("[TEST MODE] Thanks, you paid $42.00 (en-US)");
  });

  it("re-enrolls once per event when the workflow says so, and lists by status and customer", async () => {
    const { sent, ports } = engine();
    const workflow = await saveWorkflow({
      reenroll: true,
      steps: [{ type: "create_task", title: "Follow up {{customer.name}}" }],
    });
    const customerId = await newCustomer();
    const other = await newCustomer();
    const events = [paid(customerId), paid(customerId), paid(other)];
    for (const event of [...events, events[0] as DomainEvent]) await enrollOnEvent(ports(systemClock), event);

    expect(await enrollmentsOf(workflow.id)).toHaveLength(3);
    const mine = await enrollmentsOf(workflow.id, { customerId });
    expect(mine.map((e) => (e.trigger as { eventId: string }).eventId).sort()).toEqual(
      [events[0]?.id, events[1]?.id].sort(),
    );
    expect(await enrollmentsOf(workflow.id, { status: "running" })).toEqual([]);
    expect(sent).toEqual([]);
    const taskId = (mine[0]?.log as { result: { taskId: string } }[] | undefined)?.[0]?.result.taskId ?? "";
    expect((await dynamoTaskStore.read(shop.id, taskId))?.value).toMatchObject({
      title: "Follow up Ada",
      status: "open",
      createdBy: workflow.id,
      related: { customerId },
    });
  });

  it("lets an enrollment waiting on a delay finish on its version after an edit, while a new one runs the new steps", async () => {
    const { sent, ports } = engine();
    const workflow = await saveWorkflow({
      steps: [
        { type: "delay", duration: "PT5M" },
        { type: "send_email", to: "merchant", subject: "v1 after the wait", body: "old" },
      ],
    });
    const early = await newCustomer();
    await enrollOnEvent(ports(systemClock), paid(early));
    const [waiting] = await enrollmentsOf(workflow.id);
    expect(waiting).toMatchObject({ status: "running", next: "0", version: 1 });

    const found = await dynamoWorkflowStore.read(shop.id, workflow.id);
    const edited: Workflow = {
      ...(found?.value as Workflow),
      version: 2,
      steps: [{ type: "send_email", to: "merchant", subject: "v2 at once", body: "new" }],
    };
    await dynamoWorkflowStore.replace(
      shop.id,
      edited,
      found?.version ?? 0,
      newEvent("workflow.updated", shop.id, workflow.id, new Date(), {}),
      true,
    );
    const late = await newCustomer();
    await enrollOnEvent(ports(systemClock), paid(late));
    expect(sent.map((m) => m.subject)).toEqual(["[TEST MODE] v2 at once"]);

    await resumeEnrollment(ports(systemClock), {
      kind: "workflow.resume",
      merchantId: shop.id,
      enrollmentId: String(waiting?.id),
      workflowId: workflow.id,
      path: "0",
    });
    expect(sent.map((m) => m.subject)).toEqual(["[TEST MODE] v2 at once", "[TEST MODE] v1 after the wait"]);
    const byCustomer = Object.fromEntries((await enrollmentsOf(workflow.id)).map((e) => [e.customerId, e]));
    expect(byCustomer[early]).toMatchObject({ version: 1, status: "completed" });
    expect(byCustomer[late]).toMatchObject({ version: 2, status: "completed" });
  });

  it("retries a failing step, then fails the enrollment with the reason and a workflow_enrollment.failed event", async () => {
    const { sent, ports } = engine(() => new Error("SES rejected the message"));
    const workflow = await saveWorkflow({ steps: [thanks] });
    const event = paid(await newCustomer());
    for (let attempt = 1; attempt < 3; attempt++) {
      await expect(enrollOnEvent(ports(systemClock), event)).rejects.toThrow("SES rejected the message");
    }
    await enrollOnEvent(ports(systemClock), event);
    expect(sent).toEqual([]);
    const [failed] = await enrollmentsOf(workflow.id, { status: "failed" });
    expect(failed).toMatchObject({
      attempts: 3,
      failureReason: "Step 0 (send_email) failed 3 times: SES rejected the message",
    });
    const one = await api(enrollmentsApi, "GET /v1/workflows/{id}/enrollments/{eid}", {
      id: workflow.id,
      eid: String(failed?.id),
    });
    expect(one.body).toMatchObject({ id: failed?.id, status: "failed" });
    const cancel = await api(enrollmentsApi, "POST /v1/workflows/{id}/enrollments/{eid}/cancel", {
      id: workflow.id,
      eid: String(failed?.id),
    });
    expect(cancel.status).toBe(409);
    const items = await aws.scanAll();
    expect(
      items.filter(
        (i) =>
          i.type === "event" && i.eventType === "workflow_enrollment.failed" && i.objectId === failed?.id,
      ),
    ).toHaveLength(1);
  });

  it("cancels a running enrollment: its delay's resume then does nothing", async () => {
    const { sent, ports } = engine();
    const workflow = await saveWorkflow({ steps: [{ type: "delay", duration: "P1D" }, thanks] });
    await enrollOnEvent(ports(systemClock), paid(await newCustomer()));
    const [waiting] = await enrollmentsOf(workflow.id);
    const canceled = await api(enrollmentsApi, "POST /v1/workflows/{id}/enrollments/{eid}/cancel", {
      id: workflow.id,
      eid: String(waiting?.id),
    });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: "canceled" });
    await resumeEnrollment(ports(systemClock), {
      kind: "workflow.resume",
      merchantId: shop.id,
      enrollmentId: String(waiting?.id),
      workflowId: workflow.id,
      path: "0",
    });
    expect(sent).toEqual([]);
    const again = await api(enrollmentsApi, "POST /v1/workflows/{id}/enrollments/{eid}/cancel", {
      id: workflow.id,
      eid: String(waiting?.id),
    });
    expect(again.status).toBe(409);
  });

  it("waits on a test clock's customer's clock: the delay is due work of the clock, resumed when the clock advances past it", async () => {
    const { sent, ports } = engine();
    const clockId = (
      await api(testClocks, "POST /v1/test-clocks", {}, { frozenTime: "2030-01-01T00:00:00Z" })
    ).body.id as string;
    const customerId = await newCustomer(clockId);
    const workflow = await saveWorkflow({ steps: [{ type: "delay", duration: "P3D" }, thanks] });
    await enrollOnEvent(ports(systemClock), paid(customerId));
    const [waiting] = await enrollmentsOf(workflow.id);
    expect(waiting).toMatchObject({ status: "running", resumeAt: "2030-01-04T00:00:00.000Z" });

    const delivered: Record<string, unknown>[] = [];
    const advance: AdvancePorts = {
      testClocks: dynamoTestClockStore,
      work: dynamoClockWorkStore,
      runOn: async () => {},
      deliver: async (queue, message) => {
        expect(queue).toBe("workflows");
        delivered.push(message);
      },
      continueLater: async () => {
        throw new Error("fits in one invocation");
      },
      outOfTime: () => false,
      clock: systemClock,
    };
    await api(
      testClocks,
      "POST /v1/test-clocks/{id}/advance",
      { id: clockId },
      { frozenTime: "2030-01-03T00:00:00Z" },
    );
    await runAdvance(advance, shop.id, clockId);
    expect(delivered).toEqual([]);

    await api(
      testClocks,
      "POST /v1/test-clocks/{id}/advance",
      { id: clockId },
      { frozenTime: "2030-01-05T00:00:00Z" },
    );
    await runAdvance(advance, shop.id, clockId);
    expect(delivered).toEqual([
      expect.objectContaining({
        kind: "workflow.resume",
        testClockId: clockId,
        scheduledAt: "2030-01-04T00:00:00.000Z",
      }),
    ]);
    await resumeEnrollment(ports(systemClock), workflowResumeMessage().parse(delivered[0]));

    expect(sent).toHaveLength(1);
    const [done] = await enrollmentsOf(workflow.id);
    // At the schedule's instant, not where the clock's advance went on to.
    expect(done).toMatchObject({ status: "completed", endedAt: "2030-01-04T00:00:00.000Z" });
  });

  it("answers 404 for another merchant's workflow and enrollment", async () => {
    const { ports } = engine();
    const workflow = await saveWorkflow({ steps: [{ type: "delay", duration: "P1D" }] });
    await enrollOnEvent(ports(systemClock), paid(await newCustomer()));
    const [mine] = await enrollmentsOf(workflow.id);
    const stranger = await newMerchant("Stranger");
    const as = (routeKey: string, pathParameters: Record<string, string>) =>
      callForBody(enrollmentsApi as Parameters<typeof callForBody>[0], routeKey, {
        token: stranger.secret,
        pathParameters,
      });
    expect(await as("GET /v1/workflows/{id}/enrollments", { id: workflow.id })).toMatchObject({
      status: 404,
      body: { detail: "Workflow not found" },
    });
    expect(
      await as("GET /v1/workflows/{id}/enrollments/{eid}", { id: workflow.id, eid: String(mine?.id) }),
    ).toMatchObject({ status: 404, body: { detail: "Enrollment not found" } });
    expect(
      await as("POST /v1/workflows/{id}/enrollments/{eid}/cancel", {
        id: workflow.id,
        eid: String(mine?.id),
      }),
    ).toMatchObject({ status: 404, body: { detail: "Enrollment not found" } });
  });
});
