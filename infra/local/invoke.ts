/**
 * `npm run invoke -- <function> <event-file>`: runs one manifest function's handler in this process
 * against the running local stack (found through `.kassa/local.json`) with a sample event, and
 * prints what it returned. Start the stack first with `npm start`.
 */
// First: the logger is built at import and reads the setting then.
import "./readable-logs.ts";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { config, envNames, setEnvironment } from "../../shared/config.ts";
import { functionNamed } from "../manifest.ts";
import { invokeLambda, loadHandler } from "./invoke-lambda.ts";
import { localEnvironment } from "./runtime.ts";

setEnvironment({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }, { keep: true });

const [name, eventFile] = process.argv.slice(2);
if (!name || !eventFile) {
  console.error("Usage: npm run invoke -- <function> <event-file>   e.g. npm run invoke -- health events/apigw-get-health.json");
  process.exit(2);
}
const dataDir = resolve(config.localDataDir());
const infoFile = join(dataDir, "local.json");
if (!existsSync(infoFile)) {
  console.error(`${infoFile} not found: start the local stack first (npm start).`);
  process.exit(2);
}
const info = JSON.parse(readFileSync(infoFile, "utf8"));
setEnvironment(
  localEnvironment(info.endpoints, info.queues, {
    [envNames.adminToken]: info.adminToken,
    [envNames.cursorSecret]: readFileSync(join(dataDir, "cursor-secret"), "utf8").trim(),
    [envNames.stripeWebhookSecret]: readFileSync(join(dataDir, "stripe-webhook-secret"), "utf8").trim(),
    [envNames.dataEncryptionKey]: readFileSync(join(dataDir, "data-encryption-key"), "utf8").trim(),
    [envNames.mailFrom]: info.mailFrom,
    [envNames.publicBaseUrl]: info.apiUrl,
  }),
);
const fn = functionNamed(name);
const event = JSON.parse(readFileSync(resolve(eventFile), "utf8"));
const result = await invokeLambda(fn, await loadHandler(fn), event);
console.log(JSON.stringify(result, null, 2));
