/** The buyer's update-card page: the card on file, and saving a new one as the default. */
import * as ops from "../../shared/api/update-card.ts";
import { publicBaseUrl, updateCardPorts, updateCardAttempts } from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { submitUpdateCard, updateCardPage } from "../../shared/customers/update-card-page.ts";
import { apiHandler, route } from "../../shared/http/api.ts";

const context = (clock: Clock, token: string) => ({
  token,
  publicBaseUrl: publicBaseUrl(),
  clock,
  cardAttempts: (merchantId: string, customerId: string) => updateCardAttempts(clock, merchantId, customerId),
});

export const handler = apiHandler([
  route(ops.updateCardPage, async ({ clock, params, query }) =>
    updateCardPage(updateCardPorts(clock), context(clock, params.token), query.saved === "1"),
  ),
  route(ops.updateCardSubmit, async ({ clock, params, event }) =>
    submitUpdateCard(updateCardPorts(clock), context(clock, params.token), event),
  ),
]);
