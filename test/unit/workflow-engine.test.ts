/**
 * The workflow engine on in-memory ports: enrollment exactly once, each step's path and effect,
 * delays and resumes, failure accounting, a deleted workflow.
 */
import { describe, expect, it } from "vitest";
import {
  durationMs,
  EmailClaimHeldError,
  enrollOnEvent,
  randomCode,
  resumeEnrollment,
} from "../../shared/workflows/engine.ts";
import { StateConflictError } from "../../shared/domain/errors.ts";
import { cancelEnrollment } from "../../shared/workflows/enrollments.ts";
import type { EnrollmentStore } from "../../shared/workflows/ports.ts";
import type { WorkflowStep } from "../../shared/workflows/workflow.ts";
import { branch, buyer, fakeEngine, merchant, paymentEvent, workflowOf } from "../helpers/workflow-fakes.ts";

const welcome: WorkflowStep = {
  type: "send_email",
  to: "customer",
  subject: "Welcome, {{customer.name}}",
  body: "Hello {{customer.name}},\n\nThanks for {{payment.amount | money}}.",
};

describe("enrollment", () => {
  it("enrolls a customer once per workflow (the same event twice, then another event): one email", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [welcome] }));

    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    await enrollOnEvent(engine.ports, paymentEvent("evt_2"));

    expect(engine.enrollments()).toHaveLength(1);
    expect(engine.sent).toHaveLength(1);
    expect(engine.enrollments()[0]).toMatchObject({
      status: "completed",
      customerId: buyer.id,
      trigger: { eventId: "evt_1", eventType: "payment.succeeded" },
      log: [
        { path: "0", type: "send_email", status: "completed", result: { emailId: "msg-1", to: buyer.email } },
      ],
    });
  });

  it("re-enrolls once per event when the workflow says so", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { reenroll: true, steps: [welcome] }));
    for (const id of ["evt_1", "evt_2", "evt_1"]) await enrollOnEvent(engine.ports, paymentEvent(id));
    expect(
      engine
        .enrollments()
        .map((e) => e.trigger.eventId)
        .sort(),
    ).toEqual(["evt_1", "evt_2"]);
    expect(engine.sent).toHaveLength(2);
  });

  it("enrolls only when the trigger's filters hold, and not in inactive workflows", async () => {
    const engine = fakeEngine();
    engine.save(
      workflowOf("wf_big", {
        trigger: {
          event: "payment.succeeded",
          filters: [{ field: "payment.amount", op: "gte", value: 10_000 }],
        },
        steps: [welcome],
      }),
    );
    engine.save({ ...workflowOf("wf_off", { steps: [welcome] }), active: false });
    await enrollOnEvent(engine.ports, paymentEvent("evt_small", 5000));
    expect(engine.enrollments()).toHaveLength(0);
    await enrollOnEvent(engine.ports, paymentEvent("evt_big", 20_000));
    expect(engine.enrollments().map((e) => e.workflowId)).toEqual(["wf_big"]);
  });

  it("keeps every shape field in the context (absent = null) and money as { amount, currency }", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [{ type: "delay", duration: "P1D" }] }));
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const [enrollment] = engine.enrollments();
    expect(enrollment?.context.payment).toMatchObject({
      amount: { amount: 5000, currency: "EUR" },
      fee: { amount: 100, currency: "EUR" },
      invoiceId: null,
      failureMessage: null,
      method: { type: "card", brand: "visa", last4: "4242" },
    });
    expect(enrollment?.context.customer).toMatchObject({
      id: buyer.id,
      companyName: null,
      accountOwner: { name: "Sam", email: "sam@acme.test" },
    });
    expect(enrollment?.context.merchant).toEqual({
      id: merchant.id,
      name: merchant.name,
      email: merchant.email,
    });
  });
});

