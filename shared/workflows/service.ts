/**
 * Workflow use cases: what a merchant saves (validated whole at save time, so nothing is found wrong
 * at send time), its versions, and the ready-made templates.
 */
import type { DomainEvent } from "../domain/events.ts";
import type { Page, PageRequest, Versioned } from "../domain/records.ts";
import type { Workflow, WorkflowTrigger, WorkflowVersion } from "./workflow.ts";

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
  /** Adds a workflow and its version 1. */
  create(merchantId: string, workflow: Workflow, event: DomainEvent): Promise<void>;
  /** Replaces a workflow at `expectedVersion`; `newVersion` when the definition changed. */
  replace(
    merchantId: string,
    workflow: Workflow,
    expectedVersion: number,
    event: DomainEvent,
    newVersion?: WorkflowVersion,
  ): Promise<void>;
  remove(merchantId: string, id: string, expectedVersion: number, event: DomainEvent): Promise<void>;
  /** A workflow's versions, newest first. */
  versions(
    merchantId: string,
    workflowId: string,
    page: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<WorkflowVersion>>;
}
