/**
 * The workflows pages: the list with enable/disable, a new workflow from one of the ready-made
 * templates, a workflow's page (its definition edited step by step, its enrollments), and an
 * enrollment's page with its step log. Every change goes through the use case `/v1/workflows` calls,
 * its body checked by that operation's schema, so a refused edit names the step's field as the API's
 * 400 does (`steps.0.subject`) and writes nothing.
 */
import * as enrollmentOps from "../../../api/workflow-enrollments.ts";
import * as ops from "../../../api/workflows.ts";
import { reportReadPorts, workflowEnrollmentPorts, workflowPorts } from "../../../composition.ts";
import { type FieldError, ValidationError } from "../../../domain/errors.ts";
import * as enrollments from "../../../workflows/enrollments.ts";
import * as workflows from "../../../workflows/service.ts";
import { workflowTemplates } from "../../../workflows/templates.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { StepRun, StepType, Workflow } from "../../../workflows/workflow.ts";
import type { DashboardRequest, DashboardResult, DashboardRoute } from "../../context.ts";
import {
  actionButton,
  badge,
  csrfField,
  facts,
  fieldProblems,
  type Html,
  html,
  pageHeader,
  section,
  table,
  when,
} from "../../ui.ts";
import { bodyOf, merchantOf, may, objectLink, once, onceField, possible, words } from "../details/common.ts";
import {
  blankStep,
  draftFromForm,
  draftOf,
  patchOf,
  stepTypes,
  type WorkflowDraft,
  workflowFields,
} from "./workflow-form.ts";

const base = "/app/workflows";
const workflowPath = (id: string) => `${base}/${encodeURIComponent(id)}`;
/** Enrollments a workflow's page shows, newest first. */
const enrollmentsShown = 50;

const idOf = (request: DashboardRequest) => request.params.id ?? "";
const status = (w: Pick<Workflow, "active">) => (w.active ? badge("active") : badge("paused", "disabled"));
const stepsSummary = (types: readonly StepType[]) => types.map(words).join(" → ");

/** Enable or disable: the API's `active` through its update. */
function toggle(request: DashboardRequest, workflow: Workflow, back: "list" | "page"): Html | string {
  if (!may(request, ops.updateWorkflow)) return "";
  return actionButton({
    action: `${workflowPath(workflow.id)}/active`,
    label: workflow.active ? "Disable" : "Enable",
    csrfToken: request.csrfToken,
    fields: { active: String(!workflow.active), back },
  });
}

async function listPage(request: DashboardRequest): Promise<DashboardResult> {
  const [merchant, found] = await Promise.all([
    merchantOf(request),
    workflows.listWorkflows(workflowPorts(request.clock), request.user.merchantId, { limit: 100 }, {}),
  ]);
  const creates = may(request, ops.createWorkflow);
  const templates = section(
    "Create from a template",
    html`<ul class="template-list">${workflowTemplates.map(
      (t) =>
        html`<li class="card"><h3>${t.name}</h3><p>${t.description}</p><p class="muted">Starts on ${t.trigger.event}: ${stepsSummary(t.steps.map((s) => s.type))}</p>${
          creates
            ? html`<form method="post" action="${base}/new" class="inline-form">${csrfField(request.csrfToken)}<input type="hidden" name="once" value="${onceField().once}"><input type="hidden" name="fromTemplate" value="${t.id}"><button type="submit" class="button button-primary" aria-label="Create: ${t.name}">Create</button></form>`
            : ""
        }</li>`,
    )}</ul>`,
  );
  const body = html`${pageHeader("Workflows", undefined, "What happens on its own after a payment, a renewal, an overdue invoice…")}
${section(
  "Workflows",
  table({
    caption: "Workflows",
    rows: found.items,
    empty: "No workflows yet: create one from a template below.",
    columns: [
      { header: "Name", cell: (w) => html`<a href="${workflowPath(w.id)}">${w.name}</a>` },
      { header: "Status", cell: status },
      { header: "Starts on", cell: (w) => w.trigger.event },
      { header: "Steps", cell: (w) => stepsSummary(w.steps.map((s) => s.type)) },
      { header: "Version", numeric: true, cell: (w) => w.version },
      { header: "Updated", cell: (w) => when(w.updatedAt, merchant.timeZone) },
      { header: "Actions", cell: (w) => toggle(request, w, "list") },
    ],
  }),
)}
${templates}`;
  return { kind: "page", title: "Workflows", body: String(body) };
}

