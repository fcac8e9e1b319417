/**
 * The dashboard's index pages against DynamoDB Local, with data made through the API handlers: each
 * page lists the merchant's objects and never another merchant's; filters and the search box narrow
 * the rows; a view saved from a page is a `/v1/views` object and a view made through the API is a tab
 * that filters its page; the next-page link gives the next rows; the CSV export is byte for byte the
 * API's CSV for the same filters; a bad filter is a 400 page naming the field.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentLinksHandler } from "../../functions/api/payment-links.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as payoutsHandler } from "../../functions/api/payouts.ts";
import { handler as productsHandler } from "../../functions/api/products.ts";
import { handler as quotesHandler } from "../../functions/api/quotes.ts";
import { handler as subscriptionsHandler } from "../../functions/api/subscriptions.ts";
import { handler as tasksHandler } from "../../functions/api/tasks.ts";
import { handler as viewsHandler } from "../../functions/api/views.ts";
import type { DashboardResult } from "../../shared/dashboard/context.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { useTestAws } from "../helpers/aws.ts";
import { openPage, pageBody, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";

interface World {
  customers: string[];
  emails: string[];
  invoices: { draft: string; open: string };
  payment: string;
  subscription: string;
  quote: string;
  paymentLink: string;
  task: { open: string; done: string };
}

const create = async (m: TestMerchant, handler: unknown, routeKey: string, body: object, id?: string) =>
  (
    await expectStatus(
      merchantCall(handler, routeKey, m.secret, { body, ...(id ? { id } : {}) }),
      id ? 200 : 201,
    )
  ).id as string;

let n = 0;
/** A merchant with one of everything the pages list (two customers, a draft and an open invoice…). */
async function seed(m: TestMerchant): Promise<World> {
  const emails = [`ada-${n}@lists.test`, `bo-${n++}@lists.test`];
  const customers = [
    await create(m, customersHandler, "POST /v1/customers", { email: emails[0], name: "Ada Lovelace" }),
    await create(m, customersHandler, "POST /v1/customers", { email: emails[1], name: "Bo Diddley" }),
  ];
  const lines = { currency: "USD", lineItems: [{ description: "Consulting", unitAmount: 12_000 }] };
  const draft = await create(m, invoicesHandler, "POST /v1/invoices", { customerId: customers[0], ...lines });
  const open = await create(m, invoicesHandler, "POST /v1/invoices", { customerId: customers[1], ...lines });
  await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", m.secret, { id: open }),
  );
  const paid = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices/{id}/payments", m.secret, {
      id: open,
      body: { amount: 2_000, method: "bank_transfer" },
    }),
    201,
  );
  const product = await create(m, productsHandler, "POST /v1/products", {
    name: "Beans",
    currency: "USD",
    unitAmount: 900,
  });
  const taskBody = { title: "Call Bo", related: { customerId: customers[1] } };
  const doneTask = await create(m, tasksHandler, "POST /v1/tasks", { title: "Done already" });
  await expectStatus(
    merchantCall(tasksHandler, "PATCH /v1/tasks/{id}", m.secret, { id: doneTask, body: { status: "done" } }),
  );
  return {
    customers,
    emails,
    invoices: { draft, open },
    payment: paid.payment.id,
    subscription: await create(m, subscriptionsHandler, "POST /v1/subscriptions", {
      customerId: customers[0],
      items: [{ description: "Retainer", unitAmount: 50_000 }],
      currency: "USD",
      interval: "month",
      collectionMethod: "send_invoice",
      startDate: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10),
    }),
    quote: await create(m, quotesHandler, "POST /v1/quotes", { customerId: customers[0], ...lines }),
    paymentLink: await create(m, paymentLinksHandler, "POST /v1/payment-links", {
      name: "Beans link",
      lineItems: [{ productId: product }],
    }),
    task: { open: await create(m, tasksHandler, "POST /v1/tasks", taskBody), done: doneTask },
  };
}

let shop: TestMerchant;
let other: TestMerchant;
let mine: World;
let theirs: World;
const owner = () => signedIn(shop);
const page = (url: string) => pageBody(openPage(owner(), url));
/** The row links of an index page: `/app/<collection>/{id}` → the ids. */
/** The ids the table's rows link to (the header's "New …" link is no row). */
const rowIds = (body: string, collection: string) =>
  [
    ...(/<tbody>[\s\S]*<\/tbody>/.exec(body)?.[0] ?? "").matchAll(
      new RegExp(`href="/app/${collection}/([^"/?]+)"`, "g"),
    ),
  ].map((m) => m[1]);
const unescapeAmp = (href: string) => href.replaceAll("&amp;", "&");
const linkOf = (body: string, rel: string) => {
  const found = new RegExp(`<a [^>]*href="([^"]+)"[^>]*>${rel}</a>`).exec(body)?.[1];
  return found === undefined ? undefined : unescapeAmp(found);
};

