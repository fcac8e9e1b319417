/**
 * `kill -9` in the middle of a billing run (issue 19 §3): `npm start`'s runtime in a child process on
 * a data folder, one merchant's subscriptions all due at one instant, the local clock moved past it,
 * and — once some periods are billed but not all — SIGKILL to the runtime's whole process group
 * (Node, the pollers, DynamoDB Local). Then the runtime starts again on the same folder: the SQS
 * stand-in kept its messages in memory, so whatever was in flight is gone and only what DynamoDB
 * holds (the subscriptions' due index, the schedules) can finish the run — the billing sweep, fired
 * as its `rate(15 minutes)` schedule would fire it. Afterwards: one invoice per subscription period,
 * each collected (paid: every card is good) by at most one successful charge.
 */
import { rmSync } from "node:fs";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { eventually } from "./aws.ts";
import { type Json, localRuntime } from "./browser.ts";
import type { FaultCounts } from "./faults.ts";
import { newDataDir } from "./local-stack.ts";

export interface KillRunResult {
  counts: FaultCounts;
  /** Periods billed (an invoice exists) and paid when the runtime was killed. */
  atKill: { billed: number; paid: number };
  /** What breaks "exactly once, nothing lost", one line each (empty: none). */
  problems: string[];
  /** Charges the kill caught in flight, paid once their hold lapsed (by their check). */
  caughtInFlight: number;
}

const day = 86_400_000;

/** Every page of a list route, 100 at a time. */
async function listAll(ok: ReturnType<typeof localRuntime>["ok"], path: string): Promise<Json[]> {
  const all: Json[] = [];
  let cursor: string | undefined;
  do {
    const page = await ok(`${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    all.push(...(page.data as Json[]));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

export async function billingRunKilled(subscriptions: number, timeoutMs = 120_000): Promise<KillRunResult> {
  const runtime = localRuntime();
  const dataDir = newDataDir();
  try {
    let stack = await runtime.boot(dataDir);
    const { ok } = runtime;
    const { apiKey } = await ok(
      "/v1/merchants",
      "POST",
      { name: "Kill Nine", email: "owner@kill-nine.test" },
      201,
      stack.info.adminToken,
    );
    runtime.useKey(apiKey.secret);
    // All start tomorrow (UTC, the merchant's zone): one due instant for every first period.
    const tomorrow = new Date(Math.ceil(Date.now() / day) * day);
    const ids: string[] = [];
    for (let i = 0; i < subscriptions; i++) {
      const customer = await ok("/v1/customers", "POST", { email: `buyer-${i}@kill-nine.test` }, 201);
      await ok(
        `/v1/customers/${customer.id}/payment-methods`,
        "POST",
        { paymentMethod: "pm_card_visa" },
        201,
      );
      const subscription = await ok(
        "/v1/subscriptions",
        "POST",
        {
          customerId: customer.id,
          currency: "USD",
          interval: "month",
          items: [{ description: "Coffee club", unitAmount: 2_500 + i }],
          startDate: tomorrow.toISOString().slice(0, 10),
        },
        201,
      );
      ids.push(subscription.id);
    }
    // To the instant: the run starts, its paced slots (8 a second, pace.ts) firing second by second,
    // so the kill below lands with some periods billed and others still waiting.
    const secondsTo = (at: number) => Math.ceil((at - Date.now()) / 1000);
    await runtime.advanceLocalClock(secondsTo(tomorrow.getTime()));

    const tally = async () => {
      const invoices = (await listAll(ok, "/v1/invoices")).filter((i) => i.subscriptionId);
      return { billed: invoices.length, paid: invoices.filter((i) => i.status === "paid").length, invoices };
    };
    const atKill = await eventually(async () => {
      const now = await tally();
      return now.billed > 0 ? now : undefined;
    }, timeoutMs);
    const pid = stack.child.pid;
    if (pid === undefined) throw new Error("The runtime has no process id");
    const exited = new Promise((resolve) => stack.child.once("exit", resolve));
    process.kill(-pid, "SIGKILL");
    await exited;

    stack = await runtime.boot(dataDir);
    // The clock's offset lived in the killed process: move it on again, to the sweep's next run
    // (its `rate(15 minutes)`), when the run's own firing and every live run's grace are over.
    await runtime.advanceLocalClock(secondsTo(tomorrow.getTime() + 15 * 60_000));
    const billing = stack.info as typeof stack.info & { queues: Record<string, { url: string }> };
    const sqs = new SQSClient({
      endpoint: stack.info.endpoints.sqs,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: billing.queues.billing?.url,
        MessageBody: JSON.stringify({ kind: "subscription.sweep" }),
      }),
    );
    sqs.destroy();

    const problems: string[] = [];
    // Each paid: a charge the kill caught between asking the processor and recording its answer
    // (the sandbox's event sat on the in-memory queue and died with it) is settled by its check once
    // its hold lapses, which the clock reaches as many seconds after the restart as the run had gone
    // on before the kill.
    const after = await eventually(async () => {
      const now = await tally();
      return now.paid >= subscriptions ? now : undefined;
    }, timeoutMs).catch(tally);
    const byPeriod = new Map<string, number>();
    for (const invoice of after.invoices) {
      const key = `${invoice.subscriptionId} ${invoice.periodStart}`;
      byPeriod.set(key, (byPeriod.get(key) ?? 0) + 1);
    }
    let doubled = 0;
    for (const [key, n] of byPeriod) {
      if (n === 1) continue;
      problems.push(`${key}: ${n} invoices`);
      doubled++;
    }
    const lostIds = ids.filter(
      (id) => !after.invoices.some((i) => i.subscriptionId === id && i.status === "paid"),
    );
    const payments = await listAll(ok, "/v1/payments");
    // Paid no sooner than a charge's hold lapses (15 minutes): settled by asking the processor again.
    const caughtInFlight = payments.filter(
      (p) => p.status === "succeeded" && Date.parse(p.paidAt) - Date.parse(p.createdAt) >= 15 * 60_000,
    ).length;
    for (const id of lostIds) {
      const invoice = after.invoices.find((i) => i.subscriptionId === id);
      const tried = payments.filter((p) => invoice && p.invoiceId === invoice.id).map((p) => p.status);
      problems.push(
        `${id}: ${invoice ? `invoice ${invoice.id} left ${invoice.status} (payments: ${tried.join(", ") || "none"})` : "never billed"}`,
      );
    }
    const succeeded = new Map<string, number>();
    for (const p of payments.filter((p) => p.status === "succeeded"))
      succeeded.set(p.invoiceId, (succeeded.get(p.invoiceId) ?? 0) + 1);
    for (const [invoiceId, n] of succeeded) {
      if (n === 1) continue;
      problems.push(`${invoiceId}: ${n} successful charges`);
      doubled++;
    }
    return {
      counts: {
        injected: { "kill -9": 1 },
        // Periods the kill caught unfinished (not yet billed, or billed and not yet paid) that finished after it.
        survived: subscriptions - atKill.paid - lostIds.length,
        retries: 0,
        lost: lostIds.length,
        doubled,
      },
      atKill: { billed: atKill.billed, paid: atKill.paid },
      caughtInFlight,
      problems,
    };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
