/** GET /v1/health — 200 when the table, every queue and the mailer answer; 503 otherwise. */
import { api } from "../../shared/http/api.ts";
import { checkDependencies } from "../../shared/health.ts";

export const handler = api({ auth: "public" }, async () => {
  const report = await checkDependencies();
  return { status: report.status === "ok" ? 200 : 503, body: report, headers: { "cache-control": "no-store" } };
});
