/** What the task use cases run on: the store port, implemented by `shared/store/tasks.ts`. */
import type { DomainEvent } from "../domain/events.ts";
import type { Change, Page, PageRequest, Versioned } from "../domain/records.ts";
import type { Task, TaskRelatedField, TaskStatus } from "./task.ts";

/** A task list's filters; all given must hold. */
export interface TaskFilter {
  status?: TaskStatus;
  /** Tasks due strictly before this date (`YYYY-MM-DD`); tasks without a due date never match. */
  dueBefore?: string;
  /** Tasks that name this id in this related field (the field its id's kind belongs in). */
  relatedTo?: { field: TaskRelatedField; id: string };
}

export interface TaskStore {
  read(merchantId: string, id: string): Promise<Versioned<Task> | undefined>;
  create(merchantId: string, task: Task, event: DomainEvent): Promise<void>;
  replace(merchantId: string, task: Task, version: number, event: DomainEvent): Promise<void>;
  list(merchantId: string, filter: TaskFilter, page: PageRequest): Promise<Page<Task>>;
  /**
   * The new task and its `task.created` event as changes of another unit of work (a workflow's
   * step commits them in one transaction with the enrollment's advance): nothing half-done twice.
   */
  createChanges(merchantId: string, task: Task, event: DomainEvent): Change[];
  /** Whether the merchant has an object of this id (a task's related customer, invoice…). */
  hasObject(merchantId: string, id: string): Promise<boolean>;
}
