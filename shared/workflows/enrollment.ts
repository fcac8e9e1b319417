/**
 * An enrollment's record changes that both the engine and the enrollments API make: ending it, and
 * showing it without its internal context. Kept apart from the engine so the API's bundle does not
 * carry the engine's templating, mail and step code.
 */
import type { StoredEnrollment } from "./ports.ts";
import type { Enrollment } from "./workflow.ts";

/** The enrollment as the API shows it: without the stored context. */
export function presentEnrollment({ context: _, ...enrollment }: StoredEnrollment): Enrollment {
  return enrollment;
}

/** The enrollment ended at `at`: it has no next step and waits for nothing. */
export function ended(
  enrollment: StoredEnrollment,
  status: "canceled" | "failed",
  at: string,
): StoredEnrollment {
  const { next: _, resumeAt: __, ...rest } = enrollment;
  return { ...rest, status, updatedAt: at, endedAt: at };
}
