/**
 * The workflow engine: a trigger event enrolls the customer in each of the merchant's active
 * workflows whose filters hold (exactly once per enrollment key), and an enrollment runs its
 * version's steps until a delay or the end. Each step's effect happens once: an email through the
 * `Once` port (key `enrollmentId:path`), a task or a discount code in the same transaction as the
 * enrollment's conditional advance; a webhook at least once (the receiver dedupes on
 * `Kassa-Workflow-Step`). A failing step counts an attempt and throws (SQS retries); at
 * `maxStepAttempts` the enrollment fails with the reason, and a step refused outright (a webhook URL
 * the SSRF guard refuses) fails it at once. A delay is a one-time schedule — on the
 * customer's test clock if it has one — whose `workflow.resume` message continues the enrollment.
 */
import * as z from "zod";
import type { QueueName } from "../aws/queue.ts";
import { addDays, localDate } from "../domain/calendar.ts";
import { ConflictError } from "../domain/errors.ts";
import type { Clock } from "../domain/clock.ts";
import { type DomainEvent, newEvent } from "../domain/events.ts";
import { presentEvent } from "../events/service.ts";
import { newId } from "../domain/ids.ts";
import { windowLimits } from "../domain/limits.ts";
import type { DiscountCode } from "../discount-codes/discount-code.ts";
import type { Change, Versioned } from "../domain/records.ts";
import { readerLocale } from "../i18n/locale.ts";
import { newTask } from "../tasks/task.ts";
import { buildContext, customerIdOf, project } from "./context.ts";
import { ended, presentEnrollment } from "./enrollment.ts";
import { matches } from "./filters.ts";
import type { StoredEnrollment, WorkflowEnginePorts, WorkflowMerchant } from "./ports.ts";
import { firstPath, pathAfter, pathInto, stepAt } from "./steps.ts";
import { signatureHeader } from "../webhooks/signature.ts";
import {
  maxStepAttempts,
  objectShapes,
  type StepPath,
  type StepRun,
  type WorkflowContext,
  type WorkflowFilter,
  type WorkflowStep,
  type WorkflowTrigger,
  workflowTriggers,
} from "./workflow.ts";
import { lazy } from "../lazy.ts";

/** The queue workflow events and resumes arrive on. */
export const workflowQueue = "workflows" satisfies QueueName;

/** A delay's schedule firing: the enrollment goes on after the delay at `path`. */
export const workflowResumeMessage = lazy(() =>
  z.object({
    kind: z.literal("workflow.resume"),
    merchantId: z.string().min(1),
    enrollmentId: z.string().min(1),
    workflowId: z.string().min(1),
    path: z.string().min(1),
    testClockId: z.string().optional(),
    /** When the schedule fired (the scheduler's, or the test clock's time when its advance ran it). */
    scheduledAt: z.iso.datetime({ offset: true }).optional(),
  }),
);
export type WorkflowResumeMessage = z.infer<ReturnType<typeof workflowResumeMessage>>;

/**
 * Another delivery holds the claim on this step's email and may yet fail to send it: the message is
 * retried (not counted as the step's failure) until that one finished or its claim expired.
 */
export class EmailClaimHeldError extends Error {
  override readonly name = "EmailClaimHeldError";
}

/** A step that can't succeed however often it is tried: its enrollment fails at once, without retries. */
export class StepRefusedError extends Error {
  override readonly name = "StepRefusedError";
}

/** Emails claimed through `Once` block a concurrent delivery this long (the consumer's timeout). */
const emailClaimSeconds = 30;

const isTrigger = (type: string): type is WorkflowTrigger =>
  (workflowTriggers as readonly string[]).includes(type);

/**
 * Enrolls the event's customer in every matching active workflow (once per key however often the
 * event arrives, in whatever order) and runs each enrollment. One workflow's failure does not keep
 * the others from running; the event is retried for it (the others find their enrollment and go on).
 */