describe("contexts", () => {
  it("gives a renewal reminder the renewal's money in its currency and the renew-early link", async () => {
    const engine = fakeEngine();
    engine.save(
      workflowOf("wf_r", {
        trigger: { event: "subscription.renewal_upcoming", filters: [] },
        steps: [{ type: "delay", duration: "P1D" }],
      }),
    );
    await enrollOnEvent(engine.ports, {
      id: "evt_r",
      type: "subscription.renewal_upcoming",
      merchantId: merchant.id,
      occurredAt: "2030-01-01T00:00:00.000Z",
      livemode: false,
      data: {
        subscription: {
          id: "sub_1",
          customerId: buyer.id,
          status: "active",
          currency: "USD",
          nextBillingAt: "2030-02-01T00:00:00.000Z",
        },
        renewal: {
          period: 1,
          periodStart: "2030-02-01T00:00:00.000Z",
          periodEnd: "2030-03-01T00:00:00.000Z",
          currency: "USD",
          subtotal: 1000,
          total: 1190,
        },
      },
    });
    const context = engine.enrollments()[0]?.context;
    expect(context?.renewal).toEqual({
      periodStart: "2030-02-01T00:00:00.000Z",
      periodEnd: "2030-03-01T00:00:00.000Z",
      subtotal: { amount: 1000, currency: "USD" },
      total: { amount: 1190, currency: "USD" },
    });
    expect(context?.links).toEqual({ renewEarly: "https://pay.test/c/cus_1/renew?subscription=sub_1" });
    expect(context?.subscription).toMatchObject({ id: "sub_1", canceledAt: null, trialEnd: null });
    expect(context?.customer).toMatchObject({ id: buyer.id, email: buyer.email });
  });
});

