/**
 * The retry configuration every AWS SDK client is built with, in one place. The SDK's standard
 * strategy retries throttling and transient errors with exponential backoff and full jitter (100 ms
 * base, 20 s cap); we give it more attempts than its default 3, because throttling is how one busy
 * merchant's partition says "slower" (docs/scale.md). Six attempts wait at most ~6 s in all, inside
 * an API function's timeout. Transactions cancelled by throttling or conflicts are not the SDK's to
 * retry (HTTP 400): `sendTransaction` (shared/store/dynamo.ts) does that.
 */
export const awsClientConfig = { maxAttempts: 6, retryMode: "standard" } as const;
