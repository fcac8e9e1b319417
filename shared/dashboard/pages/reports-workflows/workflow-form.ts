/**
 * A workflow's definition as a form and back. Every control is named by the path the API's
 * `PATCH /v1/workflows/{id}` body gives its value (`steps.0.subject`, `trigger.event`), so an error
 * the API names — from its schema or from the use case's checks of templates, fields and team — is
 * shown at the control it is about. A form is read as a draft first (what was typed, as text), so a
 * refused form comes back as it was sent; only then does it become the body the schema judges.
 * Branches, and the trigger's filters, are edited as JSON: their nesting has no flat form.
 */
import type { FieldError } from "../../../domain/errors.ts";
import {
  type StepType,
  type WorkflowDefinition,
  type WorkflowStep,
  workflowTriggers,
} from "../../../workflows/workflow.ts";
import { type Field, field, type Html, html } from "../../ui.ts";
import { words } from "../details/common.ts";

/** One step as the form holds it: its type and its controls' text, by the name after `steps.N.`. */
export interface StepDraft {
  type: StepType;
  values: Record<string, string>;
}

export interface WorkflowDraft {
  name: string;
  event: string;
  filters: string;
  reenroll: string;
  steps: StepDraft[];
}

export const stepTypes: readonly StepType[] = [
  "send_email",
  "delay",
  "create_task",
  "create_discount_code",
  "send_webhook",
  "branch",
];

const recipients = ["customer", "account_owner", "merchant"] as const;

/** The workflow as the form first shows it. */
export function draftOf(name: string, definition: WorkflowDefinition): WorkflowDraft {
  return {
    name,
    event: definition.trigger.event,
    filters: JSON.stringify(definition.trigger.filters, null, 2),
    reenroll: String(definition.reenroll),
    steps: definition.steps.map(stepDraftOf),
  };
}

const text = (value: unknown) => (value === undefined ? "" : String(value));

function stepDraftOf(step: WorkflowStep): StepDraft {
  switch (step.type) {
    case "delay":
      return { type: step.type, values: { duration: step.duration } };
    case "send_email":
      return {
        type: step.type,
        values: {
          to: typeof step.to === "string" ? step.to : "user",
          "to.userEmail": typeof step.to === "string" ? "" : step.to.userEmail,
          subject: step.subject,
          body: step.body,
        },
      };
    case "create_task":
      return {
        type: step.type,
        values: { title: step.title, body: text(step.body), dueInDays: text(step.dueInDays) },
      };
    case "create_discount_code":
      return {
        type: step.type,
        values: {
          percentOff: text(step.percentOff),
          amountOff: text(step.amountOff),
          expiresInDays: text(step.expiresInDays),
        },
      };
    case "send_webhook":
      return { type: step.type, values: { url: step.url } };
    case "branch": {
      const { type: _, ...rest } = step;
      return { type: step.type, values: { "": JSON.stringify(rest, null, 2) } };
    }
    default:
      throw new Error(`Unknown workflow step ${(step as { type: string }).type}`);
  }
}

/** A blank step of `type` (a new one the form adds). */
export const blankStep = (type: StepType): StepDraft =>
  type === "branch"
    ? { type, values: { "": '{\n  "if": [],\n  "then": [],\n  "else": []\n}' } }
    : { type, values: type === "send_email" ? { to: "customer" } : {} };

/**
 * The form as a draft: its steps in order, those ticked "remove" left out (and the rest numbered
 * again, as the API will number them).
 */
