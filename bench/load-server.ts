/**
 * The local runtime (`npm start`'s gateway, functions, DynamoDB Local, SQS and SES stand-ins) in a
 * process of its own for bench/load.ts, so the load tool and the server do not share one event loop.
 * In memory, on free ports; prints one JSON line with the gateway's URL, the admin token and the
 * functions' environment, and stops everything on SIGTERM.
 */
import { randomBytes } from "node:crypto";
import { localEnvironment, startLocalRuntime } from "../infra/local/runtime.ts";
import { envNames } from "../shared/config.ts";
import { raiseMerchantRateLimit } from "./rate-limits.ts";

raiseMerchantRateLimit();

const secret = (prefix = "") => `${prefix}${randomBytes(24).toString("base64url")}`;
const secrets = {
  adminToken: secret("adm_"),
  cursorSecret: secret(),
  stripeWebhookSecret: secret("whsec_"),
  dataEncryptionKey: secret(),
};
const runtime = await startLocalRuntime({ ...secrets, ports: { api: 0, dynamodb: 0, sqs: 0, ses: 0 } });
// The functions' environment too, so the bench can run the same handlers in its own process.
const env = localEnvironment(runtime.endpoints, runtime.queues, {
  [envNames.adminToken]: secrets.adminToken,
  [envNames.cursorSecret]: secrets.cursorSecret,
  [envNames.stripeWebhookSecret]: secrets.stripeWebhookSecret,
  [envNames.dataEncryptionKey]: secrets.dataEncryptionKey,
  [envNames.mailFrom]: runtime.mailFrom,
  [envNames.publicBaseUrl]: runtime.apiUrl,
});
process.stdout.write(`${JSON.stringify({ apiUrl: runtime.apiUrl, adminToken: secrets.adminToken, env })}\n`);
process.on("SIGTERM", () => {
  runtime.stop().finally(() => process.exit(0));
});
