/**
 * The tasks API function: a task and its task.created event in one transaction, related ids checked
 * against the merchant's partition, PATCH stamping and clearing completedAt on the next version, and
 * the list filters as one FilterExpression.
 */
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/tasks.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const taskId = "task_01KQA0000000000000000000AA";
const customerId = "cus_01KQA0000000000000000000CS";
const invoiceId = "inv_01KQA0000000000000000000NV";
const stored = {
  PK: merchantPk,
  SK: taskId,
  type: "task",
  version: 1,
  id: taskId,
  title: "Call the customer",
  body: null,
  status: "open",
  dueDate: "2026-02-01",
  related: { customerId },
  createdBy: "api",
  completedAt: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

describe("tasks API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/tasks checks the related customer in the caller's partition, then writes the task with task.created", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: customerId } }).resolves({ Item: { PK: merchantPk } });

    const { status, body } = await callHandler(handler, "POST /v1/tasks", {
      body: { title: "  Call the customer ", dueDate: "2026-02-01", related: { customerId } },
    });

    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.stringMatching(/^task_[0-9A-Z]{26}$/),
      title: "Call the customer",
      body: null,
      status: "open",
      dueDate: "2026-02-01",
      related: { customerId },
      createdBy: "api",
      completedAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: tableName,
      Key: { PK: merchantPk, SK: customerId },
      ProjectionExpression: "PK",
    });
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: body.id, type: "task", version: 1, ...body },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({ eventType: "task.created", merchantId, objectId: body.id, data: { task: body } }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("POST /v1/tasks answers 400 naming each related field whose object is not the merchant's, and writes nothing", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: customerId } }).resolves({});
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: invoiceId } }).resolves({ Item: { PK: merchantPk } });

    const { status, body } = await callHandler(handler, "POST /v1/tasks", {
      body: { title: "Follow up", related: { customerId, invoiceId } },
    });

    expect(status).toBe(400);
    expect(body.errors).toEqual([{ path: "related.customerId", message: "No such customer" }]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it.each([
    ["a missing title", { body: "x" }, "title", "is required"],
    ["a bad due date", { title: "x", dueDate: "2026-13-01" }, "dueDate", "must be a date like 2026-12-31"],
    ["a related id of the wrong kind", { title: "x", related: { customerId: invoiceId } }, "related.customerId", "must be a cus_… id"],
    ["createdBy, which only a workflow sets", { title: "x", createdBy: "wf_01KQA0000000000000000000WF" }, "createdBy", "is not a known field"],
  ])("POST /v1/tasks answers 400 for %s", async (_, payload, path, message) => {
    const { status, body } = await callHandler(handler, "POST /v1/tasks", { body: payload });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("PATCH /v1/tasks/{id} to done stamps completedAt on the next version with task.updated; reopening clears it", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: taskId } }).resolves({ Item: stored });

    const done = await callHandler(handler, "PATCH /v1/tasks/{id}", { pathParameters: { id: taskId }, body: { status: "done", body: "Called" } });

    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: "done", body: "Called", completedAt: done.body.updatedAt });
    expect(done.body.completedAt).not.toBeNull();
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: taskId, type: "task", version: 2, ...done.body },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 1 },
          },
        },
        { Put: expect.objectContaining({ Item: expect.objectContaining({ eventType: "task.updated", objectId: taskId, data: { task: done.body } }) }) },
      ],
    });

    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: taskId } }).resolves({ Item: { ...stored, ...done.body, version: 2 } });
    const reopened = await callHandler(handler, "PATCH /v1/tasks/{id}", { pathParameters: { id: taskId }, body: { status: "open", dueDate: null } });

    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: "open", completedAt: null, dueDate: null, body: "Called" });
  });

  it("PATCH /v1/tasks/{id} answers 404 for a task not in the caller's partition and writes nothing", async () => {
    const { status, body } = await callHandler(handler, "PATCH /v1/tasks/{id}", { pathParameters: { id: taskId }, body: { status: "done" } });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail: "Task not found" });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("GET /v1/tasks filters by status, dueBefore and the related field the id's kind names", async () => {
    ddb.on(QueryCommand).resolves({ Items: [stored] });

    const { status, body } = await callHandler(handler, "GET /v1/tasks", {
      query: { status: "open", dueBefore: "2026-03-01", relatedTo: customerId },
    });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [expect.objectContaining({ id: taskId })], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
      ExpressionAttributeValues: {
        ":pk": merchantPk,
        ":lower": expect.stringMatching(/^task_/),
        ":upper": expect.stringMatching(/^task_/),
        ":f0": "open",
        ":f1": "2026-03-01",
        ":relatedTo": customerId,
      },
      FilterExpression: "#f0 = :f0 AND #f1 < :f1 AND #related.#relatedField = :relatedTo",
      ExpressionAttributeNames: { "#f0": "status", "#f1": "dueDate", "#related": "related", "#relatedField": "customerId" },
    });
  });

  it("GET /v1/tasks answers 400 to a relatedTo that names no kind of related object", async () => {
    const { status, body } = await callHandler(handler, "GET /v1/tasks", { query: { relatedTo: "prd_01KQA0000000000000000000PR" } });

    expect(status).toBe(400);
    expect(body.errors).toEqual([{ path: "relatedTo", message: "must be a customer, invoice, payment, subscription or quote id" }]);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });
});
