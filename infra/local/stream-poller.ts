/**
 * Reads DynamoDB Local's stream and invokes the dispatcher like Lambda's event source mapping:
 * the manifest's filter, batches, partial batch failures retried from the first failed record up to
 * `retryAttempts`, then the batch's description sent to the on-failure queue. Its position is
 * checkpointed to a file, so a restart resumes instead of replaying old events.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { FunctionDefinition } from "../manifest.ts";
import { matchesPattern } from "./filter.ts";
import { type Handler, invokeLambda } from "./invoke-lambda.ts";
import type { Poller } from "./sqs-poller.ts";

interface Checkpoint {
  /** Last sequence number handled, per shard; `closed` once a shard has been read to its end. */
  shards: Record<string, string | "closed">;
}

export interface StreamPollerOptions {
  endpoint: string;
  streamArn: string;
  fn: FunctionDefinition;
  handler: Handler;
  checkpointFile?: string;
  sqs: SQSClient;
  onFailureQueueUrl: string;
  intervalMs?: number;
}

/**
 * The SDK's Streams client reads an empty map attribute (`{"M":{}}`) as `{}`, which is no attribute
 * value at all. An empty object can only have been an empty map, so put the `M` back, as Lambda's
 * event source mapping (which passes the raw JSON) would deliver it.
 */
export function repairEmptyMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(repairEmptyMaps);
  if (!value || typeof value !== "object") return value;
  const entries = Object.entries(value);
  if (entries.length === 0) return { M: {} };
  return Object.fromEntries(entries.map(([k, v]) => [k, k === "M" || k === "L" || !/^(S|N|B|SS|NS|BS|BOOL|NULL)$/.test(k) ? repairEmptyMaps(v) : v]));
}

/** The Lambda event shape of a stream record (epoch seconds, plain attribute-value maps). */
function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord["eventName"],
    eventVersion: record.eventVersion ?? "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime
        ? Math.floor(new Date(d.ApproximateCreationDateTime).getTime() / 1000)
        : undefined,
      Keys: d.Keys as never,
      NewImage: repairEmptyMaps(d.NewImage) as never,
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
    },
  };
}

export function pollStream(options: StreamPollerOptions): Poller {
  const client = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const stream = options.fn.stream;
  if (!stream) throw new Error(`${options.fn.name} has no stream subscription`);
  const checkpoint: Checkpoint =
    options.checkpointFile && existsSync(options.checkpointFile)
      ? (JSON.parse(readFileSync(options.checkpointFile, "utf8")) as Checkpoint)
      : { shards: {} };
  const save = () => {
    if (options.checkpointFile) writeFileSync(options.checkpointFile, JSON.stringify(checkpoint));
  };
  const iterators = new Map<string, string>();
  let running = true;

  async function iteratorFor(shardId: string): Promise<string | undefined> {
    const known = iterators.get(shardId);
    if (known) return known;
    const last = checkpoint.shards[shardId];
    const out = await client.send(
      new GetShardIteratorCommand({
        StreamArn: options.streamArn,
        ShardId: shardId,
        ...(last && last !== "closed"
          ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: last }
          : { ShardIteratorType: "TRIM_HORIZON" }),
      }),
    );
    return out.ShardIterator;
  }

  /** Delivers records in order; returns once each is handled or given up on. */
  async function deliver(records: DynamoDBRecord[]): Promise<void> {
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt++) {
      let failedFrom = -1;
      try {
        const response = (await invokeLambda(options.fn, options.handler, { Records: pending } satisfies DynamoDBStreamEvent)) as
          | DynamoDBBatchResponse
          | undefined;
        const failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        failedFrom = pending.findIndex((r) => failedIds.has(r.dynamodb?.SequenceNumber ?? ""));
      } catch (error) {
        console.error(`[stream] ${options.fn.name} failed:`, error);
        failedFrom = 0;
      }
      if (failedFrom < 0) return;
      pending = pending.slice(failedFrom);
      if (attempt >= (stream?.retryAttempts ?? 0)) {
        await options.sqs.send(
          new SendMessageCommand({
            QueueUrl: options.onFailureQueueUrl,
            MessageBody: JSON.stringify({
              requestContext: { functionArn: options.fn.name, condition: "RetryAttemptsExhausted", approximateInvokeCount: attempt + 1 },
              DDBStreamBatchInfo: {
                streamArn: options.streamArn,
                startSequenceNumber: pending[0]?.dynamodb?.SequenceNumber,
                endSequenceNumber: pending.at(-1)?.dynamodb?.SequenceNumber,
                batchSize: pending.length,
              },
            }),
          }),
        );
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 2000)));
    }
  }

  async function pollOnce(): Promise<void> {
    const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamArn: options.streamArn }));
    const shards = StreamDescription?.Shards ?? [];
    const listed = new Set(shards.map((s) => s.ShardId));
    for (const shard of shards) {
      const shardId = shard.ShardId;
      if (!shardId || checkpoint.shards[shardId] === "closed") continue;
      // Parents first, as Lambda does, so events keep their order across a shard split.
      if (shard.ParentShardId && listed.has(shard.ParentShardId) && checkpoint.shards[shard.ParentShardId] !== "closed") continue;
      const iterator = await iteratorFor(shardId);
      if (!iterator) continue;
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: stream?.batchSize ?? 100 }));
      const records = (out.Records ?? []).map((r) => toLambdaRecord(r, options.streamArn));
      const wanted = records.filter((r) => matchesPattern(r, stream?.filter));
      if (wanted.length) await deliver(wanted);
      const lastSeq = records.at(-1)?.dynamodb?.SequenceNumber;
      if (lastSeq) checkpoint.shards[shardId] = lastSeq;
      if (out.NextShardIterator) iterators.set(shardId, out.NextShardIterator);
      else {
        iterators.delete(shardId);
        checkpoint.shards[shardId] = "closed";
      }
      if (lastSeq || !out.NextShardIterator) save();
    }
  }

  const loop = (async () => {
    while (running) {
      try {
        await pollOnce();
      } catch (error) {
        if (!running) break;
        if (error instanceof Error && error.name === "ExpiredIteratorException") iterators.clear();
        else console.error("[stream] polling failed:", error);
      }
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
    }
  })();

  return {
    stop: async () => {
      running = false;
      await loop;
      client.destroy();
    },
  };
}
