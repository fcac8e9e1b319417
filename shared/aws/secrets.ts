/**
 * Secrets read once per cold start: locally from the environment, in the cloud from Secrets Manager
 * (the SDK client is imported only when a secret has to be fetched). A failed fetch is not cached.
 */
import { config, type SecretName } from "../config.ts";

const cache = new Map<SecretName, Promise<string>>();

async function load(name: SecretName): Promise<string> {
  const source = config.secretSource(name);
  if (source.value) return source.value;
  const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const out = await new SecretsManagerClient({}).send(
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
