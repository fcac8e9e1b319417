/**
 * `Idempotency-Key` for POST requests: the first successful response is stored for 24 h and replayed
 * byte for byte (plus `Idempotent-Replayed: true`); the same key with another request is a 409; a
 * duplicate that arrives while the first is still running waits briefly for its result. Failed
 * requests leave nothing behind, so they can be retried with the same key. A response that carries
 * a secret is kept sealed and opened for the replay, which is still byte for byte the same.
 */
import { createHash } from "node:crypto";
import type { Sealer } from "../auth/sealed.ts";
import type { Clock } from "../domain/clock.ts";
import { ConflictError, ValidationError } from "../domain/errors.ts";
import { log } from "../observability.ts";
import type {
  IdempotencyRecord,
  IdempotencyStore,
  KeptResponse,
  StoredResponse,
} from "../store/idempotency.ts";

export const idempotencyHeader = "idempotency-key";

export interface IdempotencyContext {
  store: IdempotencyStore;
  clock: Clock;
  /** The merchant id, or `admin`: keys are never shared across tenants. */
  scope: string;
  key: string;
  /** Method, path and body: what "the same request" means. */
  request: { method: string; path: string; body: string };
  /** How long a claim blocks duplicates before it counts as abandoned (the function's timeout). */
  lockMs: number;
  /** How long a duplicate waits for the first request to finish. */
  waitMs?: number;
  /** Present when the operation's response carries a secret: the response is kept sealed with it. */
  sealer?: Sealer;
}

export function assertIdempotencyKey(key: string): void {
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new ValidationError([
      { path: "Idempotency-Key", message: "must be 1–255 printable ASCII characters" },
    ]);
  }
}

function fingerprintOf({ method, path, body }: IdempotencyContext["request"]): string {
  return createHash("sha256").update(`${method} ${path}\n${body}`).digest("hex");
}

const replay = (response: StoredResponse): StoredResponse => ({
  ...response,
  headers: { ...response.headers, "idempotent-replayed": "true" },
});

function keep(response: StoredResponse, sealer: Sealer | undefined): KeptResponse {
  return sealer ? { sealed: sealer.seal(JSON.stringify(response)) } : response;
}

async function restore(kept: KeptResponse, sealer: Sealer | undefined): Promise<StoredResponse> {
  if (!("sealed" in kept)) return kept;
  if (!sealer) throw new Error("A sealed idempotent response, but the operation declares no secret");
  return JSON.parse(await sealer.unseal(kept.sealed)) as StoredResponse;
}

export async function withIdempotency(
  context: IdempotencyContext,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse> {
  const { store, scope, key, clock } = context;
  const fingerprint = fingerprintOf(context.request);
  let existing: IdempotencyRecord | undefined = await store.claim(
    scope,
    key,
    fingerprint,
    clock.now().getTime(),
    context.lockMs,
  );
  if (existing) {
    if (existing.fingerprint !== fingerprint) {
      throw new ConflictError("This Idempotency-Key was already used with a different request");
    }
    const deadline = Date.now() + (context.waitMs ?? 3000);
    while (existing?.status === "in_progress" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      existing = await store.get(scope, key);
    }
    if (existing?.status === "completed") return replay(await restore(existing.response, context.sealer));
    if (existing)
      throw new ConflictError("A request with this Idempotency-Key is still in progress; retry shortly");
    // The first request failed and released the key in the meantime: this one may run.
    return withIdempotency(context, run);
  }
  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    await store.release(scope, key);
    throw error;
  }
  if (response.statusCode >= 200 && response.statusCode < 300)
    await completeOrCarryOn(() => store.complete(scope, key, keep(response, context.sealer)));
  else await store.release(scope, key);
  return response;
}

/** Attempts at recording a success before answering without it. */
const completeAttempts = 4;

/**
 * Records a success, trying again after a throttled or conflicting write. The operation has taken
 * effect, so the success is answered even when the record cannot be written: failing the request
 * would send the client's retry into the claim, which it takes over once the lock lapses and so runs
 * the operation a second time (a second refund, a second charge).
 */
async function completeOrCarryOn(complete: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await complete();
    } catch (error) {
      if (attempt >= completeAttempts) {
        log.error("Idempotency record not completed", {
          error: error instanceof Error ? error.message : String(error),
        });
        return;
      }
      // Full jitter on an exponential base: duplicates retrying together spread out.
      await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
    }
  }
}
