import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { awsClientConfig } from "../../shared/aws/clients.ts";
import { type BackoffPolicy, fullJitterMs, retryWithBackoff } from "../../shared/domain/backoff.ts";
import {
  documentClient,
  isTransientCancellation,
  sendTransaction,
  transactionBackoff,
} from "../../shared/store/dynamo.ts";
import { transact } from "../../shared/store/collection.ts";
import {
  ConflictError,
  ContendedError,
  ServiceUnavailableError,
  StateConflictError,
} from "../../shared/domain/errors.ts";
import { problemFor } from "../../shared/http/problem.ts";

const policy: BackoffPolicy = { baseMs: 10, capMs: 100, attempts: 5 };

/** A sleep that only records what it was asked to wait; `random` fixed so the windows are visible. */
function virtualTime(random = 0.999) {
  const waits: number[] = [];
  return { waits, deps: { sleep: async (ms: number) => void waits.push(ms), random: () => random } };
}

const cancelled = (...codes: string[]) =>
  Object.assign(new Error("Transaction cancelled"), {
    name: "TransactionCanceledException",
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe("fullJitterMs", () => {
  it("draws each retry's wait from [0, min(cap, base · 2ⁿ)): the whole window, doubling, capped", () => {
    expect([1, 2, 3, 4, 5].map((n) => fullJitterMs(n, policy, () => 0.5))).toEqual([10, 20, 40, 50, 50]);
    expect(fullJitterMs(3, policy, () => 0)).toBe(0);
    const draws = Array.from({ length: 2_000 }, () => fullJitterMs(3, policy));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(80);
    // Full jitter, not "80 ms plus noise": a quarter of the draws land in the window's first quarter.
    const early = draws.filter((ms) => ms < 20).length / draws.length;
    expect(early).toBeGreaterThan(0.18);
    expect(early).toBeLessThan(0.32);
  });
});

describe("retryWithBackoff", () => {
  it("runs again after a retryable error, waiting a growing window each time", async () => {
    const { waits, deps } = virtualTime();
    let runs = 0;
    const result = await retryWithBackoff(
      async () => {
        if (++runs < 4) throw new Error("busy");
        return "done";
      },
      () => true,
      policy,
      deps,
    );
    expect(result).toBe("done");
    expect(runs).toBe(4);
    expect(waits.map(Math.round)).toEqual([20, 40, 80]);
  });

  it("throws at once what is not retryable, and the last error after `attempts` runs", async () => {
    const { waits, deps } = virtualTime();
    let runs = 0;
    const refuse = (error: unknown) => error instanceof Error && error.message === "busy";
    const failing = (message: string) => async () => {
      runs++;
      throw new Error(message);
    };
    await expect(retryWithBackoff(failing("bad input"), refuse, policy, deps)).rejects.toThrow("bad input");
    expect([runs, waits.length]).toEqual([1, 0]);

    runs = 0;
    await expect(retryWithBackoff(failing("busy"), refuse, policy, deps)).rejects.toThrow("busy");
    expect(runs).toBe(5);
    expect(waits).toHaveLength(4);
  });
});

describe("isTransientCancellation", () => {
  it("is true for a transaction cancelled only by conflicts or throttling, never when a condition failed", () => {
    expect(isTransientCancellation(cancelled("None", "TransactionConflict"))).toBe(true);
    expect(isTransientCancellation(cancelled("ThrottlingError", "None"))).toBe(true);
    expect(isTransientCancellation(cancelled("ProvisionedThroughputExceeded"))).toBe(true);
    expect(isTransientCancellation(cancelled("ConditionalCheckFailed", "TransactionConflict"))).toBe(false);
    expect(isTransientCancellation(cancelled("ValidationError"))).toBe(false);
    expect(isTransientCancellation(cancelled("None", "None"))).toBe(false);
    expect(isTransientCancellation(new Error("TransactionConflict"))).toBe(false);
  });
});

describe("sendTransaction", () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const input = {
    TransactItems: [
      {
        Put: {
          TableName: "t",
          Item: { PK: "MERCHANT#m", SK: "in_1" },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
    ],
  };
  beforeEach(() => ddb.reset());

  it("sends the same transaction again after throttling and conflicts, with the backoff's waits", async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled("ThrottlingError"))
      .rejectsOnce(cancelled("TransactionConflict"))
      .resolves({});
    const { waits, deps } = virtualTime(0.5);
    await sendTransaction(input, deps);
    const sent = ddb.commandCalls(TransactWriteCommand).map((call) => call.args[0].input);
    expect(sent).toEqual([input, input, input]);
    expect(waits).toEqual([
      fullJitterMs(1, transactionBackoff, () => 0.5),
      fullJitterMs(2, transactionBackoff, () => 0.5),
    ]);
  });

  it("does not send again after a failed condition, and gives up after the policy's runs", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("ConditionalCheckFailed"));
    await expect(sendTransaction(input, virtualTime().deps)).rejects.toThrow("Transaction cancelled");
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);

    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled("TransactionConflict"));
    await expect(sendTransaction(input, virtualTime().deps)).rejects.toThrow("Transaction cancelled");
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(transactionBackoff.attempts);
  });
});