/** The page for a signing secret made with a workflow's first webhook step: shown this once. */
function secretPage(workflow: workflows.SavedWorkflow & { webhookSecret: string }): DashboardResult {
  const body = html`${pageHeader("Webhook signing secret", undefined, workflow.name)}
${section(
  "Copy it now",
  html`<p>This workflow's webhooks are signed (Kassa-Signature) with this secret. It is shown only this once.</p><div class="field"><label for="webhook-secret">Signing secret</label><input id="webhook-secret" readonly value="${workflow.webhookSecret}"></div><div class="form-actions"><button type="button" class="button button-secondary" data-copy="webhook-secret">Copy</button> <a class="button button-primary" href="${workflowPath(workflow.id)}">Back to the workflow</a></div>`,
)}`;
  return { kind: "page", title: "Webhook signing secret", body: String(body) };
}

async function createFromTemplate(request: DashboardRequest): Promise<DashboardResult> {
  const input = bodyOf(ops.createWorkflow, { fromTemplate: request.form.get("fromTemplate") ?? "" });
  const created = await once(request, () =>
    workflows.createWorkflow(workflowPorts(request.clock), request.user.merchantId, input),
  );
  return {
    kind: "redirect",
    location: workflowPath(created.id),
    notice: `Created “${created.name}”: it is active — edit its steps below`,
  };
}

async function setActive(request: DashboardRequest): Promise<DashboardResult> {
  const active = request.form.get("active");
  const patch = bodyOf(ops.updateWorkflow, {
    active: active === "true" ? true : active === "false" ? false : active,
  });
  const saved = await workflows.updateWorkflow(
    workflowPorts(request.clock),
    request.user.merchantId,
    idOf(request),
    patch,
  );
  return {
    kind: "redirect",
    location: request.form.get("back") === "list" ? base : workflowPath(saved.id),
    notice: `“${saved.name}” is ${saved.active ? "enabled" : "disabled"}`,
  };
}

async function remove(request: DashboardRequest): Promise<DashboardResult> {
  await workflows.deleteWorkflow(workflowPorts(request.clock), request.user.merchantId, idOf(request));
  return { kind: "redirect", location: base, notice: "Deleted the workflow: it enrolls nobody more" };
}

/** Customers' names for a page's rows (as the API's reports read them). */
async function customerNames(request: DashboardRequest, ids: readonly (string | undefined)[]) {
  const wanted = [...new Set(ids.filter((id): id is string => id !== undefined))];
  if (wanted.length === 0) return new Map<string, string>();
  const found = await reportReadPorts(request.clock).customersNamed(request.user.merchantId, wanted);
  return new Map(found.map((c) => [c.id, c.name ?? c.email]));
}

/**
 * A workflow's page: its facts, the editor (with `draft` and `errors` when a save was refused or a
 * step was added), and its enrollments.
 */
async function workflowPage(
  request: DashboardRequest,
  edit?: { draft: WorkflowDraft; errors: readonly FieldError[] },
): Promise<DashboardResult> {
  const { merchantId } = request.user;
  const id = idOf(request);
  const [merchant, workflow, enrolled] = await Promise.all([
    merchantOf(request),
    workflows.getWorkflow(workflowPorts(request.clock), merchantId, id),
    enrollments.listEnrollments(workflowEnrollmentPorts(request.clock), merchantId, id, {
      limit: enrollmentsShown,
    }),
  ]);
  const zone = merchant.timeZone;
  const names = await customerNames(
    request,
    enrolled.items.map((e) => e.customerId),
  );
  const draft = edit?.draft ?? draftOf(workflow.name, workflow);
  const errors = edit?.errors ?? [];
  const editor = may(request, ops.updateWorkflow)
    ? html`<form method="post" action="${workflowPath(id)}" class="stack-form workflow-form">${csrfField(request.csrfToken)}${workflowFields(draft, errors)}<div class="form-actions"><button type="submit" class="button button-primary">Save</button></div><div class="form-actions"><div class="field"><label for="wf-add">Add a step</label><select id="wf-add" name="add">${stepTypes.map((t) => html`<option value="${t}">${words(t)}</option>`)}</select></div><button type="submit" name="intent" value="add" class="button button-secondary">Add step</button></div></form>`
    : html`<p class="muted">Your role may not edit workflows.</p>`;
  const body = html`${pageHeader(
    workflow.name,
    html`${toggle(request, workflow, "page")}${may(request, ops.deleteWorkflow) ? actionButton({ action: `${workflowPath(id)}/delete`, label: "Delete", csrfToken: request.csrfToken, tone: "danger", confirm: `Delete “${workflow.name}”? It enrolls nobody more; running enrollments are canceled.` }) : ""}`,
    html`<a href="${base}">Workflows</a>`,
  )}
