/**
 * The workflows API function against a mocked table: what each route writes (the workflow, its
 * version item, its event — one transaction), when an edit makes a version and when not, how an
 * active workflow enters the trigger's index and leaves it, and the 400s and 404s it answers.
 */
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/workflows.ts";
import {
  callHandler,
  merchantId,
  merchantItem,
  merchantPk,
  tableName,
  useMerchantKey,
} from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const workflowId = "wf_01KQA0000000000000000000AA";
const welcome = {
  type: "send_email",
  to: "customer",
  subject: "Welcome, {{ customer.name }}",
  body: "Thanks for {{ payment.amount | money }}",
};
const stored = {
  PK: merchantPk,
  SK: workflowId,
  GSI1PK: `${merchantPk}#WORKFLOWS#payment.succeeded`,
  GSI1SK: workflowId,
  type: "workflow",
  version: 3,
  id: workflowId,
  name: "Welcome",
  active: true,
  definitionVersion: 2,
  triggerEvent: "payment.succeeded",
  trigger: { event: "payment.succeeded", filters: [] },
  reenroll: false,
  steps: [welcome],
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-02T00:00:00.000Z",
};
const shown = {
  id: workflowId,
  name: "Welcome",
  active: true,
  version: 2,
  trigger: { event: "payment.succeeded", filters: [] },
  reenroll: false,
  steps: [welcome],
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-02T00:00:00.000Z",
};
const answerWorkflow = () =>
  ddb.on(GetCommand, { Key: { PK: merchantPk, SK: workflowId } }).resolves({ Item: stored });
const answerMerchant = (extra: Record<string, unknown> = {}) =>
  ddb
    .on(GetCommand, { Key: { PK: merchantPk, SK: "MERCHANT" } })
    .resolves({ Item: { ...merchantItem, ...extra } });
const writes = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems ?? []);