beforeAll(async () => {
  await useTestAws([]);
  shop = await newMerchant("Lists Shop");
  other = await newMerchant("Other Lists Shop");
  [mine, theirs] = await Promise.all([seed(shop), seed(other)]);
});

describe("index pages", () => {
  const ids = (w: World): Record<string, string[]> => ({
    invoices: [w.invoices.draft, w.invoices.open],
    payments: [w.payment],
    subscriptions: [w.subscription],
    quotes: [w.quote],
    "payment-links": [w.paymentLink],
    customers: w.customers,
    tasks: [w.task.open, w.task.done],
  });

  it.each(["invoices", "payments", "subscriptions", "quotes", "payment-links", "customers", "tasks"])(
    "/app/%s lists the merchant's objects, each linking to its page, and none of another merchant's",
    async (collection) => {
      const body = await page(`/app/${collection}`);
      expect(new Set(rowIds(body, collection))).toEqual(new Set(ids(mine)[collection]));
      for (const id of ids(theirs)[collection] ?? []) expect(body).not.toContain(id);
      expect(body.match(/<h1[ >]/g)).toHaveLength(1);
      expect(body).not.toMatch(/ style=|<script/);
    },
  );

  it("lists payouts (none yet) with their filters, and offers the invoices' order", async () => {
    const body = await page("/app/payouts?status=paid");
    expect(body).toContain("No payouts match.");
    expect(body).toContain('<option value="">Any</option><option value="paid" selected>paid</option>');
    // The invoice list's order has no "Any": its default is the API's, newest first.
    expect(await page("/app/invoices")).toContain(
      '<select id="filter-sort" name="sort"><option value="createdAt">Newest first</option>',
    );
  });

  it("narrows the rows by status, by a customer's email (q), and customers by email", async () => {
    expect(rowIds(await page("/app/invoices?status=draft"), "invoices")).toEqual([mine.invoices.draft]);
    // The filter bar's form as a browser sends it: every field, the ones left empty too.
    const submitted = await page(
      "/app/invoices?q=&status=open&currency=&dueAfter=&dueBefore=&sort=createdAt",
    );
    expect(rowIds(submitted, "invoices")).toEqual([mine.invoices.open]);
    expect(linkOf(submitted, "Export CSV")).toBe("/app/invoices?status=open&sort=createdAt&format=csv");
    expect(rowIds(await page("/app/invoices?status=open"), "invoices")).toEqual([mine.invoices.open]);
    expect(rowIds(await page(`/app/invoices?q=${mine.emails[1]}`), "invoices")).toEqual([mine.invoices.open]);
    expect(rowIds(await page(`/app/tasks?q=${mine.emails[1]}`), "tasks")).toEqual([mine.task.open]);
    expect(rowIds(await page("/app/tasks?status=done"), "tasks")).toEqual([mine.task.done]);
    expect(rowIds(await page(`/app/customers?q=${mine.emails[0]?.toUpperCase()}`), "customers")).toEqual([
      mine.customers[0],
    ]);
    // Another merchant's customer's email finds nothing here.
    const stranger = await page(`/app/invoices?q=${theirs.emails[1]}`);
    expect(rowIds(stranger, "invoices")).toEqual([]);
    expect(stranger).toContain(`No customer has the email ${theirs.emails[1]}.`);
  });

  it("searches invoices and quotes by number, in any case, through the lists' new number filter", async () => {
    const open = await expectStatus(
      merchantCall(invoicesHandler, "GET /v1/invoices/{id}", shop.secret, { id: mine.invoices.open }),
    );
    expect(open.number).toMatch(/^[A-Z0-9]+-\d{4}$/);
    expect(rowIds(await page(`/app/invoices?q=${open.number.toLowerCase()}`), "invoices")).toEqual([
      mine.invoices.open,
    ]);
    const api = await expectStatus(
      merchantCall(invoicesHandler, "GET /v1/invoices", shop.secret, {
        query: { number: open.number.toLowerCase() },
      }),
    );
    expect(api.data.map((i: { id: string }) => i.id)).toEqual([mine.invoices.open]);
    // The other merchant's invoice of the same number is theirs alone.
    const theirsOpen = await expectStatus(
      merchantCall(invoicesHandler, "GET /v1/invoices/{id}", other.secret, { id: theirs.invoices.open }),
    );
    expect(theirsOpen.number).toBe(open.number);
    expect(rowIds(await page(`/app/invoices?q=${open.number}`), "invoices")).not.toContain(
      theirs.invoices.open,
    );

    const quote = await create(shop, quotesHandler, "POST /v1/quotes", {
      customerId: mine.customers[1],
      currency: "USD",
      lineItems: [{ description: "Roof", unitAmount: 90_000 }],
    });
    const published = await expectStatus(
      merchantCall(quotesHandler, "POST /v1/quotes/{id}/publish", shop.secret, { id: quote }),
    );
    expect(rowIds(await page(`/app/quotes?q=${published.number}`), "quotes")).toEqual([quote]);
    expect(rowIds(await page("/app/quotes?q=Q-9999"), "quotes")).toEqual([]);
  });

  it("shows payments with their customer's name, linked to the customer", async () => {
    const body = await page("/app/payments");
    expect(body).toContain(`<a href="/app/customers/${mine.customers[1]}">Bo Diddley</a>`);
  });

  it.each([
    ["/app/invoices?status=bogus", "status"],
    ["/app/invoices?sort=amount", "sort"],
    ["/app/payments?amountGte=-1", "amountGte"],
    ["/app/customers?q=not-an-email", "q"],
    ["/app/tasks?after=forged.cursor", "after"],
    ["/app/payment-links?q=x%40y.test", "q"],
    [`/app/invoices?view=view_${"0".repeat(26)}`, "view"],
  ])("a bad filter (%s) is a 400 page naming %s", async (url, name) => {
    const result = await openPage(owner(), url);
    expect(result).toMatchObject({ kind: "page", status: 400 });
    const body = result.kind === "page" ? result.body : "";
    expect(body).toContain(`<strong>${name}</strong>`);
    expect(body).toContain('role="alert"');
  });

  it("names the same problem the API names for the same filter", async () => {
    const api = await merchantCall(invoicesHandler, "GET /v1/invoices", shop.secret, {
      query: { status: "bogus" },
    });
    expect(api.status).toBe(400);
    const body = await pageBody(openPage(owner(), "/app/invoices?status=bogus"));
    const [{ path, message }] = api.body.errors;
    expect(body).toContain(`<strong>${path}</strong>: ${message.replaceAll('"', "&quot;")}`);
  });
});

