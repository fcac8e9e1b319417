/**
 * Starts the emulators once for the whole suite (DynamoDB Local in memory, the SQS and SES
 * stand-ins, each on a random port) and hands their endpoints to every test file through
 * `inject`. Files isolate themselves with their own table and queues (see aws.ts).
 */
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { TestProject } from "vitest/node";
import { ensureTable, localDynamoClient, startDynamoDbLocal } from "../../infra/local/dynamodb.ts";
import { startLocalSes } from "../../infra/local/ses.ts";
import { startLocalSqs } from "../../infra/local/sqs.ts";
import { table } from "../../infra/table.ts";
import { itemCount } from "./aws.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** `dynamodb`: one DynamoDB Local per test worker (`dynamodbEndpoint()` of aws.ts picks a file's). */
    emulators: { dynamodb: string[]; sqs: string; ses: string };
  }
}

/**
 * Suites prove "nothing written" with `countItems` (the table's ItemCount, not a scan): if this
 * DynamoDB Local ever stopped counting every kind of write at once, those proofs would pass
 * vacuously, so the run stops here instead.
 */
async function checkItemCountIsExact(client: DynamoDBClient): Promise<void> {
  const TableName = `kassa-count-check-${process.pid}`;
  await ensureTable(client, TableName);
  const key = (id: string) => ({ [table.partitionKey]: { S: id }, [table.sortKey]: { S: "check" } });
  const writes: [string, () => Promise<unknown>][] = [
    ["PutItem", () => client.send(new PutItemCommand({ TableName, Item: key("put") }))],
    [
      "UpdateItem",
      () =>
        client.send(
          new UpdateItemCommand({
            TableName,
            Key: key("update"),
            UpdateExpression: "SET v = :v",
            ExpressionAttributeValues: { ":v": { N: "1" } },
          }),
        ),
    ],
    [
      "TransactWriteItems",
      () =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName, Item: key("tx") } },
              { Delete: { TableName, Key: key("put") } },
            ],
          }),
        ),
    ],
    [
      "BatchWriteItem",
      () =>
        client.send(
          new BatchWriteItemCommand({
            RequestItems: {
              [TableName]: [{ PutRequest: { Item: key("batch") } }, { DeleteRequest: { Key: key("tx") } }],
            },
          }),
        ),
    ],
    ["DeleteItem", () => client.send(new DeleteItemCommand({ TableName, Key: key("update") }))],
  ];
  for (const [name, write] of writes) {
    await write();
    const scanned = (await client.send(new ScanCommand({ TableName, Select: "COUNT", ConsistentRead: true })))
      .Count;
    const counted = await itemCount(client, TableName);
    if (counted !== scanned)
      throw new Error(`DynamoDB Local's ItemCount is ${counted} after a ${name}, a scan counts ${scanned}`);
  }
  await client.send(new DeleteTableCommand({ TableName }));
}

/**
 * One DynamoDB Local per test worker: each keeps its tables in one in-memory SQLite database, which
 * serialises every request, so files running side by side on one instance wait for each other.
 */
export default async function setup(project: TestProject) {
  const workers = Math.max(1, Number(project.config.maxWorkers) || 1);
  const [sqs, ses, ...dynamodbs] = await Promise.all([
    startLocalSqs(),
    startLocalSes(),
    ...Array.from({ length: workers }, () => startDynamoDbLocal()),
  ]);
  const stopAll = () => Promise.all([sqs.stop(), ses.stop(), ...dynamodbs.map((d) => d.stop())]);
  try {
    await Promise.all(dynamodbs.map((d) => checkItemCountIsExact(localDynamoClient(d.endpoint))));
  } catch (error) {
    await stopAll();
    throw error;
  }
  project.provide("emulators", {
    dynamodb: dynamodbs.map((d) => d.endpoint),
    sqs: sqs.endpoint,
    ses: ses.endpoint,
  });
  return async () => {
    await stopAll();
  };
}
