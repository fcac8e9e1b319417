/**
 * Operations on workflows: what a merchant automates after an event (a trigger, its filters, and
 * steps: delays, emails, tasks, single-use discount codes, signed webhooks, branches), their versions, and the
 * ready-made templates. The request schemas give the shape; what depends on the trigger (fields,
 * template variables), the team and the nesting is checked by the use case, each error at its field.
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import type { NewWorkflow, WorkflowPatch } from "../workflows/service.ts";
import { maxTemplateLength } from "../workflows/template-limits.ts";
import {
  filterOps,
  maxBranchDepth,
  maxSteps,
  type WorkflowFilter,
  type WorkflowStep,
  workflowTriggers,
} from "../workflows/workflow.ts";
import { email, flag, idParams, listQuery, page, parsesTo } from "./common.ts";
import { lazy } from "../lazy.ts";

const triggerEvent = lazy(() => z.enum(workflowTriggers).describe("The event type that starts the workflow"));

/** Typed as the domain's filter, whose value is open (the validator checks it against the field's kind). */
const filter: () => z.ZodType<WorkflowFilter> = lazy(() =>
  z
    .strictObject({
      field: z
        .string()
        .min(1)
        .max(100)
        .describe("A field of the trigger's context, e.g. payment.amount (money compares its minor units)"),
      op: z.enum(filterOps),
      value: z
        .union([
          z.string().max(500),
          z.number(),
          z.boolean(),
          z.array(z.union([z.string().max(500), z.number(), z.boolean()])).max(100),
        ])
        .optional()
        .describe("in: a list; exists: true (the default) or false; otherwise a string, number or boolean"),
    })
    .describe("A condition on the context; a workflow's filters must all hold"),
);

const filters = lazy(() => z.array(filter()).max(20));

const trigger = lazy(() =>
  z.strictObject({
    event: triggerEvent(),
    filters: filters().optional().describe("All must hold for the event to enroll (default none)"),
  }),
);

const template = (max: number, what: string) =>
  z
    .string()
    .max(max)
    .describe(
      `${what}: a LiquidJS template over the trigger's context ({{ customer.name }}, {{ payment.amount | money }}, {{ subscription.nextBillingAt | date }}) and its reader's {{ locale }} and {{ language }}, money and dates printed in that locale unless the filter names one ({{ payment.amount | money: "nb-NO" }}); unknown variables and filters, and a filter's locale that is none, are refused`,
    );

const recipient = lazy(() =>
  z
    .union([
      z.enum(["customer", "account_owner", "merchant"]),
      z.strictObject({ userEmail: email().describe("The merchant's email or a team member's") }),
    ])
    .describe("customer; account_owner (the customer's, else the merchant); merchant; or { userEmail }"),
);

const delay = lazy(() =>
  z.strictObject({
    type: z.literal("delay"),
    duration: z
      .string()
      .max(40)
      .describe("ISO 8601 of days, hours and minutes (PT5M, PT2H, P3D, P1DT12H): ≥ 1 minute, ≤ 365 days"),
  }),
);
const sendEmail = lazy(() =>
  z.strictObject({
    type: z.literal("send_email"),
    to: recipient(),
    subject: template(200, "Subject (one line)"),
    body: template(maxTemplateLength, "Body (HTML-escaped in the HTML part)"),
  }),
);
const createTask = lazy(() =>
  z.strictObject({
    type: z.literal("create_task"),
    title: template(200, "Title"),
    body: template(5_000, "Body").optional(),
    dueInDays: z.number().int().optional().describe("Due this many days after it is created (0–365)"),
  }),
);
const createDiscountCode = lazy(() =>
  z
    .strictObject({
      type: z.literal("create_discount_code"),
      percentOff: z
        .number()
        .optional()
        .describe("0 < percentOff ≤ 100; exactly one of percentOff and amountOff"),
      amountOff: z
        .number()
        .int()
        .optional()
        .describe("Minor units of the trigger's currency (else the merchant's default currency)"),
      expiresInDays: z.number().int().describe("1–365"),
      maxRedemptions: z.literal(1).describe("Always 1: a workflow's codes are single-use"),
    })
    .describe("A single-use code; later steps read {{ discountCode.code }}"),
);

const sendWebhook = lazy(() =>
  z
    .strictObject({
      type: z.literal("send_webhook"),
      url: z
        .string()
        .max(2048)
        .describe(
          "An https URL on the public internet (private, loopback, link-local and other reserved addresses are refused, at save time and at each send)",
        ),
    })
    .describe(
      "POSTs the trigger event (as GET /v1/events/{id} shows it, plus workflowId and enrollmentId), signed in Kassa-Signature with the workflow's webhookSecret; a non-2xx answer or none is retried",
    ),
);

const stepsNote = `At most ${maxSteps} steps counting those inside branches; branches nest at most ${maxBranchDepth} deep`;

/**
 * A branch one level deeper than allowed: its own steps are not read (the use case refuses it,
 * naming it), so a body nested thousands deep is a 400, never a parser's stack overflow.
 */
const tooDeepBranch = lazy(() => z.looseObject({ type: z.literal("branch") }));

/**
 * The steps at branch depth `depth` (1: the workflow's own). Not a recursive schema: one nested
 * `maxBranchDepth + 1` levels deep, whose last level checks every step but a branch's insides.
 */
