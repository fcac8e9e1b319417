/**
 * The workflows capability's ports: what the engine reads of the saved workflows (the catalog,
 * implemented in shared/store/workflows.ts), the enrollments' store, and what steps need of other
 * capabilities (tasks, discount codes, links, mail, outbound webhooks), in their words.
 */
import type { Mailer } from "../aws/mailer.ts";
import type { SchedulerPort } from "../aws/scheduler.ts";
import type { DiscountCode } from "../discount-codes/discount-code.ts";
import type { Clock } from "../domain/clock.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { WindowCounter } from "../domain/limits.ts";
import type { Change, Page, PageRequest, Versioned } from "../domain/records.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { TaskStore } from "../tasks/ports.ts";
import type { OnceRecorded } from "../timers/once.ts";
import type { OutboundPort } from "../webhooks/outbound.ts";
import type {
  Enrollment,
  EnrollmentStatus,
  Workflow,
  WorkflowContext,
  WorkflowTrigger,
  WorkflowVersion,
} from "./workflow.ts";

export interface WorkflowCatalog {
  /** The merchant's active workflows that start on this event type (one query). */
  activeFor(merchantId: string, trigger: WorkflowTrigger): Promise<Workflow[]>;
  /** The steps an enrollment runs: the version it started on. */
  readVersion(merchantId: string, workflowId: string, version: number): Promise<WorkflowVersion | undefined>;
  /** The workflow as it is now; undefined once deleted (its running enrollments are then canceled). */
  read(merchantId: string, workflowId: string): Promise<Workflow | undefined>;
}

// ── The engine's ports (shared/workflows/engine.ts), wired in shared/composition.ts ────────────────

/** An enrollment as stored: with the context its steps read (internal, never shown). */
export interface StoredEnrollment extends Enrollment {
  context: WorkflowContext;
}

export interface EnrollmentStore {
  /**
   * Creates the enrollment unless its workflow's key for `subject` (`customer:cus_…` across versions,
   * or `event:evt_…` for a workflow that re-enrolls) is taken — both in one transaction. Returns the
   * id of the enrollment holding the key: the new one, or the one an earlier delivery created.
   */
  enroll(merchantId: string, subject: string, enrollment: StoredEnrollment): Promise<string>;
  read(merchantId: string, id: string): Promise<Versioned<StoredEnrollment> | undefined>;
  /**
   * Replaces the enrollment if it is still at `expectedVersion`, with the step's changes (a task, a
   * discount code) and events in the same transaction: a lost race is a ConflictError.
   */
  advance(
    merchantId: string,
    next: StoredEnrollment,
    expectedVersion: number,
    changes?: readonly Change[],
    events?: readonly DomainEvent[],
  ): Promise<void>;
  /** A workflow's enrollments, newest first. */
  list(
    merchantId: string,
    workflowId: string,
    query: PageRequest & { status?: EnrollmentStatus; customerId?: string },
  ): Promise<Page<StoredEnrollment>>;
}

/** The merchant as a workflow reads it (its team: who `{ userEmail }` may be). */
export type WorkflowMerchant = Pick<
  Merchant,
  | "id"
  | "name"
  | "email"
  | "timeZone"
  | "locale"
  | "defaultCurrency"
  | "branding"
  | "processor"
  | "stripeLivemode"
  | "team"
>;

/** The customer as a workflow reads it: whom its emails go to, and whether the buyer unsubscribed. */
export interface WorkflowCustomer {
  id: string;
  email: string;
  name?: string;
  accountOwner?: { name: string; email: string } | null;
  unsubscribedAt?: string | null;
  /** The locale the buyer reads in (absent: the merchant's). */
  locale?: string | null;
  testClockId?: string;
}

/** Buyer-facing links a workflow's emails carry (the tasks helper's unsubscribe page, the renew-early page). */
export interface WorkflowLinks {
  unsubscribe(merchantId: string, customerId: string): Promise<string>;
  renewEarly(merchantId: string, customerId: string, subscriptionId: string): Promise<string>;
}

/** What building a context re-reads by id (the event carries only ids of these). */
export interface ContextReads {
  merchant(merchantId: string): Promise<WorkflowMerchant | undefined>;
  customer(merchantId: string, customerId: string): Promise<WorkflowCustomer | undefined>;
  invoice(merchantId: string, invoiceId: string): Promise<object | undefined>;
  payment(merchantId: string, paymentId: string): Promise<object | undefined>;
  /** The segments the customer is a member of now (read only when a workflow's filters ask: `customer.inSegment`). */
  segmentsOf(merchantId: string, customerId: string): Promise<string[]>;
  links: WorkflowLinks;
}

/** What a `send_webhook` step needs: the trigger event, the workflow's secret, and the guarded POST. */
export interface WorkflowWebhooks {
  /** The trigger event as stored (events are retained 90 days: a step after a longer delay finds none). */
  event(merchantId: string, eventId: string): Promise<DomainEvent | undefined>;
  /** The workflow's signing secret (`whsec_…`), unsealed; undefined when it has none. */
  secretOf(merchantId: string, workflowId: string): Promise<string | undefined>;
  /** The SSRF-guarded POST (shared/webhooks/outbound.ts). */
  outbound: OutboundPort;
}

export interface WorkflowEnginePorts {
  catalog: WorkflowCatalog;
  enrollments: EnrollmentStore;
  reads: ContextReads;
  /** A new task with its `task.created` event, as changes of the enrollment's advance. */
  tasks: Pick<TaskStore, "createChanges">;
  /** The writes of a new discount code (its item and its code's uniqueness), for the enrollment's advance. */
  discountCodes: { createChanges(merchantId: string, code: DiscountCode): Change[] };
  mailer: Mailer;
  webhooks: WorkflowWebhooks;
  /** An email's send, once per enrollment and step; it keeps the email's message id. */
  once: OnceRecorded;
  limits: WindowCounter;
  /** Real time (the message's): what is not the customer's business time — claims' expiry, the daily cap. */
  clock: Clock;
  /** The clock of the customer's work (a test clock's time for its customers), else the message's. */
  clockOf(merchantId: string, customerId: string | undefined): Promise<Clock>;
  /** Where a delay planned on `clock` waits: the test clock's due work, or the deployment's scheduler. */
  schedulerFor(clock: Clock): SchedulerPort;
}
