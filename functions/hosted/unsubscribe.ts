/**
 * The buyer's unsubscribe page. A function of its own rather than the portal's: it needs the table
 * and the form-token secret only, while the portal holds the processors' secrets to move money, and a
 * link in every workflow email (fetched by mail scanners too) should not wake that function.
 */
import * as ops from "../../shared/api/unsubscribe.ts";
import { unsubscribePorts as ports } from "../../shared/composition.ts";
import { submitUnsubscribe, unsubscribePage } from "../../shared/customers/unsubscribe-page.ts";
import { apiHandler, route } from "../../shared/http/api.ts";

export const handler = apiHandler([
  route(ops.unsubscribePage, ({ clock, params }) =>
    unsubscribePage(ports(clock), { token: params.token, clock }),
  ),
  route(ops.submitUnsubscribe, ({ clock, params, event }) =>
    submitUnsubscribe(ports(clock), { token: params.token, clock }, event),
  ),
]);
