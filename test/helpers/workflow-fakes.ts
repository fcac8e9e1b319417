/**
 * In-memory stand-ins for the workflow engine's ports: a catalog of workflows and versions, an
 * enrollment store with the real one's conditions (the key taken once, advances on the expected
 * version), the `Once` port (claims expiring on the clock it is given), the daily cap, a mailer that
 * can be made to fail or to wait, a scheduler, and webhooks (stored events, secrets, and an outbound
 * port that records each post and answers what `webhookAnswers` says). `clock` is the customer's
 * clock, `wallClock` real time.
 */
import type { Mail } from "../../shared/aws/mailer.ts";
import type { OneTimeSchedule } from "../../shared/aws/scheduler.ts";
import { type Clock, fixedClock } from "../../shared/domain/clock.ts";
import { ConflictError } from "../../shared/domain/errors.ts";
import type { DomainEvent } from "../../shared/domain/events.ts";
import type { Change } from "../../shared/domain/records.ts";
import type { OutboundPost, OutboundResult } from "../../shared/webhooks/outbound.ts";
import type {
  StoredEnrollment,
  WorkflowCustomer,
  WorkflowEnginePorts,
  WorkflowMerchant,
} from "../../shared/workflows/ports.ts";
import type {
  Workflow,
  WorkflowDefinition,
  WorkflowFilter,
  WorkflowStep,
  WorkflowVersion,
} from "../../shared/workflows/workflow.ts";

export const merchant: WorkflowMerchant = {
  id: "mer_1",
  name: "Acme",
  email: "owner@acme.test",
  timeZone: "Europe/Berlin",
  defaultCurrency: "EUR",
  processor: "sandbox",
  branding: {},
  team: [{ name: "Sam", email: "sam@acme.test" }],
};

export const buyer: WorkflowCustomer = {
  id: "cus_1",
  email: "ada@buyer.test",
  name: "Ada",
  accountOwner: { name: "Sam", email: "sam@acme.test" },
  unsubscribedAt: null,
};

export function workflowOf(id: string, definition: Partial<WorkflowDefinition>, version = 1): Workflow {
  return {
    id,
    name: id,
    active: true,
    version,
    trigger: { event: "payment.succeeded", filters: [] },
    reenroll: false,
    steps: [],
    ...definition,
    createdAt: "2030-01-01T00:00:00.000Z",
    updatedAt: "2030-01-01T00:00:00.000Z",
  };
}

export function paymentEvent(id: string, amount = 5000, customerId = buyer.id): DomainEvent {
  return {
    id,
    type: "payment.succeeded",
    merchantId: merchant.id,
    objectId: "pay_1",
    occurredAt: "2030-01-01T00:00:00.000Z",
    livemode: false,
    data: {
      payment: {
        id: `pay_${id}`,
        amount,
        currency: "EUR",
        fee: 100,
        net: amount - 100,
        status: "succeeded",
        processor: "sandbox",
        livemode: false,
        customerId,
        method: { type: "card", brand: "visa", last4: "4242" },
        paidAt: "2030-01-01T00:00:00.000Z",
        createdAt: "2030-01-01T00:00:00.000Z",
      },
    },
  };
}

