/** Operations on a customer's saved payment methods (charged later without the buyer: subscriptions). */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { idParams, listQuery, page } from "./common.ts";
import { lazy } from "../lazy.ts";

export const paymentMethod = lazy(() =>
  z.object({
    /** Kassa's id (`pm_<ULID>`), not the processor's token. */
    id: z.string(),
    type: z.enum(["card", "us_bank_account"]),
    card: z
      .object({
        brand: z.string(),
        last4: z.string(),
        expMonth: z.number().int(),
        expYear: z.number().int(),
      })
      .optional(),
    createdAt: z.string(),
  }),
);

const methodParams = lazy(() =>
  z
    .strictObject({ id: z.string().min(1).max(64), pmId: z.string().min(1).max(64) })
    .describe("customer id and payment method id"),
);

export const attachPaymentMethod = defineOperation({
  id: "attachPaymentMethod",
  method: "POST",
  path: "/v1/customers/{id}/payment-methods",
  auth: "merchant",
  tag: "Customers",
  summary:
    "Save a payment method on a customer (a processor token, e.g. pm_card_visa in the sandbox); the first becomes the default",
  params: () => idParams("customer"),
  body: () => z.strictObject({ paymentMethod: z.string().trim().min(3).max(100) }),
  response: paymentMethod,
  status: 201,
  otherResponses: {
    402: {
      description:
        "Declined: the card's issuer refused its verification (Stripe's declining test cards are refused here, except pm_card_chargeCustomerFail); nothing is saved",
      content: ["problem"],
    },
  },
});

export const listPaymentMethods = defineOperation({
  id: "listPaymentMethods",
  method: "GET",
  path: "/v1/customers/{id}/payment-methods",
  auth: "merchant",
  tag: "Customers",
  summary: "List a customer's saved payment methods, newest first",
  params: () => idParams("customer"),
  query: listQuery,
  response: () => page(paymentMethod()),
  status: 200,
});

export const detachPaymentMethod = defineOperation({
  id: "detachPaymentMethod",
  method: "DELETE",
  path: "/v1/customers/{id}/payment-methods/{pmId}",
  auth: "merchant",
  tag: "Customers",
  summary: "Remove a saved payment method (if it was the customer's default, the customer has none)",
  params: methodParams,
  status: 204,
});

export const paymentMethodOperations = [attachPaymentMethod, listPaymentMethods, detachPaymentMethod];
