/**
 * A workflow: what a merchant automates after a payment, a subscription's or an invoice's event, a
 * quote's acceptance or a new customer — a trigger (an event type and filters that must all hold)
 * and steps (wait, email, task, single-use discount code, signed webhook, branch). Each enrollment runs on the
 * version of the steps it started with; editing the trigger or the steps makes a new version.
 */

/**
 * The events a workflow can start on: a closed list, which the outbox routes to the workflows queue
 * (and later to merchants' webhook endpoints). `payment.succeeded` is a processor payment ("a
 * purchase"); `payment.recorded` a manual one.
 */
export const workflowTriggers = [
  "payment.succeeded",
  "payment.recorded",
  "payment.failed",
  "checkout.completed",
  "invoice.paid",
  "invoice.overdue",
  "subscription.created",
  "subscription.renewal_upcoming",
  "subscription.past_due",
  "subscription.canceled",
  "quote.accepted",
  "customer.created",
] as const;
export type WorkflowTrigger = (typeof workflowTriggers)[number];

export const filterOps = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "contains", "exists"] as const;
export type FilterOp = (typeof filterOps)[number];

/** `field` names a variable of the trigger's context (`payment.amount`); money compares in minor units. */
export interface WorkflowFilter {
  field: string;
  op: FilterOp;
  /** `in`: a list; `exists`: true (the default) or false; otherwise a string, number or boolean. */
  value?: unknown;
}

export type Recipient = "customer" | "account_owner" | "merchant" | { userEmail: string };

export type WorkflowStep =
  /** ISO 8601 duration of minutes, hours and days (`PT5M`, `PT2H`, `P3D`, `P1DT12H`): ≥ 1 minute, no months. */
  | { type: "delay"; duration: string }
  | { type: "send_email"; to: Recipient; subject: string; body: string }
  | { type: "create_task"; title: string; body?: string; dueInDays?: number }
  | {
      type: "create_discount_code";
      percentOff?: number;
      amountOff?: number;
      expiresInDays: number;
      maxRedemptions: 1;
    }
  /**
   * POSTs the trigger event to the merchant's URL, signed with the workflow's `whsec_…` secret
   * (shared/webhooks/signature.ts) and guarded like every outbound webhook (shared/webhooks/outbound.ts).
   */
  | { type: "send_webhook"; url: string }
  | { type: "branch"; if: WorkflowFilter[]; then: WorkflowStep[]; else: WorkflowStep[] };

export type StepType = WorkflowStep["type"];

/** The most steps a workflow holds, counting those inside branches, and how deep branches nest. */
export const maxSteps = 20;
export const maxBranchDepth = 3;

/** What a version fixes: an enrollment runs the version it started on to its end. */
export interface WorkflowDefinition {
  trigger: { event: WorkflowTrigger; filters: WorkflowFilter[] };
  reenroll: boolean;
  steps: WorkflowStep[];
}

