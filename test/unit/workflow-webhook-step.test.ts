/**
 * Workflows' `send_webhook` step on in-memory ports: the body is the trigger event as the API shows
 * it (plus the workflow's and enrollment's ids), signed with the workflow's secret; a non-2xx answer
 * or none is retried by the queue and then fails the enrollment; a refused URL fails it at once.
 * And the use case's save-time checks: each webhook URL checked (400 at its step's field), the
 * secret made with the first webhook step, returned once and handed to the store sealed.
 */
import { describe, expect, it } from "vitest";
import { presentEvent } from "../../shared/events/service.ts";
import type { Sealed } from "../../shared/auth/sealed.ts";
import { ValidationError } from "../../shared/domain/errors.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { checkWebhookUrl, type Resolve } from "../../shared/webhooks/outbound.ts";
import { verifySignature } from "../../shared/webhooks/signature.ts";
import { enrollOnEvent } from "../../shared/workflows/engine.ts";
import {
  createWorkflow,
  updateWorkflow,
  type WorkflowPorts,
  type WorkflowStore,
} from "../../shared/workflows/service.ts";
import type { Workflow, WorkflowStep } from "../../shared/workflows/workflow.ts";
import { branch, fakeEngine, merchant, paymentEvent, workflowOf } from "../helpers/workflow-fakes.ts";

const hook: WorkflowStep = { type: "send_webhook", url: "https://hooks.example.com/kassa" };
const secret = "whsec_test_workflow_secret";

function engineWithHook(steps: WorkflowStep[] = [hook]) {
  const engine = fakeEngine();
  engine.save(workflowOf("wf_a", { steps }));
  engine.webhookSecrets.set("wf_a", secret);
  const event = paymentEvent("evt_1");
  engine.events.set(event.id, event);
  return { engine, event };
}

describe("the send_webhook step", () => {
  it("POSTs the trigger event as the API shows it, signed with the workflow's secret", async () => {
    const { engine, event } = engineWithHook();
    await enrollOnEvent(engine.ports, event);

    expect(engine.posts).toHaveLength(1);
    const [post] = engine.posts;
    const enrollment = engine.enrollments()[0];
    expect(JSON.parse(post?.body ?? "")).toEqual({
      ...presentEvent(event),
      workflowId: "wf_a",
      enrollmentId: enrollment?.id,
    });
    expect(post).toMatchObject({
      url: hook.url,
      timeoutMs: 10_000,
      headers: {
        "content-type": "application/json",
        "user-agent": "Kassa-Webhooks/1",
        "Kassa-Event-Id": "evt_1",
        "Kassa-Workflow-Step": `${enrollment?.id}:0`,
      },
    });
    const now = Math.floor(engine.wallClock.now().getTime() / 1000);
    expect(verifySignature(post?.headers["Kassa-Signature"] ?? "", secret, post?.body ?? "", now)).toBe(true);
    expect(
      verifySignature(post?.headers["Kassa-Signature"] ?? "", "whsec_other", post?.body ?? "", now),
    ).toBe(false);
    expect(enrollment).toMatchObject({
      status: "completed",
      log: [{ path: "0", type: "send_webhook", status: "completed", result: { webhookStatus: 200 } }],
    });
  });

  it("a 500 or no answer is retried by the queue, then fails the enrollment after 3 tries", async () => {
    const { engine, event } = engineWithHook();
    engine.webhookAnswers.push(
      { outcome: "responded", status: 500, body: "oops", durationMs: 3 },
      { outcome: "failed", error: "no response within 10000 ms", durationMs: 10_000 },
      { outcome: "responded", status: 302, body: "", durationMs: 3 },
    );
    await expect(enrollOnEvent(engine.ports, event)).rejects.toThrow("answered 500");
    expect(engine.enrollments()[0]).toMatchObject({ status: "running", attempts: 1 });
    await expect(enrollOnEvent(engine.ports, event)).rejects.toThrow("got no answer");
    await enrollOnEvent(engine.ports, event);
    expect(engine.posts).toHaveLength(3);
    expect(engine.enrollments()[0]).toMatchObject({
      status: "failed",
      failureReason: `Step 0 (send_webhook) failed 3 times: The webhook to ${hook.url} answered 302`,
    });
  });

  it("a retried step goes on once the receiver answers 2xx", async () => {
    const { engine, event } = engineWithHook();
    engine.webhookAnswers.push(
      { outcome: "responded", status: 503, body: "", durationMs: 3 },
      { outcome: "responded", status: 204, body: "", durationMs: 3 },
    );
    await expect(enrollOnEvent(engine.ports, event)).rejects.toThrow("answered 503");
    await enrollOnEvent(engine.ports, event);
    expect(engine.enrollments()[0]).toMatchObject({ status: "completed", attempts: 0 });
    expect(engine.posts).toHaveLength(2);
  });

  it("a URL the guard refuses fails the enrollment at once, without a retry", async () => {
    const { engine, event } = engineWithHook();
    engine.webhookAnswers.push({ outcome: "refused", error: "10.0.0.1 is a private address", durationMs: 0 });
    await enrollOnEvent(engine.ports, event);
    expect(engine.posts).toHaveLength(1);
    expect(engine.enrollments()[0]).toMatchObject({
      status: "failed",
      attempts: 1,
      failureReason: `Step 0 (send_webhook) was refused: Kassa does not post to ${hook.url}: 10.0.0.1 is a private address`,
    });
    expect(engine.committed.flatMap((c) => c.events).map((e) => e.type)).toEqual([
      "workflow_enrollment.failed",
    ]);
  });

  it("a trigger event no longer retained fails the enrollment at once, posting nothing", async () => {
    const { engine, event } = engineWithHook();
    engine.events.clear();
    await enrollOnEvent(engine.ports, event);
    expect(engine.posts).toHaveLength(0);
    expect(engine.enrollments()[0]?.failureReason).toContain("no longer retained");
  });
});

