/**
 * Workflow use cases: what a merchant saves (validated whole at save time, so nothing is found wrong
 * at send time), its versions, and the ready-made templates. A workflow's first `send_webhook` step
 * gives it a signing secret, shown once in that response and kept only sealed.
 */
import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { Sealed } from "../auth/sealed.ts";
import type { Clock } from "../domain/clock.ts";
import { type FieldError, NotFoundError, ValidationError } from "../domain/errors.ts";
import { type DomainEvent, newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Page, PageRequest, Versioned } from "../domain/records.ts";
import { teamEmails } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import { workflowTemplate, workflowTemplates } from "./templates.ts";
import type {
  Workflow,
  WorkflowDefinition,
  WorkflowFilter,
  WorkflowStep,
  WorkflowTrigger,
  WorkflowVersion,
} from "./workflow.ts";

export interface WorkflowListFilter {
  active?: boolean;
  trigger?: WorkflowTrigger;
}

/**
 * The workflows' store (`shared/store/workflows.ts`). Each write is one transaction with its event;
 * a write that makes a new version puts that version's item in the same transaction.
 */
export interface WorkflowStore {
  read(merchantId: string, id: string): Promise<Versioned<Workflow> | undefined>;
  list(
    merchantId: string,
    page: Pick<PageRequest, "limit" | "after">,
    filter: WorkflowListFilter,
  ): Promise<Page<Workflow>>;
  /** Adds a workflow and its version 1 (and its sealed webhook secret, when it has one). */
  create(merchantId: string, workflow: Workflow, event: DomainEvent, webhookSecret?: Sealed): Promise<void>;
  /**
   * Replaces a workflow at `expectedVersion`; `newVersion`: its definition changed (its version item
   * is put); `webhookSecret`: its first webhook step's secret, put once.
   */
  replace(
    merchantId: string,
    workflow: Workflow,
    expectedVersion: number,
    event: DomainEvent,
    newVersion: boolean,
    webhookSecret?: Sealed,
  ): Promise<void>;
  remove(merchantId: string, id: string, expectedVersion: number, event: DomainEvent): Promise<void>;
  /** A workflow's versions, newest first. */
  versions(
    merchantId: string,
    workflowId: string,
    page: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<WorkflowVersion>>;
}

/** What `send_webhook` steps need when a workflow is saved. */
export interface WorkflowWebhookPorts {
  /** Why Kassa won't post to `url` (shared/webhooks/outbound.ts `checkWebhookUrl`), or undefined. */
  checkUrl(url: string): Promise<string | undefined>;
  /** `secret` sealed for this workflow's record (shared/auth/sealed.ts). */
  seal(merchantId: string, workflowId: string, secret: string): Promise<Sealed>;
}

export interface WorkflowPorts {
  workflows: WorkflowStore;
  merchants: Pick<MerchantStore, "readMerchant">;
  webhooks: WorkflowWebhookPorts;
  clock: Clock;
}

/** A create or update response: the workflow, with its webhook secret the one time it is made. */
export type SavedWorkflow = Workflow & { webhookSecret?: string };

/** A trigger as a request gives it: filters default to none. */
export interface TriggerInput {
  event: WorkflowTrigger;
  filters?: WorkflowFilter[];
}

/**
 * A new workflow: its own definition (`name`, `trigger` and `steps` required), or a template's
 * (`fromTemplate`, with an optional `name` and `active`; the template gives the rest).
 */
export interface NewWorkflow {
  name?: string;
  active?: boolean;
  trigger?: TriggerInput;
  reenroll?: boolean;
  steps?: WorkflowStep[];
  fromTemplate?: string;
}

export interface WorkflowPatch {
  name?: string;
  active?: boolean;
  trigger?: TriggerInput;
  reenroll?: boolean;
  steps?: WorkflowStep[];
}

/**
 * The validator, loaded with the first save: its template checker brings LiquidJS and the message
 * catalog, which reading and listing workflows never need.
 */
const validation = () => import("./validation.ts");

/**
 * The definition checked against the merchant's current team (who `{ userEmail }` may name), and
 * each webhook step's URL against what it resolves to.
 */
async function assertValid(ports: WorkflowPorts, merchantId: string, definition: WorkflowDefinition) {
  const merchant = (await ports.merchants.readMerchant(merchantId))?.value;
  if (!merchant) throw new NotFoundError("Merchant");
  const { assertValidDefinition, webhookSteps } = await validation();
  const urlErrors = await Promise.all(
    webhookSteps(definition.steps).map(async ({ path, url }) => {
      const reason = await ports.webhooks.checkUrl(url);
      return reason ? [{ path, message: reason }] : [];
    }),
  );
  assertValidDefinition(definition, teamEmails(merchant), urlErrors.flat());
}

/** A new signing secret: `whsec_` and 32 random bytes. */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

/**
 * The secret a workflow gets with its first webhook step (none when it has one already or needs
 * none): the plaintext for the response, and what is stored.
 */
async function webhookSecretFor(
  ports: WorkflowPorts,
  merchantId: string,
  workflow: Pick<Workflow, "id" | "steps" | "webhookSecretCreatedAt">,
) {
  if (workflow.webhookSecretCreatedAt) return undefined;
  const { webhookSteps } = await validation();
  if (webhookSteps(workflow.steps).length === 0) return undefined;
  const secret = newWebhookSecret();
  return { secret, sealed: await ports.webhooks.seal(merchantId, workflow.id, secret) };
}

const triggerOf = ({ event, filters = [] }: TriggerInput): WorkflowDefinition["trigger"] => ({
  event,
  filters,
});

/** What a new workflow is made of: the request's own definition or its template's. */
function definitionOf(input: NewWorkflow): {
  name: string;
  definition: WorkflowDefinition;
  template?: string;
} {
  if (input.fromTemplate !== undefined) {
    const template = workflowTemplate(input.fromTemplate);
    const extra = (["trigger", "reenroll", "steps"] as const).filter((field) => input[field] !== undefined);
    const errors: FieldError[] = [
      ...(template
        ? []
        : [
            {
              path: "fromTemplate",
              message: `is not a workflow template; one of ${workflowTemplates.map((t) => t.id).join(", ")}`,
            },
          ]),
      ...extra.map((path) => ({ path, message: "comes from the template: leave it out with fromTemplate" })),
    ];
    if (!template || errors.length > 0) throw new ValidationError(errors);
    const { trigger, reenroll, steps } = template;
    return {
      name: input.name ?? template.name,
      definition: { trigger, reenroll, steps },
      template: template.id,
    };
  }
  const { name, trigger, steps } = input;
  const missing = (["name", "trigger", "steps"] as const).filter((field) => input[field] === undefined);
  if (name === undefined || trigger === undefined || steps === undefined)
    throw new ValidationError(
      missing.map((path) => ({ path, message: "is required (or create from a template: fromTemplate)" })),
    );
  return {
    name,
    definition: {
      trigger: triggerOf(trigger),
      reenroll: input.reenroll ?? false,
      steps,
    },
  };
}

async function readOrThrow(ports: WorkflowPorts, merchantId: string, id: string) {
  const found = await ports.workflows.read(merchantId, id);
  if (!found) throw new NotFoundError("Workflow");
  return found;
}

export async function createWorkflow(
  ports: WorkflowPorts,
  merchantId: string,
  input: NewWorkflow,
): Promise<SavedWorkflow> {
  const { name, definition, template } = definitionOf(input);
  await assertValid(ports, merchantId, definition);
  const now = ports.clock.now();
  const id = newId("workflow", now);
  const secret = await webhookSecretFor(ports, merchantId, { id, steps: definition.steps });
  const workflow: Workflow = {
    id,
    name,
    active: input.active ?? true,
    version: 1,
    ...definition,
    ...(template ? { template } : {}),
    ...(secret ? { webhookSecretCreatedAt: now.toISOString() } : {}),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await ports.workflows.create(
    merchantId,
    workflow,
    newEvent("workflow.created", merchantId, workflow.id, now, { workflow }),
    secret?.sealed,
  );
  return secret ? { ...workflow, webhookSecret: secret.secret } : workflow;
}

export async function getWorkflow(ports: WorkflowPorts, merchantId: string, id: string): Promise<Workflow> {
  return (await readOrThrow(ports, merchantId, id)).value;
}

export const listWorkflows = (
  ports: WorkflowPorts,
  merchantId: string,
  page: Pick<PageRequest, "limit" | "after">,
  filter: WorkflowListFilter,
) => ports.workflows.list(merchantId, page, filter);

/**
 * Applies a PATCH. A changed trigger, `reenroll` or steps is a new version (its item written with
 * the workflow; running enrollments keep theirs); a name or `active` alone is not.
 */
export async function updateWorkflow(
  ports: WorkflowPorts,
  merchantId: string,
  id: string,
  patch: WorkflowPatch,
): Promise<SavedWorkflow> {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  const definition: WorkflowDefinition = {
    trigger: patch.trigger ? triggerOf(patch.trigger) : value.trigger,
    reenroll: patch.reenroll ?? value.reenroll,
    steps: patch.steps ?? value.steps,
  };
  const changed = !isDeepStrictEqual(definition, {
    trigger: value.trigger,
    reenroll: value.reenroll,
    steps: value.steps,
  });
  if (changed) await assertValid(ports, merchantId, definition);
  const now = ports.clock.now();
  const secret = await webhookSecretFor(ports, merchantId, { ...value, steps: definition.steps });
  const next: Workflow = {
    ...value,
    ...definition,
    name: patch.name ?? value.name,
    active: patch.active ?? value.active,
    version: changed ? value.version + 1 : value.version,
    ...(secret ? { webhookSecretCreatedAt: now.toISOString() } : {}),
    updatedAt: now.toISOString(),
  };
  await ports.workflows.replace(
    merchantId,
    next,
    version,
    newEvent("workflow.updated", merchantId, id, now, { workflow: next }),
    changed,
    secret?.sealed,
  );
  return secret ? { ...next, webhookSecret: secret.secret } : next;
}

/** Deletes a workflow: it enrolls nobody more; its running enrollments are canceled when they next run. */
export async function deleteWorkflow(ports: WorkflowPorts, merchantId: string, id: string): Promise<void> {
  const { version } = await readOrThrow(ports, merchantId, id);
  await ports.workflows.remove(
    merchantId,
    id,
    version,
    newEvent("workflow.deleted", merchantId, id, ports.clock.now(), { workflowId: id }),
  );
}

/** A workflow's versions, newest first (a deleted workflow's are gone from the API with it). */
export async function listWorkflowVersions(
  ports: WorkflowPorts,
  merchantId: string,
  id: string,
  page: Pick<PageRequest, "limit" | "after">,
) {
  await readOrThrow(ports, merchantId, id);
  return ports.workflows.versions(merchantId, id, page);
}

/** The ready-made workflows, as `GET /v1/workflow-templates` lists them. */
export const listWorkflowTemplates = () => ({ data: workflowTemplates });
