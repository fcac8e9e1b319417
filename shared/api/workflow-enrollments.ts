/** Operations on a workflow's enrollments: list (by status, by customer), get, cancel. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { workflowTriggers } from "../workflows/workflow.ts";
import { listQuery, page } from "./common.ts";
import { lazy } from "../lazy.ts";

const stepTypes = [
  "delay",
  "send_email",
  "create_task",
  "create_discount_code",
  "send_webhook",
  "branch",
] as const;
const statuses = ["running", "completed", "failed", "canceled"] as const;

const stepRun = lazy(() =>
  z.object({
    path: z
      .string()
      .describe("Where the step sits: its index at each level, with the branch taken between (`1.then.0`)"),
    type: z.enum(stepTypes),
    status: z.enum(["completed", "waiting", "skipped", "failed"]),
    at: z.string(),
    result: z
      .object({
        emailId: z.string().optional(),
        to: z.string().optional(),
        taskId: z.string().optional(),
        discountCodeId: z.string().optional(),
        code: z.string().optional(),
        branch: z.enum(["then", "else"]).optional(),
        resumeAt: z.string().optional(),
        webhookStatus: z.number().int().optional(),
      })
      .optional()
      .describe(
        "What the step produced: the email's id and address, the task's id, the code, the branch taken, when a delay ends, the webhook receiver's status",
      ),
    reason: z
      .string()
      .optional()
      .describe("Why a step was skipped (`unsubscribed`, `daily_cap`, …) or failed"),
  }),
);

export const enrollment = lazy(() =>
  z.object({
    id: z.string(),
    workflowId: z.string(),
    version: z.number().int().describe("The workflow's version the enrollment runs to its end"),
    status: z.enum(statuses),
    customerId: z.string().optional(),
    trigger: z.object({ eventId: z.string(), eventType: z.enum(workflowTriggers) }),
    next: z.string().optional().describe("The next step's path; absent once the enrollment ended"),
    resumeAt: z.string().optional().describe("When the delay it waits on ends"),
    attempts: z.number().int().describe("Failed tries of the next step; at 3 the enrollment fails"),
    log: z.array(stepRun()),
    failureReason: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    endedAt: z.string().optional(),
  }),
);

const workflowParams = lazy(() => z.strictObject({ id: z.string().min(1).max(64) }).describe("workflow id"));
const enrollmentParams = lazy(() =>
  z
    .strictObject({ id: z.string().min(1).max(64), eid: z.string().min(1).max(64) })
    .describe("workflow id and enrollment id"),
);

const common = { auth: "merchant", tag: "Workflows" } as const;

export const listEnrollments = defineOperation({
  ...common,
  id: "listWorkflowEnrollments",
  method: "GET",
  path: "/v1/workflows/{id}/enrollments",
  summary: "List a workflow's enrollments with their step logs, newest first; filter by status or customer",
  params: workflowParams,
  query: () =>
    listQuery().extend({
      status: z.enum(statuses).optional(),
      customerId: z.string().min(1).max(64).optional(),
    }),
  response: () => page(enrollment()),
  status: 200,
});

export const getEnrollment = defineOperation({
  ...common,
  id: "getWorkflowEnrollment",
  method: "GET",
  path: "/v1/workflows/{id}/enrollments/{eid}",
  summary: "Get an enrollment with its step log",
  params: enrollmentParams,
  response: enrollment,
  status: 200,
});

export const cancelEnrollment = defineOperation({
  ...common,
  id: "cancelWorkflowEnrollment",
  method: "POST",
  path: "/v1/workflows/{id}/enrollments/{eid}/cancel",
  summary: "Cancel a running enrollment (its remaining steps never run); 409 once it ended",
  params: enrollmentParams,
  response: enrollment,
  status: 200,
});

export const enrollmentOperations = [listEnrollments, getEnrollment, cancelEnrollment];
