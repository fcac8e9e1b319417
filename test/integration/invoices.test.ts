/**
 * Invoices end to end through the real handlers, in-process, against DynamoDB Local: totals,
 * catalog lookups, numbering, due dates, the state machine, manual payments, the customer's
 * open-invoice guard, list filters and saved views, the events feed, the PDF and the hosted page.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as discountCodesHandler } from "../../functions/api/discount-codes.ts";
import { handler as eventsHandler } from "../../functions/api/events.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as productsHandler } from "../../functions/api/products.ts";
import { handler as taxRatesHandler } from "../../functions/api/tax-rates.ts";
import { handler as viewsHandler } from "../../functions/api/views.ts";
import { handler as billingHandler } from "../../functions/billing/timers.ts";
import { handler as hostedHandler } from "../../functions/hosted/invoice.ts";
import * as ops from "../../shared/api/products.ts";
import { clockFor, invoicePorts, productPorts } from "../../shared/composition.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { formatMoney } from "../../shared/domain/format.ts";
import { finalizeInvoice } from "../../shared/invoices/service.ts";
import { createProduct } from "../../shared/products/service.ts";
import { type ApiResult, call, newMerchant } from "../helpers/api.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";
import { pdfText } from "../helpers/pdf-text.ts";

type Merchant = { id: string; secret: string; keyId: string };
type Options = { id?: string; body?: object; query?: Record<string, string> };
type Handler = Parameters<typeof call>[0];

let aws: TestAws;

const request = (handler: unknown, routeKey: string, token: string, options: Options = {}): Promise<ApiResult> =>
  call(handler as Handler, routeKey, {
    token,
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    ...(options.body ? { body: options.body } : {}),
    ...(options.query ? { query: options.query } : {}),
  });

const invoices = (routeKey: string, token: string, options: Options = {}) => request(invoicesHandler, routeKey, token, options);

async function created(result: Promise<ApiResult>, status = 201) {
  const r = await result;
  if (r.status !== status) throw new Error(`Expected ${status}, got ${r.status}: ${r.raw}`);
  return r.body;
}

const newCustomer = (m: Merchant, body: object) => created(request(customersHandler, "POST /v1/customers", m.secret, { body }));
const newTaxRate = (m: Merchant, body: object) => created(request(taxRatesHandler, "POST /v1/tax-rates", m.secret, { body }));
const newInvoice = (m: Merchant, body: object) => created(invoices("POST /v1/invoices", m.secret, { body }));
const act = (m: Merchant, id: string, action: string) => invoices(`POST /v1/invoices/{id}/${action}`, m.secret, { id });
const finalize = (m: Merchant, id: string) => created(act(m, id, "finalize"), 200);
const pay = (m: Merchant, id: string, amount: number, extra: object = {}) =>
  invoices("POST /v1/invoices/{id}/payments", m.secret, { id, body: { amount, method: "bank_transfer", ...extra } });
const getInvoice = (m: Merchant, id: string) => created(invoices("GET /v1/invoices/{id}", m.secret, { id }), 200);
const listIds = async (m: Merchant, query: Record<string, string>) => {
  const r = await invoices("GET /v1/invoices", m.secret, { query: { limit: "100", ...query } });
  if (r.status !== 200) throw new Error(`List failed: ${r.status} ${r.raw}`);
  return (r.body.data as { id: string }[]).map((i) => i.id);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Today's calendar date in `timeZone`, read independently of shared/domain/calendar.ts. */
