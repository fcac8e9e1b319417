/**
 * The ready-made workflows (`GET /v1/workflow-templates`, `POST /v1/workflows { fromTemplate }`):
 * HubSpot's own commerce-workflow examples — a welcome email after the first purchase, a renewal
 * reminder with a single-use code for renewing early, and an internal note plus a follow-up task
 * after a purchase.
 */
import type { WorkflowDefinition } from "./workflow.ts";

export interface WorkflowTemplate extends WorkflowDefinition {
  id: string;
  name: string;
  description: string;
}

export const workflowTemplates: readonly WorkflowTemplate[] = [
  {
    id: "welcome_email",
    name: "Welcome email after the first purchase",
    description:
      "Emails the buyer a welcome once their first payment succeeds. Not re-enrolling: later payments send nothing.",
    trigger: { event: "payment.succeeded", filters: [] },
    reenroll: false,
    steps: [
      {
        type: "send_email",
        to: "customer",
        subject: "Welcome, {{ customer.name }}",
        body: [
          "Hi {{ customer.name }},",
          "",
          "Thank you for your purchase of {{ payment.amount | money }} — welcome to {{ merchant.name }}!",
          "If you have any questions, just reply to this email.",
          "",
          "{{ merchant.name }}",
        ].join("\n"),
      },
    ],
  },
  {
    id: "renewal_reminder_with_code",
    name: "Renewal reminder with a code for renewing early",
    description:
      "Before a subscription renews, makes a single-use 10 % code valid for 7 days and emails it to the buyer with a link to renew early.",
    trigger: { event: "subscription.renewal_upcoming", filters: [] },
    reenroll: true,
    steps: [
      { type: "create_discount_code", percentOff: 10, expiresInDays: 7, maxRedemptions: 1 },
      {
        type: "send_email",
        to: "customer",
        subject: "Your subscription renews on {{ subscription.nextBillingAt | date }}",
        body: [
          "Hi {{ customer.name }},",
          "",
          "Your subscription renews on {{ subscription.nextBillingAt | date }} for {{ renewal.total | money }}.",
          "Renew early and save 10 % with the code {{ discountCode.code }} (valid until {{ discountCode.expiresAt | date }}):",
          "{{ links.renewEarly }}",
          "",
          "{{ merchant.name }}",
        ].join("\n"),
      },
    ],
  },
  {
    id: "purchase_follow_up",
    name: "Purchase follow-up for the account owner",
    description:
      "After each purchase, tells the customer's account owner (or the merchant) who bought what, then opens a task to start the customer follow-up in two days.",
    trigger: { event: "payment.succeeded", filters: [] },
    reenroll: true,
    steps: [
      {
        type: "send_email",
        to: "account_owner",
        subject: "New purchase: {{ customer.name }} paid {{ payment.amount | money }}",
        body: [
          "{{ customer.name }} ({{ customer.email }}) paid {{ payment.amount | money }} on {{ payment.paidAt | date }}.",
          "Payment: {{ payment.id }}",
          "",
          "A follow-up task was opened for you.",
        ].join("\n"),
      },
      {
        type: "create_task",
        title: "Start the customer follow-up",
        body: "Follow up with {{ customer.name }} ({{ customer.email }}) about their purchase of {{ payment.amount | money }}.",
        dueInDays: 2,
      },
    ],
  },
];

export const workflowTemplate = (id: string): WorkflowTemplate | undefined =>
  workflowTemplates.find((t) => t.id === id);
