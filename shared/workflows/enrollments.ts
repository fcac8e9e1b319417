/**
 * A workflow's enrollments as the API serves them: listed newest first (by status, by customer), one
 * by id, and canceled while running. Another merchant's workflow or enrollment is not found.
 */
import { NotFoundError, retryOnConflict, StateConflictError } from "../domain/errors.ts";
import type { PageRequest } from "../domain/records.ts";
import { ended, presentEnrollment } from "./enrollment.ts";
import type { WorkflowEnginePorts } from "./ports.ts";
import type { Enrollment, EnrollmentStatus } from "./workflow.ts";

export type EnrollmentPorts = Pick<WorkflowEnginePorts, "catalog" | "enrollments" | "clockOf">;

async function requireWorkflow(ports: EnrollmentPorts, merchantId: string, workflowId: string) {
  if (!(await ports.catalog.read(merchantId, workflowId))) throw new NotFoundError("Workflow");
}

async function readEnrollment(ports: EnrollmentPorts, merchantId: string, workflowId: string, id: string) {
  const found = await ports.enrollments.read(merchantId, id);
  if (!found || found.value.workflowId !== workflowId) throw new NotFoundError("Enrollment");
  return found;
}

export async function listEnrollments(
  ports: EnrollmentPorts,
  merchantId: string,
  workflowId: string,
  query: PageRequest & { status?: EnrollmentStatus | undefined; customerId?: string | undefined },
) {
  await requireWorkflow(ports, merchantId, workflowId);
  const { status, customerId, ...page } = query;
  const found = await ports.enrollments.list(merchantId, workflowId, {
    ...page,
    ...(status ? { status } : {}),
    ...(customerId ? { customerId } : {}),
  });
  return { ...found, items: found.items.map(presentEnrollment) };
}

/** One enrollment of the workflow (a deleted workflow's enrollments stay readable). */
export async function getEnrollment(
  ports: EnrollmentPorts,
  merchantId: string,
  workflowId: string,
  id: string,
): Promise<Enrollment> {
  return presentEnrollment((await readEnrollment(ports, merchantId, workflowId, id)).value);
}

/** Only a running enrollment can be canceled (409 once it ended); the dashboard's button asks the same. */
export function assertCancelable(enrollment: Pick<Enrollment, "status">): void {
  if (enrollment.status !== "running")
    throw new StateConflictError(`The enrollment already ended (${enrollment.status})`);
}

/**
 * Cancels a running enrollment: its pending delay's resume then finds it ended. 409 once it ended.
 * A race with the engine's advance of a step re-reads it: still running, it is canceled after all.
 */
export async function cancelEnrollment(
  ports: EnrollmentPorts,
  merchantId: string,
  workflowId: string,
  id: string,
): Promise<Enrollment> {
  return retryOnConflict(5, async () => {
    const found = await readEnrollment(ports, merchantId, workflowId, id);
    assertCancelable(found.value);
    const now = (await ports.clockOf(merchantId, found.value.customerId)).now().toISOString();
    const canceled = ended(found.value, "canceled", now);
    await ports.enrollments.advance(merchantId, canceled, found.version);
    return presentEnrollment(canceled);
  });
}
