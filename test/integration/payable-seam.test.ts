/**
 * The payable seam against the emulators: payments pay whatever registers a `Payable` for its kind.
 * A stand-in quote (stored by the store's own collection, so its changes are real writes) is charged
 * through the generic `charge` in the sandbox: the attempt holds it in the unit of work that records
 * the payment, the outcome settles through it (its event after the payment's), a decline releases
 * it, and a success beyond what it owes is refunded as excess, exactly as for invoices. The payment
 * names the quote by `for`, which neither the API nor the events show.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { PaymentDeclinedError } from "../../shared/domain/errors.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { newId } from "../../shared/domain/ids.ts";
import { charge } from "../../shared/payments/charges.ts";
import { applyOutcome } from "../../shared/payments/outcomes.ts";
import type { Payable } from "../../shared/payments/payable.ts";
import type { PaymentPorts } from "../../shared/payments/ports.ts";
import { paymentPorts } from "../../shared/composition.ts";
import { asChange, collection } from "../../shared/store/collection.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

/** A quote as the stand-in keeps it: what it costs, what was paid, and the payment holding it. */
interface Quote {
  id: string;
  amount: number;
  amountPaid: number;
  heldBy?: string;
}

const quotes = collection<Quote>({ type: "testQuote", idKind: "quote", label: "quote" });
const clock = fixedClock(new Date());
let aws: TestAws;
let shop: TestMerchant;

/** The quote as a payable: the smallest honest one (hold, pay what is owed, release). */
const quotePayable: Payable = {
  async open(merchantId, id, { paymentId }) {
    const found = await quotes.read(merchantId, id);
    if (!found) throw new Error("no quote");
    const { value: quote, version } = found;
    const held = { ...quote, heldBy: paymentId };
    return {
      amount: quote.amount - quote.amountPaid,
      currency: "USD",
      customerId: "cus_quote",
      customerEmail: "quote@buyer.test",
      description: `Quote ${quote.id}`,
      attempt: 1,
      hold: asChange(quotes.replaceWrite(merchantId, held, version)),
      held,
    };
  },
  async atOutcome(merchantId, id) {
    const found = await quotes.read(merchantId, id);
    if (!found) return undefined;
    const { value: quote, version } = found;
    return {
      owed: quote.amount - quote.amountPaid,
      settle: ({ moves, status, taken, now, livemode }) => {
        if (!moves || status === "processing") return { changes: [], events: [] };
        const { heldBy: _, ...released } = quote;
        const after = { ...released, amountPaid: quote.amountPaid + taken };
        const events =
          taken > 0 ? [newEvent("quote.paid", merchantId, quote.id, now, { quote: after }, livemode)] : [];
        return { changes: [asChange(quotes.replaceWrite(merchantId, after, version))], events, after };
      },
    };
  },
  recordCheckoutSession: async () => {},
  checkoutSessionOf: async () => undefined,
};

const ports = (): PaymentPorts => {
  const deployed = paymentPorts(clock);
  return { ...deployed, payables: { ...deployed.payables, quote: quotePayable } };
};

async function newQuote(amount = 5_000, amountPaid = 0): Promise<Quote> {
  const quote = { id: newId("quote", clock.now()), amount, amountPaid };
  await quotes.create(shop.id, quote, newEvent("quote.created", shop.id, quote.id, clock.now(), {}));
  return quote;
}

const readQuote = async (id: string) => (await quotes.read(shop.id, id))?.value;
const eventsOf = async (objectIds: string[]) =>
  (await aws.scanAll())
    .filter((i) => i.type === "event" && objectIds.includes(String(i.objectId)))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", "billing"]);
  shop = await newMerchant(`Quote Seam ${randomUUID().slice(0, 6)}`);
});

describe("a payment for a registered payable that is not an invoice", () => {
  it("holds the quote for the attempt, settles the success through it, and names it only internally", async () => {
    const quote = await newQuote();

    const charged = await charge(
      ports(),
      shop.id,
      { kind: "quote", id: quote.id },
      { paymentMethod: "pm_card_visa", offSession: false },
    );

    expect(charged.payment).toMatchObject({
      status: "succeeded",
      amount: 5_000,
      for: { kind: "quote", id: quote.id },
    });
    expect(charged.payment).not.toHaveProperty("invoiceId");
    expect(charged.after).toEqual({ id: quote.id, amount: 5_000, amountPaid: 5_000 });
    expect(await readQuote(quote.id)).toEqual({ id: quote.id, amount: 5_000, amountPaid: 5_000 });
    const events = await eventsOf([quote.id, charged.payment.id]);
    expect(events.map((e) => e.eventType)).toEqual([
      "quote.created",
      "payment.created",
      "payment.succeeded",
      "quote.paid",
    ]);
    for (const event of events.filter((e) => String(e.eventType).startsWith("payment."))) {
      const data = event.data as Record<string, unknown>;
      expect(data.payment).toMatchObject({ id: charged.payment.id });
      expect(data.payment).not.toHaveProperty("for");
      expect(data).not.toHaveProperty("invoiceId");
    }
    const shown = await expectStatus(
      merchantCall(paymentsHandler, "GET /v1/payments/{id}", shop.secret, { id: charged.payment.id }),
    );
    expect(shown).not.toHaveProperty("for");
    expect(shown).toMatchObject({ id: charged.payment.id, status: "succeeded", amount: 5_000 });
  });

  it("releases the quote when the card is declined", async () => {
    const quote = await newQuote();

    const error = await charge(
      ports(),
      shop.id,
      { kind: "quote", id: quote.id },
      { paymentMethod: "pm_card_chargeDeclined", offSession: false },
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect(await readQuote(quote.id)).toEqual({ id: quote.id, amount: 5_000, amountPaid: 0 });
  });

  it("refunds what a success brings beyond what the quote still owes, once", async () => {
    const quote = await newQuote();
    // A bank debit: the payment stays processing while the quote is paid another way.
    const started = await charge(
      ports(),
      shop.id,
      { kind: "quote", id: quote.id },
      { paymentMethod: "pm_usBankAccount_success", offSession: false },
    );
    expect(started.payment.status).toBe("processing");
    const found = (await quotes.read(shop.id, quote.id))!;
    await quotes.replace(
      shop.id,
      { ...found.value, amountPaid: 3_000 },
      found.version,
      newEvent("quote.part_paid", shop.id, quote.id, clock.now(), {}),
    );

    const applied = await applyOutcome(ports(), shop.id, started.payment.id, { status: "succeeded" });
    const again = await applyOutcome(ports(), shop.id, started.payment.id, { status: "succeeded" });

    // The sandbox refunds at once: the excess is back and the payment partially refunded.
    expect(applied.payment).toMatchObject({
      status: "partially_refunded",
      excess: { amount: 3_000, refundId: expect.stringMatching(/^re_/) },
    });
    expect(again.payment.excess).toEqual(applied.payment.excess);
    expect(await readQuote(quote.id)).toEqual({ id: quote.id, amount: 5_000, amountPaid: 5_000 });
    const stored = (await dynamoPaymentStore.read(shop.id, started.payment.id))!.value;
    expect(stored).toMatchObject({ amountRefunded: 3_000, for: { kind: "quote", id: quote.id } });
    const refunds = (await aws.scanAll()).filter(
      (i) => i.type === "refund" && i.paymentId === started.payment.id,
    );
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amount: 3_000, reason: "duplicate" });
  });
});
