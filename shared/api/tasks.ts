/** Operations on tasks: the team's to-dos, made through the API or by a workflow's step. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import type { TaskInput, TaskPatch } from "../tasks/task.ts";
import { taskStatuses } from "../tasks/task.ts";
import { calendarDate, idOf, idParams, listQuery, page, parsesTo, viewAndFormat } from "./common.ts";
import { taskFilters } from "./list-filters.ts";
import { taskColumns } from "./csv-columns.ts";
import { lazy } from "../lazy.ts";

const text = (max: number) => z.string().trim().min(1).max(max);

const relatedShape = lazy(() => ({
  customerId: idOf("customer").optional(),
  invoiceId: idOf("invoice").optional(),
  paymentId: idOf("payment").optional(),
  subscriptionId: idOf("subscription").optional(),
  quoteId: idOf("quote").optional(),
}));

export const task = lazy(() =>
  z.object({
    id: z.string(),
    title: z.string(),
    body: z.string().nullable(),
    status: z.enum(taskStatuses),
    dueDate: z.string().nullable().describe("A date (YYYY-MM-DD), or null"),
    related: z.object({
      customerId: z.string().optional(),
      invoiceId: z.string().optional(),
      paymentId: z.string().optional(),
      subscriptionId: z.string().optional(),
      quoteId: z.string().optional(),
    }),
    createdBy: z.string().describe('"api", or the id (wf_…) of the workflow whose step created it'),
    enrollmentId: z.string().optional().describe("The workflow enrollment whose step created it"),
    completedAt: z.string().nullable().describe("When it was marked done; null while open"),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const newTask = lazy(() =>
  parsesTo<TaskInput>()(
    z.strictObject({
      title: text(200),
      body: text(5000).optional(),
      dueDate: calendarDate().optional(),
      related: z.strictObject(relatedShape()).optional(),
    }),
  ),
);

export const taskPatch = lazy(() =>
  parsesTo<TaskPatch>()(
    z.strictObject({
      title: text(200).optional(),
      body: text(5000).nullable().optional(),
      dueDate: calendarDate().nullable().optional(),
      status: z.enum(taskStatuses).optional(),
    }),
  ),
);

export const createTask = defineOperation({
  id: "createTask",
  method: "POST",
  path: "/v1/tasks",
  auth: "merchant",
  tag: "Tasks",
  summary:
    "Create a task, optionally related to a customer, invoice, payment, subscription or quote of yours",
  body: newTask,
  response: task,
  status: 201,
});

export const listTasks = defineOperation({
  id: "listTasks",
  method: "GET",
  path: "/v1/tasks",
  auth: "merchant",
  tag: "Tasks",
  summary:
    "List tasks, newest first; filter by status, due date (dueBefore: due strictly before that date) or a related object's id (relatedTo)",
  query: () => listQuery().extend({ ...taskFilters().shape, ...viewAndFormat() }),
  response: () => page(task()),
  csv: taskColumns,
  status: 200,
});

export const getTask = defineOperation({
  id: "getTask",
  method: "GET",
  path: "/v1/tasks/{id}",
  auth: "merchant",
  tag: "Tasks",
  summary: "Get a task",
  params: () => idParams("task"),
  response: task,
  status: 200,
});

export const updateTask = defineOperation({
  id: "updateTask",
  method: "PATCH",
  path: "/v1/tasks/{id}",
  auth: "merchant",
  tag: "Tasks",
  summary:
    "Update a task's status, title, body or due date; null clears body or dueDate. done sets completedAt, open clears it",
  params: () => idParams("task"),
  body: taskPatch,
  response: task,
  status: 200,
});

export const taskOperations = [createTask, listTasks, getTask, updateTask];
