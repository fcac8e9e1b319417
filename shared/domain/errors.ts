/**
 * Typed domain errors. Each has an explicit `name` (minifiers rename classes, so nothing may map
 * errors by constructor name) and the HTTP layer maps names to statuses in one place.
 */
export interface FieldError {
  /** Dotted path of the offending field, e.g. `lineItems.0.quantity`; `body` for the whole body. */
  path: string;
  message: string;
}

export class ValidationError extends Error {
  override readonly name = "ValidationError";
  constructor(
    readonly errors: FieldError[],
    detail = errors.map((e) => `${e.path}: ${e.message}`).join("; "),
  ) {
    super(detail);
  }
}

export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
  constructor(what: string) {
    super(`${what} not found`);
  }
}

/** `value`, or a 404 for `what` when there is none (an unknown id, or another merchant's). */
export function requireFound<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new NotFoundError(what);
  return value;
}

/** Allowed to no one in this place: a merchant's setting forbids it (the portal's actions). */
export class ForbiddenError extends Error {
  override readonly name = "ForbiddenError";
}

export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

/** A conflict with an object's state (finalizing an open invoice…): running it again cannot help. */
export class StateConflictError extends ConflictError {}

/**
 * A transaction still conflicting with concurrent ones after the store's own backoff: still a 409
 * to the client, but a caller's re-read loop (`retryOnConflict`) must not run it again — its tries
 * times the store's would outlast a function's timeout.
 */
export class ContendedError extends StateConflictError {}

/**
 * Runs `attempt` until it does not lose a race: a ConflictError (a failed condition on a version or
 * counter) re-runs it, which re-reads and re-decides, up to `times` runs in all.
 */
export async function retryOnConflict<T>(
  times: number,
  attempt: (run: number) => Promise<T>,
  pauseMs?: (run: number) => number,
): Promise<T> {
  for (let run = 1; ; run++) {
    try {
      return await attempt(run);
    } catch (error) {
      if (!(error instanceof ConflictError) || error instanceof StateConflictError || run >= times)
        throw error;
      if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs(run)));
    }
  }
}

export class UnauthorizedError extends Error {
  override readonly name = "UnauthorizedError";
}

export class PayloadTooLargeError extends Error {
  override readonly name = "PayloadTooLargeError";
}

/** Refused for now: the client may try again after `retryAfterSeconds` (whole seconds, at least 1). */
abstract class RetryLaterError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** A 429: the client's own limit (shared/domain/limits.ts). */
export class TooManyRequestsError extends RetryLaterError {
  override readonly name = "TooManyRequestsError";
}

/**
 * A 503: the store still throttles after every retry with backoff (a merchant's partition past its
 * ceiling, docs/scale.md). Nothing was written; the client may send the same request again (with its
 * Idempotency-Key) after `retryAfterSeconds`.
 */
export class ServiceUnavailableError extends RetryLaterError {
  override readonly name = "ServiceUnavailableError";
}

/** The store throttled past its retries. */
export const storeBusy = (): ServiceUnavailableError =>
  new ServiceUnavailableError("Kassa is busy right now; send the same request again shortly", 1);

/** The processor declined a payment: a 402 carrying the decline code, so the buyer can try another method. */
export class PaymentDeclinedError extends Error {
  override readonly name = "PaymentDeclinedError";
  constructor(
    readonly declineCode: string,
    message: string,
    readonly paymentId?: string,
  ) {
    super(message);
  }
}
