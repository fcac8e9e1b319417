/** Workflow filters and step paths: pure functions over an enrollment's context and a version's steps. */
import { describe, expect, it } from "vitest";
import { holds, matches, valueAt } from "../../shared/workflows/filters.ts";
import { firstPath, pathAfter, pathInto, stepAt } from "../../shared/workflows/steps.ts";
import { branch } from "../helpers/workflow-fakes.ts";
import type { WorkflowContext, WorkflowFilter, WorkflowStep } from "../../shared/workflows/workflow.ts";

const context: WorkflowContext = {
  customer: { id: "cus_1", name: "Ada Lovelace", email: "ada@x.test", phone: null, accountOwner: null },
  payment: {
    amount: { amount: 5000, currency: "EUR" },
    status: "succeeded",
    livemode: false,
    paidAt: "2030-01-02T10:00:00.000Z",
    method: { type: "card", brand: "visa", last4: "4242" },
  },
};

const check = (field: string, op: WorkflowFilter["op"], value?: unknown) =>
  holds(context, { field, op, ...(value !== undefined ? { value } : {}) });

describe("workflow filters", () => {
  it("reads dotted fields, null when absent", () => {
    expect(valueAt(context, "payment.method.brand")).toBe("visa");
    expect(valueAt(context, "customer.phone")).toBeNull();
    expect(valueAt(context, "customer.accountOwner.email")).toBeNull();
    expect(valueAt(context, "invoice.number")).toBeNull();
  });

  it.each([
    ["payment.status", "eq", "succeeded", true],
    ["payment.status", "eq", "failed", false],
    ["payment.status", "neq", "failed", true],
    ["customer.phone", "neq", "x", true],
    ["payment.livemode", "eq", false, true],
    ["payment.amount", "eq", 5000, true],
    ["payment.amount", "gt", 4999, true],
    ["payment.amount", "gt", 5000, false],
    ["payment.amount", "gte", 5000, true],
    ["payment.amount", "lt", 5001, true],
    ["payment.amount", "lte", 4999, false],
    ["payment.paidAt", "gt", "2030-01-02T09:00:00Z", true],
    // Dates compare as instants, whatever their offset says.
    ["payment.paidAt", "lt", "2030-01-02T11:30:00+02:00", false],
    ["payment.paidAt", "gte", "2030-01-02T12:00:00+02:00", true],
    ["payment.paidAt", "lt", "2030-01-03", true],
    ["payment.method.brand", "in", ["visa", "mastercard"], true],
    ["payment.amount", "in", [100, 5000], true],
    ["payment.method.brand", "in", ["amex"], false],
    ["customer.name", "contains", "Love", true],
    ["customer.name", "contains", "love", false],
    ["customer.email", "exists", undefined, true],
    ["customer.phone", "exists", undefined, false],
    ["customer.phone", "exists", false, true],
    ["customer.email", "exists", false, false],
    // A missing value is never greater or smaller than anything.
    ["customer.phone", "gt", 1, false],
    ["customer.phone", "lt", 1, false],
  ] as const)("%s %s %j → %s", (field, op, value, expected) => {
    expect(check(field, op, value)).toBe(expected);
  });

  it("needs every filter to hold; none always matches", () => {
    expect(matches(context, [])).toBe(true);
    expect(
      matches(context, [
        { field: "payment.amount", op: "gte", value: 1000 },
        { field: "payment.status", op: "eq", value: "succeeded" },
      ]),
    ).toBe(true);
    expect(
      matches(context, [
        { field: "payment.amount", op: "gte", value: 1000 },
        { field: "payment.status", op: "eq", value: "failed" },
      ]),
    ).toBe(false);
  });
});

describe("step paths", () => {
  const email = (subject: string): WorkflowStep => ({
    type: "send_email",
    to: "merchant",
    subject,
    body: "b",
  });
  const steps: WorkflowStep[] = [
    email("a"),
    branch([], [email("then-0"), branch([], [email("deep")])]),
    email("c"),
  ];

  it("finds steps at any depth", () => {
    expect(firstPath(steps)).toBe("0");
    expect(firstPath([])).toBeUndefined();
    expect(stepAt(steps, "1.then.0")).toMatchObject({ subject: "then-0" });
    expect(stepAt(steps, "1.then.1.then.0")).toMatchObject({ subject: "deep" });
    expect(stepAt(steps, "1.else.0")).toBeUndefined();
    expect(stepAt(steps, "7")).toBeUndefined();
  });

  it("goes on after a step, leaving branches at their end, and ends after the last", () => {
    expect(pathAfter(steps, "0")).toBe("1");
    expect(pathAfter(steps, "1.then.0")).toBe("1.then.1");
    expect(pathAfter(steps, "1.then.1.then.0")).toBe("2");
    expect(pathAfter(steps, "2")).toBeUndefined();
  });

  it("enters a branch's arm, or skips it when the arm is empty", () => {
    expect(pathInto(steps, "1", "then")).toBe("1.then.0");
    expect(pathInto(steps, "1", "else")).toBe("2");
    expect(pathInto(steps, "1.then.1", "else")).toBe("2");
  });
});