describe("steps", () => {
  it("sends buyer mail escaped in HTML, with the unsubscribe link and the one-click headers", async () => {
    const engine = fakeEngine();
    engine.customers.set(buyer.id, { ...buyer, name: "<script>alert(1)</script>" });
    engine.save(workflowOf("wf_a", { steps: [welcome] }));
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const [mail] = engine.sent;
    expect(mail?.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(mail?.html).not.toContain("<script>");
    expect(mail?.text).toContain("Hello <script>alert(1)</script>,");
    expect(mail?.text).toContain("https://pay.test/u/unsub-cus_1");
    expect(mail?.html).toContain('href="https://pay.test/u/unsub-cus_1"');
    expect(mail?.headers).toEqual({
      "List-Unsubscribe": "<https://pay.test/u/unsub-cus_1>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
  });

  it("writes a buyer's mail in the buyer's locale, the merchant's mail and tasks in the merchant's", async () => {
    const engine = fakeEngine();
    engine.customers.set(buyer.id, { ...buyer, locale: "nb-NO" });
    const text =
      '{% if language == "nb" %}Takk for {{ payment.amount }}{% else %}Thanks for {{ payment.amount }}{% endif %}' +
      " ({{ locale }}, {{ payment.paidAt | date }})";
    engine.save(
      workflowOf("wf_a", {
        steps: [
          { type: "send_email", to: "customer", subject: text, body: text },
          { type: "send_email", to: "merchant", subject: text, body: text },
          { type: "create_task", title: text },
        ],
      }),
    );
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const [toBuyer, toMerchant] = engine.sent;
    // The frame (test-mode marking) reads in the reader's words too.
    expect(toBuyer?.subject).toBe("[TESTMODUS] Takk for 50,00\u00a0€ (nb-NO, 1. januar 2030)");
    expect(toBuyer?.text).toContain("Meld deg av e-poster som denne fra Acme: https://pay.test/u/unsub-cus_1");
    expect(toBuyer?.html).toContain(">Meld deg av</a> e-poster som denne fra Acme.");
    // The merchant has no locale of its own: en-US.
    expect(toMerchant?.subject).toBe("[TEST MODE] Thanks for €50.00 (en-US, Jan 1, 2030)");
    const [task] = engine.committed.flatMap((c) => c.changes) as unknown as { task: { title: string } }[];
    expect(task?.task.title).toBe("Thanks for €50.00 (en-US, Jan 1, 2030)");
  });

  it("follows the merchant's locale for a buyer without one, and keeps English words for a buyer in en-GB", async () => {
    const engine = fakeEngine();
    engine.ports.reads = { ...engine.ports.reads, merchant: async () => ({ ...merchant, locale: "nb-NO" }) };
    engine.save(workflowOf("wf_a", { reenroll: true, steps: [welcome] }));
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    engine.customers.set(buyer.id, { ...buyer, locale: "en-GB" });
    await enrollOnEvent(engine.ports, paymentEvent("evt_2"));
    const [norwegian, british] = engine.sent;
    expect(norwegian?.text).toContain("Thanks for 50,00\u00a0€.");
    expect(norwegian?.text).toContain("Meld deg av e-poster som denne fra Acme");
    expect(british?.text).toContain("Thanks for €50.00.");
    expect(british?.text).toContain("Unsubscribe from Acme's emails like this one");
  });

  it("skips mail to an unsubscribed buyer and past the daily cap, sends internal mail without an unsubscribe link", async () => {
    const engine = fakeEngine();
    engine.customers.set(buyer.id, { ...buyer, unsubscribedAt: "2029-12-01T00:00:00Z" });
    engine.save(
      workflowOf("wf_a", {
        steps: [
          welcome,
          { type: "send_email", to: "account_owner", subject: "New sale", body: "{{customer.email}} paid" },
          { type: "send_email", to: { userEmail: "sam@acme.test" }, subject: "Again", body: "x" },
        ],
      }),
    );
    engine.setCap(1);
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const [enrollment] = engine.enrollments();
    expect(enrollment?.status).toBe("completed");
    expect(enrollment?.log.map((l) => [l.status, l.reason])).toEqual([
      ["skipped", "unsubscribed"],
      ["completed", undefined],
      ["skipped", "daily_cap"],
    ]);
    expect(engine.sent.map((m) => m.to.email)).toEqual(["sam@acme.test"]);
    expect(engine.sent[0]?.headers).toBeUndefined();
    expect(engine.sent[0]?.text).not.toContain("unsub");
  });

  it("counts the daily cap on real time: a test clock's next day opens no new window", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { reenroll: true, steps: [welcome] }));
    engine.setCap(1);
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    engine.clock.advance(86_400_000);
    await enrollOnEvent(engine.ports, paymentEvent("evt_2"));
    expect(engine.sent).toHaveLength(1);
    expect(engine.enrollments().map((e) => [e.trigger.eventId, e.log[0]?.status, e.log[0]?.reason])).toEqual([
      ["evt_1", "completed", undefined],
      ["evt_2", "skipped", "daily_cap"],
    ]);

    engine.wallClock.advance(86_400_000);
    await enrollOnEvent(engine.ports, paymentEvent("evt_3"));
    expect(engine.sent).toHaveLength(2);
  });

  it("refuses an address that left the team when the step runs", async () => {
    const engine = fakeEngine();
    engine.save(
      workflowOf("wf_a", {
        steps: [{ type: "send_email", to: { userEmail: "gone@acme.test" }, subject: "s", body: "b" }],
      }),
    );
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    expect(engine.sent).toEqual([]);
    expect(engine.enrollments()[0]?.log[0]).toMatchObject({ status: "skipped", reason: "not_in_team" });
  });

  it("takes a branch's arm by its filters, then goes on after the branch", async () => {
    const engine = fakeEngine();
    const note = (subject: string): WorkflowStep => ({
      type: "send_email",
      to: "merchant",
      subject,
      body: "b",
    });
    engine.save(
      workflowOf("wf_a", {
        steps: [
          branch([{ field: "payment.amount", op: "gt", value: 10_000 }], [note("big")], [note("small")]),
          note("after"),
        ],
      }),
    );
    await enrollOnEvent(engine.ports, paymentEvent("evt_1", 5000));
    expect(engine.sent.map((m) => m.subject)).toEqual(["[TEST MODE] small", "[TEST MODE] after"]);
    expect(engine.enrollments()[0]?.log.map((l) => l.path)).toEqual(["0", "0.else.0", "1"]);
    expect(engine.enrollments()[0]?.log[0]?.result).toEqual({ branch: "else" });
  });

  it("creates a single-use code in the enrollment's advance, which later steps read", async () => {
    const engine = fakeEngine();
    engine.save(
      workflowOf("wf_a", {
        steps: [
          { type: "create_discount_code", amountOff: 500, expiresInDays: 14, maxRedemptions: 1 },
          { type: "send_email", to: "merchant", subject: "Code", body: "Use {{discountCode.code}}" },
        ],
      }),
    );
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const [enrollment] = engine.enrollments();
    const code = enrollment?.log[0]?.result?.code as string;
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
    expect(engine.sent[0]?.text).toContain(`Use ${code}`);
    const written = engine.committed.flatMap((c) => c.changes) as unknown as {
      code?: Record<string, unknown>;
    }[];
    expect(written.find((c) => c.code)?.code).toMatchObject({
      code,
      amountOff: 500,
      currency: "EUR",
      duration: "once",
      maxRedemptions: 1,
      expiresAt: "2030-01-15T00:00:00.000Z",
      metadata: { workflowId: "wf_a", enrollmentId: enrollment?.id },
    });
    expect(engine.committed.flatMap((c) => c.events).map((e) => e.type)).toContain("discount_code.created");
  });

  it("creates a task linked to the context's objects, due in the merchant's zone", async () => {
    const engine = fakeEngine(new Date("2030-01-01T23:30:00Z"));
    engine.save(
      workflowOf("wf_a", {
        steps: [
          {
            type: "create_task",
            title: "Call {{customer.name}}",
            body: "Paid {{payment.amount | money}}",
            dueInDays: 2,
          },
        ],
      }),
    );
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const [change] = engine.committed.flatMap((c) => c.changes) as unknown as {
      task: Record<string, unknown>;
      event: { type: string };
    }[];
    expect(change?.event.type).toBe("task.created");
    expect(change?.task).toMatchObject({
      title: "Call Ada",
      status: "open",
      // 23:30 UTC is already Jan 2 in Berlin.
      dueDate: "2030-01-04",
      related: { customerId: buyer.id, paymentId: "pay_evt_1" },
      createdBy: "wf_a",
      enrollmentId: engine.enrollments()[0]?.id,
    });
  });
});