export interface Workflow extends WorkflowDefinition {
  id: string;
  name: string;
  active: boolean;
  /** The current version, from 1; enrollments started before an edit keep theirs. */
  version: number;
  /** The template it was made from, if any. */
  template?: string;
  /**
   * When its webhook signing secret was made (with its first `send_webhook` step); the secret itself
   * is shown once, in that create or update response, and kept only sealed.
   */
  webhookSecretCreatedAt?: string;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowVersion extends WorkflowDefinition {
  workflowId: string;
  version: number;
  createdAt: string;
}

/**
 * Where a step sits in a version's steps: its index at each level, with the branch taken between
 * (`"3"`, `"1.then.0"`, `"1.else.2.then.1"`).
 */
export type StepPath = string;

export type EnrollmentStatus = "running" | "completed" | "failed" | "canceled";

/** One step's run, as the enrollment's log shows it. */
export interface StepRun {
  path: StepPath;
  type: StepType;
  /** `waiting`: a delay until `result.resumeAt`; `skipped`: ran, had nothing to do (`reason` says why). */
  status: "completed" | "waiting" | "skipped" | "failed";
  at: string;
  result?: {
    emailId?: string;
    to?: string;
    taskId?: string;
    discountCodeId?: string;
    code?: string;
    branch?: "then" | "else";
    resumeAt?: string;
    /** A webhook's answer: the receiver's HTTP status. */
    webhookStatus?: number;
  };
  reason?: string;
}

export interface Enrollment {
  id: string;
  workflowId: string;
  version: number;
  status: EnrollmentStatus;
  customerId?: string;
  trigger: { eventId: string; eventType: WorkflowTrigger };
  /** The next step to run; absent once the enrollment ended. */
  next?: StepPath;
  /** When a delay ends (the enrollment waits for its schedule). */
  resumeAt?: string;
  /** Failed tries of the step at `next`; at `maxStepAttempts` the enrollment fails. */
  attempts: number;
  log: StepRun[];
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
  endedAt?: string;
}

/** A step that keeps failing is tried this many times (SQS redeliveries), then its enrollment fails. */
export const maxStepAttempts = 3;

/**
 * What a template and a filter can read: for each trigger, the objects of its context and, for each
 * object, its fields and their kind. Money values are `{ amount, currency }` (the `money` filter
 * formats them in the reader's locale; filters compare their amount); dates are ISO 8601 (the `date`
 * filter formats them in the reader's locale and the merchant's time zone); a list is of ids
 * (`contains` asks for one). Every field is present in a context; an absent value is null.
 */
export type FieldKind = "string" | "number" | "boolean" | "money" | "date" | "list";
export interface ObjectShape {
  readonly [field: string]: FieldKind | ObjectShape;
}

export const objectShapes = {
  merchant: { id: "string", name: "string", email: "string" },
  customer: {
    id: "string",
    email: "string",
    name: "string",
    companyName: "string",
    phone: "string",
    accountOwner: { name: "string", email: "string" },
    /** The BCP 47 locale the buyer reads in (`nb-NO`); null: the merchant's (a text's `{{ locale }}` says which). */
    locale: "string",
    /** The segments (`seg_…`) the customer is a member of when the event arrives: `{ op: "contains", value: "seg_…" }`. */
    inSegment: "list",
  },
  payment: {
    id: "string",
    amount: "money",
    fee: "money",
    net: "money",
    currency: "string",
    status: "string",
    processor: "string",
    livemode: "boolean",
    invoiceId: "string",
    method: { type: "string", brand: "string", last4: "string" },
    failureMessage: "string",
    paidAt: "date",
    createdAt: "date",
  },
  invoice: {
    id: "string",
    number: "string",
    status: "string",
    currency: "string",
    total: "money",
    amountDue: "money",
    amountPaid: "money",
    amountRemaining: "money",
    dueDate: "date",
    hostedUrl: "string",
    subscriptionId: "string",
    createdAt: "date",
  },
  subscription: {
    id: "string",
    status: "string",
    interval: "string",
    currency: "string",
    collectionMethod: "string",
    currentPeriodStart: "date",
    currentPeriodEnd: "date",
    nextBillingAt: "date",
    cancelAtPeriodEnd: "boolean",
    canceledAt: "date",
    trialEnd: "date",
    createdAt: "date",
  },
  renewal: { periodStart: "date", periodEnd: "date", subtotal: "money", total: "money" },
  quote: {
    id: "string",
    number: "string",
    title: "string",
    status: "string",
    currency: "string",
    /** As the API shows it; `upfrontTotal` is what the one-time lines cost, `recurringTotal` one period's. */
    total: "money",
    upfrontTotal: "money",
    recurringTotal: "money",
    acceptedAt: "date",
    hostedUrl: "string",
  },
  checkout: {
    id: "string",
    paymentLinkId: "string",
    currency: "string",
    amountTotal: "money",
    customerEmail: "string",
    completedAt: "date",
  },
  discountCode: { id: "string", code: "string", percentOff: "number", amountOff: "money", expiresAt: "date" },
  links: { renewEarly: "string" },
} as const satisfies Record<string, ObjectShape>;

export type ContextObject = keyof typeof objectShapes;

/** The objects each trigger's context holds (besides `discountCode`, which a step adds). */
export const triggerObjects: Record<WorkflowTrigger, readonly ContextObject[]> = {
  "payment.succeeded": ["merchant", "customer", "payment"],
  "payment.recorded": ["merchant", "customer", "payment", "invoice"],
  "payment.failed": ["merchant", "customer", "payment"],
  "checkout.completed": ["merchant", "customer", "checkout", "payment"],
  "invoice.paid": ["merchant", "customer", "invoice"],
  "invoice.overdue": ["merchant", "customer", "invoice"],
  "subscription.created": ["merchant", "customer", "subscription"],
  "subscription.renewal_upcoming": ["merchant", "customer", "subscription", "renewal", "links"],
  "subscription.past_due": ["merchant", "customer", "subscription"],
  "subscription.canceled": ["merchant", "customer", "subscription"],
  "quote.accepted": ["merchant", "customer", "quote"],
  "customer.created": ["merchant", "customer"],
};

/** A money value in a context. */
export interface MoneyValue {
  amount: number;
  currency: string;
}

/**
 * An enrollment's context: the trigger's objects as their shapes say (plain JSON, kept on the
 * enrollment so steps after a delay read what the trigger saw), plus what steps produced.
 */
export type WorkflowContext = Partial<Record<ContextObject, Record<string, unknown>>>;