export async function enrollOnEvent(ports: WorkflowEnginePorts, event: DomainEvent): Promise<void> {
  if (!isTrigger(event.type)) return;
  const merchantId = event.merchantId;
  const workflows = await ports.catalog.activeFor(merchantId, event.type);
  if (workflows.length === 0) return;
  const context = await buildContext(ports.reads, event, event.type, {
    segments: workflows.some(readsSegments),
  });
  const customerId = customerIdOf(event);
  const clock = await ports.clockOf(merchantId, customerId);
  const failures: unknown[] = [];
  for (const workflow of workflows) {
    if (!matches(context, workflow.trigger.filters)) continue;
    try {
      const now = clock.now().toISOString();
      const next = firstPath(workflow.steps);
      const enrollment: StoredEnrollment = {
        id: newId("workflowEnrollment", clock.now()),
        workflowId: workflow.id,
        version: workflow.version,
        status: next ? "running" : "completed",
        ...(customerId ? { customerId } : {}),
        trigger: { eventId: event.id, eventType: event.type },
        ...(next ? { next } : { endedAt: now }),
        attempts: 0,
        log: [],
        context,
        createdAt: now,
        updatedAt: now,
      };
      // Once per customer across versions, or once per event for a workflow that re-enrolls.
      const subject = workflow.reenroll || !customerId ? `event:${event.id}` : `customer:${customerId}`;
      const id = await ports.enrollments.enroll(merchantId, subject, enrollment);
      await runEnrollment(ports, merchantId, id);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** Whether the workflow's trigger or branch filters read `customer.inSegment`. */
function readsSegments(workflow: { trigger: { filters: WorkflowFilter[] }; steps: WorkflowStep[] }): boolean {
  const inSteps = (steps: readonly WorkflowStep[]): boolean =>
    steps.some(
      (step) =>
        step.type === "branch" && (step.if.some(isSegmentFilter) || inSteps(step.then) || inSteps(step.else)),
    );
  return workflow.trigger.filters.some(isSegmentFilter) || inSteps(workflow.steps);
}
const isSegmentFilter = (filter: WorkflowFilter) => filter.field === "customer.inSegment";

/**
 * A delay's schedule fired: the enrollment goes on, if it still waits at that delay. On a test clock
 * it goes on at the schedule's instant, not wherever the clock's advance has moved it since.
 */
export const resumeEnrollment = (ports: WorkflowEnginePorts, message: WorkflowResumeMessage) =>
  runEnrollment(
    ports,
    message.merchantId,
    message.enrollmentId,
    message.path,
    message.testClockId && message.scheduledAt
      ? { testClockId: message.testClockId, at: message.scheduledAt }
      : undefined,
  );

/** The most steps one run takes: a version has at most 20 steps, each runs once. */
const maxStepsPerRun = 50;

/**
 * Runs the enrollment's steps from `next` until a delay, the end, or a failure. `resumed` is the
 * delay whose schedule fired; without it, a waiting enrollment stays waiting. `fired` is when a
 * test clock's schedule fired: the run stands at that instant while the customer is on that clock.
 */
export async function runEnrollment(
  ports: WorkflowEnginePorts,
  merchantId: string,
  enrollmentId: string,
  resumed?: StepPath,
  fired?: { testClockId: string; at: string },
): Promise<void> {
  for (let i = 0; i < maxStepsPerRun; i++) {
    const found = await ports.enrollments.read(merchantId, enrollmentId);
    const enrollment = found?.value;
    if (!found || !enrollment || enrollment.status !== "running" || !enrollment.next) return;
    const path = enrollment.next;
    const customerClock = await ports.clockOf(merchantId, enrollment.customerId);
    const clock: Clock =
      fired && customerClock.testClock?.id === fired.testClockId
        ? { now: () => new Date(fired.at), testClock: customerClock.testClock }
        : customerClock;
    const now = clock.now().toISOString();
    if (!(await ports.catalog.read(merchantId, enrollment.workflowId))) {
      await ports.enrollments.advance(merchantId, ended(enrollment, "canceled", now), found.version);
      return;
    }
    const version = await ports.catalog.readVersion(merchantId, enrollment.workflowId, enrollment.version);
    const step = version && stepAt(version.steps, path);
    if (!version || !step)
      throw new Error(`Version ${enrollment.version} of ${enrollment.workflowId} has no step ${path}`);
    // A waiting delay goes on only when its own schedule fires (not on a redelivered trigger event).
    if (step.type === "delay" && (enrollment.resumeAt || resumed === path)) {
      if (resumed !== path) return;
      resumed = undefined;
      const { resumeAt: _, ...rest } = enrollment;
      await ports.enrollments.advance(
        merchantId,
        moved(rest, pathAfter(version.steps, path), { path, type: "delay", status: "completed", at: now }),
        found.version,
      );
      continue;
    }
    let outcome: StepOutcome;
    try {
      outcome = await runStep(ports, { merchantId, enrollment, step, path, clock });
    } catch (error) {
      if (error instanceof EmailClaimHeldError) throw error;
      if (await countFailure(ports, merchantId, found, step, error, now)) throw error;
      return;
    }
    const next: StoredEnrollment =
      outcome.wait !== undefined
        ? {
            ...enrollment,
            resumeAt: outcome.wait,
            attempts: 0,
            log: [...enrollment.log, outcome.log],
            updatedAt: now,
          }
        : moved(
            { ...enrollment, context: outcome.context ?? enrollment.context },
            outcome.branch ? pathInto(version.steps, path, outcome.branch) : pathAfter(version.steps, path),
            outcome.log,
          );
    try {
      await ports.enrollments.advance(merchantId, next, found.version, outcome.changes, outcome.events);
    } catch (error) {
      // Another delivery advanced it meanwhile (this step's task or code went nowhere: its
      // transaction failed; its email was sent once): go on from where that one left it.
      if (error instanceof ConflictError) continue;
      throw error;
    }
    if (outcome.wait !== undefined) return;
  }
  throw new Error(`Enrollment ${enrollmentId} ran more than ${maxStepsPerRun} steps in one run`);
}

/** The enrollment after a step: at the next one, or completed at the end. */
function moved(enrollment: StoredEnrollment, next: StepPath | undefined, log: StepRun): StoredEnrollment {
  const { next: _, ...rest } = enrollment;
  const at = log.at;
  return next
    ? { ...rest, next, attempts: 0, log: [...enrollment.log, log], updatedAt: at }
    : {
        ...rest,
        status: "completed",
        attempts: 0,
        log: [...enrollment.log, log],
        updatedAt: at,
        endedAt: at,
      };
}

/**
 * Counts a failed try of the step: below `maxStepAttempts` the enrollment keeps its place and the
 * caller rethrows (the message is retried); at it, the enrollment fails with the reason and a
 * `workflow_enrollment.failed` event. Returns whether to rethrow.
 */
async function countFailure(
  ports: WorkflowEnginePorts,
  merchantId: string,
  found: Versioned<StoredEnrollment>,
  step: WorkflowStep,
  error: unknown,
  now: string,
): Promise<boolean> {
  const enrollment = found.value;
  const attempts = enrollment.attempts + 1;
  const reason = error instanceof Error ? error.message : String(error);
  const refused = error instanceof StepRefusedError;
  if (!refused && attempts < maxStepAttempts) {
    await ports.enrollments.advance(merchantId, { ...enrollment, attempts, updatedAt: now }, found.version);
    return true;
  }
  const path = enrollment.next as StepPath;
  const failed: StoredEnrollment = {
    ...ended(enrollment, "failed", now),
    attempts,
    failureReason: refused
      ? `Step ${path} (${step.type}) was refused: ${reason}`
      : `Step ${path} (${step.type}) failed ${attempts} times: ${reason}`,
    log: [...enrollment.log, { path, type: step.type, status: "failed", at: now, reason }],
  };
  await ports.enrollments.advance(
    merchantId,
    failed,
    found.version,
    [],
    [
      newEvent("workflow_enrollment.failed", merchantId, enrollment.id, new Date(now), {
        enrollment: presentEnrollment(failed),
      }),
    ],
  );
  return false;
}

// ── Steps ─────────────────────────────────────────────────────────────────────────────────────────

interface StepOutcome {
  log: StepRun;
  /** A delay: the instant it ends (the enrollment stays at the step until its schedule fires). */
  wait?: string;
  branch?: "then" | "else";
  context?: WorkflowContext;
  changes?: Change[];
  events?: DomainEvent[];
}

interface StepRunInput {
  merchantId: string;
  enrollment: StoredEnrollment;
  step: WorkflowStep;
  path: StepPath;
  clock: Clock;
}

async function requireMerchant(ports: WorkflowEnginePorts, merchantId: string): Promise<WorkflowMerchant> {
  const merchant = await ports.reads.merchant(merchantId);
  if (!merchant) throw new Error(`Merchant ${merchantId} not found`);
  return merchant;
}

async function runStep(ports: WorkflowEnginePorts, input: StepRunInput): Promise<StepOutcome> {
  const { step, path, clock, enrollment } = input;
  const at = clock.now().toISOString();
  const log = (status: StepRun["status"], extra: Partial<StepRun> = {}): StepRun => ({
    path,
    type: step.type,
    status,
    at,
    ...extra,
  });
  switch (step.type) {
    case "branch": {
      const branch = matches(enrollment.context, step.if) ? "then" : "else";
      return { log: log("completed", { result: { branch } }), branch };
    }
    case "delay": {
      const resumeAt = new Date(clock.now().getTime() + durationMs(step.duration));
      await ports.schedulerFor(clock).scheduleOnce({
        name: resumeScheduleName(enrollment.id, path),
        at: resumeAt,
        queue: workflowQueue,
        payload: {
          kind: "workflow.resume",
          merchantId: input.merchantId,
          enrollmentId: enrollment.id,
          workflowId: enrollment.workflowId,
          path,
          ...(clock.testClock ? { testClockId: clock.testClock.id } : {}),
        } satisfies WorkflowResumeMessage,
      });
      return {
        wait: resumeAt.toISOString(),
        log: log("waiting", { result: { resumeAt: resumeAt.toISOString() } }),
      };
    }
    case "send_email":
      return sendEmail(ports, input, step, log);
    case "create_discount_code":
      return createDiscountCode(ports, input, step, log);
    case "create_task":
      return createTask(ports, input, step, log);
    case "send_webhook":
      return sendWebhook(ports, input, step, log);
    default:
      throw new Error(`Unknown step type ${(step as { type: string }).type}`);
  }
}

type Log = (status: StepRun["status"], extra?: Partial<StepRun>) => StepRun;

/**
 * The texts' renderer (LiquidJS) and the mail composer (the message catalog), loaded by the first
 * step that writes one: most events the queue brings match no workflow, or run other steps.
 */
const templating = () => import("./templating.ts");
const email = () => import("./email.ts");

async function sendEmail(
  ports: WorkflowEnginePorts,
  { merchantId, enrollment, path }: StepRunInput,
  step: Extract<WorkflowStep, { type: "send_email" }>,
  log: Log,
): Promise<StepOutcome> {
  const merchant = await requireMerchant(ports, merchantId);
  const customer = enrollment.customerId
    ? await ports.reads.customer(merchantId, enrollment.customerId)
    : undefined;
  const { addressee, workflowMail } = await email();
  const to = addressee(step.to, merchant, customer);
  if ("skipped" in to) return { log: log("skipped", { reason: to.skipped }) };
  let capped = false;
  let ended = false;
  const sent = await ports.once(
    // The claim expires on real time: on a test clock's frozen time a crashed holder's never would.
    {
      consumer: "workflows",
      key: `${enrollment.id}:${path}`,
      clock: ports.clock,
      claimSeconds: emailClaimSeconds,
    },
    async () => {
      // Canceled since this run read it: no mail after the cancel (one read, the send's cost is higher).
      if ((await ports.enrollments.read(merchantId, enrollment.id))?.value.status !== "running") {
        ended = true;
        return undefined;
      }
      // Counted on real time: a test clock's frozen days would each open a window, yet mail goes out for real.
      const take = await ports.limits.take(windowLimits.workflowEmails, merchantId, "all", ports.clock.now());
      if (!take.taken) {
        capped = true;
        return undefined;
      }
      const unsubscribeUrl =
        to.buyer && customer ? await ports.reads.links.unsubscribe(merchantId, customer.id) : undefined;
      try {
        const mail = await workflowMail(step, to, enrollment.context, merchant, unsubscribeUrl);
        return (await ports.mailer.send(mail)).messageId;
      } catch (error) {
        // Not sent: the day's slot is not used up by a failure.
        await take.slot.giveBack();
        throw error;
      }
    },
  );
  if (sent.status === "held") {
    throw new EmailClaimHeldError(`Another delivery is sending the email of ${enrollment.id} step ${path}`);
  }
  // Its advance then loses to the cancel's, and the run stops at the ended enrollment.
  if (ended) return { log: log("skipped", { reason: "canceled" }) };
  if (capped) return { log: log("skipped", { reason: "daily_cap" }) };
  return {
    log: log("completed", {
      result: { ...(sent.result ? { emailId: sent.result } : {}), to: to.email },
    }),
  };
}

/** Generated codes: 12 characters of an alphabet without look-alikes (no I, O, 0, 1). */
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const codeLength = 12;

/** A random single-use code (crypto random, unbiased: 256 is a multiple of the 32 letters). */
export function randomCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(codeLength));
  return Array.from(bytes, (byte) => codeAlphabet[byte % codeAlphabet.length]).join("");
}

/** The currency of the trigger's object (payment, invoice, renewal…), else the merchant's default. */
function contextCurrency(context: WorkflowContext, merchant: WorkflowMerchant): string {
  for (const object of ["payment", "invoice", "renewal", "subscription", "quote", "checkout"] as const) {
    const value = context[object];
    const money =
      value && Object.values(value).find((v) => typeof v === "object" && v !== null && "currency" in v);
    const currency = value?.currency ?? (money as { currency?: unknown } | undefined)?.currency;
    if (typeof currency === "string") return currency;
  }
  return merchant.defaultCurrency;
}

async function createDiscountCode(
  ports: WorkflowEnginePorts,
  { merchantId, enrollment, clock }: StepRunInput,
  step: Extract<WorkflowStep, { type: "create_discount_code" }>,
  log: Log,
): Promise<StepOutcome> {
  const now = clock.now();
  const merchant = await requireMerchant(ports, merchantId);
  const currency = contextCurrency(enrollment.context, merchant);
  const code: DiscountCode = {
    id: newId("discountCode", now),
    code: randomCode(),
    ...(step.amountOff !== undefined
      ? { amountOff: step.amountOff, currency }
      : { percentOff: step.percentOff as number }),
    duration: "once",
    maxRedemptions: 1,
    expiresAt: new Date(now.getTime() + step.expiresInDays * 86_400_000).toISOString(),
    active: true,
    timesRedeemed: 0,
    metadata: { workflowId: enrollment.workflowId, enrollmentId: enrollment.id },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  return {
    log: log("completed", { result: { discountCodeId: code.id, code: code.code } }),
    context: {
      ...enrollment.context,
      discountCode: project(objectShapes.discountCode, { ...code, amountOff: code.amountOff ?? null }),
    },
    changes: ports.discountCodes.createChanges(merchantId, code),
    events: [newEvent("discount_code.created", merchantId, code.id, now, { discountCode: code })],
  };
}

async function createTask(
  ports: WorkflowEnginePorts,
  { merchantId, enrollment, clock }: StepRunInput,
  step: Extract<WorkflowStep, { type: "create_task" }>,
  log: Log,
): Promise<StepOutcome> {
  const now = clock.now();
  const merchant = await requireMerchant(ports, merchantId);
  // A task is the merchant's: in its locale.
  const options = { timeZone: merchant.timeZone, locale: readerLocale(merchant) };
  const context = enrollment.context;
  const idOf = (object: "customer" | "payment" | "invoice" | "subscription" | "quote") => {
    const id = context[object]?.id;
    return typeof id === "string" ? { [`${object}Id`]: id } : {};
  };
  const { renderTemplate } = await templating();
  const { task, event } = newTask(
    merchantId,
    {
      title: await renderTemplate(step.title, context, "subject", options),
      ...(step.body !== undefined
        ? { body: (await renderTemplate(step.body, context, "text", options)).trim() }
        : {}),
      ...(step.dueInDays !== undefined
        ? { dueDate: addDays(localDate(now, merchant.timeZone), step.dueInDays) }
        : {}),
      related: {
        ...idOf("customer"),
        ...idOf("payment"),
        ...idOf("invoice"),
        ...idOf("subscription"),
        ...idOf("quote"),
      },
      createdBy: enrollment.workflowId,
      enrollmentId: enrollment.id,
    },
    now,
  );
  return {
    log: log("completed", { result: { taskId: task.id } }),
    changes: ports.tasks.createChanges(merchantId, task, event),
  };
}

/** A webhook step's answer must come within this (as an endpoint's delivery's). */
export const webhookTimeoutMs = 10_000;

/**
 * POSTs the trigger event, as `GET /v1/events/{id}` shows it plus the workflow's and enrollment's
 * ids, signed with the workflow's secret at real time (what the receiver's clock compares with). A
 * 2xx completes the step; another answer or none throws (retried by the queue); a URL the guard now
 * refuses fails the enrollment without retries.
 */
async function sendWebhook(
  ports: WorkflowEnginePorts,
  { merchantId, enrollment, path }: StepRunInput,
  step: Extract<WorkflowStep, { type: "send_webhook" }>,
  log: Log,
): Promise<StepOutcome> {
  const event = await ports.webhooks.event(merchantId, enrollment.trigger.eventId);
  if (!event)
    throw new StepRefusedError(`The trigger event ${enrollment.trigger.eventId} is no longer retained`);
  const secret = await ports.webhooks.secretOf(merchantId, enrollment.workflowId);
  if (!secret) throw new Error(`Workflow ${enrollment.workflowId} has no webhook secret`);
  const body = JSON.stringify({
    ...presentEvent(event),
    workflowId: enrollment.workflowId,
    enrollmentId: enrollment.id,
  });
  const result = await ports.webhooks.outbound.post({
    url: step.url,
    body,
    timeoutMs: webhookTimeoutMs,
    headers: {
      "content-type": "application/json",
      "user-agent": "Kassa-Webhooks/1",
      "Kassa-Event-Id": event.id,
      "Kassa-Signature": signatureHeader([secret], Math.floor(ports.clock.now().getTime() / 1000), body),
      "Kassa-Workflow-Step": `${enrollment.id}:${path}`,
    },
  });
  switch (result.outcome) {
    case "refused":
      throw new StepRefusedError(`Kassa does not post to ${step.url}: ${result.error}`);
    case "failed":
      throw new Error(`The webhook to ${step.url} got no answer: ${result.error}`);
    case "responded":
      if (result.status < 200 || result.status > 299)
        throw new Error(`The webhook to ${step.url} answered ${result.status}`);
      return { log: log("completed", { result: { webhookStatus: result.status } }) };
  }
}

/** `PT5M`, `PT2H`, `P3D`, `P1DT12H` in milliseconds (the resource validated the form). */
export function durationMs(duration: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(duration);
  if (!match) throw new Error(`Not a workflow duration: ${duration}`);
  const [, days = "0", hours = "0", minutes = "0"] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000;
}

/** A delay's schedule: named after the enrollment and the step (`.` is not allowed in every scheduler's names). */
export const resumeScheduleName = (enrollmentId: string, path: StepPath) =>
  `${enrollmentId}-${path.replaceAll(".", "_")}`;
