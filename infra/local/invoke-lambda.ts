/**
 * Loads a manifest function's handler in-process and invokes it the way Lambda would: with a
 * context object and the function's timeout.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import type { FunctionDefinition } from "../manifest.ts";

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

const repoRoot = resolve(import.meta.dirname, "../..");

export async function loadHandler(fn: FunctionDefinition): Promise<Handler> {
  const module = (await import(pathToFileURL(resolve(repoRoot, fn.entry)).href)) as { handler?: Handler };
  if (typeof module.handler !== "function") throw new Error(`${fn.entry} does not export a handler`);
  return module.handler;
}

export class LambdaTimeoutError extends Error {
  override readonly name = "LambdaTimeoutError";
}

export async function invokeLambda(fn: FunctionDefinition, handler: Handler, event: unknown): Promise<unknown> {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.name,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn.name}`,
    memoryLimitInMB: String(fn.memoryMb ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  } satisfies Context;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LambdaTimeoutError(`${fn.name} timed out after ${fn.timeoutSeconds} s`)), fn.timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([handler(event, context), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
