/** GET /v1/health — 200 when the table, every queue and the mailer answer; 503 otherwise. */
import { health } from "../../shared/api/merchants.ts";
import { apiHandler, HttpResponse, route } from "../../shared/http/api.ts";
import { checkDependencies } from "../../shared/health.ts";

export const handler = apiHandler([
  route(health, async ({ clock }) => {
    const report = await checkDependencies(clock);
    return new HttpResponse(report.status === "ok" ? 200 : 503, report, { "cache-control": "no-store" });
  }),
]);
