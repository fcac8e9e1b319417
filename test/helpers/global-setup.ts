/**
 * Starts the emulators once for the whole suite (DynamoDB Local in memory, the SQS and SES
 * stand-ins, each on a random port) and hands their endpoints to every test file through
 * `inject`. Files isolate themselves with their own table and queues (see aws.ts).
 */
import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../infra/local/dynamodb.ts";
import { startLocalSes } from "../../infra/local/ses.ts";
import { startLocalSqs } from "../../infra/local/sqs.ts";

declare module "vitest" {
  export interface ProvidedContext {
    emulators: { dynamodb: string; sqs: string; ses: string };
  }
}

export default async function setup(project: TestProject) {
  const [dynamodb, sqs, ses] = await Promise.all([startDynamoDbLocal(), startLocalSqs(), startLocalSes()]);
  project.provide("emulators", { dynamodb: dynamodb.endpoint, sqs: sqs.endpoint, ses: ses.endpoint });
  return async () => {
    await Promise.all([dynamodb.stop(), sqs.stop(), ses.stop()]);
  };
}
