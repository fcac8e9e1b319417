import { defineConfig } from "vitest/config";

/**
 * Three sets, so `npm test` stays under 10 minutes on 2 cores:
 * - `npm test`: every test but the two below.
 * - `npm run test:browser` (KASSA_SUITE=browser; `.ci/run` runs it after `npm test`): the long browser
 *   walkthroughs of the dashboard and the hosted pages, each booting the local runtime and Chromium.
 *   Their server side is proven in `npm test` by the integration suites of the same pages (the
 *   `dashboard-*`, sign-in, invoice, quote, checkout and workflow suites); `npm test` keeps the
 *   journeys that prove the local runtime itself and a checkout in Chromium.
 * - `npm run soak` (KASSA_SUITE=soak): `test/soak/`, the long suites (storms, kill -9, load, fuzz at
 *   20,000 requests), one file at a time: each loads the machine on its own.
 */
const walkthroughs = [
  "test/e2e/checkout-live-totals.test.ts",
  "test/e2e/dashboard-editors.test.ts",
  "test/e2e/dashboard-links-subscriptions.test.ts",
  "test/e2e/dashboard-pages.test.ts",
  "test/e2e/dashboard-reports-workflows.test.ts",
  "test/e2e/dashboard-settings-dev.test.ts",
  "test/e2e/dashboard-settings.test.ts",
  "test/e2e/dashboard-sign-in.test.ts",
  "test/e2e/dashboard-team-invoice.test.ts",
  "test/e2e/invoices.test.ts",
  "test/e2e/payments.test.ts",
  "test/e2e/quote-page.test.ts",
  "test/e2e/workflows.test.ts",
];
const suite = process.env.KASSA_SUITE ?? "test";
const files = {
  test: { include: ["test/**/*.test.ts"], exclude: ["test/soak/**", ...walkthroughs] },
  browser: { include: walkthroughs, exclude: [] },
  soak: { include: ["test/soak/**/*.test.ts"], exclude: [] },
}[suite];
if (!files) throw new Error(`KASSA_SUITE must be test, browser or soak, not ${suite}`);

export default defineConfig({
  test: {
    include: files.include,
    exclude: [...files.exclude, "**/node_modules/**"],
    globalSetup: ["test/helpers/contract-setup.ts", "test/helpers/global-setup.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two files at a time on the 2-core CI machine, each worker with its own DynamoDB Local
    // (test/helpers/global-setup.ts): one instance serialises every request in its one SQLite
    // database, so two workers on it were no faster; with one each, a 40-file slice went 6:42 → 2:37.
    // The soak suites stay one at a time: each loads the machine on its own (kill -9, storms, load).
    maxWorkers: suite === "soak" ? 1 : 2,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      // Quiet runs: the tests that check logs or metrics turn them on for themselves.
      POWERTOOLS_LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
    },
  },
});