describe("delays", () => {
  it("waits on a one-time schedule and goes on when it fires, not on a redelivered trigger", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [{ type: "delay", duration: "P1DT2H" }, welcome] }));
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const [waiting] = engine.enrollments();
    expect(waiting).toMatchObject({ status: "running", next: "0", resumeAt: "2030-01-02T02:00:00.000Z" });
    expect(engine.schedules).toEqual([
      {
        name: `${waiting?.id}-0`,
        at: new Date("2030-01-02T02:00:00.000Z"),
        queue: "workflows",
        payload: {
          kind: "workflow.resume",
          merchantId: merchant.id,
          enrollmentId: waiting?.id,
          workflowId: "wf_a",
          path: "0",
        },
      },
    ]);
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    expect(engine.sent).toHaveLength(0);

    engine.clock.set(new Date("2030-01-02T02:00:00Z"));
    const resume = {
      kind: "workflow.resume" as const,
      merchantId: merchant.id,
      enrollmentId: waiting?.id ?? "",
      workflowId: "wf_a",
      path: "0",
    };
    await resumeEnrollment(engine.ports, resume);
    await resumeEnrollment(engine.ports, resume);
    expect(engine.sent).toHaveLength(1);
    expect(engine.enrollments()[0]).toMatchObject({
      status: "completed",
      endedAt: "2030-01-02T02:00:00.000Z",
    });
    expect(engine.enrollments()[0]?.log.map((l) => `${l.path} ${l.status}`)).toEqual([
      "0 waiting",
      "0 completed",
      "1 completed",
    ]);
  });

  it("names schedules without dots and reads durations of days, hours and minutes", () => {
    expect(durationMs("PT5M")).toBe(300_000);
    expect(durationMs("P3D")).toBe(3 * 86_400_000);
    expect(durationMs("P1DT12H30M")).toBe((36 * 60 + 30) * 60_000);
  });

  it("cancels a waiting enrollment when its workflow was deleted", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [{ type: "delay", duration: "PT5M" }, welcome] }));
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const [waiting] = engine.enrollments();
    engine.ports.catalog.read = async () => undefined;
    await resumeEnrollment(engine.ports, {
      kind: "workflow.resume",
      merchantId: merchant.id,
      enrollmentId: waiting?.id ?? "",
      workflowId: "wf_a",
      path: "0",
    });
    expect(engine.enrollments()[0]?.status).toBe("canceled");
    expect(engine.sent).toHaveLength(0);
  });
});

