/**
 * Workflow templates: outputs escaped per mode (an HTML body escapes a hostile name, a subject and a
 * text body never get a line from a value), money and dates formatted, the save-time check rejecting
 * unknown variables, filters and loading tags, and a runaway loop stopped by the limits.
 */
import { describe, expect, it } from "vitest";
import { checkTemplate, renderTemplate } from "../../shared/workflows/templating.ts";
import type { WorkflowContext } from "../../shared/workflows/workflow.ts";

const context: WorkflowContext = {
  merchant: { id: "mer_1", name: "Acme", email: "owner@acme.test" },
  customer: { id: "cus_1", name: "<script>alert(1)</script>", email: "buyer@example.test" },
  payment: {
    id: "pay_1",
    amount: { amount: 123456, currency: "USD" },
    paidAt: "2026-03-01T23:30:00Z",
  },
};
const render = (source: string, mode: "html" | "text" | "subject", timeZone = "UTC") =>
  renderTemplate(source, context, mode, { timeZone });

describe("renderTemplate", () => {
  it("escapes a customer named <script>alert(1)</script> in an HTML body", async () => {
    expect(await render("<p>Hi {{ customer.name }}</p>", "html")).toBe(
      "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>",
    );
  });

  it("does not HTML-escape text and subjects, but a value never breaks their lines", async () => {
    const hostile = { customer: { name: "Bob\r\nBcc: victim@example.test" } };
    expect(await renderTemplate("Hi {{ customer.name }}\nBye", hostile, "text", { timeZone: "UTC" })).toBe(
      "Hi Bob Bcc: victim@example.test\nBye",
    );
    expect(await renderTemplate("Hi\n{{ customer.name }}", hostile, "subject", { timeZone: "UTC" })).toBe(
      "Hi Bob Bcc: victim@example.test",
    );
    expect(await render("{{ customer.name }}", "text")).toBe("<script>alert(1)</script>");
  });

  it("formats money with or without the money filter, and reads its parts", async () => {
    expect(await render("{{ payment.amount | money }} {{ payment.amount }}", "text")).toBe(
      "$1,234.56 $1,234.56",
    );
    expect(await render("{{ payment.amount.amount }} {{ payment.amount.currency }}", "text")).toBe(
      "123456 USD",
    );
  });

  it("prints what is no date as it is through the date filter, rather than failing at send time", async () => {
    expect(await render("{{ customer.email | date }}", "text")).toBe("buyer@example.test");
    expect(await render('{{ "now" | date }}', "text")).toBe("now");
  });

  it("formats dates in the merchant's time zone", async () => {
    expect(await render("{{ payment.paidAt | date }}", "text", "UTC")).toBe("Mar 1, 2026");
    expect(await render("{{ payment.paidAt | date }}", "text", "Europe/Berlin")).toBe("Mar 2, 2026");
  });

  it("renders a field the context holds as null (absent) as nothing, nested or filtered, without failing", async () => {
    const absent: WorkflowContext = {
      customer: { name: null, accountOwner: null },
      payment: { amount: null, paidAt: null },
    };
    expect(
      await renderTemplate(
        "[{{ customer.name }}|{{ customer.accountOwner.email }}|{{ payment.amount | money }}|{{ payment.paidAt | date }}]",
        absent,
        "html",
        { timeZone: "UTC" },
      ),
    ).toBe("[|||]");
  });

  it("stops a huge loop by its limits", async () => {
    const started = performance.now();
    await expect(
      render("{% for i in (1..100000000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}", "text"),
    ).rejects.toThrow(/limit/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("refuses an unknown variable at render time rather than printing a blank", async () => {
    await expect(render("{{ customer.nickname }}", "text")).rejects.toThrow(/undefined variable/);
  });
});

describe("checkTemplate", () => {
  const objects = ["merchant", "customer", "payment"] as const;

  it("accepts the trigger's fields, money parts, filters, locals and loops", () => {
    expect(
      checkTemplate(
        "{{ customer.name | upcase }} {{ payment.amount | money }} {{ customer.accountOwner.email }}" +
          "{% if payment.amount.amount > 1000 %}big{% endif %}{% assign n = customer.name %}{{ n }}" +
          "{% for i in (1..3) %}{{ forloop.index }}{% endfor %}",
        objects,
      ),
    ).toEqual([]);
  });

  it.each([
    ["{{ customer.nickname }}", "unknown variable customer.nickname"],
    ["{{ invoice.number }}", "unknown variable invoice.number"],
    ["{{ payment.amount.cents }}", "unknown variable payment.amount.cents"],
    ["{{ discountCode.code }}", "unknown variable discountCode.code"],
    ["{{ customer[payment.id] }}", "unknown variable customer[payment.id]"],
    ["{% for c in customer.name %}{{ c.foo }}{% endfor %}", "unknown variable c.foo"],
    ["{% assign who = customer %}{{ who.nickname }}", "unknown variable who.nickname"],
    ["{% for i in (1..2) %}{{ forloop.parent }}{% endfor %}", "unknown variable forloop.parent"],
  ])("rejects %s", (source, message) => {
    expect(checkTemplate(source, objects)).toEqual([message]);
  });

  it("knows discountCode when the context holds it", () => {
    expect(checkTemplate("{{ discountCode.code }}", [...objects, "discountCode"])).toEqual([]);
  });

  it("rejects raw, which would print a hostile name unescaped in an HTML body", () => {
    expect(checkTemplate("{{ customer.name | raw }}", objects)).toEqual([
      expect.stringContaining("undefined filter: raw"),
    ]);
  });

  it("rejects an unknown filter", () => {
    expect(checkTemplate("{{ customer.name | shout }}", objects)).toEqual([
      expect.stringContaining("undefined filter: shout"),
    ]);
  });

  it.each(["{% include 'secrets' %}", "{% render 'secrets' %}", "{% layout 'base' %}"])(
    "rejects %s: templates load nothing",
    (source) => {
      expect(checkTemplate(source, objects)).toEqual([
        expect.stringMatching(/tag "(include|render|layout)" not found/),
      ]);
    },
  );

  it("rejects a template that does not parse", () => {
    expect(checkTemplate("{% if customer.name %}open", objects)).toEqual([
      expect.stringContaining("not closed"),
    ]);
  });
});
