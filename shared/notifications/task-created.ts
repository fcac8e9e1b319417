/**
 * A task a workflow created (`task.created` with `createdBy` = the workflow's id): the merchant is
 * told what to do, by when, about which objects, and which workflow asked. Tasks made through the
 * API send nothing: whoever made them already knows.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Task, TaskRelatedField } from "../tasks/task.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";

const relatedLabels: Record<TaskRelatedField, string> = {
  customerId: "Customer",
  invoiceId: "Invoice",
  paymentId: "Payment",
  subscriptionId: "Subscription",
  quoteId: "Quote",
};

export const taskCreated: Notification<{ task: Task }> = {
  eventType: "task.created",
  data: z.object({
    task: domainRecord<Task>("task", {
      id: "string",
      title: "string",
      createdBy: "string",
      related: "object",
    }),
  }),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const { task } = data;
    if (task.createdBy === "api") return [];
    const merchant = await ports.merchant(merchantId);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    const customer = task.related.customerId
      ? await ports.customer(merchantId, task.related.customerId)
      : undefined;
    const related = (Object.keys(relatedLabels) as TaskRelatedField[]).flatMap((field) => {
      const id = task.related[field];
      if (!id) return [];
      const who = field === "customerId" && customer ? ` (${customer.name ?? customer.email})` : "";
      return [`${relatedLabels[field]}: ${id}${who}`];
    });
    return [
      compose({ email: merchant.email, name: merchant.name }, `New task: ${task.title}`, [
        ...(task.body ? [task.body] : []),
        task.dueDate ? `Due: ${task.dueDate}.` : "No due date.",
        ...(related.length > 0 ? [`Related: ${related.join("; ")}.`] : []),
        `Created by workflow ${task.createdBy}${task.enrollmentId ? ` (enrollment ${task.enrollmentId})` : ""}.`,
        `Mark it done with PATCH /v1/tasks/${task.id} { "status": "done" }.`,
      ]),
    ];
  },
};