export function draftFromForm(form: URLSearchParams): WorkflowDraft {
  const indices = [
    ...new Set(
      [...form.keys()].flatMap((key) => {
        const index = /^steps\.(\d+)\.type$/.exec(key)?.[1];
        return index === undefined ? [] : [Number(index)];
      }),
    ),
  ].sort((a, b) => a - b);
  const steps = indices.flatMap((index): StepDraft[] => {
    const prefix = `steps.${index}`;
    const type = form.get(`${prefix}.type`) as StepType;
    if (!stepTypes.includes(type) || form.get(`${prefix}.remove`) === "true") return [];
    const values: Record<string, string> = {};
    for (const [key, value] of form)
      if (key === prefix) values[""] = value;
      else if (key.startsWith(`${prefix}.`) && key !== `${prefix}.type` && key !== `${prefix}.remove`)
        values[key.slice(prefix.length + 1)] = value;
    return [{ type, values }];
  });
  return {
    name: form.get("name") ?? "",
    event: form.get("trigger.event") ?? "",
    filters: form.get("trigger.filters") ?? "",
    reenroll: form.get("reenroll") ?? "",
    steps,
  };
}

/** Typed digits as a number for the schema to judge; anything else stays text, which the schema names. */
function numeric(value: string | undefined): unknown {
  const typed = value?.trim() ?? "";
  if (typed === "") return undefined;
  return /^-?\d+(\.\d+)?$/.test(typed) ? Number(typed) : typed;
}

/** JSON typed in a textarea; what does not parse is a problem at `path`. */
function json(value: string, path: string, problems: FieldError[]): unknown {
  try {
    return JSON.parse(value);
  } catch {
    problems.push({ path, message: "must be JSON" });
    return undefined;
  }
}

const present = (entries: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined && value !== ""));

function stepBody(step: StepDraft, path: string, problems: FieldError[]): unknown {
  const v = step.values;
  switch (step.type) {
    case "delay":
      return { type: step.type, duration: v.duration ?? "" };
    case "send_email":
      return {
        type: step.type,
        to: v.to === "user" ? { userEmail: v["to.userEmail"]?.trim() ?? "" } : (v.to ?? ""),
        subject: v.subject ?? "",
        body: v.body ?? "",
      };
    case "create_task":
      return {
        type: step.type,
        title: v.title ?? "",
        ...present({ body: v.body, dueInDays: numeric(v.dueInDays) }),
      };
    case "create_discount_code":
      return {
        type: step.type,
        ...present({
          percentOff: numeric(v.percentOff),
          amountOff: numeric(v.amountOff),
          expiresInDays: numeric(v.expiresInDays),
        }),
        maxRedemptions: 1,
      };
    case "send_webhook":
      return { type: step.type, url: v.url?.trim() ?? "" };
    case "branch": {
      const parsed = json(v[""] ?? "", path, problems);
      return parsed && typeof parsed === "object" ? { ...parsed, type: step.type } : parsed;
    }
    default:
      throw new Error(`Unknown workflow step ${step.type satisfies never}`);
  }
}

/**
 * The draft as the body of `PATCH /v1/workflows/{id}` (for its schema to judge), and what could not
 * be read at all (JSON that does not parse).
 */
export function patchOf(draft: WorkflowDraft): { input: Record<string, unknown>; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const filters = draft.filters.trim() === "" ? [] : json(draft.filters, "trigger.filters", problems);
  const input = {
    name: draft.name,
    trigger: { event: draft.event, filters },
    reenroll: draft.reenroll === "true",
    steps: draft.steps.map((step, i) => stepBody(step, `steps.${i}`, problems)),
  };
  return { input, problems };
}

/** The problems shown at control `name`: those whose path is it or inside it, and no nearer control's. */
function problemsAt(name: string, names: readonly string[], errors: readonly FieldError[]) {
  const within = (path: string, control: string) => path === control || path.startsWith(`${control}.`);
  return errors.filter(
    (e) =>
      within(e.path, name) &&
      !names.some((other) => other.length > name.length && within(other, name) && within(e.path, other)),
  );
}

/** Fields with their problems: the first problem as the hint, and `aria-invalid`. */
function withProblems(fields: readonly Field[], errors: readonly FieldError[]): Field[] {
  const names = fields.map((f) => f.name);
  return fields.map((f) => {
    const found = problemsAt(f.name, names, errors);
    if (found.length === 0) return f;
    const message = found.map((e) => (e.path === f.name ? e.message : `${e.path} ${e.message}`)).join("; ");
    return { ...f, hint: message, attributes: { ...f.attributes, "aria-invalid": "true" } };
  });
}