describe("pagination", () => {
  it("pages by cursor: the next link gives the next rows, and the first-page link starts over", async () => {
    const m = await newMerchant("Paging Shop");
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push(await create(m, customersHandler, "POST /v1/customers", { email: `page-${i}@lists.test` }));
    const user = signedIn(m);
    const first = await pageBody(openPage(user, "/app/customers?limit=2"));
    const next = linkOf(first, "Next page");
    expect(next).toMatch(/^\/app\/customers\?limit=2&after=/);
    const second = await pageBody(openPage(user, next ?? ""));
    const third = await pageBody(openPage(user, linkOf(second, "Next page") ?? ""));
    const seen = [first, second, third].flatMap((b) => rowIds(b, "customers"));
    expect(seen).toEqual([...made].reverse());
    expect(linkOf(third, "Next page")).toBeUndefined();
    expect(linkOf(second, "First page")).toBe("/app/customers?limit=2");

    // The page's cursor is the API's: it continues the same list there.
    const cursor = new URLSearchParams(next?.split("?")[1]).get("after") ?? "";
    const api = await expectStatus(
      merchantCall(customersHandler, "GET /v1/customers", m.secret, { query: { limit: "2", cursor } }),
    );
    expect(api.data.map((c: { id: string }) => c.id)).toEqual(rowIds(second, "customers"));
  });
});

