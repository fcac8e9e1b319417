/**
 * A workflow definition is checked whole at save time: each rule's violation is reported at the
 * exact field (table-driven), nesting and counting include branches, `discountCode` exists only
 * after a step made one on every way there, and the three shipped templates pass.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../shared/domain/errors.ts";
import { workflowTemplates } from "../../shared/workflows/templates.ts";
import { assertValidDefinition, definitionErrors, durationMs } from "../../shared/workflows/validation.ts";
import type { WorkflowDefinition, WorkflowFilter, WorkflowStep } from "../../shared/workflows/workflow.ts";

const team = ["owner@acme.test", "sam@acme.test"];
const email: WorkflowStep = {
  type: "send_email",
  to: "customer",
  subject: "Hi {{ customer.name }}",
  body: "Paid {{ payment.amount | money }}",
};
const definition = (
  steps: WorkflowStep[],
  filters: WorkflowDefinition["trigger"]["filters"] = [],
): WorkflowDefinition => ({
  trigger: { event: "payment.succeeded", filters },
  reenroll: false,
  steps,
});
const paths = (d: WorkflowDefinition) => definitionErrors(d, team).map((e) => e.path);
const branch = (
  yes: WorkflowStep[],
  no: WorkflowStep[] = [],
  conditions: WorkflowFilter[] = [],
): WorkflowStep => ({
  type: "branch",
  if: conditions,
  // biome-ignore lint/suspicious/noThenProperty: the contract names a branch's ways then and else
  then: yes,
  else: no,
});
const nest = (depth: number, inner: WorkflowStep): WorkflowStep =>
  depth === 0 ? inner : branch([nest(depth - 1, inner)]);

describe("definitionErrors", () => {
  it("accepts a per-language branch, locale arguments and a filter on the buyer's locale", () => {
    const localized: WorkflowStep = {
      ...email,
      subject: '{% if language == "nb" %}Takk, {{ customer.name }}{% else %}Thanks{% endif %}',
      body: '{{ payment.amount | money: "nb-NO" }} {{ payment.paidAt | date: customer.locale }} {{ locale }}',
    };
    expect(
      definitionErrors(
        definition([localized], [{ field: "customer.locale", op: "eq", value: "nb-NO" }]),
        team,
      ),
    ).toEqual([]);
  });

  it("accepts a valid definition", () => {
    expect(
      definitionErrors(definition([email, { type: "delay", duration: "P1DT12H" }, email]), team),
    ).toEqual([]);
  });

  it.each<[string, WorkflowDefinition, string]>([
    [
      "an unknown trigger",
      { ...definition([email]), trigger: { event: "payment.refunded" as never, filters: [] } },
      "trigger.event",
    ],
    [
      "a filter on a field the trigger lacks",
      definition([email], [{ field: "invoice.number", op: "eq", value: "1" }]),
      "trigger.filters.0.field",
    ],
    [
      "a filter on an unknown field",
      definition([email], [{ field: "payment.colour", op: "eq", value: "red" }]),
      "trigger.filters.0.field",
    ],
    [
      "gt on a string",
      definition([email], [{ field: "customer.name", op: "gt", value: "a" }]),
      "trigger.filters.0.op",
    ],
    [
      "contains on money",
      definition([email], [{ field: "payment.amount", op: "contains", value: 1 }]),
      "trigger.filters.0.op",
    ],
    [
      "a string compared to money",
      definition([email], [{ field: "payment.amount", op: "gte", value: "100" }]),
      "trigger.filters.0.value",
    ],
    [
      "in without a list",
      definition([email], [{ field: "payment.currency", op: "in", value: "USD" }]),
      "trigger.filters.0.value",
    ],
    [
      "exists with a string",
      definition([email], [{ field: "customer.phone", op: "exists", value: "yes" }]),
      "trigger.filters.0.value",
    ],
    [
      "a date compared to a non-date",
      definition([email], [{ field: "payment.paidAt", op: "lt", value: "soon" }]),
      "trigger.filters.0.value",
    ],
    ["no steps", definition([]), "steps"],
    ["a bad duration", definition([{ type: "delay", duration: "P1M" }]), "steps.0.duration"],
    ["a duration under a minute", definition([{ type: "delay", duration: "PT0M" }]), "steps.0.duration"],
    ["a duration over 365 days", definition([{ type: "delay", duration: "P366D" }]), "steps.0.duration"],
    ["an empty duration", definition([{ type: "delay", duration: "PT" }]), "steps.0.duration"],
    [
      "an outsider's address",
      definition([{ ...email, to: { userEmail: "eve@evil.test" } }]),
      "steps.0.to.userEmail",
    ],
    [
      "an unknown variable in a body",
      definition([email, { ...email, body: "{{ invoice.number }}" }]),
      "steps.1.body",
    ],
    [
      "an unknown filter in a subject",
      definition([{ ...email, subject: "{{ customer.name | shout }}" }]),
      "steps.0.subject",
    ],
    ["an include", definition([{ ...email, body: "{% include 'x' %}" }]), "steps.0.body"],
    [
      "a money filter's locale that is none",
      definition([{ ...email, body: '{{ payment.amount | money: "en_US" }}' }]),
      "steps.0.body",
    ],
    [
      "a date filter's locale without formats, in a branch's subject",
      definition([email, branch([{ ...email, subject: '{{ payment.paidAt | date: "zz-ZZ" }}' }])]),
      "steps.1.then.0.subject",
    ],
    ["an empty subject", definition([{ ...email, subject: " " }]), "steps.0.subject"],
    [
      "a code before one is made",
      definition([{ ...email, body: "{{ discountCode.code }}" }]),
      "steps.0.body",
    ],
    [
      "an unknown variable in a task title",
      definition([{ type: "create_task", title: "{{ quote.title }}" }]),
      "steps.0.title",
    ],
    [
      "a task due in 366 days",
      definition([{ type: "create_task", title: "t", dueInDays: 366 }]),
      "steps.0.dueInDays",
    ],
    [
      "a task due in half a day",
      definition([{ type: "create_task", title: "t", dueInDays: 0.5 }]),
      "steps.0.dueInDays",
    ],
    [
      "both percentOff and amountOff",
      definition([
        { type: "create_discount_code", percentOff: 10, amountOff: 100, expiresInDays: 7, maxRedemptions: 1 },
      ]),
      "steps.0.amountOff",
    ],
    [
      "neither percentOff nor amountOff",
      definition([{ type: "create_discount_code", expiresInDays: 7, maxRedemptions: 1 }]),
      "steps.0.percentOff",
    ],
    [
      "percentOff above 100",
      definition([{ type: "create_discount_code", percentOff: 101, expiresInDays: 7, maxRedemptions: 1 }]),
      "steps.0.percentOff",
    ],
    [
      "percentOff of 0",
      definition([{ type: "create_discount_code", percentOff: 0, expiresInDays: 7, maxRedemptions: 1 }]),
      "steps.0.percentOff",
    ],
    [
      "a fractional amountOff",
      definition([{ type: "create_discount_code", amountOff: 1.5, expiresInDays: 7, maxRedemptions: 1 }]),
      "steps.0.amountOff",
    ],
    [
      "expiresInDays 0",
      definition([{ type: "create_discount_code", percentOff: 5, expiresInDays: 0, maxRedemptions: 1 }]),
      "steps.0.expiresInDays",
    ],
    [
      "maxRedemptions 2",
      definition([{ type: "create_discount_code", percentOff: 5, expiresInDays: 3, maxRedemptions: 2 as 1 }]),
      "steps.0.maxRedemptions",
    ],
    [
      "a branch filter on an unknown field",
      definition([branch([email], [], [{ field: "customer.age", op: "gt", value: 3 }])]),
      "steps.0.if.0.field",
    ],
    [
      "a bad body inside a branch",
      definition([email, branch([{ ...email, body: "{{ nope }}" }])]),
      "steps.1.then.0.body",
    ],
    ["a branch 4 deep", definition([nest(4, email)]), "steps.0.then.0.then.0.then.0"],
  ])("reports %s at its field", (_, d, path) => {
    expect(paths(d)).toEqual([path]);
  });

  it("accepts branches 3 deep and counts 20 steps including branches, not 21", () => {
    expect(paths(definition([nest(3, email)]))).toEqual([]);
    const twenty = Array.from({ length: 17 }, () => email);
    expect(paths(definition([nest(3, email), ...twenty.slice(1)]))).toEqual([]);
    expect(paths(definition([nest(3, email), ...twenty]))).toEqual(["steps"]);
  });

  it("knows the team case-insensitively", () => {
    expect(paths(definition([{ ...email, to: { userEmail: "Sam@ACME.test" } }]))).toEqual([]);
  });

  it("makes a code available after it is made, and after a branch only when both ways made one", () => {
    const code: WorkflowStep = {
      type: "create_discount_code",
      percentOff: 10,
      expiresInDays: 7,
      maxRedemptions: 1,
    };
    const useCode = { ...email, body: "{{ discountCode.code }}" };
    expect(paths(definition([code, useCode]))).toEqual([]);
    expect(paths(definition([branch([code, useCode])]))).toEqual([]);
    expect(paths(definition([branch([code]), useCode]))).toEqual(["steps.1.body"]);
    expect(paths(definition([branch([code], [code]), useCode]))).toEqual([]);
  });

  it("accepts well-typed filters of every kind", () => {
    expect(
      paths(
        definition(
          [email],
          [
            { field: "payment.amount", op: "gte", value: 5000 },
            { field: "payment.currency", op: "in", value: ["USD", "EUR"] },
            { field: "customer.email", op: "contains", value: "@" },
            { field: "customer.accountOwner", op: "exists" },
            { field: "payment.livemode", op: "eq", value: true },
            { field: "payment.paidAt", op: "lt", value: "2027-01-01" },
          ],
        ),
      ),
    ).toEqual([]);
  });

  it("throws a ValidationError naming every field", () => {
    const bad = definition([
      { type: "delay", duration: "x" },
      { ...email, body: "{{ nope }}" },
    ]);
    expect(() => assertValidDefinition(bad, team)).toThrow(ValidationError);
    try {
      assertValidDefinition(bad, team);
    } catch (error) {
      expect((error as ValidationError).errors.map((e) => e.path)).toEqual([
        "steps.0.duration",
        "steps.1.body",
      ]);
    }
  });
});

describe("durationMs", () => {
  it("reads days, hours and minutes", () => {
    fc.assert(
      fc.property(fc.nat(400), fc.nat(48), fc.nat(120), (d, h, m) => {
        expect(durationMs(`P${d}DT${h}H${m}M`)).toBe(((d * 24 + h) * 60 + m) * 60_000);
      }),
    );
  });

  it.each(["P1M", "P1Y", "PT1S", "P", "PT", "1D", "P1.5D", "P-1D"])("refuses %s", (text) => {
    expect(durationMs(text)).toBeUndefined();
  });
});

describe("the shipped templates", () => {
  it.each(workflowTemplates.map((t) => [t.id, t] as const))("%s passes the validator", (_, template) => {
    expect(definitionErrors(template, team)).toEqual([]);
  });

  it("are the three of the contract", () => {
    expect(workflowTemplates.map((t) => t.id)).toEqual([
      "welcome_email",
      "renewal_reminder_with_code",
      "purchase_follow_up",
    ]);
  });
});
