/**
 * The SQS stand-in (fauxqs) with every queue of the manifest and its DLQ, wired by RedrivePolicy so
 * max receives move a message to the DLQ exactly as SQS does, and the stack's message size limit.
 */
import { startFauxqs } from "fauxqs";
import { type QueueDefinition, queueMaxMessageBytes, queues } from "../manifest.ts";

/** What every local queue shares with its cloud twin (the stack pins the same on every queue). */
export const localQueueAttributes = { MaximumMessageSize: String(queueMaxMessageBytes) } as const;

export interface LocalQueue {
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
  definition: QueueDefinition;
}

export interface LocalSqs {
  endpoint: string;
  queues: Record<string, LocalQueue>;
  /** Creates an extra queue (e.g. the stream's on-failure destination). */
  createQueue(name: string): { url: string; arn: string };
  stop(): Promise<void>;
}

export async function startLocalSqs(options: { port?: number } = {}): Promise<LocalSqs> {
  const server = await startFauxqs({ port: options.port ?? 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const createQueue = (name: string, attributes?: Record<string, string>) => {
    const q = server.createQueue(name, { attributes: { ...localQueueAttributes, ...attributes } });
    return { url: q.queueUrl, arn: q.queueArn };
  };
  const created: Record<string, LocalQueue> = {};
  for (const [name, definition] of Object.entries(queues) as [string, QueueDefinition][]) {
    const dlq = createQueue(`${name}-dlq`);
    const queue = createQueue(name, {
      VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: String(definition.maxReceiveCount) }),
    });
    created[name] = { url: queue.url, arn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn, definition };
  }
  return { endpoint, queues: created, createQueue: (name) => createQueue(name), stop: () => server.stop() };
}