function stepsAt(depth: number): z.ZodType<WorkflowStep[]> {
  const inner =
    depth < maxBranchDepth
      ? stepsAt(depth + 1)
      : (z
          .array(
            z.discriminatedUnion("type", [
              delay(),
              sendEmail(),
              createTask(),
              createDiscountCode(),
              sendWebhook(),
              tooDeepBranch(),
            ]),
          )
          .max(maxSteps) as never);
  const branch = z.strictObject({
    type: z.literal("branch"),
    if: filters().describe("Conditions on the context at this step: all hold → then, else → else"),
    // biome-ignore lint/suspicious/noThenProperty: the contract names a branch's ways then and else
    then: inner,
    else: inner,
  });
  return z
    .array(
      z.discriminatedUnion("type", [
        delay(),
        sendEmail(),
        createTask(),
        createDiscountCode(),
        sendWebhook(),
        branch,
      ]),
    )
    .max(maxSteps)
    .describe(stepsNote);
}
const steps = lazy(() => stepsAt(1));

const name = lazy(() => z.string().trim().min(1).max(100));

export const newWorkflow = lazy(() =>
  parsesTo<NewWorkflow>()(
    z.strictObject({
      name: name().optional().describe("Required unless fromTemplate (then the template's name by default)"),
      active: z.boolean().optional().describe("Only an active workflow enrolls (default true)"),
      trigger: trigger().optional().describe("Required unless fromTemplate"),
      reenroll: z
        .boolean()
        .optional()
        .describe("false (default): a customer goes through once; true: once per triggering event"),
      steps: steps().optional().describe("Required unless fromTemplate"),
      fromTemplate: z
        .string()
        .max(64)
        .optional()
        .describe(
          "A template id (GET /v1/workflow-templates): its trigger and steps, without trigger/steps/reenroll",
        ),
    }),
  ),
);

export const workflowPatch = lazy(() =>
  parsesTo<WorkflowPatch>()(
    z.strictObject({
      name: name().optional(),
      active: z.boolean().optional(),
      trigger: trigger().optional(),
      reenroll: z.boolean().optional(),
      steps: steps().optional(),
    }),
  ),
);

const definition = lazy(() => ({
  trigger: z.object({ event: triggerEvent(), filters: filters() }),
  reenroll: z.boolean(),
  steps: steps(),
}));

export const workflow = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    active: z.boolean(),
    version: z.int().describe("The current version, from 1; editing the trigger, reenroll or steps adds one"),
    template: z.string().optional().describe("The template it was created from"),
    ...definition(),
    webhookSecretCreatedAt: z
      .string()
      .optional()
      .describe("When its webhook signing secret was made (with its first send_webhook step)"),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

/** A create or update response: the first send_webhook step's secret is in it, this once. */
const savedWorkflow = lazy(() =>
  workflow().extend({
    webhookSecret: z
      .string()
      .optional()
      .describe(
        "whsec_…: signs this workflow's webhooks (Kassa-Signature); only in the response that added its first send_webhook step",
      ),
  }),
);

export const workflowVersion = lazy(() =>
  z.object({
    workflowId: z.string(),
    version: z.int(),
    ...definition(),
    createdAt: z.string(),
  }),
);

export const workflowTemplate = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    ...definition(),
  }),
);

const base = { auth: "merchant", tag: "Workflows" } as const;
const byId = { ...base, params: lazy(() => idParams("workflow")) } as const;

export const createWorkflow = defineOperation({
  ...base,
  id: "createWorkflow",
  method: "POST",
  path: "/v1/workflows",
  summary:
    "Create a workflow (its version 1), from its own trigger and steps or from a template (fromTemplate)",
  body: newWorkflow,
  response: savedWorkflow,
  responseCarriesSecret: true,
  status: 201,
});

export const listWorkflows = defineOperation({
  ...base,
  id: "listWorkflows",
  method: "GET",
  path: "/v1/workflows",
  summary: "List workflows, newest first",
  query: () => listQuery().extend({ active: flag().optional(), trigger: triggerEvent().optional() }),
  response: () => page(workflow()),
  status: 200,
});

export const getWorkflow = defineOperation({
  ...byId,
  id: "getWorkflow",
  method: "GET",
  path: "/v1/workflows/{id}",
  summary: "Get a workflow",
  response: workflow,
  status: 200,
});

export const updateWorkflow = defineOperation({
  ...byId,
  id: "updateWorkflow",
  method: "PATCH",
  path: "/v1/workflows/{id}",
  summary:
    "Update a workflow; a changed trigger, reenroll or steps is a new version (running enrollments finish on theirs), a name or active alone is not",
  body: workflowPatch,
  response: savedWorkflow,
  status: 200,
});

export const deleteWorkflow = defineOperation({
  ...byId,
  id: "deleteWorkflow",
  method: "DELETE",
  path: "/v1/workflows/{id}",
  summary:
    "Delete a workflow: it enrolls nobody more; its running enrollments are canceled when they next run",
  status: 204,
});

export const listWorkflowVersions = defineOperation({
  ...byId,
  id: "listWorkflowVersions",
  method: "GET",
  path: "/v1/workflows/{id}/versions",
  summary: "List a workflow's versions, newest first",
  query: listQuery,
  response: () => page(workflowVersion()),
  status: 200,
});

export const listWorkflowTemplates = defineOperation({
  ...base,
  id: "listWorkflowTemplates",
  method: "GET",
  path: "/v1/workflow-templates",
  summary: "List the ready-made workflows (POST /v1/workflows { fromTemplate } creates one)",
  response: () => z.object({ data: z.array(workflowTemplate()) }),
  status: 200,
});

export const workflowOperations = [
  createWorkflow,
  listWorkflows,
  getWorkflow,
  updateWorkflow,
  deleteWorkflow,
  listWorkflowVersions,
  listWorkflowTemplates,
];
