/**
 * A contributor to the reports: it folds the domain events it names into its rollup items. The
 * reports consumer (functions/reports/run.ts) hands each event to every contributor that names its
 * type, and the outbox routes to the `reports` queue exactly the types the contributors name
 * (shared/outbox/routing.ts), so adding a report is adding a contributor to `reportContributors`.
 */
import type { DomainEvent } from "../domain/events.ts";

export interface ReportContributor {
  /** Names its idempotency marker: one effect per (contributor, event id). */
  name: string;
  eventTypes: readonly string[];
  apply(event: DomainEvent): Promise<void>;
}

/** The event types any of `contributors` folds: what the reports queue is sent. */
export const reportEventTypes = (contributors: readonly ReportContributor[]): readonly string[] => [
  ...new Set(contributors.flatMap((contributor) => contributor.eventTypes)),
];
