/**
 * Secrets read once per cold start: locally from the environment, in the cloud from Secrets Manager
 * (the SDK client is imported only when a secret has to be fetched).
 */
import { config } from "../config.ts";

let adminToken: Promise<string> | undefined;

async function loadAdminToken(): Promise<string> {
  const source = config.adminTokenSource();
  if (source.token) return source.token;
  const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: source.secretArn }));
  if (!out.SecretString) throw new Error("The admin token secret is empty");
  return out.SecretString;
}

export function getAdminToken(): Promise<string> {
  // A failed fetch is not cached: the next request tries again.
  adminToken ??= loadAdminToken().catch((error) => {
    adminToken = undefined;
    throw error;
  });
  return adminToken;
}
