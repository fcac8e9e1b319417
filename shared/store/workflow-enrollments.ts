/**
 * Workflow enrollments: a collection in the merchant's partition (sort key: the `wfe_…` id), each
 * also on GSI1 under its workflow so a workflow's enrollments list newest first. An enrollment is
 * created with its key item (`keys.workflowEnrollmentKey`, naming it) in one transaction: the key
 * makes the enrollment exactly-once however often its trigger event arrives. Every advance is a
 * conditional write on the enrollment's version, with the step's own writes and events.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../domain/errors.ts";
import type { StoredEnrollment, EnrollmentStore } from "../workflows/ports.ts";
import { collection, type Filter, queryPage, transact } from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { indexKeys, type Key, keys } from "./keys.ts";
import { eventPut } from "./outbox.ts";

const enrollments = collection<StoredEnrollment>({
  type: "workflowEnrollment",
  idKind: "workflowEnrollment",
  label: "enrollment",
  // `version` is the table's own attribute (the item's write version): the workflow's is stored apart.
  attributes: {
    toAttributes: ({ version, ...rest }) => ({ ...rest, workflowVersion: version }),
    fromAttributes: ({ workflowVersion, ...rest }) =>
      ({ ...rest, version: Number(workflowVersion) }) as unknown as StoredEnrollment,
  },
  indexKeys: (enrollment, merchantId) =>
    keys.enrollmentOfWorkflow(merchantId, enrollment.workflowId, enrollment.id),
});

function listFilter(query: {
  status?: string | undefined;
  customerId?: string | undefined;
}): Filter | undefined {
  const parts: Filter[] = [
    ...(query.status
      ? [
          {
            expression: "#status = :status",
            names: { "#status": "status" },
            values: { ":status": query.status },
          },
        ]
      : []),
    ...(query.customerId
      ? [
          {
            expression: "#customer = :customer",
            names: { "#customer": "customerId" },
            values: { ":customer": query.customerId },
          },
        ]
      : []),
  ];
  if (parts.length === 0) return undefined;
  return {
    expression: parts.map((p) => p.expression).join(" AND "),
    names: Object.assign({}, ...parts.map((p) => p.names)),
    values: Object.assign({}, ...parts.map((p) => p.values)),
  };
}

export const dynamoEnrollmentStore: EnrollmentStore = {
  async enroll(merchantId, subject, enrollment) {
    const Key = keys.workflowEnrollmentKey(merchantId, enrollment.workflowId, subject);
    try {
      await transact(
        [
          {
            item: {
              Put: {
                TableName: tableName(),
                Item: { ...Key, type: "workflowEnrollmentKey", enrollmentId: enrollment.id },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
            conflict: "The customer is already enrolled",
          },
          enrollments.putNewWrite(merchantId, enrollment),
        ],
        "The enrollment was created by another delivery",
      );
      return enrollment.id;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Another delivery of the event (or another event of the customer) holds the key: its enrollment.
      const { Item } = await documentClient().send(
        new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }),
      );
      if (typeof Item?.enrollmentId !== "string") throw error;
      return Item.enrollmentId;
    }
  },
  read: (merchantId, id) => enrollments.read(merchantId, id),
  async advance(merchantId, next, expectedVersion, changes = [], events = []) {
    await transact(
      [
        enrollments.replaceWrite(merchantId, next, expectedVersion, "The enrollment was changed meanwhile"),
        ...changes,
        ...events.map((event) => ({ item: eventPut(event) })),
      ],
      "The enrollment was changed meanwhile",
    );
  },
  async list(merchantId, workflowId, query) {
    const index = indexKeys.enrollmentsOf(merchantId, workflowId);
    const page = await queryPage(
      {
        IndexName: index.index,
        KeyConditionExpression: "GSI1PK = :pk",
        ExpressionAttributeValues: { ":pk": index.pk },
      },
      { limit: query.limit, after: query.after, filter: listFilter(query) },
      (item) =>
        ({
          ...keys.merchantObject(merchantId, String(item.id)),
          ...keys.enrollmentOfWorkflow(merchantId, workflowId, String(item.id)),
        }) as unknown as Key,
    );
    return { ...page, items: page.items.map(enrollments.fromItem) };
  },
};