function stepFields(step: StepDraft, index: number): Field[] {
  const name = (control: string) => (control === "" ? `steps.${index}` : `steps.${index}.${control}`);
  const f = (control: string, rest: Omit<Field, "name" | "value">): Field => ({
    name: name(control),
    value: step.values[control] ?? "",
    ...rest,
  });
  const template = "A template: {{ customer.name }}, {{ payment.amount | money }}";
  switch (step.type) {
    case "delay":
      return [f("duration", { label: "Wait for", hint: "PT5M, PT2H, P3D or P1DT12H", required: true })];
    case "send_email":
      return [
        f("to", {
          label: "To",
          options: [
            ...recipients.map((r) => [r, words(r)] as const),
            ["user", "A team member (email below)"],
          ],
        }),
        f("to.userEmail", { label: "Team member's email", type: "email", hint: "Only for a team member" }),
        f("subject", { label: "Subject", hint: template, required: true }),
        f("body", { label: "Body", type: "textarea", hint: template }),
      ];
    case "create_task":
      return [
        f("title", { label: "Title", hint: template, required: true }),
        f("body", { label: "Body", type: "textarea" }),
        f("dueInDays", { label: "Due in days", type: "number", hint: "0–365; empty: no due date" }),
      ];
    case "create_discount_code":
      return [
        f("percentOff", { label: "Percent off", hint: "Exactly one of percent and amount off" }),
        f("amountOff", {
          label: "Amount off",
          hint: "In minor units (cents) of the trigger's currency",
          attributes: { inputmode: "numeric" },
        }),
        f("expiresInDays", { label: "Expires in days", type: "number", hint: "1–365", required: true }),
      ];
    case "send_webhook":
      return [f("url", { label: "URL", type: "text", hint: "https on the public internet", required: true })];
    case "branch":
      return [
        f("", {
          label: "Branch (JSON)",
          type: "textarea",
          hint: '{"if": [filters], "then": [steps], "else": [steps]}',
        }),
      ];
    default:
      throw new Error(`Unknown workflow step ${step.type satisfies never}`);
  }
}

/** The editor's controls (inside the page's form): name, trigger, re-enrollment, then each step. */
export function workflowFields(draft: WorkflowDraft, errors: readonly FieldError[]): Html {
  const top = withProblems(
    [
      { name: "name", label: "Name", value: draft.name, required: true, attributes: { maxlength: "100" } },
      {
        name: "trigger.event",
        label: "Starts on",
        value: draft.event,
        options: workflowTriggers.map((t) => [t, t] as const),
      },
      {
        name: "trigger.filters",
        label: "Only when (filters, JSON)",
        type: "textarea",
        value: draft.filters,
        hint: '[] for every event, or e.g. [{"field": "payment.amount", "op": "gte", "value": 10000}]',
      },
      {
        name: "reenroll",
        label: "Enrolls",
        value: draft.reenroll,
        options: [
          ["false", "A customer once"],
          ["true", "Once per triggering event"],
        ],
      },
    ],
    errors,
  );
  const steps = draft.steps.map((step, i) => {
    const fields = withProblems(stepFields(step, i), errors);
    const stepProblems = errors.filter((e) => e.path === `steps.${i}`);
    return html`<fieldset class="card"><legend>Step ${i + 1}: ${words(step.type)}</legend><input type="hidden" name="steps.${i}.type" value="${step.type}">${stepProblems.length > 0 && step.type !== "branch" ? html`<p class="hint" role="note"><strong>steps.${i}</strong> ${stepProblems.map((e) => e.message).join("; ")}</p>` : ""}${fields.map((f) => field(f, "wf"))}<div class="field"><label><input type="checkbox" name="steps.${i}.remove" value="true"> Remove this step</label></div></fieldset>`;
  });
  return html`${top.map((f) => field(f, "wf"))}${steps}`;
}
