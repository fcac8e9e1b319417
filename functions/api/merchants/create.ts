/** POST /v1/merchants — the platform admin creates a merchant and receives its first API key. */
import * as z from "zod";
import { systemClock } from "../../../shared/domain/clock.ts";
import { api, created } from "../../../shared/http/api.ts";
import { createMerchant } from "../../../shared/merchants/service.ts";
import { dynamoMerchantStore } from "../../../shared/store/merchants.ts";

export const createMerchantBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
});

export const handler = api({ auth: "admin", body: createMerchantBody, maxBodyBytes: 64 * 1024 }, async ({ body }) => {
  const { merchant, apiKey } = await createMerchant({ store: dynamoMerchantStore, clock: systemClock }, body);
  return created({ merchant, apiKey: { id: apiKey.id, secret: apiKey.secret } });
});