describe("failures", () => {
  it("counts a failing step's attempts, rethrowing for the retry, then fails the enrollment with the reason", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [welcome] }));
    engine.failing.mailer = new Error("SES is down");
    await expect(enrollOnEvent(engine.ports, paymentEvent("evt_1"))).rejects.toThrow("SES is down");
    expect(engine.enrollments()[0]).toMatchObject({ status: "running", attempts: 1 });
    await expect(enrollOnEvent(engine.ports, paymentEvent("evt_1"))).rejects.toThrow("SES is down");
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const [failed] = engine.enrollments();
    expect(failed).toMatchObject({
      status: "failed",
      attempts: 3,
      failureReason: "Step 0 (send_email) failed 3 times: SES is down",
      log: [{ path: "0", status: "failed", reason: "SES is down" }],
    });
    expect(failed?.next).toBeUndefined();
    const events = engine.committed.flatMap((c) => c.events);
    expect(events.map((e) => e.type)).toEqual(["workflow_enrollment.failed"]);
    expect(events[0]?.data.enrollment).not.toHaveProperty("context");
  });

  it("resets the count once the step succeeds", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [welcome] }));
    engine.failing.mailer = new Error("throttled");
    await expect(enrollOnEvent(engine.ports, paymentEvent("evt_1"))).rejects.toThrow();
    engine.failing.mailer = undefined;
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    expect(engine.enrollments()[0]).toMatchObject({ status: "completed", attempts: 0 });
    expect(engine.sent).toHaveLength(1);
  });

  it("makes codes of 12 unambiguous characters", () => {
    const codes = new Set(Array.from({ length: 200 }, randomCode));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
  });
});

describe("an email's claim", () => {
  it("retries while another delivery still sends the email, and sends it once that one failed", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [welcome] }));
    let release = () => {};
    engine.blocking.mailer = new Promise<void>((resolve) => {
      release = resolve;
    });
    engine.failing.mailer = new Error("SES is down");
    const holder = enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    await new Promise((resolve) => setTimeout(resolve, 0));

    await expect(enrollOnEvent(engine.ports, paymentEvent("evt_1"))).rejects.toBeInstanceOf(EmailClaimHeldError);
    expect(engine.enrollments()[0]).toMatchObject({ status: "running", next: "0", attempts: 0, log: [] });

    release();
    await expect(holder).rejects.toThrow("SES is down");
    engine.blocking.mailer = undefined;
    engine.failing.mailer = undefined;
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    expect(engine.sent).toHaveLength(1);
    expect(engine.enrollments()[0]).toMatchObject({
      status: "completed",
      attempts: 0,
      log: [{ path: "0", status: "completed", result: { emailId: "msg-1", to: buyer.email } }],
    });
  });

  it("logs a sent email's id when a redelivery finds the send done but the step not advanced", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [welcome] }));
    const advance = engine.ports.enrollments.advance;
    let crashes = 1;
    engine.ports.enrollments.advance = async (...args) => {
      if (crashes-- > 0) throw new Error("Task timed out");
      return advance(...args);
    };
    await expect(enrollOnEvent(engine.ports, paymentEvent("evt_1"))).rejects.toThrow("Task timed out");
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    expect(engine.sent).toHaveLength(1);
    expect(engine.enrollments()[0]?.log).toEqual([
      expect.objectContaining({ status: "completed", result: { emailId: "msg-1", to: buyer.email } }),
    ]);
  });

  it("lets a crashed holder's claim expire on real time while the customer's test clock stands still", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [welcome] }));
    engine.blocking.mailer = new Promise<void>(() => {});
    void enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    await expect(enrollOnEvent(engine.ports, paymentEvent("evt_1"))).rejects.toBeInstanceOf(EmailClaimHeldError);

    engine.blocking.mailer = undefined;
    engine.wallClock.advance(31_000);
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    expect(engine.sent).toHaveLength(1);
    expect(engine.enrollments()[0]).toMatchObject({ status: "completed" });
  });
});