const dateIn = (instant: Date, timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone }).format(instant);
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe("invoices against DynamoDB Local", () => {
  let shop: Merchant;
  let customer: { id: string; email: string; name: string };
  let salesTax: { id: string };
  let vat: { id: string };

  beforeAll(async () => {
    aws = await useTestAws(["notifications", "billing"]);
    shop = await newMerchant("Invoice Shop");
    customer = await newCustomer(shop, { email: "buyer@customer.test", name: "Bea Buyer", companyName: "Buyer & Co" });
    salesTax = await newTaxRate(shop, { name: "Sales tax", percentage: 8.875, inclusive: false });
    vat = await newTaxRate(shop, { name: "VAT", percentage: 20, inclusive: true });
  });

  /** A realistic draft: every step of the money engine is exercised (total 38305, see below). */
  const realisticDraft = (customerId = customer.id, rates = { salesTax: salesTax.id, vat: vat.id }) => ({
    customerId,
    currency: "USD",
    lineItems: [
      { description: "Consulting", quantity: 2.5, unitAmount: 12_000, discount: { percentOff: 10 }, taxRateIds: [rates.salesTax] },
      { description: "Widget", quantity: 3, unitAmount: 1_999, taxRateIds: [rates.vat] },
      { description: "Setup", unitAmount: 5_000 },
    ],
    discounts: [{ percentOff: 5 }, { amountOff: 1_000 }],
    fees: [{ description: "Shipping", amount: 995 }],
    memo: "Thanks for your business",
  });

  describe("drafts and totals", () => {
    it("prices a realistic draft exactly as worked by hand", async () => {
      /*
       * Line subtotals: 2.5 × 12000 = 30000; 3 × 1999 = 5997; 1 × 5000 = 5000 → subtotal 40997.
       * Line discount: 10% of 30000 = 3000 → remaining 27000 / 5997 / 5000 (Σ 37997).
       * 5% document discount: 37997 × 5% = 1899.85 → 1900, allocated pro rata by largest remainder:
       *   27000: 1350.106 → 1350, 5997: 299.873 → 299 (+1, largest remainder) = 300, 5000: 250.019 → 250
       *   → remaining 25650 / 5697 / 4750 (Σ 36097).
       * $10.00 off: 1000 over 36097: 25650 → 710.585 → 710; 5697 → 157.825 → 157 +1 = 158;
       *   4750 → 131.589 → 131 +1 = 132 (remainders .825 and .589 beat .585)
       *   → remaining 24940 / 5539 / 4618 (Σ 35097); discountTotal = 40997 − 35097 = 5900.
       * Taxes: line 1, 8.875% exclusive of 24940 = 2213.425 → 2213;
       *        line 2, 20% inclusive in 5539 = 5539 × 20/120 = 923.17 → 923 (net 4616); line 3 untaxed.
       *        taxTotal = 3136, of which 2213 is added on top.
       * Fee: 995, untaxed. Total = 40997 − 5900 + 2213 + 995 = 38305.
       */
      const invoice = await newInvoice(shop, realisticDraft());
      expect(invoice).toMatchObject({
        status: "draft",
        customerId: customer.id,
        customer: { id: customer.id, email: "buyer@customer.test", name: "Bea Buyer", companyName: "Buyer & Co" },
        currency: "USD",
        subtotal: 40_997,
        discountTotal: 5_900,
        taxTotal: 3_136,
        feeTotal: 995,
        total: 38_305,
        amountPaid: 0,
        amountRemaining: 38_305,
        overdue: false,
        metadata: {},
      });
      expect(invoice.number).toBeUndefined();
      expect(invoice.hostedUrl).toBeUndefined();
      expect(invoice.lineItems).toEqual([
        expect.objectContaining({ description: "Consulting", quantity: 2.5, unitAmount: 12_000, amountSubtotal: 30_000, amountDiscount: 5_060, amountTax: 2_213, amountTotal: 27_153 }),
        expect.objectContaining({ description: "Widget", quantity: 3, unitAmount: 1_999, amountSubtotal: 5_997, amountDiscount: 458, amountTax: 923, amountTotal: 5_539 }),
        expect.objectContaining({ description: "Setup", quantity: 1, unitAmount: 5_000, amountSubtotal: 5_000, amountDiscount: 382, amountTax: 0, amountTotal: 4_618 }),
      ]);
      expect(invoice.discounts).toEqual([
        { percentOff: 5, amount: 1_900 },
        { amountOff: 1_000, amount: 1_000 },
      ]);
      expect(invoice.fees).toEqual([{ description: "Shipping", amount: 995, taxable: false, amountTotal: 995 }]);
      expect(invoice.taxBreakdown).toEqual([
        { taxRateId: salesTax.id, name: "Sales tax", percentage: 8.875, inclusive: false, taxableAmount: 24_940, amount: 2_213 },
        { taxRateId: vat.id, name: "VAT", percentage: 20, inclusive: true, taxableAmount: 4_616, amount: 923 },
      ]);
      // The stored draft reads back the same.
      expect(await getInvoice(shop, invoice.id)).toEqual(invoice);
    });

    it("fills product lines from the catalog and refuses a product in another currency", async () => {
      const beans = await created(request(productsHandler, "POST /v1/products", shop.secret, { body: { name: "Espresso beans 1kg", unitAmount: 1_850, currency: "USD" } }));
      const euroBeans = await created(request(productsHandler, "POST /v1/products", shop.secret, { body: { name: "Bohnen", unitAmount: 1_700, currency: "EUR" } }));

      const invoice = await newInvoice(shop, { customerId: customer.id, currency: "USD", lineItems: [{ productId: beans.id, quantity: 2 }] });
      expect(invoice.lineItems).toEqual([
        expect.objectContaining({ description: "Espresso beans 1kg", productId: beans.id, quantity: 2, unitAmount: 1_850, amountSubtotal: 3_700, amountTotal: 3_700 }),
      ]);
      expect(invoice.total).toBe(3_700);

      const mismatched = await invoices("POST /v1/invoices", shop.secret, {
        body: { customerId: customer.id, currency: "USD", lineItems: [{ productId: euroBeans.id }] },
      });
      expect(mismatched.status).toBe(400);
      expect(mismatched.body.errors).toEqual([{ path: "lineItems.0.productId", message: "is priced in EUR, not USD" }]);

      const unknownCustomer = await invoices("POST /v1/invoices", shop.secret, {
        body: { customerId: "cus_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9", currency: "USD", lineItems: [{ description: "X", unitAmount: 1 }] },
      });
      expect(unknownCustomer.status).toBe(400);
      expect(unknownCustomer.body.errors).toEqual([{ path: "customerId", message: "is not one of your customers" }]);
    });

    it("applies a discount code and redeems it exactly once, at finalize", async () => {
      const code = await created(request(discountCodesHandler, "POST /v1/discount-codes", shop.secret, { body: { code: "welcome15", percentOff: 15, duration: "once" } }));
      const timesRedeemed = async () => (await created(request(discountCodesHandler, "GET /v1/discount-codes/{id}", shop.secret, { id: code.id }), 200)).timesRedeemed;

      const draft = await newInvoice(shop, { customerId: customer.id, currency: "USD", lineItems: [{ description: "Course", unitAmount: 20_000 }], discounts: [{ code: "welcome15" }] });
      expect(draft.discounts).toEqual([{ percentOff: 15, code: "WELCOME15", amount: 3_000 }]);
      expect(draft.total).toBe(17_000);
      expect(await timesRedeemed()).toBe(0);

      // Editing the draft re-prices it but redeems nothing.
      await created(invoices("PATCH /v1/invoices/{id}", shop.secret, { id: draft.id, body: { memo: "edited" } }), 200);
      expect(await timesRedeemed()).toBe(0);

      const open = await finalize(shop, draft.id);
      expect(open.total).toBe(17_000);
      expect(await timesRedeemed()).toBe(1);
      // A refused second finalize redeems nothing more.
      expect((await act(shop, draft.id, "finalize")).status).toBe(409);
      expect(await timesRedeemed()).toBe(1);

      const unknown = await invoices("POST /v1/invoices", shop.secret, {
        body: { customerId: customer.id, currency: "USD", lineItems: [{ description: "X", unitAmount: 100 }], discounts: [{ code: "NOPE99" }] },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors).toEqual([{ path: "discounts.0.code", message: "is not one of your discount codes" }]);
    });

    it("recomputes totals when a draft is patched", async () => {
      const draft = await newInvoice(shop, realisticDraft());
      const patched = await created(
        invoices("PATCH /v1/invoices/{id}", shop.secret, {
          id: draft.id,
          body: { lineItems: [{ description: "Consulting", quantity: 1.5, unitAmount: 10_000, taxRateIds: [salesTax.id] }], discounts: [], fees: [], metadata: { po: "PO-7" } },
        }),
        200,
      );
      // 1.5 × 10000 = 15000; 8.875% of it = 1331.25 → 1331; total 16331.
      expect(patched).toMatchObject({ subtotal: 15_000, discountTotal: 0, taxTotal: 1_331, feeTotal: 0, total: 16_331, amountRemaining: 16_331, metadata: { po: "PO-7" } });
      expect(patched.discounts).toEqual([]);
      expect(patched.fees).toEqual([]);
      // A patch of something else keeps the lines and their totals.
      const memo = await created(invoices("PATCH /v1/invoices/{id}", shop.secret, { id: draft.id, body: { memo: "New memo" } }), 200);
      expect(memo).toMatchObject({ memo: "New memo", total: 16_331 });
      expect(await getInvoice(shop, draft.id)).toMatchObject({ total: 16_331, memo: "New memo" });
    });

    it("caps a draft's merged metadata at 50 keys: a PATCH past it is a 400 naming metadata and writes nothing", async () => {
      const keys = (from: number, count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${from + i}`, "v"]));
      const draft = await newInvoice(shop, { ...realisticDraft(), metadata: keys(0, 45) });
      const before = await aws.scanAll();

      const refused = await invoices("PATCH /v1/invoices/{id}", shop.secret, { id: draft.id, body: { memo: "more", metadata: keys(45, 10) } });

      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(["metadata"]);
      expect(await aws.scanAll()).toEqual(before);
      expect(await getInvoice(shop, draft.id)).toEqual(draft);
    });

    it("freezes a finalized invoice: PATCH and DELETE are 409 naming its status; a draft can be deleted", async () => {
      const draft = await newInvoice(shop, realisticDraft());
      const open = await finalize(shop, draft.id);
      const patch = await invoices("PATCH /v1/invoices/{id}", shop.secret, { id: open.id, body: { memo: "too late" } });
      expect(patch.status).toBe(409);
      expect(patch.body.detail).toBe("Cannot edit an invoice whose status is open");
      const del = await invoices("DELETE /v1/invoices/{id}", shop.secret, { id: open.id });
      expect(del.status).toBe(409);
      expect(del.body.detail).toBe("Cannot delete an invoice whose status is open");
      expect(await getInvoice(shop, open.id)).toMatchObject({ status: "open", total: 38_305, memo: "Thanks for your business" });

      const other = await newInvoice(shop, realisticDraft());
      expect((await invoices("DELETE /v1/invoices/{id}", shop.secret, { id: other.id })).status).toBe(204);
      expect((await invoices("GET /v1/invoices/{id}", shop.secret, { id: other.id })).status).toBe(404);
    });
  });

  describe("big invoices and repeated codes", () => {
    const newProduct = (m: Merchant, body: object) => created(request(productsHandler, "POST /v1/products", m.secret, { body }));
    const newCode = (m: Merchant, body: object) => created(request(discountCodesHandler, "POST /v1/discount-codes", m.secret, { body }));
    const stored = async (merchantId: string, id: string) =>
      (await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${merchantId}`, SK: id }, ConsistentRead: true }))).Item ?? {};

    it("finalizes the largest invoice allowed, 250 lines over 250 products with 5 codes, marking every product referenced once", async () => {
      const m = await newMerchant("Big Catalog");
      const c = await newCustomer(m, { email: "bulk@customer.test" });
      // The catalog through the service the products route calls, all at once: through the route, the
      // per-merchant request limit (limits.test.ts) would pace 250 creations over seconds.
      const products = await Promise.all(
        Array.from({ length: 250 }, (_, i) =>
          createProduct(productPorts(systemClock), m.id, ops.createProduct.body.parse({ name: `Part ${i}`, unitAmount: 100, currency: "USD" })),
        ),
      );
      expect(new Set(products.map((p) => p.id)).size).toBe(250);
      const codes = await Promise.all(["ONE", "TWO", "THREE", "FOUR", "FIVE"].map((code) => newCode(m, { code, amountOff: 100, currency: "USD", duration: "once" })));
      const draft = await newInvoice(m, {
        customerId: c.id,
        currency: "USD",
        lineItems: products.map((p) => ({ productId: p.id })),
        discounts: codes.map((d) => ({ code: d.code })),
      });
      expect(draft.total).toBe(250 * 100 - 5 * 100);

      const open = await finalize(m, draft.id);
      expect(open).toMatchObject({ status: "open", number: "INV-0001", total: 24_500 });
      const [storedProducts, storedCodes] = await Promise.all([
        Promise.all(products.map((p) => stored(m.id, p.id))),
        Promise.all(codes.map((d) => stored(m.id, d.id))),
      ]);
      for (const p of storedProducts) expect(p).toMatchObject({ referenced: true, version: 2 });
      for (const d of storedCodes) expect(d).toMatchObject({ timesRedeemed: 1 });
    }, 120_000);

    it("leaves an already referenced product's version alone when another invoice with it is finalized", async () => {
      const m = await newMerchant("Popular Product");
      const c = await newCustomer(m, { email: "fan@customer.test" });
      const popular = await newProduct(m, { name: "Bestseller", unitAmount: 2_500, currency: "USD" });
      const first = await newInvoice(m, { customerId: c.id, currency: "USD", lineItems: [{ productId: popular.id }] });
      const second = await newInvoice(m, { customerId: c.id, currency: "USD", lineItems: [{ productId: popular.id, quantity: 2 }] });

      await finalize(m, first.id);
      expect(await stored(m.id, popular.id)).toMatchObject({ referenced: true, version: 2 });
      await finalize(m, second.id);
      expect(await stored(m.id, popular.id)).toMatchObject({ referenced: true, version: 2 });
      // So an edit made against the referenced product is not refused for a version it never saw move.
      const renamed = await request(productsHandler, "PATCH /v1/products/{id}", m.secret, { id: popular.id, body: { name: "Still a bestseller" } });
      expect(renamed.status).toBe(200);
    });

    it("refuses a code given twice with a 400 naming the second, at create and at update, writing nothing", async () => {
      const m = await newMerchant("Twice Shop");
      const c = await newCustomer(m, { email: "twice@customer.test" });
      await newCode(m, { code: "TEN", percentOff: 10, duration: "once" });
      const body = { customerId: c.id, currency: "USD", lineItems: [{ description: "Course", unitAmount: 10_000 }] };
      const before = (await aws.scanAll()).length;

      const twice = await invoices("POST /v1/invoices", m.secret, { body: { ...body, discounts: [{ code: "TEN" }, { code: "ten" }] } });
      expect(twice.status).toBe(400);
      expect(twice.body.errors).toEqual([{ path: "discounts.1.code", message: "is already applied to this document" }]);
      expect((await aws.scanAll()).length).toBe(before);

      const draft = await newInvoice(m, { ...body, discounts: [{ code: "TEN" }] });
      const edited = await invoices("PATCH /v1/invoices/{id}", m.secret, { id: draft.id, body: { discounts: [{ percentOff: 5 }, { code: "TEN" }, { code: "TEN" }] } });
      expect(edited.status).toBe(400);
      expect(edited.body.errors).toEqual([{ path: "discounts.2.code", message: "is already applied to this document" }]);
      expect(await getInvoice(m, draft.id)).toMatchObject({ total: 9_000, discounts: [{ percentOff: 10, code: "TEN", amount: 1_000 }] });
    });

    it("answers a draft stored with a code twice (before the rule) with a 400 at finalize, redeeming nothing", async () => {
      const m = await newMerchant("Legacy Twice");
      const c = await newCustomer(m, { email: "legacy@customer.test" });
      const ten = await newCode(m, { code: "TEN", percentOff: 10, duration: "once" });
      const draft = await newInvoice(m, { customerId: c.id, currency: "USD", lineItems: [{ description: "Course", unitAmount: 10_000 }], discounts: [{ code: "TEN" }] });
      await aws.db.send(
        new UpdateCommand({
          TableName: aws.tableName,
          Key: { PK: `MERCHANT#${m.id}`, SK: draft.id },
          UpdateExpression: "SET discounts = list_append(discounts, discounts)",
        }),
      );

      const refused = await act(m, draft.id, "finalize");
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ path: "discounts.1.code", message: "is already applied to this document" }]);
      expect(await getInvoice(m, draft.id)).toMatchObject({ status: "draft" });
      expect(await stored(m.id, ten.id)).toMatchObject({ timesRedeemed: 0 });
    });
  });

  describe("numbering and due dates", () => {
    it("gives 20 drafts finalized at once exactly INV-0001 … INV-0020, no gap, no duplicate", async () => {
      const m = await newMerchant("Busy Numbers");
      const c = await newCustomer(m, { email: "many@customer.test" });
      const drafts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => newInvoice(m, { customerId: c.id, currency: "USD", lineItems: [{ description: `Item ${i}`, unitAmount: 100 + i }] })),
      );
      const results = await Promise.all(drafts.map((d) => act(m, d.id, "finalize")));
      expect(results.map((r) => `${r.status} ${r.status === 200 ? "" : r.body.detail}`)).toEqual(results.map(() => "200 "));
      const numbers = results.map((r) => r.body.number as string).sort();
      expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => `INV-${String(i + 1).padStart(4, "0")}`));
      // What was returned is what was stored, and the counter stands at 20.
      for (const r of results) expect((await getInvoice(m, r.body.id)).number).toBe(r.body.number);
      const { Item } = await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${m.id}`, SK: "COUNTER#invoice" } }));
      expect(Item?.value).toBe(20);
      // The next one continues the sequence.
      const next = await newInvoice(m, { customerId: c.id, currency: "USD", lineItems: [{ description: "Next", unitAmount: 1 }] });
      expect((await finalize(m, next.id)).number).toBe("INV-0021");
    }, 90_000);

    it("uses the merchant's own prefix", async () => {
      const m = await newMerchant("Prefix Co");
      const settings = await request(settingsHandler, "PATCH /v1/merchant", m.secret, { body: { invoiceNumberPrefix: "ACME26" } });
      expect(settings.status).toBe(200);
      const c = await newCustomer(m, { email: "prefix@customer.test" });
      const draft = await newInvoice(m, { customerId: c.id, currency: "EUR", lineItems: [{ description: "Thing", unitAmount: 500 }] });
      expect((await finalize(m, draft.id)).number).toBe("ACME26-0001");
      const second = await newInvoice(m, { customerId: c.id, currency: "EUR", lineItems: [{ description: "Thing", unitAmount: 500 }] });
      expect((await finalize(m, second.id)).number).toBe("ACME26-0002");
    });

    it("counts net_30 from the issue date in the merchant's time zone, not UTC's", async () => {
      // At any instant at least one of these zones is on a different calendar day than UTC.
      const zones = ["Pacific/Kiritimati", "Pacific/Pago_Pago"];
      let differedFromUtc = false;
      for (const timeZone of zones) {
        const m = await newMerchant(`Zone ${timeZone.replace("/", " ")}`);
        expect((await request(settingsHandler, "PATCH /v1/merchant", m.secret, { body: { timeZone } })).status).toBe(200);
        const c = await newCustomer(m, { email: "tz@customer.test" });
        const draft = await newInvoice(m, { customerId: c.id, currency: "USD", paymentTerms: "net_30", lineItems: [{ description: "Monthly", unitAmount: 9_900 }] });
        const before = new Date();
        const open = await finalize(m, draft.id);
        const after = new Date();
        const expected = [plusDays(dateIn(before, timeZone), 30), plusDays(dateIn(after, timeZone), 30)];
        expect(expected).toContain(open.dueDate);
        expect(open.paymentTerms).toBe("net_30");
        expect(dateIn(new Date(open.issuedAt), timeZone)).toBe(plusDays(open.dueDate, -30));
        if (open.dueDate !== plusDays(dateIn(new Date(open.issuedAt), "UTC"), 30)) differedFromUtc = true;
      }
      expect(differedFromUtc).toBe(true);
    });

    it("defaults to the merchant's terms, keeps an explicit due date, and refuses one before the issue date", async () => {
      const byDefault = await finalize(shop, (await newInvoice(shop, { customerId: customer.id, currency: "USD", lineItems: [{ description: "A", unitAmount: 100 }] })).id);
      expect(byDefault.paymentTerms).toBe("net_30");
      expect(byDefault.dueDate).toBe(plusDays(dateIn(new Date(byDefault.issuedAt), "UTC"), 30));

      const explicit = await newInvoice(shop, { customerId: customer.id, currency: "USD", dueDate: "2099-12-31", lineItems: [{ description: "B", unitAmount: 100 }] });
      expect(explicit.dueDate).toBe("2099-12-31");
      const open = await finalize(shop, explicit.id);
      expect(open.dueDate).toBe("2099-12-31");
      expect(open.paymentTerms).toBeUndefined();

      const past = await newInvoice(shop, { customerId: customer.id, currency: "USD", dueDate: "2000-01-01", lineItems: [{ description: "C", unitAmount: 100 }] });
      const refused = await act(shop, past.id, "finalize");
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ path: "dueDate", message: expect.stringMatching(/^must not be before the issue date \d{4}-\d{2}-\d{2}$/) }]);
      expect((await getInvoice(shop, past.id)).status).toBe("draft");
    });
  });

  describe("the state machine", () => {
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      const draft = () => newInvoice(shop, { customerId: customer.id, currency: "USD", lineItems: [{ description: "State", unitAmount: 1_000 }] });
      ids.draft = (await draft()).id;
      ids.open = (await finalize(shop, (await draft()).id)).id;
      const paid = await finalize(shop, (await draft()).id);
      expect((await pay(shop, paid.id, 1_000)).status).toBe(201);
      ids.paid = paid.id;
      const voided = await finalize(shop, (await draft()).id);
      expect((await act(shop, voided.id, "void")).status).toBe(200);
      ids.void = voided.id;
      const uncollectible = await finalize(shop, (await draft()).id);
      expect((await act(shop, uncollectible.id, "mark-uncollectible")).status).toBe(200);
      ids.uncollectible = uncollectible.id;
    });

    const actions: Record<string, (id: string) => Promise<ApiResult>> = {
      edit: (id) => invoices("PATCH /v1/invoices/{id}", shop.secret, { id, body: { memo: "x" } }),
      delete: (id) => invoices("DELETE /v1/invoices/{id}", shop.secret, { id }),
      finalize: (id) => act(shop, id, "finalize"),
      send: (id) => act(shop, id, "send"),
      void: (id) => act(shop, id, "void"),
      "mark-uncollectible": (id) => act(shop, id, "mark-uncollectible"),
      payment: (id) => pay(shop, id, 1),
    };
    const verbs: Record<string, string> = {
      edit: "edit",
      delete: "delete",
      finalize: "finalize",
      send: "send",
      void: "void",
      "mark-uncollectible": "mark as uncollectible",
      payment: "record a payment on",
    };

    it.each([
      ["draft", "send"],
      ["draft", "void"],
      ["draft", "mark-uncollectible"],
      ["draft", "payment"],
      ["open", "edit"],
      ["open", "delete"],
      ["open", "finalize"],
      ["paid", "edit"],
      ["paid", "delete"],
      ["paid", "finalize"],
      ["paid", "void"],
      ["paid", "mark-uncollectible"],
      ["paid", "payment"],
      ["void", "edit"],
      ["void", "delete"],
      ["void", "finalize"],
      ["void", "send"],
      ["void", "void"],
      ["void", "mark-uncollectible"],
      ["void", "payment"],
      ["uncollectible", "edit"],
      ["uncollectible", "delete"],
      ["uncollectible", "finalize"],
      ["uncollectible", "mark-uncollectible"],
    ])("refuses %s → %s with a 409 naming the status, and changes nothing", async (status, action) => {
      const id = ids[status] as string;
      const before = await getInvoice(shop, id);
      const r = await (actions[action] as (id: string) => Promise<ApiResult>)(id);
      expect(r.status).toBe(409);
      expect(r.headers["content-type"]).toBe("application/problem+json");
      expect(r.body.detail).toBe(`Cannot ${verbs[action]} an invoice whose status is ${status}`);
      expect(await getInvoice(shop, id)).toEqual(before);
    });

    it("allows uncollectible → paid and uncollectible → void", async () => {
      const draft = () => newInvoice(shop, { customerId: customer.id, currency: "USD", lineItems: [{ description: "U", unitAmount: 700 }] });
      const a = await finalize(shop, (await draft()).id);
      await created(act(shop, a.id, "mark-uncollectible"), 200);
      const paid = await created(pay(shop, a.id, 700), 201);
      expect(paid).toMatchObject({ status: "paid", amountPaid: 700, amountRemaining: 0, markedUncollectibleAt: expect.any(String) });

      const b = await finalize(shop, (await draft()).id);
      await created(act(shop, b.id, "mark-uncollectible"), 200);
      const voided = await created(act(shop, b.id, "void"), 200);
      expect(voided).toMatchObject({ status: "void", amountRemaining: 0, voidedAt: expect.any(String) });
    });
  });

  describe("manual payments", () => {
    it("records a partial then a final payment: paid with paidAt; refuses overpayment and zero", async () => {
      const open = await finalize(shop, (await newInvoice(shop, realisticDraft())).id);
      expect(open.total).toBe(38_305);

      const partial = await pay(shop, open.id, 10_000, { reference: "wire 1" });
      expect(partial.status).toBe(201);
      expect(partial.body).toMatchObject({ status: "open", amountPaid: 10_000, amountRemaining: 28_305 });
      expect(partial.body.paidAt).toBeUndefined();
      expect(partial.body.payment).toMatchObject({ id: expect.stringMatching(/^pay_/), amount: 10_000 });

      const over = await pay(shop, open.id, 28_306);
      expect(over.status).toBe(400);
      expect(over.body.errors).toEqual([{ path: "amount", message: "must not exceed the amount remaining (28305)" }]);
      const zero = await pay(shop, open.id, 0);
      expect(zero.status).toBe(400);
      expect(zero.body.errors).toEqual([{ path: "amount", message: "must be more than 0" }]);
      expect(await getInvoice(shop, open.id)).toMatchObject({ status: "open", amountPaid: 10_000, amountRemaining: 28_305 });

      const final = await pay(shop, open.id, 28_305, { paidAt: "2026-01-15T10:00:00+01:00", method: "check" });
      expect(final.status).toBe(201);
      expect(final.body).toMatchObject({ status: "paid", amountPaid: 38_305, amountRemaining: 0, paidAt: "2026-01-15T09:00:00.000Z" });
      expect(await getInvoice(shop, open.id)).toMatchObject({ status: "paid", amountPaid: 38_305, amountRemaining: 0, paidAt: "2026-01-15T09:00:00.000Z" });
    });

    it("lets exactly one of 10 concurrent payments of the full amount through", async () => {
      const open = await finalize(shop, (await newInvoice(shop, realisticDraft())).id);
      await created(pay(shop, open.id, 305), 201);
      const results = await Promise.all(Array.from({ length: 10 }, () => pay(shop, open.id, 38_000)));
      const ok = results.filter((r) => r.status === 201);
      expect(ok).toHaveLength(1);
      expect(results.filter((r) => r.status !== 201).map((r) => r.status)).toEqual(Array(9).fill(409));

      const after = await getInvoice(shop, open.id);
      expect(after).toMatchObject({ status: "paid", amountPaid: 38_305, amountRemaining: 0 });
      const payments = (await aws.scanAll()).filter((i) => i.type === "payment" && i.invoiceId === open.id);
      expect(payments.map((p) => p.amount).sort()).toEqual([305, 38_000]);
    }, 60_000);

    it("never lets amountPaid exceed total, even with concurrent partial payments", async () => {
      const open = await finalize(shop, (await newInvoice(shop, { customerId: customer.id, currency: "USD", lineItems: [{ description: "Split", unitAmount: 1_000 }] })).id);
      const results = await Promise.all(Array.from({ length: 10 }, () => pay(shop, open.id, 400)));
      const ok = results.filter((r) => r.status === 201).length;
      expect(ok).toBeGreaterThanOrEqual(1);
      expect(ok).toBeLessThanOrEqual(2);
      for (const r of results) expect([201, 400, 409]).toContain(r.status);
      const after = await getInvoice(shop, open.id);
      expect(after.amountPaid).toBe(400 * ok);
      expect(after.amountPaid).toBeLessThanOrEqual(after.total);
      expect(after.amountPaid + after.amountRemaining).toBe(after.total);
    }, 60_000);
  });

  it("keeps a customer with an open invoice; voiding the invoice releases it", async () => {
    const c = await newCustomer(shop, { email: "leaving@customer.test" });
    const open = await finalize(shop, (await newInvoice(shop, { customerId: c.id, currency: "USD", lineItems: [{ description: "Last", unitAmount: 100 }] })).id);
    const refused = await request(customersHandler, "DELETE /v1/customers/{id}", shop.secret, { id: c.id });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/open invoices/);
    await created(act(shop, open.id, "void"), 200);
    expect((await request(customersHandler, "DELETE /v1/customers/{id}", shop.secret, { id: c.id })).status).toBe(204);
  });

  describe("lists and saved views", () => {
    let m: Merchant;
    const inv = {} as Record<"a" | "b" | "c" | "d" | "e", { id: string; createdAt: string }>;
    const buyers = { c1: "", c2: "" };

    beforeAll(async () => {
      m = await newMerchant("List Shop");
      const c1 = await newCustomer(m, { email: "one@customer.test" });
      const c2 = await newCustomer(m, { email: "two@customer.test" });
      const line = (unitAmount: number) => [{ description: "Line", unitAmount }];
      // a: open, USD 10000, due 2099-01-10, customer 1
      inv.a = await finalize(m, (await newInvoice(m, { customerId: c1.id, currency: "USD", dueDate: "2099-01-10", lineItems: line(10_000) })).id);
      await sleep(5);
      // b: draft, EUR 50000, customer 2
      inv.b = await newInvoice(m, { customerId: c2.id, currency: "EUR", lineItems: line(50_000) });
      await sleep(5);
      // c: open and overdue, USD 2500, due on its issue date, customer 1
      const today = dateIn(new Date(), "UTC");
      const c = await finalize(m, (await newInvoice(m, { customerId: c1.id, currency: "USD", dueDate: today, lineItems: line(2_500) })).id);
      inv.c = c;
      await aws.db.send(
        new UpdateCommand({
          TableName: aws.tableName,
          Key: { PK: `MERCHANT#${m.id}`, SK: c.id },
          UpdateExpression: "SET overdueAt = :past",
          ExpressionAttributeValues: { ":past": new Date(Date.now() - 60_000).toISOString() },
        }),
      );
      await sleep(5);
      // d: paid, USD 30000, due 2099-06-30, customer 2
      const d = await finalize(m, (await newInvoice(m, { customerId: c2.id, currency: "USD", dueDate: "2099-06-30", lineItems: line(30_000) })).id);
      await created(pay(m, d.id, 30_000), 201);
      inv.d = d;
      await sleep(5);
      // e: void, USD 7000, due 2099-03-15, customer 2
      const e = await finalize(m, (await newInvoice(m, { customerId: c2.id, currency: "USD", dueDate: "2099-03-15", lineItems: line(7_000) })).id);
      await created(act(m, e.id, "void"), 200);
      inv.e = e;
      buyers.c1 = c1.id;
      buyers.c2 = c2.id;
    });

    it("lists newest first by default, and filters by status, including the derived overdue", async () => {
      expect(await listIds(m, {})).toEqual([inv.e.id, inv.d.id, inv.c.id, inv.b.id, inv.a.id]);
      expect(await listIds(m, { status: "draft" })).toEqual([inv.b.id]);
      expect(await listIds(m, { status: "open" })).toEqual([inv.c.id, inv.a.id]);
      expect(await listIds(m, { status: "overdue" })).toEqual([inv.c.id]);
      expect(await listIds(m, { status: "paid" })).toEqual([inv.d.id]);
      expect(await listIds(m, { status: "void" })).toEqual([inv.e.id]);
      expect(await listIds(m, { status: "uncollectible" })).toEqual([]);
      const overdue = await getInvoice(m, inv.c.id);
      expect(overdue.overdue).toBe(true);
      expect((await getInvoice(m, inv.a.id)).overdue).toBe(false);
    });

    it("filters by customer, currency, due dates, totals and creation time", async () => {
      expect(await listIds(m, { customerId: buyers.c1 })).toEqual([inv.c.id, inv.a.id]);
      expect(await listIds(m, { customerId: buyers.c2 })).toEqual([inv.e.id, inv.d.id, inv.b.id]);
      expect(await listIds(m, { currency: "EUR" })).toEqual([inv.b.id]);
      expect(await listIds(m, { currency: "USD" })).toEqual([inv.e.id, inv.d.id, inv.c.id, inv.a.id]);
      expect(await listIds(m, { dueBefore: "2099-03-01" })).toEqual([inv.c.id, inv.a.id]);
      expect(await listIds(m, { dueAfter: "2099-03-01" })).toEqual([inv.e.id, inv.d.id]);
      expect(await listIds(m, { dueAfter: "2099-01-01", dueBefore: "2099-06-01" })).toEqual([inv.e.id, inv.a.id]);
      expect(await listIds(m, { totalGte: "30000" })).toEqual([inv.d.id, inv.b.id]);
      expect(await listIds(m, { totalLte: "7000" })).toEqual([inv.e.id, inv.c.id]);
      expect(await listIds(m, { totalGte: "7000", totalLte: "10000" })).toEqual([inv.e.id, inv.a.id]);
      expect(await listIds(m, { createdAfter: inv.c.createdAt })).toEqual([inv.e.id, inv.d.id, inv.c.id]);
      expect(await listIds(m, { createdBefore: inv.c.createdAt })).toEqual([inv.b.id, inv.a.id]);
      expect(await listIds(m, { createdAfter: inv.b.createdAt, createdBefore: inv.d.createdAt })).toEqual([inv.c.id, inv.b.id]);
      const bad = await invoices("GET /v1/invoices", m.secret, { query: { status: "late" } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe("status");
    });

    it("sorts finalized invoices by due date, earliest first, with filters", async () => {
      expect(await listIds(m, { sort: "dueDate" })).toEqual([inv.c.id, inv.a.id, inv.e.id, inv.d.id]);
      expect(await listIds(m, { sort: "dueDate", status: "open" })).toEqual([inv.c.id, inv.a.id]);
      expect(await listIds(m, { sort: "dueDate", createdAfter: inv.c.createdAt })).toEqual([inv.c.id, inv.e.id, inv.d.id]);
      const paged = await invoices("GET /v1/invoices", m.secret, { query: { sort: "dueDate", limit: "2" } });
      expect(paged.body.data.map((i: { id: string }) => i.id)).toEqual([inv.c.id, inv.a.id]);
      const rest = await invoices("GET /v1/invoices", m.secret, { query: { sort: "dueDate", limit: "2", cursor: paged.body.nextCursor } });
      expect(rest.body.data.map((i: { id: string }) => i.id)).toEqual([inv.e.id, inv.d.id]);
    });

    it("saves a view, lists with it and with an override, and deletes it", async () => {
      const saved = await request(viewsHandler, "POST /v1/views", m.secret, {
        body: { object: "invoices", name: "Open in USD", filters: { status: "open", currency: "USD" } },
      });
      expect(saved.status).toBe(201);
      expect(saved.body).toEqual({
        id: expect.stringMatching(/^view_/),
        object: "invoices",
        name: "Open in USD",
        filters: { status: "open", currency: "USD" },
        createdAt: expect.any(String),
      });
      const id = saved.body.id as string;
      expect((await request(viewsHandler, "GET /v1/views/{id}", m.secret, { id })).body).toEqual(saved.body);
      const listed = await request(viewsHandler, "GET /v1/views", m.secret);
      expect(listed.body.data).toEqual([saved.body]);

      expect(await listIds(m, { view: id })).toEqual([inv.c.id, inv.a.id]);
      // The query's own filters override the view's; the rest of the view still applies.
      expect(await listIds(m, { view: id, status: "paid" })).toEqual([inv.d.id]);
      expect(await listIds(m, { view: id, status: "void" })).toEqual([inv.e.id]);
      expect(await listIds(m, { view: id, sort: "dueDate", status: "overdue" })).toEqual([inv.c.id]);

      expect((await request(viewsHandler, "DELETE /v1/views/{id}", m.secret, { id })).status).toBe(204);
      expect((await request(viewsHandler, "GET /v1/views/{id}", m.secret, { id })).status).toBe(404);
      const gone = await invoices("GET /v1/invoices", m.secret, { query: { view: id } });
      expect(gone.status).toBe(400);
      expect(gone.body.errors).toEqual([{ path: "view", message: expect.stringMatching(/^is not one of your saved (invoice )?views$/) }]);
      // Another merchant cannot use it either.
      const again = await created(request(viewsHandler, "POST /v1/views", m.secret, { body: { object: "invoices", name: "Drafts", filters: { status: "draft" } } }));
      expect((await invoices("GET /v1/invoices", shop.secret, { query: { view: again.id } })).status).toBe(400);
    });
  });

  describe("events, PDF and hosted page", () => {
    let paid: { id: string; number: string; total: number };
    let m: Merchant;
    let rates: { salesTax: string; vat: string };

    beforeAll(async () => {
      m = await newMerchant("Evented Shop");
      rates = {
        salesTax: (await newTaxRate(m, { name: "Sales tax", percentage: 8.875, inclusive: false })).id,
        vat: (await newTaxRate(m, { name: "VAT", percentage: 20, inclusive: true })).id,
      };
      const c = await newCustomer(m, { email: "events@customer.test", name: "Eve Events" });
      const draft = await newInvoice(m, { customerId: c.id, currency: "USD", lineItems: [{ description: "Evented", unitAmount: 4_200 }] });
      await finalize(m, draft.id);
      await created(act(m, draft.id, "send"), 200);
      await created(pay(m, draft.id, 1_200), 201);
      paid = await created(pay(m, draft.id, 3_000), 201);
    });

    it("emits an outbox event for every transition, in order, on GET /v1/events", async () => {
      const feed = await request(eventsHandler, "GET /v1/events", m.secret, { query: { limit: "100" } });
      expect(feed.status).toBe(200);
      const related = (feed.body.data as { type: string; objectId?: string; data: { invoiceId?: string } }[])
        .filter((e) => e.objectId === paid.id || e.data.invoiceId === paid.id)
        .reverse();
      expect(related.map((e) => e.type)).toEqual([
        "invoice.created",
        "invoice.finalized",
        "invoice.sent",
        "payment.recorded",
        "payment.recorded",
        "invoice.paid",
      ]);
      const byType = await request(eventsHandler, "GET /v1/events", m.secret, { query: { type: "invoice.paid" } });
      expect(byType.body.data).toEqual([expect.objectContaining({ type: "invoice.paid", objectId: paid.id, data: { object: expect.objectContaining({ id: paid.id, status: "paid" }), invoice: expect.objectContaining({ status: "paid", number: "INV-0001" }) } })]);
      const invoiceSequences = (feed.body.data as { objectId?: string; sequence?: number }[])
        .filter((e) => e.objectId === paid.id)
        .map((e) => e.sequence)
        .reverse();
      expect(invoiceSequences).toHaveLength(4);
      expect(invoiceSequences).toEqual([...invoiceSequences].sort((x, y) => Number(x) - Number(y)));
      expect(new Set(invoiceSequences).size).toBe(4);

      const c = await newCustomer(m, { email: "ends@customer.test" });
      const line = [{ description: "End", unitAmount: 100 }];
      const v = await finalize(m, (await newInvoice(m, { customerId: c.id, currency: "USD", lineItems: line })).id);
      await created(act(m, v.id, "void"), 200);
      const u = await finalize(m, (await newInvoice(m, { customerId: c.id, currency: "USD", lineItems: line })).id);
      await created(act(m, u.id, "mark-uncollectible"), 200);
      const typesOf = async (objectId: string) =>
        ((await request(eventsHandler, "GET /v1/events", m.secret, { query: { objectId } })).body.data as { type: string }[]).map((e) => e.type).reverse();
      expect(await typesOf(v.id)).toEqual(["invoice.created", "invoice.finalized", "invoice.voided"]);
      expect(await typesOf(u.id)).toEqual(["invoice.created", "invoice.finalized", "invoice.marked_uncollectible"]);
    });

    it("emits invoice.overdue exactly once when the overdue timer fires", async () => {
      const c = await newCustomer(m, { email: "late@customer.test" });
      const late = await finalize(m, (await newInvoice(m, { customerId: c.id, currency: "USD", lineItems: [{ description: "Late", unitAmount: 100 }] })).id);
      const sample = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json");
      const timer = { ...sample.Records[0], body: JSON.stringify({ kind: "invoice.overdue", merchantId: m.id, invoiceId: late.id }) } as SQSEvent["Records"][number];
      expect(await billingHandler({ Records: [timer] })).toEqual({ batchItemFailures: [] });
      expect(await billingHandler({ Records: [timer] })).toEqual({ batchItemFailures: [] });
      const overdue = await request(eventsHandler, "GET /v1/events", m.secret, { query: { type: "invoice.overdue" } });
      expect(overdue.body.data).toEqual([expect.objectContaining({ type: "invoice.overdue", objectId: late.id })]);
      // Marking it overdue moves no version: the notice repeats the version of the invoice's last change.
      const [notice, before] = (await request(eventsHandler, "GET /v1/events", m.secret, { query: { objectId: late.id } })).body.data;
      expect([notice.type, notice.sequence]).toEqual(["invoice.overdue", before.sequence]);
    });

    it("serves a PDF showing the API's number, customer, total and amount due", async () => {
      const c = await newCustomer(m, { email: "pdf@customer.test", name: "Pat Printer" });
      const draft = await newInvoice(m, realisticDraft(c.id, rates));
      const open = await finalize(m, draft.id);
      const after = await created(pay(m, draft.id, 8_305), 201);
      const r = await invoices("GET /v1/invoices/{id}/pdf", m.secret, { id: draft.id });
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toBe("application/pdf");
      expect(r.headers["content-disposition"]).toBe(`inline; filename="${after.number}.pdf"`);
      const bytes = Buffer.from(r.raw, "base64");
      expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      const text = await pdfText(bytes);
      expect(after.number).toBe(open.number);
      expect(after.number).toMatch(/^INV-\d{4}$/);
      expect(text).toContain(after.number);
      expect(text).toContain("Pat Printer");
      expect(after.total).toBe(38_305);
      expect(after.amountRemaining).toBe(30_000);
      expect(text).toContain(formatMoney(after.total, "USD"));
      expect(text).toContain(formatMoney(after.amountRemaining, "USD"));
      expect(text).toContain("$383.05");
      expect(text).toContain("$300.00");

      // The hosted page shows the same amount due.
      const token = new URL(after.hostedUrl).pathname.split("/").at(-1) as string;
      const page = await call(hostedHandler as Handler, "GET /i/{token}", { pathParameters: { token } });
      expect(page.raw).toContain(formatMoney(after.amountRemaining, "USD"));
      expect(page.raw).toContain("Pat Printer");
    });

    it("serves the hosted page publicly at hostedUrl, with a CSP and escaped output; unknown tokens are 404", async () => {
      const c = await newCustomer(m, { email: "xss@customer.test", name: '<script>alert("x")</script> & Sons' });
      const invoice = await finalize(m, (await newInvoice(m, { customerId: c.id, currency: "USD", memo: "<img src=x onerror=alert(1)>", lineItems: [{ description: "<b>bold</b>", unitAmount: 1_234 }] })).id);
      const hostedUrl = new URL(invoice.hostedUrl);
      const token = hostedUrl.pathname.split("/").at(-1) as string;
      expect(hostedUrl.pathname).toBe(`/i/${token}`);
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);

      const page = await call(hostedHandler as Handler, "GET /i/{token}", { pathParameters: { token } });
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(page.headers["content-security-policy"]).toMatch(/default-src 'none'/);
      expect(page.headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
      const html = page.raw;
      expect(html).toContain(invoice.number);
      expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons");
      expect(html).not.toContain("<script");
      expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
      expect(html).not.toContain("<img src=x");
      expect(html).toContain("&lt;b&gt;bold&lt;/b&gt;");
      expect(html).toContain(formatMoney(1_234, "USD"));

      const pdf = await call(hostedHandler as Handler, "GET /i/{token}/pdf", { pathParameters: { token } });
      expect(pdf.status).toBe(200);
      expect(pdf.headers["content-type"]).toBe("application/pdf");
      expect(await pdfText(Buffer.from(pdf.raw, "base64"))).toContain(invoice.number);

      const unknown = await call(hostedHandler as Handler, "GET /i/{token}", { pathParameters: { token: "A".repeat(32) } });
      expect(unknown.status).toBe(404);
      const malformed = await call(hostedHandler as Handler, "GET /i/{token}", { pathParameters: { token: "short" } });
      expect([400, 404]).toContain(malformed.status);
    });
  });

  describe("hosted links come from the deployment's configuration, never from a request", () => {
    afterEach(() => vi.unstubAllEnvs());
    const tokenOf = (url: string) => new URL(url).pathname.split("/").at(-1) as string;

    it("an invoice finalized with no HTTP request at all (as a schedule would, on the ports the billing consumer gets) links to the configured base", async () => {
      vi.stubEnv("PUBLIC_BASE_URL", "https://billing.example.test/");
      const draft = await newInvoice(shop, { customerId: customer.id, currency: "USD", lineItems: [{ description: "Scheduled", unitAmount: 2_500 }] });
      const open = await finalizeInvoice(invoicePorts(clockFor({ merchantId: shop.id })), shop.id, draft.id);
      expect(open.hostedUrl).toBe(`https://billing.example.test/i/${tokenOf(open.hostedUrl as string)}`);
      expect((await getInvoice(shop, draft.id)).hostedUrl).toBe(open.hostedUrl);
      // The link works: its token opens the buyer's page.
      const page = await call(hostedHandler as Handler, "GET /i/{token}", { pathParameters: { token: tokenOf(open.hostedUrl as string) } });
      expect(page.status).toBe(200);
    });

    it("a finalize request with a forged Host and X-Forwarded-Proto still links to the configured base", async () => {
      const draft = await newInvoice(shop, { customerId: customer.id, currency: "USD", lineItems: [{ description: "Forged", unitAmount: 1_500 }] });
      const result = await call(invoicesHandler as Handler, "POST /v1/invoices/{id}/finalize", {
        token: shop.secret,
        pathParameters: { id: draft.id },
        headers: { host: "phish.example", "x-forwarded-proto": "http" },
      });
      expect(result.status).toBe(200);
      expect(result.body.hostedUrl).toBe(`${testPublicBaseUrl}/i/${tokenOf(result.body.hostedUrl)}`);
      expect(result.raw).not.toContain("phish.example");
    });

    it("without a configured base, finalize fails and leaves the draft as it was rather than link to the request's Host", async () => {
      const draft = await newInvoice(shop, { customerId: customer.id, currency: "USD", lineItems: [{ description: "Unconfigured", unitAmount: 1_000 }] });
      vi.stubEnv("PUBLIC_BASE_URL", undefined);
      const result = await call(invoicesHandler as Handler, "POST /v1/invoices/{id}/finalize", {
        token: shop.secret,
        pathParameters: { id: draft.id },
        headers: { host: "phish.example" },
      });
      expect(result.status).toBe(500);
      expect(result.raw).not.toContain("phish.example");
      vi.unstubAllEnvs();
      const after = await getInvoice(shop, draft.id);
      expect(after.status).toBe("draft");
      expect(after.hostedUrl).toBeUndefined();
    });
  });
});
