/**
 * The merchant's email when a workflow creates a task (`task.created` with a workflow's `createdBy`):
 * what to do, by when, about which objects (the customer by name), and which workflow asked. A task
 * made through the API sends nothing.
 */
import { describe, expect, it } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import type { NotificationPorts } from "../../shared/notifications/ports.ts";
import { taskCreated } from "../../shared/notifications/task-created.ts";
import { newTask } from "../../shared/tasks/task.ts";

const merchant = { id: "mer_1", name: "Acme", email: "owner@acme.test", timeZone: "UTC" } as Merchant;
const customer = { id: "cus_1", email: "bea@shop.test", name: "Bea <b>Buyer</b>" } as Customer;
const ports = {
  merchant: async (id: string) => (id === "mer_1" ? merchant : undefined),
  customer: async (merchantId: string, id: string) =>
    merchantId === "mer_1" && id === "cus_1" ? customer : undefined,
} as unknown as NotificationPorts;
const now = new Date("2026-03-01T10:00:00Z");

describe("task.created email", () => {
  it("tells the merchant about a workflow's task: title, body, due date, related objects and the workflow", async () => {
    const { task, event } = newTask(
      "mer_1",
      {
        title: "Start the follow-up",
        body: "Call within a week",
        dueDate: "2026-03-04",
        related: { customerId: "cus_1", paymentId: "pay_1" },
        createdBy: "wf_1",
        enrollmentId: "wfe_1",
      },
      now,
    );

    const mails = await taskCreated.render({ ...event, data: taskCreated.data().parse(event.data) }, ports);

    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.to).toEqual({ email: "owner@acme.test", name: "Acme" });
    expect(mail?.subject).toBe("New task: Start the follow-up");
    for (const text of [
      "Call within a week",
      "Due: 2026-03-04.",
      "Customer: cus_1 (Bea <b>Buyer</b>); Payment: pay_1.",
      "Created by workflow wf_1 (enrollment wfe_1).",
      `PATCH /v1/tasks/${task.id}`,
    ])
      expect(mail?.text).toContain(text);
    expect(mail?.html).toContain("Bea &lt;b&gt;Buyer&lt;/b&gt;");
    expect(mail?.html).not.toContain("<b>Buyer</b>");
  });

  it("sends nothing for a task made through the API", async () => {
    const { event } = newTask("mer_1", { title: "Mine" }, now);
    expect(await taskCreated.render({ ...event, data: taskCreated.data().parse(event.data) }, ports)).toEqual(
      [],
    );
  });
});
