/**
 * A merchant's time zone change never dates money to a day already paid out: payments are dated by
 * the merchant's local day, payouts pay each day once after it ends, and a zone further west would
 * otherwise make "today" a day whose payout is done.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { paymentPorts } from "../../shared/composition.ts";
import { tableScheduler } from "../../shared/aws/scheduler.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { payInvoice } from "../../shared/invoices/pay.ts";
import { updateMerchant } from "../../shared/merchants/service.ts";
import { handlePayoutRun, type PayoutPorts, type PayoutRunMessage } from "../../shared/payouts/run.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPayoutStore } from "../../shared/store/payouts.ts";
import { expectStatus, merchantCall, newMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;

const at = (iso: string) => fixedClock(new Date(iso));
const payoutPorts = (now: Date): PayoutPorts => ({
  payouts: dynamoPayoutStore,
  merchants: dynamoMerchantStore,
  scheduler: tableScheduler,
  clock: fixedClock(now),
});

describe("payouts across a time zone change", () => {
  beforeAll(async () => {
    aws = await useTestAws(["stripe-events", "notifications", "billing"]);
  });

  it("dates money paid after a change to a zone where today is paid out into a later payout: nothing lost, nothing paid twice", async () => {
    const m = await newMerchant("Zone Hopper");
    const merchants = (iso: string) => ({ store: dynamoMerchantStore, clock: at(iso) });
    await updateMerchant(merchants("2026-05-13T00:00:00Z"), m.id, { timeZone: "Asia/Tokyo" });
    const customer = await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", m.secret, { body: { email: "zone@buyer.test" } }),
      201,
    );
    const openInvoice = async (amount: number) => {
      const draft = await expectStatus(
        merchantCall(invoicesHandler, "POST /v1/invoices", m.secret, {
          body: {
            customerId: customer.id,
            currency: "USD",
            lineItems: [{ description: "Work", unitAmount: amount }],
          },
        }),
        201,
      );
      return expectStatus(
        merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", m.secret, { id: draft.id }),
      );
    };
    const pay = async (amount: number, iso: string) => {
      const invoice = await openInvoice(amount);
      const paid = await payInvoice(paymentPorts(at(iso)), m.id, invoice.id, "pm_card_visa");
      expect(paid.payment.status).toBe("succeeded");
      return paid.payment;
    };
    const run = (message: PayoutRunMessage, now: Date) => handlePayoutRun(payoutPorts(now), message);

    // Noon on May 14 in Tokyo: paid, then May 14 is paid out just after Tokyo's midnight.
    await pay(10_000, "2026-05-14T03:00:00Z");
    const first = await run(
      { kind: "payouts.run", merchantId: m.id, date: "2026-05-14" },
      new Date("2026-05-14T15:05:00Z"),
    );
    expect(first.created.map((p) => [p.date, p.chargeCount, p.grossAmount])).toEqual([
      ["2026-05-14", 1, 10_000],
    ]);

    // Minutes later the merchant moves to Los Angeles, where it is May 14 again, and is paid again.
    await updateMerchant(merchants("2026-05-14T15:10:00Z"), m.id, { timeZone: "America/Los_Angeles" });
    const second = await pay(7_000, "2026-05-14T15:11:00Z");
    const balance = (await aws.scanAll()).filter(
      (i) => i.type === "balanceTransaction" && i.sourceId === second.id,
    );
    expect(balance.map((t) => t.date)).toEqual(["2026-05-15"]);

    // The chain goes on: the run it scheduled comes before Los Angeles's May 15 ends and waits for it,
    // then pays the second payment out. May 14 again changes nothing.
    const scheduled = first.scheduled!;
    const early = await run(scheduled.payload, scheduled.at);
    expect(early.created).toEqual([]);
    const later = await run(early.scheduled!.payload, early.scheduled!.at);
    expect(later.created.map((p) => [p.date, p.chargeCount, p.grossAmount])).toEqual([
      ["2026-05-15", 1, 7_000],
    ]);
    const again = await run(
      { kind: "payouts.run", merchantId: m.id, date: "2026-05-14" },
      early.scheduled!.at,
    );
    expect(again.created).toEqual([]);

    const payouts = (await aws.scanAll()).filter((i) => i.type === "payout" && String(i.PK).includes(m.id));
    expect(payouts.map((p) => [p.date, p.grossAmount]).sort()).toEqual([
      ["2026-05-14", 10_000],
      ["2026-05-15", 7_000],
    ]);
  });
});