describe("cancel", () => {
  /** The enrollment store whose first read is overtaken by `meanwhile` (the engine's advance) before the caller writes. */
  const racing = (store: EnrollmentStore, meanwhile: EnrollmentStore["advance"]): EnrollmentStore => {
    let raced = false;
    return {
      ...store,
      read: async (merchantId, id) => {
        const found = await store.read(merchantId, id);
        if (!raced && found) {
          raced = true;
          const next = { ...found.value, updatedAt: "2030-01-01T00:00:01.000Z" };
          await meanwhile(merchantId, next, found.version);
        }
        return found;
      },
    };
  };

  it("cancels an enrollment the engine advanced meanwhile, still running", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [{ type: "delay", duration: "P1D" }, welcome] }));
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const id = engine.enrollments()[0]?.id ?? "";
    const ports = {
      ...engine.ports,
      enrollments: racing(engine.ports.enrollments, engine.ports.enrollments.advance),
    };

    const canceled = await cancelEnrollment(ports, merchant.id, "wf_a", id);

    expect(canceled).toMatchObject({ id, status: "canceled", endedAt: "2030-01-01T00:00:00.000Z" });
    expect(engine.enrollments()[0]).toMatchObject({ status: "canceled" });
  });

  it("sends no email once the enrollment was canceled while its step ran", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [welcome, welcome] }));
    const customer = engine.ports.reads.customer;
    engine.ports.reads.customer = async (merchantId, customerId) => {
      const [running] = engine.enrollments();
      if (running?.status === "running") await cancelEnrollment(engine.ports, merchantId, "wf_a", running.id);
      return customer(merchantId, customerId);
    };

    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));

    expect(engine.sent).toEqual([]);
    expect(engine.enrollments()[0]).toMatchObject({ status: "canceled", log: [] });
  });

  it("answers a conflict when the enrollment really ended meanwhile", async () => {
    const engine = fakeEngine();
    engine.save(workflowOf("wf_a", { steps: [{ type: "delay", duration: "P1D" }, welcome] }));
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    const id = engine.enrollments()[0]?.id ?? "";
    const completes: EnrollmentStore["advance"] = async (merchantId, next, version) => {
      const { next: _, resumeAt: __, ...rest } = next;
      await engine.ports.enrollments.advance(merchantId, { ...rest, status: "completed" }, version);
    };
    const ports = { ...engine.ports, enrollments: racing(engine.ports.enrollments, completes) };

    const canceling = cancelEnrollment(ports, merchant.id, "wf_a", id);

    await expect(canceling).rejects.toBeInstanceOf(StateConflictError);
    await expect(canceling).rejects.toThrow("The enrollment already ended (completed)");
    expect(engine.enrollments()[0]).toMatchObject({ status: "completed" });
  });
});
