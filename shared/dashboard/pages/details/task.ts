/** The task page: what it asks, what it is about, and mark it done or open it again (`PATCH /v1/tasks/{id}`). */
import * as ops from "../../../api/tasks.ts";
import { taskPorts } from "../../../composition.ts";
import * as tasks from "../../../tasks/service.ts";
import type { Task } from "../../../tasks/task.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { actionButton, badge, facts, html, pageHeader, section, timeline, when } from "../../ui.ts";
import { bodyOf, calendarDay, may, merchantOf, objectLink } from "./common.ts";
import { eventsOf } from "./timeline.ts";

const pathOf = (id: string) => `/app/tasks/${id}`;

/** The pages of the objects a task is about. */
const relatedPages = {
  customerId: "customers",
  invoiceId: "invoices",
  paymentId: "payments",
  subscriptionId: "subscriptions",
  quoteId: "quotes",
} as const satisfies Record<keyof Task["related"], string>;

async function taskPage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const task = await tasks.getTask(taskPorts(request.clock), merchantId, request.params.id ?? "");
  const [merchant, events] = await Promise.all([merchantOf(request), eventsOf(merchantId, task.id)]);
  const zone = merchant.timeZone;
  const toggle = may(request, "documents")
    ? task.status === "open"
      ? actionButton({
          action: `${pathOf(task.id)}/done`,
          label: "Mark done",
          csrfToken: request.csrfToken,
          tone: "primary",
        })
      : actionButton({ action: `${pathOf(task.id)}/reopen`, label: "Reopen", csrfToken: request.csrfToken })
    : undefined;
  const related = (Object.keys(relatedPages) as (keyof typeof relatedPages)[]).flatMap((field) => {
    const id = task.related[field];
    return id ? [html`<li>${objectLink(relatedPages[field], id)}</li>`] : [];
  });
  const body = html`${pageHeader(html`${task.title} ${badge(task.status)}`, toggle, task.id)}
${section(
  "Details",
  html`${facts([
    ["Due", calendarDay(task.dueDate)],
    ["Created by", task.createdBy === "api" ? "A person (API or dashboard)" : `Workflow ${task.createdBy}`],
    ["Created", when(task.createdAt, zone)],
    ["Done", task.completedAt ? when(task.completedAt, zone) : undefined],
  ])}
${task.body ? html`<p>${task.body}</p>` : ""}
${related.length > 0 ? html`<h3>About</h3><ul>${related}</ul>` : ""}`,
)}
${section("Timeline", timeline(events, zone))}`;
  return { kind: "page" as const, title: task.title, body: String(body) };
}

const setStatus = (action: "done" | "reopen", status: Task["status"], notice: string): DashboardRoute => ({
  method: "POST",
  path: `/app/tasks/{id}/${action}`,
  permission: "documents",
  async handle(request) {
    const id = request.params.id ?? "";
    await tasks.updateTask(
      taskPorts(request.clock),
      request.user.merchantId,
      id,
      bodyOf(ops.updateTask, { status }),
    );
    return { kind: "redirect", location: pathOf(id), notice };
  },
});

export const taskRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: "/app/tasks/{id}", permission: "read", handle: taskPage },
  setStatus("done", "done", "Task done"),
  setStatus("reopen", "open", "Task reopened"),
];
