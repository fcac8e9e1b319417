/**
 * A task a workflow created (`task.created` with `createdBy` = the workflow's id): the merchant is
 * told what to do, by when, about which objects, and which workflow asked. Tasks made through the
 * API send nothing: whoever made them already knows.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { translator } from "../i18n/translator.ts";
import type { Task, TaskRelatedField } from "../tasks/task.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";
import { lazy } from "../lazy.ts";

/** The objects a task may be about, in the order the email names them. */
const relatedFields: readonly TaskRelatedField[] = [
  "customerId",
  "invoiceId",
  "paymentId",
  "subscriptionId",
  "quoteId",
];

export const taskCreated: Notification<{ task: Task }> = {
  eventType: "task.created",
  data: lazy(() =>
    z.object({
      task: domainRecord<Task>("task", {
        id: "string",
        title: "string",
        createdBy: "string",
        related: "object",
      }),
    }),
  ),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const { task } = data;
    if (task.createdBy === "api") return [];
    const merchant = await ports.merchant(merchantId);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    const tr = translator(merchant.locale);
    const customer = task.related.customerId
      ? await ports.customer(merchantId, task.related.customerId)
      : undefined;
    const related = relatedFields.flatMap((field) => {
      const id = task.related[field];
      if (!id) return [];
      const who = field === "customerId" && customer ? ` (${customer.name ?? customer.email})` : "";
      return [`${tr.t("email.task.relatedField", { field })}: ${id}${who}`];
    });
    return [
      compose(
        tr,
        { email: merchant.email, name: merchant.name },
        tr.t("email.task.subject", { title: task.title }),
        [
          ...(task.body ? [task.body] : []),
          task.dueDate ? tr.t("email.task.due", { date: task.dueDate }) : tr.t("email.task.noDueDate"),
          ...(related.length > 0 ? [tr.t("email.task.related", { related: related.join("; ") })] : []),
          tr.t("email.task.createdBy", {
            workflow: task.createdBy,
            enrollment: task.enrollmentId ? tr.t("email.task.enrollment", { id: task.enrollmentId }) : "",
          }),
          // The request is an argument: its braces are not the message's.
          tr.t("email.task.markDone", { request: `PATCH /v1/tasks/${task.id} { "status": "done" }` }),
        ],
      ),
    ];
  },
};
