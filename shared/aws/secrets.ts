/**
 * Secrets read once per cold start: locally from the environment, in the cloud from Secrets Manager
 * (the SDK client is imported only when a secret has to be fetched). A failed fetch is not cached.
 *
 * Rotation: a warm container keeps the value it read, so a check that fails with it (a webhook
 * signature, the admin token) goes through `verifyWithSecret`, which re-reads the secret and checks
 * once more. Re-reads happen at most once per `secretRereadIntervalMs` per secret and container, so
 * a flood of bad signatures costs Secrets Manager one call a minute, not one per request.
 *
 * What a container signs for another to verify (the sandbox's events, list cursors, pay-form tokens)
 * it signs with `freshSecret`, a value at most a minute old (re-read under the same limit): a signer
 * that kept its cold-start value would sign with the old secret forever after a rotation, while the
 * verifiers have moved on.
 */
import { config, type SecretName } from "../config.ts";
import { awsClientConfig } from "./clients.ts";
import type { Clock } from "../domain/clock.ts";

export const secretRereadIntervalMs = 60_000;

const cache = new Map<SecretName, Promise<string>>();

async function load(name: SecretName): Promise<string> {
  const source = config.secretSource(name);
  if (source.value) return source.value;
  const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const out = await new SecretsManagerClient(awsClientConfig).send(
    new GetSecretValueCommand({ SecretId: source.secretArn }),
  );
  if (!out.SecretString) throw new Error(`The ${name} secret is empty`);
  return out.SecretString;
}

export function getSecret(name: SecretName): Promise<string> {
  let value = cache.get(name);
  if (!value) {
    value = load(name).catch((error) => {
      cache.delete(name);
      throw error;
    });
    cache.set(name, value);
  }
  return value;
}

const lastReread = new Map<SecretName, number>();

/** The secret read afresh, or `undefined` when it was re-read less than a minute ago or cannot be read. */
async function reread(name: SecretName, clock: Clock): Promise<string | undefined> {
  const now = clock.now().getTime();
  const last = lastReread.get(name);
  if (last !== undefined && now - last < secretRereadIntervalMs) return undefined;
  lastReread.set(name, now);
  try {
    const value = await load(name);
    cache.set(name, Promise.resolve(value));
    return value;
  } catch (error) {
    // The value in hand stays; the failed check's own error is what the caller sees.
    console.error(
      JSON.stringify({
        level: "ERROR",
        message: "Re-reading a secret failed",
        secret: name,
        error: String(error),
      }),
    );
    return undefined;
  }
}

/** The secret as read at most `secretRereadIntervalMs` ago (re-read now if older), for signing. */
export async function freshSecret(name: SecretName, clock: Clock): Promise<string> {
  const last = lastReread.get(name);
  if (last !== undefined && clock.now().getTime() - last < secretRereadIntervalMs) return getSecret(name);
  return (await reread(name, clock)) ?? getSecret(name);
}

/**
 * `check(secret)` with the cached secret; when it throws an error `stale` accepts (the secret may have
 * been rotated), once more with the secret re-read, if it may be re-read now and has changed.
 */
export async function verifyWithSecret<T>(
  name: SecretName,
  clock: Clock,
  check: (secret: string) => T,
  stale: (error: unknown) => boolean = () => true,
): Promise<T> {
  const secret = await getSecret(name);
  try {
    return check(secret);
  } catch (error) {
    if (!stale(error)) throw error;
    const fresh = await reread(name, clock);
    if (fresh === undefined || fresh === secret) throw error;
    return check(fresh);
  }
}