describe("saved views", () => {
  it("saves the page's filters as a view (a /v1/views object) and shows it as the current tab", async () => {
    const form = { csrf: testCsrfToken, name: "Open invoices", status: "open", currency: "USD" };
    const saved = await openPage(owner(), "/app/invoices/views", { form });
    expect(saved).toMatchObject({
      kind: "redirect",
      location: expect.stringMatching(/^\/app\/invoices\?view=view_/),
    });
    const location = saved.kind === "redirect" ? saved.location : "";
    const viewId = new URLSearchParams(location.split("?")[1]).get("view");

    const api = await expectStatus(
      merchantCall(viewsHandler, "GET /v1/views/{id}", shop.secret, { id: viewId ?? "" }),
    );
    expect(api).toMatchObject({
      object: "invoices",
      name: "Open invoices",
      filters: { status: "open", currency: "USD" },
    });

    const body = await page(location);
    expect(body).toContain(`<a href="/app/invoices?view=${viewId}" aria-current="page">Open invoices</a>`);
    expect(rowIds(body, "invoices")).toEqual([mine.invoices.open]);
    // Saving from the tab keeps its filters.
    expect(body).toContain('<input type="hidden" name="status" value="open">');
  });

  it("shows a view made through the API as a tab that filters its page", async () => {
    const viewId = await create(shop, viewsHandler, "POST /v1/views", {
      object: "tasks",
      name: "Finished",
      filters: { status: "done" },
    });
    const all = await page("/app/tasks");
    expect(all).toContain(`<a href="/app/tasks?view=${viewId}">Finished</a>`);
    expect(all).not.toContain(`/app/invoices?view=`);
    const tab = await page(`/app/tasks?view=${viewId}`);
    expect(rowIds(tab, "tasks")).toEqual([mine.task.done]);
    // Another merchant does not see it.
    expect(await pageBody(openPage(signedIn(other), "/app/tasks"))).not.toContain(viewId);
  });

  it("refuses a view whose filters don't fit the list, naming the field, and saves nothing", async () => {
    const before = await expectStatus(
      merchantCall(viewsHandler, "GET /v1/views", shop.secret, { query: { object: "quotes" } }),
    );
    await expect(
      openPage(owner(), "/app/quotes/views", { form: { csrf: testCsrfToken, name: "Bad", status: "paid" } }),
    ).rejects.toMatchObject({ name: "ValidationError", errors: [{ path: "filters.status" }] });
    await expect(
      openPage(owner(), "/app/quotes/views", { form: { csrf: testCsrfToken, name: " ", status: "open" } }),
    ).rejects.toMatchObject({ name: "ValidationError", errors: [{ path: "name" }] });
    const after = await expectStatus(
      merchantCall(viewsHandler, "GET /v1/views", shop.secret, { query: { object: "quotes" } }),
    );
    expect(after.data).toEqual(before.data);
  });

  it("offers Save as view to members, not to viewers", async () => {
    expect(await pageBody(openPage(signedIn(shop, "member"), "/app/quotes"))).toContain(
      'action="/app/quotes/views"',
    );
    expect(await pageBody(openPage(signedIn(shop, "viewer"), "/app/quotes"))).not.toContain(
      'action="/app/quotes/views"',
    );
  });
});

describe("CSV export of the current view", () => {
  const handlers: Record<string, unknown> = {
    invoices: invoicesHandler,
    payments: paymentsHandler,
    subscriptions: subscriptionsHandler,
    quotes: quotesHandler,
    "payment-links": paymentLinksHandler,
    customers: customersHandler,
    payouts: payoutsHandler,
    tasks: tasksHandler,
  };

  it.each([
    ["invoices", {}],
    ["invoices", { status: "open", sort: "dueDate" }],
    ["payments", {}],
    ["subscriptions", { status: "scheduled" }],
    ["quotes", {}],
    ["payment-links", { active: "true" }],
    ["customers", {}],
    ["payouts", {}],
    ["tasks", { status: "open" }],
  ] as [string, Record<string, string>][])(
    "/app/%s?format=csv with %o equals GET /v1/… ?format=csv",
    async (collection, query) => {
      const result = await openPage(
        owner(),
        `/app/${collection}?${new URLSearchParams({ ...query, format: "csv" })}`,
      );
      const api = await merchantCall(handlers[collection], `GET /v1/${collection}`, shop.secret, {
        query: { ...query, format: "csv" },
      });
      expect(api.status).toBe(200);
      expect(result).toEqual<DashboardResult>({
        kind: "file",
        contentType: "text/csv; charset=utf-8",
        filename: expect.stringMatching(new RegExp(`^${collection}-\\d{4}-\\d{2}-\\d{2}\\.csv$`)),
        body: api.raw,
      });
      expect(api.raw.split("\r\n").length).toBeGreaterThan(1);
    },
  );

  it("exports a saved view's rows and the search's, and links the export from the page with its filters", async () => {
    const viewId = await create(shop, viewsHandler, "POST /v1/views", {
      object: "invoices",
      name: "Drafts",
      filters: { status: "draft" },
    });
    const body = await page(`/app/invoices?view=${viewId}&sort=dueDate`);
    expect(linkOf(body, "Export CSV")).toBe(`/app/invoices?view=${viewId}&sort=dueDate&format=csv`);
    const result = await openPage(owner(), `/app/invoices?view=${viewId}&format=csv`);
    const api = await merchantCall(invoicesHandler, "GET /v1/invoices", shop.secret, {
      query: { view: viewId, format: "csv" },
    });
    expect(result).toMatchObject({ kind: "file", body: api.raw });
    expect(api.raw).toContain(mine.invoices.draft);
    expect(api.raw).not.toContain(mine.invoices.open);

    const searched = await openPage(owner(), `/app/invoices?q=${mine.emails[1]}&format=csv`);
    const byCustomer = await merchantCall(invoicesHandler, "GET /v1/invoices", shop.secret, {
      query: { customerId: mine.customers[1] ?? "", format: "csv" },
    });
    expect(searched).toMatchObject({ kind: "file", body: byCustomer.raw });
  });
});
