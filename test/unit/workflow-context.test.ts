/**
 * A workflow's context as the engine builds it from a trigger event: every object the trigger offers
 * with every field of its shape (absent ones null), money in the object's currency, and the values
 * the API shows for the same object.
 */
import { describe, expect, it } from "vitest";
import { newEvent } from "../../shared/domain/events.ts";
import { buildContext } from "../../shared/workflows/context.ts";
import type { ContextReads } from "../../shared/workflows/ports.ts";
import {
  type ObjectShape,
  objectShapes,
  triggerObjects,
  workflowTriggers,
} from "../../shared/workflows/workflow.ts";

const at = new Date("2026-12-01T10:00:00Z");
const reads: ContextReads = {
  merchant: async () => ({ id: "mer_1", name: "Acme", email: "owner@acme.test" }) as never,
  customer: async () => undefined,
  invoice: async () => undefined,
  payment: async () => undefined,
  segmentsOf: async () => [],
  links: {
    renewEarly: async () => "https://pay.test/c/t/renew",
    unsubscribe: async () => "https://pay.test/u/t",
  } as never,
};

const fieldsOf = (shape: ObjectShape): string[] =>
  Object.entries(shape).flatMap(([field, kind]) =>
    typeof kind === "object" ? fieldsOf(kind).map((f) => `${field}.${f}`) : [field],
  );
/** The field paths a context object holds (a money value is one field). */
const isNested = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && typeof (value as { amount?: unknown }).amount !== "number";
const present = (value: unknown, prefix = ""): string[] =>
  isNested(value)
    ? Object.entries(value).flatMap(([k, v]) =>
        isNested(v) ? present(v, `${prefix}${k}.`) : [`${prefix}${k}`],
      )
    : [];

describe("buildContext", () => {
  it.each(workflowTriggers)(
    "holds every object %s offers, each with the fields of its shape",
    async (trigger) => {
      const context = await buildContext(reads, newEvent(trigger, "mer_1", undefined, at, {}), trigger);
      expect(Object.keys(context).sort()).toEqual([...triggerObjects[trigger]].sort());
      for (const object of triggerObjects[trigger]) {
        const shape = objectShapes[object] as ObjectShape;
        // A nested object absent from the event is null as a whole; a scalar field is present as null.
        const shown = present(context[object]);
        for (const field of fieldsOf(shape)) {
          const top = field.split(".")[0] ?? field;
          expect(
            shown.some((f) => f === field || f === top),
            `${object}.${field}`,
          ).toBe(true);
        }
      }
    },
  );

  it("shows a quote's total as the API does, with its one-time and recurring parts beside it", async () => {
    const quote = {
      id: "quo_1",
      number: "Q-0001",
      status: "accepted",
      currency: "USD",
      total: 13_000,
      upfrontTotal: 10_000,
      recurringTotal: 3_000,
      customer: { id: "cus_1" },
    };
    const context = await buildContext(
      reads,
      newEvent("quote.accepted", "mer_1", "quo_1", at, { quote }),
      "quote.accepted",
    );
    expect(context.quote).toMatchObject({
      total: { amount: 13_000, currency: "USD" },
      upfrontTotal: { amount: 10_000, currency: "USD" },
      recurringTotal: { amount: 3_000, currency: "USD" },
    });
  });
});
