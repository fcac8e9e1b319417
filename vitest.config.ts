import { defineConfig } from "vitest/config";

/** `npm run soak` runs the long suites apart (`test/soak/`): they would push `npm test` past 10 minutes. */
const soak = process.env.KASSA_SOAK === "1";

export default defineConfig({
  test: {
    include: soak ? ["test/soak/**/*.test.ts"] : ["test/**/*.test.ts"],
    exclude: soak ? [] : ["test/soak/**", "**/node_modules/**"],
    globalSetup: ["test/helpers/contract-setup.ts", "test/helpers/global-setup.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two files at a time on the 2-core CI machine, each worker with its own DynamoDB Local
    // (test/helpers/global-setup.ts): one instance serialises every request in its one SQLite
    // database, so two workers on it were no faster; with one each, a 40-file slice went 6:42 → 2:37.
    // The soak suites stay one at a time: each loads the machine on its own (kill -9, storms, load).
    maxWorkers: soak ? 1 : 2,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      // Quiet runs: the tests that check logs or metrics turn them on for themselves.
      POWERTOOLS_LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
    },
  },
});
