/**
 * `tsx infra/local/check-prerequisites.ts [--browser]`: exits 1 with one line when something
 * `npm test` (with --browser) or `npm start` needs is missing (see prerequisites.ts).
 */
import { missingPrerequisites } from "./prerequisites.ts";

const missing = missingPrerequisites({ browser: process.argv.includes("--browser") });
if (missing) {
  console.error(missing);
  process.exit(1);
}
