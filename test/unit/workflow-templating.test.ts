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
const render = (source: string, mode: "html" | "text" | "subject", timeZone = "UTC", locale = "en-US") =>
  renderTemplate(source, context, mode, { timeZone, locale });

describe("renderTemplate", () => {
  it("escapes a customer named <script>alert(1)</script> in an HTML body", async () => {
    expect(await render("<p>Hi {{ customer.name }}</p>", "html")).toBe(
      "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>",
    );
  });

  it("does not HTML-escape text and subjects, but a value never breaks their lines", async () => {
    const hostile = { customer: { name: "Bob\r\nBcc: victim@example.test" } };
    expect(
      await renderTemplate("Hi {{ customer.name }}\nBye", hostile, "text", {
        timeZone: "UTC",
        locale: "en-US",
      }),
    ).toBe("Hi Bob Bcc: victim@example.test\nBye");
    expect(
      await renderTemplate("Hi\n{{ customer.name }}", hostile, "subject", {
        timeZone: "UTC",
        locale: "en-US",
      }),
    ).toBe("Hi Bob Bcc: victim@example.test");
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
        { timeZone: "UTC", locale: "en-US" },
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

describe("rendering for a reader's locale", () => {
  // The golden invoice: NOK 4 218,75 due 2026-12-15, for a buyer without a locale of their own.
  const invoice: WorkflowContext = {
    customer: { name: "Kari Nordmann", locale: null },
    invoice: { number: "INV-0042", total: { amount: 421875, currency: "NOK" }, dueDate: "2026-12-15" },
  };
  const read = (source: string, locale: string, mode: "html" | "text" | "subject" = "text") =>
    renderTemplate(source, invoice, mode, { timeZone: "Europe/Oslo", locale });
  const golden = "{{ invoice.total }}|{{ invoice.total | money }}|{{ invoice.dueDate | date }}";

  it("formats money and dates in en-US as before", async () => {
    expect(await read(golden, "en-US")).toBe("NOK\u00a04,218.75|NOK\u00a04,218.75|Dec 15, 2026");
  });

  it("formats money and dates in nb-NO the Norwegian way, in HTML too", async () => {
    const norwegian = "4\u00a0218,75\u00a0kr|4\u00a0218,75\u00a0kr|15. desember 2026";
    expect(await read(golden, "nb-NO")).toBe(norwegian);
    expect(await read(golden, "nb-NO", "html")).toBe(norwegian);
  });

  it("names the reader's locale and its language, for a branch per language", async () => {
    const branch =
      '{% if language == "nb" %}Hei {{ customer.name }}, faktura {{ invoice.number }} forfaller {{ invoice.dueDate | date }}' +
      "{% else %}Hi {{ customer.name }}, invoice {{ invoice.number }} is due {{ invoice.dueDate | date }}{% endif %}";
    expect(await read("{{ locale }} {{ language }}", "nb-NO")).toBe("nb-NO nb");
    expect(await read("{{ locale }} {{ language }}", "de-CH")).toBe("de-CH de");
    expect(await read(branch, "nb-NO", "subject")).toBe(
      "Hei Kari Nordmann, faktura INV-0042 forfaller 15. desember 2026",
    );
    expect(await read(branch, "en-US", "subject")).toBe(
      "Hi Kari Nordmann, invoice INV-0042 is due Dec 15, 2026",
    );
  });

  it("canonicalises the reader's locale and reads a malformed one (a record before validation) as en-US", async () => {
    expect(await read("{{ locale }} {{ invoice.total }}", "nb-no")).toBe("nb-NO 4\u00a0218,75\u00a0kr");
    expect(await read("{{ locale }} {{ invoice.total }}", "en_US")).toBe("en-US NOK\u00a04,218.75");
  });

  it("formats in the locale a filter names, else (a variable holding null) the reader's", async () => {
    expect(
      await read('{{ invoice.total | money: "nb-NO" }} {{ invoice.dueDate | date: "nb-NO" }}', "en-US"),
    ).toBe("4\u00a0218,75\u00a0kr 15. desember 2026");
    expect(await read('{{ invoice.dueDate | date: "en-US" }}', "nb-NO")).toBe("Dec 15, 2026");
    expect(await read("{{ invoice.total | money: customer.locale }}", "nb-NO")).toBe("4\u00a0218,75\u00a0kr");
    expect(await read("{{ invoice.total | money: locale }}", "en-US")).toBe("NOK\u00a04,218.75");
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

  it("knows the reader's locale and language, and the locale arguments of money and date", () => {
    expect(
      checkTemplate(
        '{% if language == "nb" %}{{ locale }}{% endif %}{{ locale.size }}' +
          '{{ payment.amount | money: "nb-NO" }}{{ payment.paidAt | date: "en-GB" }}' +
          "{{ payment.amount | money: customer.locale }}{{ payment.paidAt | date: locale }}{{ customer.locale }}",
        objects,
      ),
    ).toEqual([]);
  });

  it.each([
    [
      '{{ payment.amount | money: "en_US" }}',
      'the money filter\'s locale "en_US" is not a BCP 47 locale (nb-NO)',
    ],
    [
      '{{ payment.paidAt | date: "zz-ZZ" }}',
      'the date filter\'s locale "zz-ZZ" is not a BCP 47 locale (nb-NO)',
    ],
    [
      '{% if customer.name %}{% assign t = payment.amount | money: "nb_NO" %}{{ t }}{% endif %}',
      'the money filter\'s locale "nb_NO" is not a BCP 47 locale (nb-NO)',
    ],
    [
      "{{ payment.amount | money: 3 }}",
      'the money filter takes a locale ("nb-NO") or a variable holding one',
    ],
    ['{{ payment.amount | money: "nb-NO", "x" }}', "the money filter takes one argument, a locale"],
    ['{{ payment.paidAt | date: locale: "nb-NO" }}', "the date filter takes one argument, a locale"],
    ["{{ locale.region }}", "unknown variable locale.region"],
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
