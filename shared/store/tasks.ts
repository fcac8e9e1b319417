/**
 * Tasks: a collection in the merchant's partition (`SK = task_…`); list filters are FilterExpressions
 * (`relatedTo` on the nested related field its id's kind names).
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { TaskFilter, TaskStore } from "../tasks/ports.ts";
import type { Task } from "../tasks/task.ts";
import { asChange, collection, type Filter } from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { allOf, type Condition } from "./filters.ts";
import { keys } from "./keys.ts";
import { eventPut } from "./outbox.ts";

const tasks = collection<Task>({ type: "task", idKind: "task", label: "task" });

function taskFilter({ status, dueBefore, relatedTo }: TaskFilter): Filter | undefined {
  const conditions: Condition[] = [];
  if (status) conditions.push({ attribute: "status", equals: status });
  // A task without a due date holds NULL, which compares to no string: it is never "due before".
  if (dueBefore) conditions.push({ attribute: "dueDate", compare: "<", value: dueBefore });
  const plain = allOf(conditions);
  if (!relatedTo) return plain;
  const related: Filter = {
    expression: "#related.#relatedField = :relatedTo",
    names: { "#related": "related", "#relatedField": relatedTo.field },
    values: { ":relatedTo": relatedTo.id },
  };
  if (!plain) return related;
  return {
    expression: `${plain.expression} AND ${related.expression}`,
    names: { ...plain.names, ...related.names },
    values: { ...plain.values, ...related.values },
  };
}

export const dynamoTaskStore: TaskStore = {
  read: (merchantId, id) => tasks.read(merchantId, id),
  create: (merchantId, task, event) => tasks.create(merchantId, task, event),
  replace: (merchantId, task, version, event) => tasks.replace(merchantId, task, version, event),
  list(merchantId, filter, page) {
    const expression = taskFilter(filter);
    return tasks.list(merchantId, { ...page, ...(expression ? { filter: expression } : {}) });
  },
  createChanges: (merchantId, task, event) => [
    asChange(tasks.putNewWrite(merchantId, task)),
    asChange({ item: eventPut(event) }),
  ],
  async hasObject(merchantId, id) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.merchantObject(merchantId, id),
        ProjectionExpression: "PK",
      }),
    );
    return Item !== undefined;
  },
};