export function fakeEngine(start = new Date("2030-01-01T00:00:00Z")) {
  const clock = fixedClock(start);
  const wallClock = fixedClock(start);
  const workflows = new Map<string, Workflow>();
  const versions = new Map<string, WorkflowVersion>();
  const enrollments = new Map<string, { value: StoredEnrollment; version: number }>();
  const keys = new Map<string, string>();
  const committed: { changes: Change[]; events: DomainEvent[] }[] = [];
  const sent: Mail[] = [];
  const schedules: OneTimeSchedule[] = [];
  const onceKeys = new Map<string, { done: true; result?: string } | { done: false; claimedUntil: number }>();
  const customers = new Map<string, WorkflowCustomer>([[buyer.id, buyer]]);
  /** The segments each customer is a member of (`customer.inSegment`). */
  const segments = new Map<string, string[]>();
  let capPerDay = Number.POSITIVE_INFINITY;
  const capUsed = new Map<string, number>();
  const failing = { mailer: undefined as Error | undefined };
  /** While set, a send waits for it (a delivery still sending). */
  const blocking = { mailer: undefined as Promise<void> | undefined };
  /** The trigger events the webhook steps read, and each workflow's webhook secret. */
  const events = new Map<string, DomainEvent>();
  const webhookSecrets = new Map<string, string>();
  const posts: OutboundPost[] = [];
  /** What the outbound port answers, in turn (the last one repeats); a 200 by default. */
  const webhookAnswers: OutboundResult[] = [];

  const save = (workflow: Workflow) => {
    workflows.set(workflow.id, workflow);
    versions.set(`${workflow.id}@${workflow.version}`, {
      workflowId: workflow.id,
      version: workflow.version,
      trigger: workflow.trigger,
      reenroll: workflow.reenroll,
      steps: workflow.steps,
      createdAt: workflow.updatedAt,
    });
  };

  const ports: WorkflowEnginePorts = {
    catalog: {
      activeFor: async (_m, trigger) =>
        [...workflows.values()].filter((w) => w.active && w.trigger.event === trigger),
      readVersion: async (_m, id, version) => versions.get(`${id}@${version}`),
      read: async (_m, id) => workflows.get(id),
    },
    enrollments: {
      async enroll(_m, subject, enrollment) {
        const key = `${enrollment.workflowId}#${subject}`;
        const held = keys.get(key);
        if (held) return held;
        keys.set(key, enrollment.id);
        enrollments.set(enrollment.id, { value: structuredClone(enrollment), version: 1 });
        return enrollment.id;
      },
      read: async (_m, id) => {
        const found = enrollments.get(id);
        return found && structuredClone(found);
      },
      async advance(_m, next, expectedVersion, changes = [], events = []) {
        const found = enrollments.get(next.id);
        if (found?.version !== expectedVersion)
          throw new ConflictError("The enrollment was changed meanwhile");
        enrollments.set(next.id, { value: structuredClone(next), version: expectedVersion + 1 });
        committed.push({ changes: [...changes], events: [...events] });
      },
      list: async (_m, workflowId) => ({
        items: [...enrollments.values()].map((e) => e.value).filter((e) => e.workflowId === workflowId),
      }),
    },
    reads: {
      merchant: async () => merchant,
      customer: async (_m, id) => customers.get(id),
      invoice: async () => undefined,
      payment: async () => undefined,
      segmentsOf: async (_m, id) => segments.get(id) ?? [],
      links: {
        unsubscribe: async (_m, customerId) => `https://pay.test/u/unsub-${customerId}`,
        renewEarly: async (_m, customerId, subscriptionId) =>
          `https://pay.test/c/${customerId}/renew?subscription=${subscriptionId}`,
      },
    },
    webhooks: {
      event: async (_m, id) => events.get(id),
      secretOf: async (_m, workflowId) => webhookSecrets.get(workflowId),
      outbound: {
        post: async (request) => {
          posts.push(request);
          const answer = webhookAnswers.length > 1 ? webhookAnswers.shift() : webhookAnswers[0];
          return answer ?? { outcome: "responded", status: 200, body: "", durationMs: 1 };
        },
      },
    },
    tasks: { createChanges: (_m, task, event) => [{ task, event } as unknown as Change] },
    discountCodes: { createChanges: (_m, code) => [{ code } as unknown as Change] },
    mailer: {
      async send(mail) {
        if (blocking.mailer) await blocking.mailer;
        if (failing.mailer) throw failing.mailer;
        sent.push(mail);
        return { messageId: `msg-${sent.length}` };
      },
    },
    once: async (options, effect) => {
      const now = options.clock.now().getTime();
      const known = onceKeys.get(options.key);
      if (known?.done) return { status: "done", ...(known.result ? { result: known.result } : {}) };
      if (known && known.claimedUntil >= now) return { status: "held" };
      onceKeys.set(options.key, { done: false, claimedUntil: now + options.claimSeconds * 1000 });
      let result: string | undefined;
      try {
        result = await effect();
      } catch (error) {
        onceKeys.delete(options.key);
        throw error;
      }
      onceKeys.set(options.key, { done: true, ...(result ? { result } : {}) });
      return { status: "ran", ...(result ? { result } : {}) };
    },
    limits: {
      // The daily cap: a window per UTC day of the `now` it is given.
      take: async (_limit, _m, _subject, now) => {
        const day = now.toISOString().slice(0, 10);
        const used = capUsed.get(day) ?? 0;
        if (used >= capPerDay) return { taken: false, retryAfterSeconds: 3600 };
        capUsed.set(day, used + 1);
        return {
          taken: true,
          slot: {
            giveBack: async () => {
              capUsed.set(day, (capUsed.get(day) ?? 1) - 1);
            },
          },
        };
      },
      retryAfter: async () => undefined,
    },
    clock: wallClock,
    clockOf: async () => clock as Clock,
    schedulerFor: () => ({
      scheduleOnce: async (schedule) => {
        if (!schedules.some((s) => s.name === schedule.name)) schedules.push(schedule);
      },
      cancel: async () => {},
    }),
  };

  return {
    ports,
    clock,
    wallClock,
    save,
    enrollments: () => [...enrollments.values()].map((e) => e.value),
    committed,
    sent,
    schedules,
    customers,
    segments,
    failing,
    blocking,
    events,
    webhookSecrets,
    posts,
    webhookAnswers,
    /** Emails a day (of the time the cap is counted on). */
    setCap: (n: number) => {
      capPerDay = n;
    },
  };
}

/** A branch step (its ways are named `then` and `else` by the contract). */
export const branch = (
  conditions: WorkflowFilter[],
  yes: WorkflowStep[],
  no: WorkflowStep[] = [],
): WorkflowStep => ({
  type: "branch",
  if: conditions,
  // biome-ignore lint/suspicious/noThenProperty: the contract names a branch's ways then and else
  then: yes,
  else: no,
});
