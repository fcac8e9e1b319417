/**
 * Every list's filters, which its list operation takes as query parameters and a saved view of it
 * stores: apart from the operations, so the views function validates a view's filters without
 * building every list's other schemas (shared/api/views.ts).
 */
import * as z from "zod";
import { quoteStatuses } from "../domain/quote-lifecycle.ts";
import type { InvoiceFilter } from "../invoices/invoice.ts";
import { checkoutStatuses } from "../payment-links/checkout-status.ts";
import type { PaymentFilter } from "../payments/filters.ts";
import type { QuoteFilter } from "../quotes/quote.ts";
import type { SubscriptionFilter, SubscriptionStatus } from "../subscriptions/subscription.ts";
import { taskStatuses } from "../tasks/task.ts";
import {
  calendarDate,
  createdRange,
  currency,
  documentNumber,
  email,
  filterFlag,
  idOf,
  parsesTo,
} from "./common.ts";
import { lazy } from "../lazy.ts";

export const subscriptionStatuses = [
  "scheduled",
  "incomplete",
  "incomplete_expired",
  "trialing",
  "active",
  "past_due",
  "paused",
  "canceled",
  "ended",
] as const satisfies readonly SubscriptionStatus[];

export const payoutStatus = lazy(() => z.enum(["paid", "failed", "skipped"]));

/** The invoice list's filters; saved views store the same object. */
export const invoiceFilters = lazy(() =>
  parsesTo<InvoiceFilter>()(
    z.strictObject({
      status: z.enum(["draft", "open", "paid", "void", "uncollectible", "overdue"]).optional(),
      number: documentNumber().optional(),
      customerId: idOf("customer").optional(),
      subscriptionId: idOf("subscription").optional(),
      currency: currency().optional(),
      dueBefore: calendarDate().optional(),
      dueAfter: calendarDate().optional(),
      totalGte: z.coerce.number().int().min(0).optional(),
      totalLte: z.coerce.number().int().min(0).optional(),
      ...createdRange(),
    }),
  ),
);

export const paymentFilters = lazy(() =>
  parsesTo<PaymentFilter>()(
    z.strictObject({
      status: z
        .enum(["processing", "succeeded", "failed", "partially_refunded", "refunded", "disputed"])
        .optional(),
      customerId: idOf("customer").optional(),
      invoiceId: idOf("invoice").optional(),
      amountGte: z.coerce.number().int().min(0).optional(),
      amountLte: z.coerce.number().int().min(0).optional(),
      ...createdRange(),
    }),
  ),
);

/** The refund list's filters; saved views store the same object. */
export const refundFilters = lazy(() =>
  z.strictObject({ paymentId: idOf("payment").optional(), ...createdRange() }),
);

/** The subscription list's filters; saved subscription views store the same object. */
export const subscriptionFilters = lazy(() =>
  parsesTo<SubscriptionFilter>()(
    z.strictObject({
      status: z.enum(subscriptionStatuses).optional(),
      customerId: idOf("customer").optional(),
      ...createdRange(),
    }),
  ),
);

/** The quote list's filters; saved views store the same object. */
export const quoteFilters = lazy(() =>
  parsesTo<QuoteFilter>()(
    z.strictObject({
      status: z.enum(quoteStatuses).optional(),
      number: documentNumber().optional(),
      customerId: idOf("customer").optional(),
      ...createdRange(),
    }),
  ),
);

/** The customer list's filters; saved views store the same object. */
export const customerFilters = lazy(() => z.strictObject({ email: email().optional(), ...createdRange() }));

/** The payment link list's filters; saved views store the same object. */
export const paymentLinkFilters = lazy(() =>
  z.strictObject({ active: filterFlag().optional(), ...createdRange() }),
);

/** The checkout session list's filters; saved views store the same object. */
export const checkoutSessionFilters = lazy(() =>
  z.strictObject({
    paymentLinkId: idOf("paymentLink").optional(),
    status: z.enum(checkoutStatuses).optional(),
    ...createdRange(),
  }),
);

/** The payout list's filters; saved views store the same object. */
export const payoutFilters = lazy(() =>
  z.strictObject({
    currency: currency().optional(),
    status: payoutStatus().optional(),
    ...createdRange(),
  }),
);

/** The task list's filters; saved views store the same object. */
export const taskFilters = lazy(() =>
  z.strictObject({
    status: z.enum(taskStatuses).optional(),
    dueBefore: calendarDate().optional(),
    relatedTo: z.string().min(1).max(64).optional(),
  }),
);