describe("a collection's transaction (regressions: one conflict was a 409, one throttled transaction a 500)", () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const write = {
    item: {
      ConditionCheck: { TableName: "t", Key: { PK: "p", SK: "s" }, ConditionExpression: "version = :v" },
    },
  };
  beforeEach(() => ddb.reset());

  it("commits after a conflict and after throttling, and is a ConflictError only when a condition failed", async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled("TransactionConflict"))
      .rejectsOnce(cancelled("ThrottlingError"))
      .resolves({});
    await transact([write], "changed meanwhile");
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);

    ddb.reset();
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled("TransactionConflict"))
      .rejects(cancelled("ConditionalCheckFailed"));
    await expect(transact([write], "changed meanwhile")).rejects.toEqual(
      new ConflictError("changed meanwhile"),
    );
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it("past its retries, is a ContendedError (409, re-read loops stop) for conflicts and a 503 for throttling", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("TransactionConflict"));
    const contended = await transact([write], "changed meanwhile").catch((error: unknown) => error);
    expect(contended).toBeInstanceOf(ContendedError);
    expect(contended).toBeInstanceOf(StateConflictError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(transactionBackoff.attempts);

    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled("ThrottlingError", "None"));
    const busy = await transact([write], "changed meanwhile").catch((error: unknown) => error);
    expect(busy).toBeInstanceOf(ServiceUnavailableError);
    const response = problemFor(busy, "req-1");
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ "retry-after": "1" });
    expect(JSON.parse(String(response.body))).toMatchObject({
      type: "urn:kassa:problem:unavailable",
      status: 503,
    });
  });
});

describe("a request DynamoDB still throttles after the SDK's retries", () => {
  it.each(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"])(
    "%s is a 503 with Retry-After, not a 500",
    (name) => {
      const response = problemFor(
        Object.assign(new Error("Throughput exceeds the capacity"), { name }),
        "req-2",
      );
      expect(response.statusCode).toBe(503);
      expect(response.headers).toMatchObject({ "retry-after": "1" });
      expect(JSON.parse(String(response.body)).detail).toBe(
        "Kassa is busy right now; send the same request again shortly",
      );
    },
  );
});

describe("the AWS clients' retry configuration", () => {
  it("is the standard strategy (exponential backoff, full jitter) with more attempts than the SDK's 3", async () => {
    expect(awsClientConfig).toEqual({ maxAttempts: 6, retryMode: "standard" });
    const config = documentClient().config;
    expect(await config.maxAttempts()).toBe(6);
    expect(await config.retryStrategy()).toMatchObject({ mode: "standard" });
  });
});
