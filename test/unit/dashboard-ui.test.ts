import { describe, expect, it } from "vitest";
import { actionButton, barChart, html, table, trusted, withQuery } from "../../shared/dashboard/ui.ts";

describe("dashboard components", () => {
  it("escape every interpolated value unless it is already markup", () => {
    const name = `<img src=x onerror="alert(1)">`;
    const out = html`<p>${name}</p>${trusted("<b>ok</b>")}${[1, "&", null, undefined, false]}`.value;
    expect(out).toBe("<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p><b>ok</b>1&amp;");
  });

  it("put the session's CSRF token in every action form", () => {
    const out = actionButton({
      action: "/app/invoices/inv_1/void",
      label: "Void",
      csrfToken: 't0k"en',
      confirm: "Void it?",
    }).value;
    expect(out).toContain('<form method="post" action="/app/invoices/inv_1/void"');
    expect(out).toContain('<input type="hidden" name="csrf" value="t0k&quot;en">');
    expect(out).toContain('data-confirm="Void it?"');
  });

  it("say the empty text instead of an empty table, and name a table's scroll region by its caption", () => {
    const columns = [{ header: "Number", cell: (r: { n: string }) => r.n }];
    expect(table({ caption: "Invoices", columns, rows: [], empty: "No invoices yet." }).value).toBe(
      '<p class="empty">No invoices yet.</p>',
    );
    const out = table({ caption: "Invoices", columns, rows: [{ n: "INV-0001" }], empty: "" }).value;
    expect(out).toContain('role="region" aria-label="Invoices" tabindex="0"');
    expect(out).toContain("<td>INV-0001</td>");
  });

  it("draw bars to scale, with the figures as a table for screen readers", () => {
    const out = barChart({
      title: "Volume",
      summary: "2 days",
      labels: ["Nov 1", "Nov 2"],
      series: [{ name: "Gross", values: [500, 1000], tone: "a" }],
      format: (v) => `$${v / 100}`,
    }).value;
    const heights = [...out.matchAll(/<rect [^>]*height="(\d+)"/g)].map((m) => Number(m[1]));
    expect(heights).toEqual([88, 176]);
    expect(out).toContain('<td class="num">$10</td>');
    expect(out).not.toMatch(/style=/);
    // The figures are for screen readers only: nothing in them may take keyboard focus.
    expect(out).not.toContain("tabindex");
  });

  it("keep links' filters, leaving out empty ones", () => {
    expect(withQuery("/app/invoices", { status: "open", q: "", after: undefined })).toBe(
      "/app/invoices?status=open",
    );
    expect(withQuery("/app/invoices", {})).toBe("/app/invoices");
  });
});