${errors.length > 0 ? fieldProblems("The workflow was not saved", errors) : ""}
${section(
  "Workflow",
  facts([
    ["Status", status(workflow)],
    ["Starts on", workflow.trigger.event],
    ["Enrolls", workflow.reenroll ? "Once per triggering event" : "A customer once"],
    ["Version", String(workflow.version)],
    ["Template", workflow.template],
    ["Updated", when(workflow.updatedAt, zone)],
  ]),
)}
${section("Steps", editor)}
${section(
  "Enrollments",
  table({
    caption: "Enrollments",
    rows: enrolled.items,
    empty: "Nobody is enrolled yet: the workflow enrolls when its trigger event happens.",
    columns: [
      {
        header: "Enrollment",
        cell: (e) => html`<a href="${workflowPath(id)}/enrollments/${encodeURIComponent(e.id)}">${e.id}</a>`,
      },
      { header: "Status", cell: (e) => badge(e.status) },
      {
        header: "Customer",
        cell: (e) => (e.customerId ? objectLink("customers", e.customerId, names.get(e.customerId)) : "—"),
      },
      { header: "Event", cell: (e) => e.trigger.eventType },
      { header: "Steps run", numeric: true, cell: (e) => e.log.length },
      { header: "Started", cell: (e) => when(e.createdAt, zone) },
    ],
  }),
)}`;
  return {
    kind: "page",
    title: workflow.name,
    body: String(body),
    ...(errors.length > 0 ? { status: 400 } : {}),
  };
}

/**
 * Saves the editor's form through the update use case — or, for "Add step", shows the form again as
 * typed with a blank step added (nothing saved). A refused save shows the form as sent with each
 * problem at its control (400).
 */
async function save(request: DashboardRequest): Promise<DashboardResult> {
  const draft = draftFromForm(request.form);
  if (request.form.get("intent") === "add") {
    const type = request.form.get("add") as StepType;
    if (!stepTypes.includes(type))
      throw new ValidationError([{ path: "add", message: `must be one of ${stepTypes.join(", ")}` }]);
    return workflowPage(request, {
      draft: { ...draft, steps: [...draft.steps, blankStep(type)] },
      errors: [],
    });
  }
  try {
    const { input, problems } = patchOf(draft);
    if (problems.length > 0) throw new ValidationError(problems);
    const patch = bodyOf(ops.updateWorkflow, input);
    const saved = await workflows.updateWorkflow(
      workflowPorts(request.clock),
      request.user.merchantId,
      idOf(request),
      patch,
    );
    if (saved.webhookSecret) return secretPage({ ...saved, webhookSecret: saved.webhookSecret });
    return {
      kind: "redirect",
      location: workflowPath(saved.id),
      notice: `Saved “${saved.name}” (version ${saved.version})`,
    };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return workflowPage(request, { draft, errors: error.errors });
  }
}

/** What a step produced, in words. */
function resultOf(run: StepRun, zone: string): Html | string {
  const r = run.result;
  if (!r) return "";
  const parts: (Html | string)[] = [
    ...(r.to ? [`Email to ${r.to}`] : []),
    ...(r.taskId ? [html`Task ${objectLink("tasks", r.taskId)}`] : []),
    ...(r.code ? [`Code ${r.code}`] : []),
    ...(r.branch ? [`Took ${r.branch}`] : []),
    ...(r.resumeAt ? [html`Until ${when(r.resumeAt, zone)}`] : []),
    ...(r.webhookStatus !== undefined ? [`Webhook answered ${r.webhookStatus}`] : []),
  ];
  return html`${parts.map((p, i) => html`${i > 0 ? "; " : ""}${p}`)}`;
}

async function enrollmentPage(request: DashboardRequest): Promise<DashboardResult> {
  const { merchantId } = request.user;
  const id = idOf(request);
  const [merchant, workflow, enrollment] = await Promise.all([
    merchantOf(request),
    workflows.getWorkflow(workflowPorts(request.clock), merchantId, id),
    enrollments.getEnrollment(
      workflowEnrollmentPorts(request.clock),
      merchantId,
      id,
      request.params.eid ?? "",
    ),
  ]);
  const zone = merchant.timeZone;
  const names = await customerNames(request, [enrollment.customerId]);
  const cancel =
    may(request, enrollmentOps.cancelEnrollment) && possible(() => enrollments.assertCancelable(enrollment))
      ? actionButton({
          action: `${workflowPath(id)}/enrollments/${encodeURIComponent(enrollment.id)}/cancel`,
          label: "Cancel enrollment",
          csrfToken: request.csrfToken,
          tone: "danger",
          confirm: "Cancel this enrollment? Its remaining steps never run.",
        })
      : "";
  const body = html`${pageHeader(
    `Enrollment ${enrollment.id}`,
    cancel,
    html`<a href="${workflowPath(id)}">${workflow.name}</a>`,
  )}
