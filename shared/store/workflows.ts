/**
 * Workflows: a collection in the merchant's partition (`wf_…`) whose active items also sit in GSI1
 * under their trigger (sparse: an inactive workflow carries no index keys), so the engine reads the
 * workflows an event starts with one query; and each workflow's versions (`WFVER#<wf>#<n>`), the
 * first put with the workflow, each later one in the transaction of the edit that made it. A
 * deleted workflow's versions stay: they are what its enrollments ran. A workflow with a webhook step
 * has its signing secret, sealed, in an item of its own (`WFSECRET#<wf>`), put once with the write
 * that added its first webhook step and never returned by the workflow's reads.
 */
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Sealed } from "../auth/sealed.ts";
import type { WorkflowCatalog } from "../workflows/ports.ts";
import type { WorkflowListFilter, WorkflowStore } from "../workflows/service.ts";
import type { Workflow, WorkflowVersion } from "../workflows/workflow.ts";
import { collection, type ExtraWrite, queryPage } from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { allOf, type Condition } from "./filters.ts";
import { itemMapping } from "./items.ts";
import { indexKeys, keys } from "./keys.ts";

/**
 * A workflow's `version` (of its definition) is stored as `definitionVersion`: `version` is the
 * item's own write counter. The trigger's event is also kept flat (`triggerEvent`) for the list's filter.
 */
const workflows = collection<Workflow>({
  type: "workflow",
  idKind: "workflow",
  label: "workflow",
  indexKeys: (workflow, merchantId) =>
    workflow.active ? keys.activeWorkflow(merchantId, workflow.trigger.event, workflow.id) : {},
  attributes: {
    toAttributes: ({ version, ...rest }) => ({
      ...rest,
      definitionVersion: version,
      triggerEvent: rest.trigger.event,
    }),
    fromAttributes: ({ definitionVersion, triggerEvent: _, ...rest }) =>
      ({ ...rest, version: Number(definitionVersion) }) as unknown as Workflow,
  },
});

const versions = itemMapping<WorkflowVersion>({
  type: "workflowVersion",
  attributes: {
    toAttributes: ({ version, ...rest }) => ({ ...rest, definitionVersion: version }),
    fromAttributes: ({ definitionVersion, ...rest }) =>
      ({ ...rest, version: Number(definitionVersion) }) as unknown as WorkflowVersion,
  },
});

/** The item of a workflow's current version, made when the workflow is written with it. */
const versionPut = (merchantId: string, workflow: Workflow): ExtraWrite => {
  const version: WorkflowVersion = {
    workflowId: workflow.id,
    version: workflow.version,
    trigger: workflow.trigger,
    reenroll: workflow.reenroll,
    steps: workflow.steps,
    createdAt: workflow.updatedAt,
  };
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: versions.toItem(keys.workflowVersion(merchantId, workflow.id, workflow.version), version),
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
    conflict: "The workflow was changed by another request; fetch it and try again",
  };
};

/** The item holding a workflow's sealed webhook secret: put once, never replaced. */
const secretPut = (merchantId: string, workflowId: string, sealed: Sealed): ExtraWrite => ({
  item: {
    Put: {
      TableName: tableName(),
      Item: { ...keys.workflowWebhookSecret(merchantId, workflowId), type: "workflowWebhookSecret", sealed },
      ConditionExpression: "attribute_not_exists(PK)",
    },
  },
  conflict: "The workflow was changed by another request; fetch it and try again",
});

/** A workflow's sealed webhook secret, if it has one. */
export async function workflowWebhookSecret(
  merchantId: string,
  workflowId: string,
): Promise<Sealed | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.workflowWebhookSecret(merchantId, workflowId) }),
  );
  return Item?.type === "workflowWebhookSecret" ? (Item.sealed as Sealed) : undefined;
}

function listConditions(filter: WorkflowListFilter): Condition[] {
  return [
    ...(filter.active !== undefined ? [{ attribute: "active", equals: filter.active }] : []),
    ...(filter.trigger ? [{ attribute: "triggerEvent", equals: filter.trigger }] : []),
  ];
}

export const dynamoWorkflowStore: WorkflowStore = {
  read: (merchantId, id) => workflows.read(merchantId, id),
  list(merchantId, page, filter) {
    const expression = allOf(listConditions(filter));
    return workflows.list(merchantId, { ...page, ...(expression ? { filter: expression } : {}) });
  },
  create: (merchantId, workflow, event, webhookSecret) =>
    workflows.create(merchantId, workflow, event, [
      versionPut(merchantId, workflow),
      ...(webhookSecret ? [secretPut(merchantId, workflow.id, webhookSecret)] : []),
    ]),
  replace: (merchantId, workflow, expectedVersion, event, newVersion, webhookSecret) =>
    workflows.replace(merchantId, workflow, expectedVersion, event, [
      ...(newVersion ? [versionPut(merchantId, workflow)] : []),
      ...(webhookSecret ? [secretPut(merchantId, workflow.id, webhookSecret)] : []),
    ]),
  remove: (merchantId, id, expectedVersion, event) =>
    workflows.remove(merchantId, id, expectedVersion, event),
  async versions(merchantId, workflowId, page) {
    const { PK, SKPrefix } = keys.workflowVersionPrefix(merchantId, workflowId);
    const result = await queryPage(
      {
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": PK, ":prefix": SKPrefix },
      },
      page,
      (item) => keys.workflowVersion(merchantId, workflowId, Number(item.definitionVersion)),
    );
    return { ...result, items: result.items.map(versions.fromItem) };
  },
};

export const dynamoWorkflowCatalog: WorkflowCatalog = {
  async activeFor(merchantId, trigger) {
    const { index, pk } = indexKeys.activeWorkflows(merchantId, trigger);
    const found: Workflow[] = [];
    let startKey: Record<string, unknown> | undefined;
    // One query; a merchant with more active workflows on one trigger than a page holds reads on.
    do {
      const out = await documentClient().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: index,
          KeyConditionExpression: "GSI1PK = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      found.push(...(out.Items ?? []).map(workflows.fromItem));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return found;
  },
  async readVersion(merchantId, workflowId, version) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.workflowVersion(merchantId, workflowId, version),
      }),
    );
    return Item && Item.type === versions.type ? versions.fromItem(Item) : undefined;
  },
  read: (merchantId, workflowId) => workflows.get(merchantId, workflowId),
};