// ── Saving a workflow with webhook steps ─────────────────────────────────────────────────────────

const resolve: Resolve = async (hostname) => {
  const table: Record<string, string[]> = {
    "hooks.example.com": ["93.184.215.14"],
    "internal.example.com": ["10.0.0.8"],
  };
  const found = table[hostname];
  if (!found) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  return found;
};

/** The use case's ports: an in-memory store recording the sealed secrets, the real URL check in cloud mode. */
function savePorts() {
  const saved = new Map<string, { value: Workflow; version: number }>();
  const sealedSecrets: { workflowId: string; sealed: Sealed }[] = [];
  const store: WorkflowStore = {
    read: async (_m, id) => saved.get(id),
    list: async () => ({ items: [] }),
    async create(_m, workflow, _event, webhookSecret) {
      saved.set(workflow.id, { value: workflow, version: 1 });
      if (webhookSecret) sealedSecrets.push({ workflowId: workflow.id, sealed: webhookSecret });
    },
    async replace(_m, workflow, expectedVersion, _event, _newVersion, webhookSecret) {
      expect(saved.get(workflow.id)?.version).toBe(expectedVersion);
      saved.set(workflow.id, { value: workflow, version: expectedVersion + 1 });
      if (webhookSecret) sealedSecrets.push({ workflowId: workflow.id, sealed: webhookSecret });
    },
    remove: async () => {},
    versions: async () => ({ items: [] }),
  };
  const ports: WorkflowPorts = {
    workflows: store,
    merchants: { readMerchant: async () => ({ value: merchant as unknown as Merchant, version: 1 }) },
    webhooks: {
      checkUrl: (url) => checkWebhookUrl(url, { allowLoopback: false, resolve }),
      // A stand-in seal that keeps the plaintext out: only its length and a marker.
      seal: async (_m, workflowId, plaintext) => ({
        alg: "A256GCM",
        kid: "test",
        iv: workflowId,
        tag: "t",
        ciphertext: `sealed(${plaintext.length})`,
      }),
    },
    clock: fixedClock(new Date("2030-01-01T00:00:00Z")),
  };
  return { ports, saved, sealedSecrets };
}

const trigger = { event: "payment.succeeded" as const };

describe("saving webhook steps", () => {
  it("refuses private, loopback, metadata and plain-http URLs, each at its step's field, writing nothing", async () => {
    const { ports, saved } = savePorts();
    const steps: WorkflowStep[] = [
      { type: "send_webhook", url: "http://169.254.169.254/" },
      branch(
        [{ field: "payment.amount", op: "gt", value: 100 }],
        [{ type: "send_webhook", url: "https://internal.example.com/hook" }],
        [{ type: "send_webhook", url: "https://2130706433/" }],
      ),
      { type: "send_webhook", url: "not a url" },
      hook,
    ];
    const error = await createWorkflow(ports, merchant.id, { name: "Hooks", trigger, steps }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const fields = (error as ValidationError).errors.map((e) => e.path);
    expect(fields).toEqual(["steps.0.url", "steps.1.then.0.url", "steps.1.else.0.url", "steps.2.url"]);
    expect((error as ValidationError).errors[1]?.message).toContain("10.0.0.0/8");
    expect(saved.size).toBe(0);
  });

  it("makes the secret with the first webhook step: returned once, stored sealed, never again", async () => {
    const { ports, saved, sealedSecrets } = savePorts();
    const created = await createWorkflow(ports, merchant.id, {
      name: "Mail first",
      trigger,
      steps: [{ type: "delay", duration: "PT5M" }],
    });
    expect(created).not.toHaveProperty("webhookSecret");
    expect(created).not.toHaveProperty("webhookSecretCreatedAt");

    const withHook = await updateWorkflow(ports, merchant.id, created.id, {
      steps: [{ type: "delay", duration: "PT5M" }, hook],
    });
    expect(withHook.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(withHook.webhookSecretCreatedAt).toBe("2030-01-01T00:00:00.000Z");
    expect(sealedSecrets).toEqual([
      { workflowId: created.id, sealed: expect.objectContaining({ ciphertext: "sealed(49)" }) },
    ]);
    // What is stored (and what GET shows) has no plaintext secret.
    expect(JSON.stringify(saved.get(created.id)?.value)).not.toContain(withHook.webhookSecret);

    const again = await updateWorkflow(ports, merchant.id, created.id, {
      steps: [hook, { type: "send_webhook", url: "https://hooks.example.com/second" }],
    });
    expect(again).not.toHaveProperty("webhookSecret");
    expect(sealedSecrets).toHaveLength(1);

    const direct = await createWorkflow(ports, merchant.id, { name: "Hook", trigger, steps: [hook] });
    expect(direct.webhookSecret).toMatch(/^whsec_/);
    expect(direct.webhookSecret).not.toBe(withHook.webhookSecret);
  });
});