${section(
  "Enrollment",
  facts([
    ["Status", badge(enrollment.status)],
    [
      "Customer",
      enrollment.customerId
        ? objectLink("customers", enrollment.customerId, names.get(enrollment.customerId))
        : undefined,
    ],
    ["Trigger", `${enrollment.trigger.eventType} (${enrollment.trigger.eventId})`],
    ["Version", String(enrollment.version)],
    ["Next step", enrollment.next],
    ["Waits until", enrollment.resumeAt ? when(enrollment.resumeAt, zone) : undefined],
    ["Failed tries", String(enrollment.attempts)],
    ["Failure", enrollment.failureReason],
    ["Started", when(enrollment.createdAt, zone)],
    ["Ended", enrollment.endedAt ? when(enrollment.endedAt, zone) : undefined],
  ]),
)}
${section(
  "Step log",
  table({
    caption: "Step log",
    rows: enrollment.log,
    empty: "No step has run yet.",
    columns: [
      { header: "Step", cell: (s) => s.path },
      { header: "Type", cell: (s) => words(s.type) },
      { header: "Status", cell: (s) => badge(s.status) },
      { header: "At", cell: (s) => when(s.at, zone) },
      { header: "Result", cell: (s) => resultOf(s, zone) },
      { header: "Reason", cell: (s) => s.reason },
    ],
  }),
)}`;
  return { kind: "page", title: `Enrollment ${enrollment.id}`, body: String(body) };
}

async function cancel(request: DashboardRequest): Promise<DashboardResult> {
  const id = idOf(request);
  await enrollments.cancelEnrollment(
    workflowEnrollmentPorts(request.clock),
    request.user.merchantId,
    id,
    request.params.eid ?? "",
  );
  return {
    kind: "redirect",
    location: `${workflowPath(id)}/enrollments/${encodeURIComponent(request.params.eid ?? "")}`,
    notice: "Canceled the enrollment: its remaining steps never run",
  };
}

export const workflowRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: base, permission: permissionFor(ops.listWorkflows), handle: listPage },
  {
    method: "POST",
    path: `${base}/new`,
    permission: permissionFor(ops.createWorkflow),
    handle: createFromTemplate,
  },
  {
    method: "GET",
    path: `${base}/{id}`,
    permission: permissionFor(ops.getWorkflow),
    handle: (r) => workflowPage(r),
  },
  { method: "POST", path: `${base}/{id}`, permission: permissionFor(ops.updateWorkflow), handle: save },
  {
    method: "POST",
    path: `${base}/{id}/active`,
    permission: permissionFor(ops.updateWorkflow),
    handle: setActive,
  },
  {
    method: "POST",
    path: `${base}/{id}/delete`,
    permission: permissionFor(ops.deleteWorkflow),
    handle: remove,
  },
  {
    method: "GET",
    path: `${base}/{id}/enrollments/{eid}`,
    permission: permissionFor(enrollmentOps.getEnrollment),
    handle: enrollmentPage,
  },
  {
    method: "POST",
    path: `${base}/{id}/enrollments/{eid}/cancel`,
    permission: permissionFor(enrollmentOps.cancelEnrollment),
    handle: cancel,
  },
];
