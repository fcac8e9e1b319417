/** The payment object, as the payments API and an invoice's recorded payment return it. */
import * as z from "zod";
import { lazy } from "../lazy.ts";

const money = lazy(() => z.number().int());

export const payment = lazy(() =>
  z.object({
    id: z.string(),
    status: z.enum(["processing", "succeeded", "failed", "partially_refunded", "refunded", "disputed"]),
    amount: money(),
    currency: z.string(),
    fee: money(),
    net: money(),
    /** Refunded, refunds still pending included (reserved). */
    amountRefunded: money(),
    /** Refunded and settled at the processor; the status follows this. */
    amountRefundedSettled: money(),
    processor: z.enum(["manual", "sandbox", "stripe"]),
    livemode: z
      .boolean()
      .describe(
        "Real money: false for the sandbox (and Stripe test keys); a manual payment takes the merchant's mode",
      ),
    method: z.union([
      z.object({
        type: z.enum(["bank_transfer", "cash", "check", "other"]),
        reference: z.string().optional(),
      }),
      z.object({ type: z.literal("card"), brand: z.string(), last4: z.string() }),
      z.object({
        type: z.literal("bank_debit"),
        bankName: z.string().optional(),
        last4: z.string().optional(),
      }),
    ]),
    customerId: z.string(),
    invoiceId: z.string().optional(),
    processorPaymentId: z.string().optional().describe("The processor's payment (Stripe: pi_…)"),
    failure: z.object({ declineCode: z.string(), message: z.string() }).optional(),
    excess: z
      .object({ amount: money(), refundId: z.string().optional() })
      .optional()
      .describe("What the payment brought beyond what its invoice still owed: refunded automatically"),
    dispute: z
      .object({
        id: z.string(),
        status: z.string().describe("The processor's: needs_response, under_review, won, lost…"),
        amount: money(),
        reason: z.string().optional(),
        createdAt: z.string().optional(),
        reportedAt: z.string().optional(),
        closed: z.boolean().optional(),
      })
      .optional()
      .describe("The latest dispute on the payment"),
    paidAt: z.string().optional(),
    history: z.array(z.object({ status: z.string(), at: z.string(), note: z.string().optional() })),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
