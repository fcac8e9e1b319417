/**
 * Saved views on every list and CSV exports: a view of each new list narrows it with `?view=` (a
 * view of another list is a 400 on `view`); a list answers CSV for `Accept: text/csv` or
 * `?format=csv`, neutralises formula-like text, pages through `Link` with a cursor that JSON and CSV
 * share, cuts a response at its byte limit without losing or repeating a row, and exports 2,001
 * seeded customers across requests at the real 2,000-row limit, each exactly once
 * (test/soak/csv-export.test.ts: 25,000).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as checkoutSessionsHandler } from "../../functions/api/checkout-sessions.ts";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as paymentLinksHandler } from "../../functions/api/payment-links.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as payoutsHandler } from "../../functions/api/payouts.ts";
import { handler as tasksHandler } from "../../functions/api/tasks.ts";
import { handler as viewsHandler } from "../../functions/api/views.ts";
import { csvLimits } from "../../shared/http/list.ts";
import { call, expectStatus, type Handler, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { csvRecords, exportAll, nextOf, seedCustomers } from "../helpers/csv-export.ts";

let aws: TestAws;

beforeAll(async () => {
  aws = await useTestAws([]);
});

const customerIds = (responses: { raw: string }[]) =>
  responses.flatMap((r) => {
    const [header, ...rows] = csvRecords(r.raw);
    expect(header?.[0]).toBe("id");
    return rows.map((row) => row[0]!);
  });

describe("saved views on the new lists", () => {
  let m: TestMerchant;
  const view = async (object: string, filters: object) =>
    (
      await expectStatus(
        merchantCall(viewsHandler, "POST /v1/views", m.secret, { body: { object, name: `${object} view`, filters } }),
        201,
      )
    ).id as string;

  beforeAll(async () => {
    m = await newMerchant("Views Shop");
  });

  it("narrows customers and tasks by a view, the query's own filter overriding it", async () => {
    const ada = await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", m.secret, { body: { email: "ada@views.test" } }),
      201,
    );
    await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", m.secret, { body: { email: "bob@views.test" } }),
      201,
    );
    const byEmail = await view("customers", { email: "ADA@views.test" });
    const listed = await expectStatus(
      merchantCall(customersHandler, "GET /v1/customers", m.secret, { query: { view: byEmail } }),
    );
    expect(listed.data.map((c: { id: string }) => c.id)).toEqual([ada.id]);
    const overridden = await expectStatus(
      merchantCall(customersHandler, "GET /v1/customers", m.secret, {
        query: { view: byEmail, email: "bob@views.test" },
      }),
    );
    expect(overridden.data.map((c: { email: string }) => c.email)).toEqual(["bob@views.test"]);

    const open = await expectStatus(
      merchantCall(tasksHandler, "POST /v1/tasks", m.secret, { body: { title: "Call Ada", related: { customerId: ada.id } } }),
      201,
    );
    const done = await expectStatus(
      merchantCall(tasksHandler, "POST /v1/tasks", m.secret, { body: { title: "Done already" } }),
      201,
    );
    await expectStatus(
      merchantCall(tasksHandler, "PATCH /v1/tasks/{id}", m.secret, { id: done.id, body: { status: "done" } }),
    );
    const openTasks = await view("tasks", { status: "open" });
    const tasks = await expectStatus(merchantCall(tasksHandler, "GET /v1/tasks", m.secret, { query: { view: openTasks } }));
    expect(tasks.data.map((t: { id: string }) => t.id)).toEqual([open.id]);
  });

  it.each([
    ["payment_links", paymentLinksHandler, "GET /v1/payment-links", { active: false }],
    ["checkout_sessions", checkoutSessionsHandler, "GET /v1/checkout-sessions", { status: "complete" }],
    ["refunds", paymentsHandler, "GET /v1/refunds", { createdAfter: "2026-01-01T00:00:00Z" }],
    ["payouts", payoutsHandler, "GET /v1/payouts", { currency: "usd", status: "paid" }],
  ] as const)("lists %s with its view, in JSON and CSV, and refuses another list's view", async (object, handler, routeKey, filters) => {
    const id = await view(object, filters);
    const json = await expectStatus(merchantCall(handler, routeKey, m.secret, { query: { view: id } }));
    expect(json).toEqual({ data: [], nextCursor: null });
    const csv = await merchantCall(handler, routeKey, m.secret, { query: { view: id, format: "csv" } });
    expect(csv.status).toBe(200);
    expect(csvRecords(csv.raw)).toHaveLength(1);
    const other = await view(object === "payouts" ? "tasks" : "payouts", {});
    const refused = await merchantCall(handler, routeKey, m.secret, { query: { view: other } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: "view", message: expect.stringContaining("saved") }]);
  });

  it("refuses a view whose filters belong to another list, naming the field", async () => {
    const refused = await merchantCall(viewsHandler, "POST /v1/views", m.secret, {
      body: { object: "customers", name: "Wrong", filters: { status: "open" } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].path).toBe("filters.status");
  });
});

describe("CSV exports", () => {
  let m: TestMerchant;
  beforeAll(async () => {
    m = await newMerchant("CSV Shop");
  });

  it("neutralises a customer named like a formula, for Accept: text/csv and ?format=csv alike", async () => {
    const evil = await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", m.secret, {
        body: { email: "evil@csv.test", name: '=HYPERLINK("x")', companyName: "-12", phone: "+1 555 0100" },
      }),
      201,
    );
    const byAccept = await call(customersHandler as Handler, "GET /v1/customers", {
      token: m.secret,
      headers: { accept: "text/csv" },
      query: { email: "evil@csv.test" },
    });
    const byFormat = await merchantCall(customersHandler, "GET /v1/customers", m.secret, {
      query: { email: "evil@csv.test", format: "csv" },
    });
    for (const response of [byAccept, byFormat]) {
      expect(response.status).toBe(200);
      expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
      expect(response.raw).toContain(`"'=HYPERLINK(""x"")"`);
      const [header, row] = csvRecords(response.raw);
      expect(header).toEqual([
        "id",
        "email",
        "name",
        "companyName",
        "phone",
        "country",
        "city",
        "postalCode",
        "accountOwnerEmail",
        "testClockId",
        "createdAt",
      ]);
      expect(row?.slice(0, 5)).toEqual([evil.id, "evil@csv.test", `'=HYPERLINK("x")`, "'-12", "'+1 555 0100"]);
    }
  });

  it("returns the same rows in JSON and CSV, and a cursor of either continues in the other", async () => {
    const shop = await newMerchant("Cursor Shop");
    const ids = (await seedCustomers(aws, shop.id, 7)).reverse();
    const json = await expectStatus(merchantCall(customersHandler, "GET /v1/customers", shop.secret, { query: { limit: "3" } }));
    expect(json.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 3));
    const rest = await exportAll(customersHandler, "GET /v1/customers", shop.secret, { format: "csv", cursor: json.nextCursor });
    expect(customerIds(rest)).toEqual(ids.slice(3));

    // A saved view: the same rows in JSON and in CSV.
    const since = await expectStatus(
      merchantCall(customersHandler, "GET /v1/customers/{id}", shop.secret, { id: ids[4]! }),
    );
    const recent = await expectStatus(
      merchantCall(viewsHandler, "POST /v1/views", shop.secret, {
        body: { object: "customers", name: "Recent", filters: { createdAfter: since.createdAt } },
      }),
      201,
    );
    const viewJson = await expectStatus(
      merchantCall(customersHandler, "GET /v1/customers", shop.secret, { query: { view: recent.id, limit: "100" } }),
    );
    const viewCsv = await exportAll(customersHandler, "GET /v1/customers", shop.secret, { view: recent.id, format: "csv" });
    expect(viewJson.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 5));
    expect(customerIds(viewCsv)).toEqual(ids.slice(0, 5));

    csvLimits.rows = 4;
    try {
      const first = await merchantCall(customersHandler, "GET /v1/customers", shop.secret, { query: { format: "csv" } });
      expect(customerIds([first])).toEqual(ids.slice(0, 4));
      const next = nextOf(first)!;
      expect(next.format).toBe("csv");
      const back = await expectStatus(
        merchantCall(customersHandler, "GET /v1/customers", shop.secret, { query: { cursor: next.cursor!, limit: "100" } }),
      );
      expect(back.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(4));
      const all = await exportAll(customersHandler, "GET /v1/customers", shop.secret, {}, { accept: "text/csv" });
      expect(all.map((r) => csvRecords(r.raw).length - 1)).toEqual([4, 3]);
      expect(customerIds(all)).toEqual(ids);
    } finally {
      csvLimits.rows = 2_000;
    }
  });

  it("cuts a response at its byte limit inside a page, and the next one starts at the first row left out", async () => {
    const shop = await newMerchant("Bytes Shop");
    const ids = (await seedCustomers(aws, shop.id, 30)).reverse();
    const bytes = csvLimits.bytes;
    csvLimits.bytes = 1_500;
    try {
      const responses = await exportAll(customersHandler, "GET /v1/customers", shop.secret, { format: "csv" });
      expect(responses.length).toBeGreaterThan(2);
      for (const r of responses) expect(Buffer.byteLength(r.raw)).toBeLessThanOrEqual(1_500);
      expect(customerIds(responses)).toEqual(ids);
    } finally {
      csvLimits.bytes = bytes;
    }
  });

  // 2,001: one full response at the real limit and the one row past it (the soak exports 25,000).
  it("exports 2,001 customers across requests of at most 2,000 rows, each row exactly once", async () => {
    const shop = await newMerchant("Big Shop");
    const ids = await seedCustomers(aws, shop.id, 2_001);
    const responses = await exportAll(customersHandler, "GET /v1/customers", shop.secret, { format: "csv" });
    expect(responses.map((r) => csvRecords(r.raw).length - 1)).toEqual([2_000, 1]);
    const exported = customerIds(responses);
    expect(new Set(exported).size).toBe(2_001);
    expect(exported).toEqual([...ids].reverse());
    expect(responses[0]!.raw.split("\r\n")[1]).toMatch(/^cus_\w+,buyer-2000@seed\.test,"Buyer, number 2000",/);
  }, 120_000);
});
