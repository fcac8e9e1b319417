import { defineConfig } from "vitest/config";

/** `npm run soak` runs the long suites apart (`test/soak/`): they would push `npm test` past 10 minutes. */
const soak = process.env.KASSA_SOAK === "1";

/** The contract document every file checks responses against; the emulators most files run on. */
const contractSetup = "test/helpers/contract-setup.ts";
const emulatorSetup = "test/helpers/global-setup.ts";

export default defineConfig({
  test: {
    setupFiles: ["test/helpers/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      // Quiet runs: the tests that check logs or metrics turn them on for themselves.
      POWERTOOLS_LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
    },
    ...(soak
      ? { include: ["test/soak/**/*.test.ts"], globalSetup: [contractSetup, emulatorSetup] }
      : {
          // Two groups, one after the other. The files on the shared emulators (each with its own
          // table and queues) mostly wait on DynamoDB Local, so two run at once on two cores. Then
          // the end-to-end files, one at a time as before: each boots its own `npm start` (a JVM,
          // Chromium) under a boot-time budget that a neighbouring file's load would eat into.
          projects: [
            {
              extends: true,
              test: {
                name: "emulated",
                include: ["test/**/*.test.ts"],
                exclude: ["test/e2e/**", "test/soak/**", "**/node_modules/**"],
                globalSetup: [contractSetup, emulatorSetup],
                maxWorkers: 2,
                sequence: { groupOrder: 0 },
              },
            },
            {
              extends: true,
              test: {
                name: "e2e",
                include: ["test/e2e/**/*.test.ts"],
                globalSetup: [contractSetup],
                maxWorkers: 1,
                sequence: { groupOrder: 1 },
              },
            },
          ],
        }),
  },
});
