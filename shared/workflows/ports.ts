/** What the workflow engine reads of the workflows the merchant saved (implemented in shared/store/workflows.ts). */
import type { Workflow, WorkflowTrigger, WorkflowVersion } from "./workflow.ts";

export interface WorkflowCatalog {
  /** The merchant's active workflows that start on this event type (one query). */
  activeFor(merchantId: string, trigger: WorkflowTrigger): Promise<Workflow[]>;
  /** The steps an enrollment runs: the version it started on. */
  readVersion(merchantId: string, workflowId: string, version: number): Promise<WorkflowVersion | undefined>;
  /** The workflow as it is now; undefined once deleted (its running enrollments are then canceled). */
  read(merchantId: string, workflowId: string): Promise<Workflow | undefined>;
}
