/**
 * A virtual-time simulation of one merchant's billing run (docs/scale.md): due renewals fire onto the
 * billing queue — all at the due instant, or paced by their slots (`pacedFiring`) — and consumers bill
 * each one against a store that throttles the merchant's partition above 1,000 WCU/s. Pure: no I/O,
 * no timers, a seeded random; time only moves when the next event is taken from the heap.
 *
 * A renewal is the real run's writes as `npm run bench` measures them (4 transactions and 2 puts,
 * 104 WCU as AWS bills them) and its next period's ticket (1 WCU). Each is conditioned on the renewal's state, as the real ones are on
 * the period claim, the invoice's status and versions: a write that already happened is not done
 * again by a redelivered message. Throttled puts are retried as the SDK's standard strategy does;
 * throttled transactions (cancelled, which the SDK does not retry) by the real `transactionBackoff`;
 * a message whose retries run out comes back after the queue's visibility timeout.
 */
import { type BackoffPolicy, fullJitterMs } from "../../shared/domain/backoff.ts";
import { transactionBackoff } from "../../shared/store/dynamo.ts";
import { awsClientConfig } from "../../shared/aws/clients.ts";
import { pacedFiring } from "../../shared/subscriptions/pace.ts";

/** One write of a renewal: its AWS WCU and how its throttling is retried. */
interface Write {
  kind: "transaction" | "put";
  wcu: number;
}

/**
 * The run's writes per renewal: claim + invoice + subscription, finalize, charge, the payment's
 * outcome, 2 puts (104 WCU in all, as `npm run bench` measured them; the split among the four
 * transactions is our estimate from their items), and the next renewal's ticket.
 */
export const renewalWrites: readonly Write[] = [
  { kind: "transaction", wcu: 40 },
  { kind: "transaction", wcu: 24 },
  { kind: "transaction", wcu: 24 },
  { kind: "transaction", wcu: 12 },
  { kind: "put", wcu: 2 },
  { kind: "put", wcu: 2 },
  { kind: "put", wcu: 1 },
];

/** The SDK's standard strategy: full jitter on a 100 ms base, 20 s cap, our configured attempts. */
const sdkStandard: BackoffPolicy = { baseMs: 100, capMs: 20_000, attempts: awsClientConfig.maxAttempts };

/** The partition's ceiling (WCU/s) and the billing queue's visibility timeout and redrive count. */
export const partitionWcuPerSecond = 1_000;
const visibilityTimeoutMs = 360_000;
const maxReceiveCount = 5;
/** Round trips as DynamoDB answers them in region (a throttled answer is as quick as a put). */
const latencyMs = { transaction: 25, put: 8 } as const;

export interface SimulationOptions {
  renewals: number;
  /** Paced by slots (the billing run), or all fired at the due instant (a stampede). */
  paced: boolean;
  /** Billing consumers running at once (Lambda's SQS scaling, at most the account's concurrency). */
  consumers: number;
  /** The merchant's other writes (API traffic, event consumers), taken from the same partition. */
  backgroundWcuPerSecond: number;
  /** The share of messages SQS delivers twice. */
  duplicateRate?: number;
  seed?: number;
}

export interface SimulationResult {
  /** From the due instant to the last renewal's last write, in virtual seconds. */
  durationSeconds: number;
  /** Renewals with each of their writes applied exactly once. */
  billedOnce: number;
  /** Renewals with some write never applied. */
  lost: number;
  /** Writes applied more than once (must be 0). */
  doubled: number;
  throttled: number;
  /** Messages received again after their retries ran out. */
  redelivered: number;
  /** Messages received more than the queue's `maxReceiveCount` (would wait in the DLQ for the sweep). */
  overRedrive: number;
  /** The WCU the store accepted per second on average, from the due instant to the end. */
  meanWcuPerSecond: number;
}

/** mulberry32: a small seeded generator, so a run's figures are the same every time. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A binary min-heap of timed events (ties in insertion order). */
class Timeline {
  private heap: { at: number; seq: number; run: () => void }[] = [];
  private seq = 0;
  now = 0;

  at(at: number, run: () => void): void {
    const node = { at, seq: this.seq++, run };
    const h = this.heap;
    h.push(node);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** Runs events in time order until none is left. */
  drain(): void {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
          if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      this.now = top.at;
      top.run();
    }
  }

