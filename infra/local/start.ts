/**
 * `npm start`: the whole of Kassa on this machine, no AWS account and no network. Prints the URLs
 * and the admin token and writes them to `.kassa/local.json`; Ctrl-C stops everything it started.
 * Ports: KASSA_API_PORT (default 4780), KASSA_DYNAMODB_PORT (4781), KASSA_SQS_PORT (4782),
 * KASSA_SES_PORT (4783); 0 picks a free one. KASSA_DATA_DIR moves the data folder.
 */
// First: the logger is built at import and reads the setting then.
import "./readable-logs.ts";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { config, setEnvironment } from "../../shared/config.ts";
import { requestLocalSignInLink } from "./dashboard-link.ts";
import { writeFileAtomically } from "./files.ts";
import { missingPrerequisites } from "./prerequisites.ts";
import { startLocalRuntime } from "./runtime.ts";

// DynamoDB Local needs Java: say how to install it in one line rather than fail to spawn it.
const missing = missingPrerequisites({ browser: false });
if (missing) {
  console.error(missing);
  process.exit(1);
}

// Local runs use the machine's Node 20; Lambda runs Node 24. The SDK's reminder is noise here.
setEnvironment({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }, { keep: true });

const dataDir = resolve(config.localDataDir());

mkdirSync(dataDir, { recursive: true });
/** A secret generated on first start and kept in the data folder, as Secrets Manager keeps it in the cloud. */
function localSecret(file: string, prefix: string): string {
  const path = join(dataDir, file);
  if (!existsSync(path))
    writeFileAtomically(path, `${prefix}${randomBytes(24).toString("base64url")}`, { mode: 0o600 });
  return readFileSync(path, "utf8").trim();
}
const adminToken = localSecret("admin-token", "adm_");
const cursorSecret = localSecret("cursor-secret", "");
const stripeWebhookSecret = localSecret("stripe-webhook-secret", "whsec_");
const dataEncryptionKey = localSecret("data-encryption-key", "");

const started = Date.now();
const runtime = await startLocalRuntime({
  dataDir,
  adminToken,
  cursorSecret,
  stripeWebhookSecret,
  dataEncryptionKey,
  ports: {
    api: config.localPort("api", 4780),
    dynamodb: config.localPort("dynamodb", 4781),
    sqs: config.localPort("sqs", 4782),
    ses: config.localPort("ses", 4783),
  },
});

/**
 * A demo merchant (its key, and an open invoice whose hosted page takes sandbox cards), created on
 * the first start through the API itself and kept in the data folder.
 */
async function demo(): Promise<{ merchantKey: string; checkoutUrl: string; ownerEmail?: string }> {
  const file = join(dataDir, "demo.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const call = async (path: string, token: string, body?: unknown) => {
    const response = await fetch(`${runtime.apiUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    if (!response.ok)
      throw new Error(
        `Creating the demo data failed at ${path}: ${response.status} ${await response.text()}`,
      );
    // biome-ignore lint/suspicious/noExplicitAny: demo data is read field by field
    return (await response.json()) as Record<string, any>;
  };
  const { apiKey } = await call("/v1/merchants", adminToken, {
    name: "Demo Shop",
    email: "owner@demo-shop.test",
  });
  const customer = await call("/v1/customers", apiKey.secret, {
    email: "buyer@demo-shop.test",
    name: "Demo Buyer",
  });
  const draft = await call("/v1/invoices", apiKey.secret, {
    customerId: customer.id,
    currency: "USD",
    lineItems: [{ description: "Kassa demo: a bag of coffee", quantity: 2, unitAmount: 1_850 }],
  });
  const invoice = await call(`/v1/invoices/${draft.id}/finalize`, apiKey.secret, undefined);
  const result = {
    merchantKey: apiKey.secret as string,
    checkoutUrl: `${invoice.hostedUrl}/pay`,
    // Creating the merchant made its owner, a dashboard user with the merchant's email.
    ownerEmail: "owner@demo-shop.test",
  };
  writeFileAtomically(file, JSON.stringify(result, null, 2), { mode: 0o600 });
  return result;
}
const demoData = await demo().catch((error: Error) => {
  console.error(error.message);
  return undefined;
});

const info = {
  apiUrl: runtime.apiUrl,
  adminToken,
  mailUrl: runtime.mailUrl,
  ...(demoData ? { demoMerchantKey: demoData.merchantKey, demoCheckoutUrl: demoData.checkoutUrl } : {}),
  docsUrl: `${runtime.apiUrl}/docs`,
  dashboardUrl: `${runtime.apiUrl}/app/`,
  mailFrom: runtime.mailFrom,
  endpoints: runtime.endpoints,
  queues: runtime.queues,
  pid: process.pid,
};
writeFileAtomically(join(dataDir, "local.json"), `${JSON.stringify(info, null, 2)}\n`);
console.log(`
Kassa is running locally (started in ${((Date.now() - started) / 1000).toFixed(1)} s)

  API          ${info.apiUrl}
  Admin token  ${info.adminToken}
  Email viewer ${info.mailUrl}
  API docs     ${info.docsUrl}
  Dashboard    ${info.dashboardUrl}
  Demo merchant key  ${info.demoMerchantKey ?? "(not created)"}
  Demo checkout      ${info.demoCheckoutUrl ?? "(not created)"}   (sandbox: pay with 4242 4242 4242 4242)

  Try: curl -s ${info.apiUrl}/v1/health
       curl -s -X POST ${info.apiUrl}/v1/merchants -H "authorization: Bearer ${adminToken}" \\
            -H "content-type: application/json" -d '{"name":"Acme","email":"owner@acme.test"}'

  Data: ${dataDir}   (the same details are in ${join(dataDir, "local.json")})
  Ctrl-C stops everything.
`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping Kassa…");
  await runtime.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);

// The demo owner's sign-in link comes by mail: printed once it is in, after the banner.
if (demoData?.ownerEmail) {
  const link = await requestLocalSignInLink(runtime.apiUrl, runtime.mailUrl, demoData.ownerEmail).catch(
    () => undefined,
  );
  console.log(
    link
      ? `  Dashboard sign-in for ${demoData.ownerEmail} (once, within 15 minutes):\n  ${link}\n`
      : `  Sign in to the dashboard at ${info.dashboardUrl} with ${demoData.ownerEmail} (the link arrives in the email viewer).\n`,
  );
}
