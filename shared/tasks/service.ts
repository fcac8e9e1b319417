/** Task use cases: create, read, list and update the merchant's tasks. */
import type { Clock } from "../domain/clock.ts";
import { requireFound, ValidationError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import type { PageRequest } from "../domain/records.ts";
import type { TaskFilter, TaskStore } from "./ports.ts";
import {
  newTask,
  patchTask,
  relatedFieldOf,
  type TaskInput,
  type TaskPatch,
  type TaskRelated,
  type TaskRelatedField,
  type TaskStatus,
  taskRelatedKinds,
} from "./task.ts";
import { withSavedView } from "../views/apply.ts";
import type { SavedViewPorts } from "../views/ports.ts";

export interface TaskPorts {
  store: TaskStore;
  clock: Clock;
}

/** Every related id must name an object of the merchant: else a 400 naming the field. */
async function checkRelated(store: TaskStore, merchantId: string, related: TaskRelated) {
  const fields = (Object.keys(taskRelatedKinds) as TaskRelatedField[]).filter((f) => related[f]);
  const found = await Promise.all(fields.map((f) => store.hasObject(merchantId, related[f] as string)));
  const errors = fields
    .filter((_, i) => !found[i])
    .map((f) => ({ path: `related.${f}`, message: `No such ${taskRelatedKinds[f]}` }));
  if (errors.length > 0) throw new ValidationError(errors);
}

export async function createTask({ store, clock }: TaskPorts, merchantId: string, input: TaskInput) {
  await checkRelated(store, merchantId, input.related ?? {});
  const { task, event } = newTask(merchantId, input, clock.now());
  await store.create(merchantId, task, event);
  return task;
}

export async function getTask({ store }: TaskPorts, merchantId: string, id: string) {
  return requireFound(await store.read(merchantId, id), "Task").value;
}

export async function updateTask(
  { store, clock }: TaskPorts,
  merchantId: string,
  id: string,
  patch: TaskPatch,
) {
  const { value, version } = requireFound(await store.read(merchantId, id), "Task");
  const now = clock.now();
  const task = patchTask(value, patch, now);
  await store.replace(merchantId, task, version, newEvent("task.updated", merchantId, id, now, { task }));
  return task;
}

export async function listTasks(
  { store, views }: Pick<TaskPorts, "store"> & SavedViewPorts,
  merchantId: string,
  query: PageRequest & {
    view?: string | undefined;
    status?: TaskStatus | undefined;
    dueBefore?: string | undefined;
    relatedTo?: string | undefined;
  },
) {
  const { view, limit, after, ...own } = query;
  const { status, dueBefore, relatedTo } = await withSavedView(views, merchantId, "tasks", view, own);
  const page = { limit, ...(after ? { after } : {}) };
  const field = relatedTo === undefined ? undefined : relatedFieldOf(relatedTo);
  if (relatedTo !== undefined && !field) {
    throw new ValidationError([
      { path: "relatedTo", message: "must be a customer, invoice, payment, subscription or quote id" },
    ]);
  }
  const filter: TaskFilter = {
    ...(status ? { status } : {}),
    ...(dueBefore ? { dueBefore } : {}),
    ...(relatedTo && field ? { relatedTo: { field, id: relatedTo } } : {}),
  };
  return store.list(merchantId, filter, page);
}