describe("workflows API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    answerMerchant();
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/workflows writes the workflow (in its trigger's index while active), its version 1 and workflow.created in one transaction", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/workflows", {
      body: { name: "Welcome", trigger: { event: "payment.succeeded" }, steps: [welcome] },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: "Welcome",
      active: true,
      version: 1,
      reenroll: false,
      trigger: { event: "payment.succeeded", filters: [] },
      steps: [welcome],
    });
    expect(body.id).toMatch(/^wf_[0-9A-Z]{26}$/);
    const { version: _, ...fields } = body;
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: {
              PK: merchantPk,
              SK: body.id,
              GSI1PK: `${merchantPk}#WORKFLOWS#payment.succeeded`,
              GSI1SK: body.id,
              type: "workflow",
              version: 1,
              ...fields,
              definitionVersion: 1,
              triggerEvent: "payment.succeeded",
            },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: {
              PK: merchantPk,
              SK: `WFVER#${body.id}#000001`,
              type: "workflowVersion",
              workflowId: body.id,
              definitionVersion: 1,
              trigger: { event: "payment.succeeded", filters: [] },
              reenroll: false,
              steps: [welcome],
              createdAt: body.createdAt,
            },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({
              type: "event",
              eventType: "workflow.created",
              merchantId,
              objectId: body.id,
              data: { workflow: body },
            }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("POST /v1/workflows with active false keeps the workflow out of the trigger's index", async () => {
    const { status } = await callHandler(handler, "POST /v1/workflows", {
      body: { name: "Later", active: false, trigger: { event: "payment.succeeded" }, steps: [welcome] },
    });

    expect(status).toBe(201);
    const [item] = writes()[0] ?? [];
    expect(item?.Put?.Item).not.toHaveProperty("GSI1PK");
    expect(item?.Put?.Item).not.toHaveProperty("GSI1SK");
  });

  it("POST /v1/workflows { fromTemplate } takes the template's trigger and steps, and names it", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/workflows", {
      body: { fromTemplate: "purchase_follow_up" },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: "Purchase follow-up for the account owner",
      template: "purchase_follow_up",
      trigger: { event: "payment.succeeded" },
      steps: [
        { type: "send_email", to: "account_owner" },
        { type: "create_task", title: "Start the customer follow-up", dueInDays: 2 },
      ],
    });
  });

  it("POST /v1/workflows accepts a team member's address and refuses any other, naming the field", async () => {
    answerMerchant({ team: [{ name: "Sam", email: "Sam@Acme.test" }] });
    const to = (userEmail: string) => ({
      name: "Tell",
      trigger: { event: "customer.created" },
      steps: [{ ...welcome, body: "New customer {{ customer.email }}", subject: "New", to: { userEmail } }],
    });

    expect((await callHandler(handler, "POST /v1/workflows", { body: to("sam@acme.test") })).status).toBe(
      201,
    );
    expect((await callHandler(handler, "POST /v1/workflows", { body: to("owner@acme.test") })).status).toBe(
      201,
    );
    const refused = await callHandler(handler, "POST /v1/workflows", { body: to("eve@evil.test") });

    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      {
        path: "steps.0.to.userEmail",
        message: "must be the merchant's email or a team member's (merchant settings team)",
      },
    ]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });

  it.each([
    [
      "an unknown variable",
      [{ ...welcome, body: "{{ invoice.number }}" }],
      "steps.0.body",
      "unknown variable invoice.number",
    ],
    [
      "a filter that does not exist",
      [{ ...welcome, subject: "{{ customer.name | shout }}" }],
      "steps.0.subject",
      "undefined filter: shout, line:1, col:1",
    ],
  ])("POST /v1/workflows answers 400 for %s and writes nothing", async (_, steps, path, message) => {
    const { status, body } = await callHandler(handler, "POST /v1/workflows", {
      body: { name: "Bad", trigger: { event: "payment.succeeded" }, steps },
    });

    expect(status).toBe(400);
    expect(body.errors).toEqual([{ path, message }]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("GET /v1/workflows/{id} shows the definition's version, not the item's", async () => {
    answerWorkflow();

    const { status, body } = await callHandler(handler, "GET /v1/workflows/{id}", {
      pathParameters: { id: workflowId },
    });

    expect(status).toBe(200);
    expect(body).toEqual(shown);
  });

  it("PATCH /v1/workflows/{id} of the name and active writes no version; inactive leaves the trigger's index", async () => {
    answerWorkflow();

    const { status, body } = await callHandler(handler, "PATCH /v1/workflows/{id}", {
      pathParameters: { id: workflowId },
      body: { name: "Hello", active: false },
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({ name: "Hello", active: false, version: 2 });
    const [items] = writes();
    expect(items).toHaveLength(2);
    expect(items?.[0]).toEqual({
      Put: {
        TableName: tableName,
        Item: {
          PK: merchantPk,
          SK: workflowId,
          type: "workflow",
          ...shown,
          name: "Hello",
          active: false,
          version: 4, // the item's write counter; the definition stays at 2
          definitionVersion: 2,
          triggerEvent: "payment.succeeded",
          updatedAt: body.updatedAt,
        },
        ConditionExpression: "version = :expected",
        ExpressionAttributeValues: { ":expected": 3 },
      },
    });
    expect(items?.[1]?.Put?.Item).toMatchObject({ eventType: "workflow.updated", objectId: workflowId });
  });

  it("PATCH /v1/workflows/{id} of the steps writes version 3 with the workflow, on the item's version", async () => {
    answerWorkflow();
    const steps = [{ type: "delay", duration: "P1D" }, welcome];

    const { status, body } = await callHandler(handler, "PATCH /v1/workflows/{id}", {
      pathParameters: { id: workflowId },
      body: { steps },
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({ version: 3, steps });
    const [items] = writes();
    expect(items).toHaveLength(3);
    expect(items?.[0]?.Put?.Item).toMatchObject({
      definitionVersion: 3,
      GSI1PK: `${merchantPk}#WORKFLOWS#payment.succeeded`,
    });
    expect(items?.[0]?.Put?.ConditionExpression).toBe("version = :expected");
    expect(items?.[1]).toEqual({
      Put: {
        TableName: tableName,
        Item: {
          PK: merchantPk,
          SK: `WFVER#${workflowId}#000003`,
          type: "workflowVersion",
          workflowId,
          definitionVersion: 3,
          trigger: { event: "payment.succeeded", filters: [] },
          reenroll: false,
          steps,
          createdAt: body.updatedAt,
        },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    });
  });

  it("PATCH /v1/workflows/{id} with the same steps as stored makes no version", async () => {
    answerWorkflow();

    const { body } = await callHandler(handler, "PATCH /v1/workflows/{id}", {
      pathParameters: { id: workflowId },
      body: { steps: [welcome], reenroll: false },
    });

    expect(body.version).toBe(2);
    expect(writes()[0]).toHaveLength(2);
  });

  it("GET /v1/workflows/{id}/versions reads the version items newest first", async () => {
    answerWorkflow();
    ddb.on(QueryCommand).resolves({
      Items: [
        {
          PK: merchantPk,
          SK: `WFVER#${workflowId}#000002`,
          type: "workflowVersion",
          workflowId,
          definitionVersion: 2,
          trigger: shown.trigger,
          reenroll: false,
          steps: [welcome],
          createdAt: "2026-01-02T00:00:00.000Z",
        },
      ],
    });

    const { status, body } = await callHandler(handler, "GET /v1/workflows/{id}/versions", {
      pathParameters: { id: workflowId },
    });

    expect(status).toBe(200);
    expect(body).toEqual({
      data: [
        {
          workflowId,
          version: 2,
          trigger: shown.trigger,
          reenroll: false,
          steps: [welcome],
          createdAt: "2026-01-02T00:00:00.000Z",
        },
      ],
      nextCursor: null,
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": merchantPk, ":prefix": `WFVER#${workflowId}#` },
      ScanIndexForward: false,
    });
  });

  it.each([
    ["GET /v1/workflows/{id}", undefined],
    ["PATCH /v1/workflows/{id}", { name: "Mine" }],
    ["DELETE /v1/workflows/{id}", undefined],
    ["GET /v1/workflows/{id}/versions", undefined],
  ])(
    "%s answers 404 for a workflow that is not the merchant's, and writes nothing",
    async (routeKey, payload) => {
      const { status, body } = await callHandler(handler, routeKey, {
        pathParameters: { id: workflowId },
        ...(payload ? { body: payload } : {}),
      });

      expect(status).toBe(404);
      expect(body).toMatchObject({ status: 404, detail: "Workflow not found" });
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
      expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
    },
  );

  it("DELETE /v1/workflows/{id} deletes it on its version with workflow.deleted", async () => {
    answerWorkflow();

    const { status } = await callHandler(handler, "DELETE /v1/workflows/{id}", {
      pathParameters: { id: workflowId },
    });

    expect(status).toBe(204);
    const [items] = writes();
    expect(items?.[0]).toEqual({
      Delete: {
        TableName: tableName,
        Key: { PK: merchantPk, SK: workflowId },
        ConditionExpression: "version = :expected",
        ExpressionAttributeValues: { ":expected": 3 },
      },
    });
    expect(items?.[1]?.Put?.Item).toMatchObject({ eventType: "workflow.deleted", data: { workflowId } });
  });

  it("GET /v1/workflow-templates lists the three templates, reading nothing", async () => {
    const { status, body } = await callHandler(handler, "GET /v1/workflow-templates");

    expect(status).toBe(200);
    expect(body.data.map((t: { id: string }) => t.id)).toEqual([
      "welcome_email",
      "renewal_reminder_with_code",
      "purchase_follow_up",
    ]);
    expect(body.data[1].steps[0]).toEqual({
      type: "create_discount_code",
      percentOff: 10,
      expiresInDays: 7,
      maxRedemptions: 1,
    });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });
});