  private before(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

/**
 * The merchant's partition: a token bucket of one second's capacity, refilled at the ceiling less
 * the background traffic. A write is accepted whole or throttled.
 */
class Partition {
  private tokens: number;
  private refilledAt = 0;
  private readonly rate: number;
  throttled = 0;
  accepted = 0;

  constructor(backgroundWcuPerSecond: number) {
    this.rate = (partitionWcuPerSecond - backgroundWcuPerSecond) / 1000;
    this.tokens = partitionWcuPerSecond - backgroundWcuPerSecond;
  }

  write(now: number, wcu: number): boolean {
    const capacity = this.rate * 1000;
    this.tokens = Math.min(capacity, this.tokens + (now - this.refilledAt) * this.rate);
    this.refilledAt = now;
    if (this.tokens < wcu) {
      this.throttled++;
      return false;
    }
    this.tokens -= wcu;
    this.accepted += wcu;
    return true;
  }
}

export function simulateBillingRun(options: SimulationOptions): SimulationResult {
  const random = seeded(options.seed ?? 19);
  const time = new Timeline();
  const partition = new Partition(options.backgroundWcuPerSecond);
  /** Per renewal, how many times each write was applied; `done` is the next write it needs. */
  const applied = Array.from({ length: options.renewals }, () =>
    new Array<number>(renewalWrites.length).fill(0),
  );
  const done = new Array<number>(options.renewals).fill(0);
  const receives = new Array<number>(options.renewals).fill(0);
  /** The queue's visible messages (renewal numbers), taken from `head` on. */
  const visible: number[] = [];
  let head = 0;
  let busy = 0;
  let redelivered = 0;
  let finishedAt = 0;
  const due = new Date(0);

  const take = () => {
    while (busy < options.consumers && head < visible.length) {
      const renewal = visible[head++] as number;
      busy++;
      receives[renewal] = (receives[renewal] ?? 0) + 1;
      bill(renewal, () => {
        busy--;
        take();
      });
    }
  };

  /**
   * One message: the renewal's state read, then its writes from there, each with its retries. Each
   * write is conditioned on the state it was decided on (as the real ones are on the period claim,
   * the invoice's status and versions): a concurrent delivery that got there first fails it, and the
   * consumer reads the state again and goes on from there.
   */
  const bill = (renewal: number, release: () => void) => {
    let expected = done[renewal] as number;
    const next = (attempt: number) => {
      if (expected >= renewalWrites.length) {
        finishedAt = Math.max(finishedAt, time.now);
        return release();
      }
      const write = renewalWrites[expected] as Write;
      time.at(time.now + latencyMs[write.kind], () => {
        if (partition.write(time.now, write.wcu)) {
          if (done[renewal] === expected) {
            const writes = applied[renewal] as number[];
            writes[expected] = (writes[expected] ?? 0) + 1;
            done[renewal] = expected + 1;
          }
          expected = done[renewal] as number;
          return next(1);
        }
        const policy = write.kind === "transaction" ? transactionBackoff : sdkStandard;
        if (attempt >= policy.attempts) {
          // The record fails: the message comes back after the visibility timeout.
          release();
          redelivered++;
          time.at(time.now + visibilityTimeoutMs, () => deliver(renewal));
          return;
        }
        time.at(time.now + fullJitterMs(attempt, policy, random), () => next(attempt + 1));
      });
    };
    next(1);
  };

  const deliver = (renewal: number) => {
    visible.push(renewal);
    take();
  };

  for (let renewal = 0; renewal < options.renewals; renewal++) {
    const firesAt = options.paced ? pacedFiring(due, renewal + 1).getTime() : due.getTime();
    time.at(firesAt, () => deliver(renewal));
    // SQS delivers at least once: some messages come twice, close together.
    if (random() < (options.duplicateRate ?? 0)) time.at(firesAt + 50 * random(), () => deliver(renewal));
  }
  time.drain();

  return {
    durationSeconds: (finishedAt - due.getTime()) / 1000,
    billedOnce: applied.filter((writes) => writes.every((n) => n === 1)).length,
    lost: applied.filter((writes) => writes.some((n) => n === 0)).length,
    doubled: applied.reduce((sum, writes) => sum + writes.filter((n) => n > 1).length, 0),
    throttled: partition.throttled,
    redelivered,
    overRedrive: receives.filter((n) => n > maxReceiveCount).length,
    meanWcuPerSecond: Math.round((partition.accepted / (finishedAt - due.getTime())) * 1000),
  };
}

/** A simulated duration as the docs say it: "3 h 28 min 19 s". */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const parts = [
    [Math.floor(whole / 3600), "h"],
    [Math.floor((whole % 3600) / 60), "min"],
    [whole % 60, "s"],
  ] as const;
  return parts
    .filter(([n], i) => n > 0 || i === parts.length - 1)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(" ");
}
