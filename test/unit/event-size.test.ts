import { describe, expect, it } from "vitest";
import { eventDataBudget, newEvent } from "../../shared/domain/events.ts";

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
const now = new Date("2026-05-14T12:00:00Z");

describe("an event's data", () => {
  it("is kept whole while it fits the budget", () => {
    const data = { invoice: { id: "inv_1", lineItems: [{ description: "One" }], total: 100 } };
    expect(newEvent("invoice.finalized", "mer_1", "inv_1", now, data).data).toEqual(data);
  });

  it("past the budget, drops the snapshot's largest fields first, keeps its id and small fields, and says so", () => {
    const lineItems = Array.from({ length: 250 }, (_, i) => ({ description: `${i} ${"é".repeat(499)}` }));
    const metadata = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, "m".repeat(500)]));
    const data = {
      invoice: { id: "inv_1", lineItems, metadata, dueDate: "2026-06-13", total: 25_000 },
      timeZone: "Europe/Paris",
    };
    const event = newEvent("invoice.finalized", "mer_1", "inv_1", now, data);

    expect(bytes(event.data)).toBeLessThanOrEqual(eventDataBudget);
    expect(event.data).toEqual({
      invoice: {
        id: "inv_1",
        metadata,
        dueDate: "2026-06-13",
        total: 25_000,
        truncated: true,
        omitted: { lineItems: 250 },
      },
      timeZone: "Europe/Paris",
    });
  });

  it("stays under the budget even when every snapshot field is large, keeping the ids", () => {
    const big = (n: number) => "x".repeat(n);
    const data = {
      customer: { id: "cus_1", name: big(20_000), notes: big(20_000) },
      payment: { id: "pay_1", memo: big(20_000) },
    };
    const event = newEvent("customer.updated", "mer_1", "cus_1", now, data);

    expect(bytes(event.data)).toBeLessThanOrEqual(eventDataBudget);
    expect(event.data.customer).toMatchObject({ id: "cus_1", truncated: true });
    expect(event.data.payment).toMatchObject({ id: "pay_1" });
  });
});
