/**
 * A task (the seed's "ticket"): something for the merchant's team to do, made through the API or by
 * a workflow's `create_task` step, optionally linked to the objects it is about. Pure: the store and
 * the use cases build on these types.
 */
import type { DomainEvent } from "../domain/events.ts";
import { newEvent } from "../domain/events.ts";
import { type IdKind, isId, newId } from "../domain/ids.ts";

export const taskStatuses = ["open", "done"] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** The objects a task is about; each id must name an object of the task's merchant. */
export interface TaskRelated {
  customerId?: string;
  invoiceId?: string;
  paymentId?: string;
  subscriptionId?: string;
  quoteId?: string;
}

/** The kind of object each related field names. */
export const taskRelatedKinds = {
  customerId: "customer",
  invoiceId: "invoice",
  paymentId: "payment",
  subscriptionId: "subscription",
  quoteId: "quote",
} as const satisfies Record<keyof TaskRelated, IdKind>;

export type TaskRelatedField = keyof typeof taskRelatedKinds;

/** The related field an id belongs in (`cus_…` → `customerId`), or undefined for an id of no such kind. */
export function relatedFieldOf(id: string): TaskRelatedField | undefined {
  return (Object.keys(taskRelatedKinds) as TaskRelatedField[]).find((field) =>
    isId(taskRelatedKinds[field], id),
  );
}

export interface Task {
  id: string;
  title: string;
  body: string | null;
  status: TaskStatus;
  /** A calendar date (`YYYY-MM-DD`) in the merchant's zone, or none. */
  dueDate: string | null;
  related: TaskRelated;
  /** `"api"`, or the id (`wf_…`) of the workflow whose step made it. */
  createdBy: string;
  /** The workflow enrollment whose step made it. */
  enrollmentId?: string;
  /** When it was last marked done; cleared when it is reopened. */
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A task as the API's body gives it. */
export interface TaskInput {
  title: string;
  body?: string;
  dueDate?: string;
  related?: TaskRelated;
}

/** A task as its creator gives it: the API's body, or a workflow step with its origin. */
export interface NewTask extends TaskInput {
  /** Defaults to `"api"`. */
  createdBy?: string;
  enrollmentId?: string;
}

/** A change to a task; null clears `body` or `dueDate`. */
export interface TaskPatch {
  title?: string;
  body?: string | null;
  dueDate?: string | null;
  status?: TaskStatus;
}

/** The task and its `task.created` event, the one shape for the API and a workflow's step. */
export function newTask(
  merchantId: string,
  input: NewTask,
  now: Date,
): { task: Task; event: DomainEvent<{ task: Task }> } {
  const at = now.toISOString();
  const task: Task = {
    id: newId("task", now),
    title: input.title,
    body: input.body ?? null,
    status: "open",
    dueDate: input.dueDate ?? null,
    related: input.related ?? {},
    createdBy: input.createdBy ?? "api",
    ...(input.enrollmentId ? { enrollmentId: input.enrollmentId } : {}),
    completedAt: null,
    createdAt: at,
    updatedAt: at,
  };
  return { task, event: newEvent("task.created", merchantId, task.id, now, { task }) };
}

/**
 * The task after a PATCH: `completedAt` is stamped when it becomes done and cleared when it is
 * reopened; a status sent unchanged keeps the original completion time.
 */
export function patchTask(task: Task, patch: TaskPatch, now: Date): Task {
  const at = now.toISOString();
  const status = patch.status ?? task.status;
  return {
    ...task,
    ...(patch.title !== undefined ? { title: patch.title } : {}),
    ...(patch.body !== undefined ? { body: patch.body } : {}),
    ...(patch.dueDate !== undefined ? { dueDate: patch.dueDate } : {}),
    status,
    completedAt: status === "open" ? null : task.status === "done" ? task.completedAt : at,
    updatedAt: at,
  };
}
