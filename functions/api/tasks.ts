/** Tasks: create, list, get, update. */
import * as ops from "../../shared/api/tasks.ts";
import { taskPorts as ports, withSavedViews } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import * as tasks from "../../shared/tasks/service.ts";

export const handler = apiHandler([
  route(ops.createTask, ({ principal, clock, body }) =>
    tasks.createTask(ports(clock), principal.merchantId, body),
  ),
  route(ops.listTasks, (request) =>
    listResponse(request, (filters, page) =>
      tasks.listTasks(withSavedViews(ports(request.clock)), request.principal.merchantId, {
        ...filters,
        ...page,
      }),
    ),
  ),
  route(ops.getTask, ({ principal, clock, params }) =>
    tasks.getTask(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateTask, ({ principal, clock, params, body }) =>
    tasks.updateTask(ports(clock), principal.merchantId, params.id, body),
  ),
]);
