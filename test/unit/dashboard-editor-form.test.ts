/**
 * The editors' form rows (shared/dashboard/pages/editors/document-form.ts): which rows are filled, and
 * an error path of the API's body (blank rows left out) turned back into the form field to fix.
 */
import { describe, expect, it } from "vitest";
import { filledRows, formPath, shareOf } from "../../shared/dashboard/pages/editors/document-form.ts";
import { ValidationError } from "../../shared/domain/errors.ts";

describe("filledRows", () => {
  it("counts a row with any of its own fields typed in, in order; a kind select or a checkbox alone is no row", () => {
    const form = new URLSearchParams({
      "lineItems.4.unitAmount": "3",
      "lineItems.1.description": "Tea",
      "lineItems.2.description": "   ",
      "lineItems.3.taxRateIds": "txr_1",
      "discounts.0.kind": "code",
      "discounts.1.value": "SAVE10",
      "fees.0.taxable": "on",
    });
    expect(filledRows(form, "lineItems")).toEqual([1, 4]);
    expect(filledRows(form, "discounts")).toEqual([1]);
    expect(filledRows(form, "fees")).toEqual([]);
  });
});

describe("formPath", () => {
  const rows = {
    lineItems: [0, 3],
    discounts: [2],
    fees: [1],
    "paymentPlan.installments": [0, 1, 3],
  };

  it.each([
    ["lineItems.1.quantity", "lineItems.3.quantity"],
    ["lineItems.1.discount.percentOff", "lineItems.3.discount"],
    ["lineItems.1.taxRateIds.0", "lineItems.3.taxRateIds"],
    ["discounts.0.code", "discounts.2.value"],
    ["discounts.0.amountOff", "discounts.2.value"],
    ["fees.0.percent", "fees.1.amount"],
    ["fees.0.description", "fees.1.description"],
    ["paymentPlan.installments.2.percent", "paymentPlan.installments.3.share"],
    ["paymentPlan.installments.2", "paymentPlan.installments.3.share"],
    ["paymentPlan.installments.2.dueAfterDays", "paymentPlan.installments.3.dueAfterDays"],
    ["fees.0", "fees.1"],
    ["lineItems", "lineItems"],
    ["customerId", "customerId"],
  ])("names %s of the body as the form's %s", (path, field) => {
    expect(formPath(path, rows)).toBe(field);
  });

  it("names a top-level field the form spells otherwise by its form name", () => {
    expect(formPath("expiresAt", rows, { expiresAt: "expiresOn" })).toBe("expiresOn");
  });
});

describe("shareOf", () => {
  const read = (typed: string) =>
    shareOf(new URLSearchParams({ fee: typed }), "fee", "USD", { percent: "percent", amount: "amount" });

  it("reads a percent by its sign and anything else as an amount in major units", () => {
    expect(read("3%")).toEqual({ percent: 3 });
    expect(read("12.5 %")).toEqual({ percent: 12.5 });
    expect(read("2.50")).toEqual({ amount: 250 });
    expect(read("")).toBeUndefined();
  });

  it("refuses what is neither, naming the field", () => {
    expect(() => read("lots")).toThrow(ValidationError);
    expect(() => read("1.234")).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ path: "fee" })] }),
    );
  });
});
