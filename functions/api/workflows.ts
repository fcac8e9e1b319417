/** Workflows: create (own steps or a template), list, get, update, delete; versions; templates. */
import * as ops from "../../shared/api/workflows.ts";
import { workflowPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as workflows from "../../shared/workflows/service.ts";

export const handler = apiHandler([
  route(ops.createWorkflow, ({ principal, clock, body }) =>
    workflows.createWorkflow(ports(clock), principal.merchantId, body),
  ),
  route(ops.listWorkflows, async (request) => {
    const { principal, clock, query } = request;
    const { active, trigger } = query;
    const page = await workflows.listWorkflows(
      ports(clock),
      principal.merchantId,
      await pageRequest(request),
      {
        ...(active !== undefined ? { active } : {}),
        ...(trigger ? { trigger } : {}),
      },
    );
    return pageResponse(request, page);
  }),
  route(ops.getWorkflow, ({ principal, clock, params }) =>
    workflows.getWorkflow(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateWorkflow, ({ principal, clock, params, body }) =>
    workflows.updateWorkflow(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.deleteWorkflow, ({ principal, clock, params }) =>
    workflows.deleteWorkflow(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.listWorkflowVersions, async (request) => {
    const { principal, clock, params } = request;
    const page = await workflows.listWorkflowVersions(
      ports(clock),
      principal.merchantId,
      params.id,
      await pageRequest(request),
    );
    return pageResponse(request, page);
  }),
  route(ops.listWorkflowTemplates, async () => workflows.listWorkflowTemplates()),
]);
