/**
 * `npm run lint:openapi`: writes the OpenAPI document as the API serves it (behind a host) to a
 * temporary file and lints it with Redocly's recommended rules (redocly.yaml); exits with its status.
 * No network: telemetry and update checks are off.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { apiInfo } from "../shared/api/docs.ts";
import { allOperations } from "../shared/api/index.ts";
import { openApiDocument } from "../shared/http/openapi.ts";

const root = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "kassa-openapi-"));
try {
  const file = join(dir, "openapi.json");
  const document = openApiDocument(allOperations, { ...apiInfo, serverUrl: "https://api.kassa.example" });
  writeFileSync(file, JSON.stringify(document, null, 2));
  const lint = spawnSync(
    join(root, "node_modules/.bin/redocly"),
    ["lint", file, "--config", join(root, "redocly.yaml"), "--format", "summary"],
    {
      stdio: "inherit",
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    },
  );
  process.exitCode = lint.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
