/**
 * The dashboard's invoice and payment pages against DynamoDB Local, with data made through the API's
 * handlers and every change read back through them: a member finalizes, sends and records a manual
 * payment from the invoice page and the API shows the invoice paid with that payment; an admin
 * refunds part of it (a double submit of the same form refunds once); a refusal by state is the API's
 * own 409; a viewer's page has no write control; another merchant's id is a 404.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as subscriptionsHandler } from "../../functions/api/subscriptions.ts";
import { NotFoundError, StateConflictError, ValidationError } from "../../shared/domain/errors.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { useTestAws } from "../helpers/aws.ts";
import { openPage, pageBody, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";

let shop: TestMerchant;

const api = (handler: unknown, routeKey: string, options: Parameters<typeof merchantCall>[3] = {}, m = shop) =>
  expectStatus(merchantCall(handler, routeKey, m.secret, options), routeKey.startsWith("POST") ? 201 : 200);

async function draftInvoice(m: TestMerchant = shop): Promise<string> {
  const customer = await api(customersHandler, "POST /v1/customers", {
    body: { email: `buyer-${randomUUID().slice(0, 8)}@dash.test`, name: "Dana Buyer" },
  }, m);
  const invoice = await api(invoicesHandler, "POST /v1/invoices", {
    body: {
      customerId: customer.id,
      currency: "USD",
      lineItems: [{ description: "Espresso beans", quantity: 2, unitAmount: 1250 }],
    },
  }, m);
  return invoice.id;
}

const post = (role: Parameters<typeof signedIn>[1], url: string, form: Record<string, string> = {}) =>
  openPage(signedIn(shop, role), url, { form: { csrf: testCsrfToken, ...form } });

/** The `once` value of the form posting to `action` on a page. */
const onceOf = (page: string, action: string) =>
  new RegExp(`action="${action}"[^]*?name="once" value="([^"]+)"`).exec(page)?.[1] ?? "";

beforeAll(async () => {
  await useTestAws([]);
  shop = await newMerchant("Dash Beans");
});

describe("the invoice page", () => {
  it("a member finalizes, sends and records a manual payment; the API then shows it paid with the payment", async () => {
    const id = await draftInvoice();
    const member = signedIn(shop, "member");
    const draft = await pageBody(openPage(member, `/app/invoices/${id}`));
    expect(draft).toContain("Draft invoice");
    expect(draft).toContain("Espresso beans");
    expect(draft).toContain("$25.00");
    expect(draft).toContain(`action="/app/invoices/${id}/finalize"`);
    expect(draft).not.toContain(`action="/app/invoices/${id}/send"`);
    expect(draft).not.toContain(`action="/app/invoices/${id}/record-payment"`);

    expect(await post("member", `/app/invoices/${id}/finalize`)).toEqual({
      kind: "redirect",
      location: `/app/invoices/${id}`,
      notice: expect.stringMatching(/^Invoice INV-\d+ finalized$/),
    });
    expect(await post("member", `/app/invoices/${id}/send`)).toMatchObject({
      notice: expect.stringMatching(/^Invoice sent to buyer-/),
    });
    const open = await pageBody(openPage(member, `/app/invoices/${id}`));
    expect(open).toMatch(/Invoice INV-\d+/);
    expect(open).toContain(`action="/app/invoices/${id}/void"`);
    expect(open).not.toContain(`action="/app/invoices/${id}/finalize"`);
    for (const title of ["Invoice sent", "Invoice finalized", "Invoice created"]) expect(open).toContain(title);
    // Newest first.
    expect(open.indexOf("Invoice sent")).toBeLessThan(open.indexOf("Invoice created"));

    const once = onceOf(open, `/app/invoices/${id}/record-payment`);
    expect(once).not.toBe("");
    const form = { amount: "25", method: "bank_transfer", paidAt: "", reference: "TR-7", once };
    expect(await post("member", `/app/invoices/${id}/record-payment`, form)).toEqual({
      kind: "redirect",
      location: `/app/invoices/${id}`,
      notice: "Payment of $25.00 recorded: the invoice is paid",
    });

    // The same form sent again (a double click, a resent POST) records nothing more.
    expect(await post("member", `/app/invoices/${id}/record-payment`, form)).toMatchObject({
      notice: "Payment of $25.00 recorded: the invoice is paid",
    });
    const invoice = await api(invoicesHandler, "GET /v1/invoices/{id}", { id });
    expect(invoice).toMatchObject({ status: "paid", amountPaid: 2500, amountRemaining: 0 });
    const payments = await api(paymentsHandler, "GET /v1/payments", { query: { invoiceId: id } });
    expect(payments.data).toEqual([
      expect.objectContaining({
        amount: 2500,
        status: "succeeded",
        method: { type: "bank_transfer", reference: "TR-7" },
      }),
    ]);
    const paid = await pageBody(openPage(member, `/app/invoices/${id}`));
    expect(paid).toContain(`href="/app/payments/${payments.data[0].id}"`);
    expect(paid).toContain("Invoice paid");
    expect(paid).not.toContain(`action="/app/invoices/${id}/record-payment"`);
  });

  it("reads the amount exactly in major units and refuses a third decimal, naming the field", async () => {
    const id = await draftInvoice();
    await post("member", `/app/invoices/${id}/finalize`);
    const form = { amount: "10.005", method: "cash", once: randomUUID() };
    const refused = post("member", `/app/invoices/${id}/record-payment`, form);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ errors: [{ path: "amount" }] });
    await expect(
      post("member", `/app/invoices/${id}/record-payment`, { ...form, amount: "10", method: "barter" }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ path: "method" })] });
    await post("member", `/app/invoices/${id}/record-payment`, { ...form, amount: "10.05" });
    expect(await api(invoicesHandler, "GET /v1/invoices/{id}", { id })).toMatchObject({
      status: "open",
      amountPaid: 1005,
    });
  });

  it("a refusal by state is the API's own 409 (void a paid invoice)", async () => {
    const id = await draftInvoice();
    await post("member", `/app/invoices/${id}/finalize`);
    await post("member", `/app/invoices/${id}/record-payment`, { amount: "25.00", method: "cash", once: randomUUID() });
    const viaApi = await merchantCall(invoicesHandler, "POST /v1/invoices/{id}/void", shop.secret, { id });
    expect(viaApi.status).toBe(409);
    const refused = post("member", `/app/invoices/${id}/void`);
    await expect(refused).rejects.toBeInstanceOf(StateConflictError);
    await expect(refused).rejects.toThrow(viaApi.body.detail);
  });

  it("downloads the PDF the API serves", async () => {
    const id = await draftInvoice();
    await post("member", `/app/invoices/${id}/finalize`);
    const file = await openPage(signedIn(shop, "viewer"), `/app/invoices/${id}/pdf`);
    expect(file).toMatchObject({ kind: "file", contentType: "application/pdf", filename: expect.stringMatching(/^INV-\d+\.pdf$/) });
    expect(file.kind === "file" && Buffer.from(file.body).subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("shows a viewer no write control", async () => {
    const id = await draftInvoice();
    const page = await pageBody(openPage(signedIn(shop, "viewer"), `/app/invoices/${id}`));
    expect(page).toContain("Espresso beans");
    expect(page).not.toContain('method="post"');
  });

  it("is a 404 for another merchant's invoice", async () => {
    const theirs = await draftInvoice(await newMerchant("Other Beans"));
    await expect(openPage(signedIn(shop, "owner"), `/app/invoices/${theirs}`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(post("owner", `/app/invoices/${theirs}/finalize`)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("the payment page", () => {
  async function paidManually(): Promise<string> {
    const id = await draftInvoice();
    await post("member", `/app/invoices/${id}/finalize`);
    await post("member", `/app/invoices/${id}/record-payment`, { amount: "25.00", method: "check", reference: "CHK 12", once: randomUUID() });
    return (await api(paymentsHandler, "GET /v1/payments", { query: { invoiceId: id } })).data[0].id;
  }

  it("an admin refunds part of a payment once, however often the form is sent; the API shows the refund", async () => {
    const id = await paidManually();
    const page = await pageBody(openPage(signedIn(shop, "admin"), `/app/payments/${id}`));
    expect(page).toContain("Payment of $25.00");
    expect(page).toContain("check · CHK 12");
    expect(page).toMatch(/href="\/app\/invoices\/inv_[^"]+">INV-\d+</);
    expect(page).toMatch(/href="\/app\/customers\/cus_[^"]+">Dana Buyer</);
    const once = onceOf(page, `/app/payments/${id}/refund`);
    const form = { amount: "4.00", reason: "requested_by_customer", once };
    const [first, second] = await Promise.all([
      post("admin", `/app/payments/${id}/refund`, form),
      post("admin", `/app/payments/${id}/refund`, form),
    ]);
    expect(first).toEqual({ kind: "redirect", location: `/app/payments/${id}`, notice: "Refunded $4.00" });
    expect(second).toEqual(first);
    expect(await post("admin", `/app/payments/${id}/refund`, form)).toEqual(first);

    const refunds = await api(paymentsHandler, "GET /v1/refunds", { query: { paymentId: id } });
    expect(refunds.data).toEqual([
      expect.objectContaining({ amount: 400, status: "succeeded", reason: "requested_by_customer" }),
    ]);
    expect(await api(paymentsHandler, "GET /v1/payments/{id}", { id })).toMatchObject({
      status: "partially_refunded",
      amountRefunded: 400,
    });
    const after = await pageBody(openPage(signedIn(shop, "admin"), `/app/payments/${id}`));
    expect(after).toContain(refunds.data[0].id);
    expect(after).toContain("Refund created");
    // A new form: the rest of it can be refunded (blank amount: all that remains).
    const rest = onceOf(after, `/app/payments/${id}/refund`);
    expect(rest).not.toBe(once);
    expect(await post("admin", `/app/payments/${id}/refund`, { amount: "", reason: "", once: rest })).toMatchObject({
      notice: "Refunded $21.00",
    });
    expect(await pageBody(openPage(signedIn(shop, "admin"), `/app/payments/${id}`))).not.toContain(
      `action="/app/payments/${id}/refund"`,
    );
  });

  it("a refused refund (too much, a third decimal) names the amount and leaves the form usable", async () => {
    const id = await paidManually();
    const once = randomUUID();
    for (const amount of ["25.01", "1.234"])
      await expect(post("admin", `/app/payments/${id}/refund`, { amount, reason: "", once })).rejects.toMatchObject({
        name: "ValidationError",
        errors: [expect.objectContaining({ path: "amount" })],
      });
    expect(await post("admin", `/app/payments/${id}/refund`, { amount: "25", reason: "", once })).toMatchObject({
      notice: "Refunded $25.00",
    });
    expect(await api(paymentsHandler, "GET /v1/payments/{id}", { id })).toMatchObject({ status: "refunded" });
  });

  it("shows the refund form only to a role with money, and the receipt to all", async () => {
    const id = await paidManually();
    for (const role of ["member", "viewer"] as const) {
      const page = await pageBody(openPage(signedIn(shop, role), `/app/payments/${id}`));
      expect(page).not.toContain('method="post"');
      expect(page).toContain(`/app/payments/${id}/receipt-pdf`);
    }
    const file = await openPage(signedIn(shop, "viewer"), `/app/payments/${id}/receipt-pdf`);
    expect(file).toMatchObject({ kind: "file", contentType: "application/pdf", filename: `receipt-${id}.pdf` });
  });

  it("is a 404 for another merchant's payment", async () => {
    const mine = await paidManually();
    const other = await newMerchant("Other Payments");
    await expect(openPage(signedIn(other, "owner"), `/app/payments/${mine}`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      openPage(signedIn(other, "owner"), `/app/payments/${mine}/refund`, { form: { csrf: testCsrfToken, once: randomUUID() } }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("the subscription page", () => {
  async function subscription(m: TestMerchant = shop): Promise<string> {
    const customer = await api(customersHandler, "POST /v1/customers", {
      body: { email: `sub-${randomUUID().slice(0, 8)}@dash.test` },
    }, m);
    const created = await api(subscriptionsHandler, "POST /v1/subscriptions", {
      body: {
        customerId: customer.id,
        items: [{ description: "Beans of the month", unitAmount: 1900 }],
        currency: "USD",
        interval: "month",
        collectionMethod: "send_invoice",
      },
    }, m);
    return created.id;
  }
  const read = (id: string) => api(subscriptionsHandler, "GET /v1/subscriptions/{id}", { id });

  it("a member pauses, resumes and cancels through the API's use cases; the buttons follow the state", async () => {
    const id = await subscription();
    const path = `/app/subscriptions/${id}`;
    const page = await pageBody(openPage(signedIn(shop, "member"), path));
    expect(page).toContain("Beans of the month");
    expect(page).toContain("$19.00");
    expect(page).toContain("Subscription created");
    expect(page).toMatch(/href="\/app\/invoices\/inv_[^"]+">INV-/);
    expect(page).toContain(`action="${path}/pause"`);
    expect(page).toContain("Cancel at period end");
    expect(page).toContain("Cancel now");
    expect(page).not.toContain(`action="${path}/resume"`);

    expect(await post("member", `${path}/pause`, { resumesAt: "" })).toMatchObject({ kind: "redirect", location: path });
    const pausing = await read(id);
    expect(pausing.pauseAt).toBe(pausing.currentPeriodEnd);
    const paused = await pageBody(openPage(signedIn(shop, "member"), path));
    expect(paused).toContain("Call off the pause");
    expect(paused).not.toContain(`action="${path}/pause"`);

    await post("member", `${path}/resume`);
    expect(await read(id)).toMatchObject({ status: "active", pauseAt: null });

    await post("member", `${path}/cancel`, { atPeriodEnd: "true" });
    expect(await read(id)).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    const ending = await pageBody(openPage(signedIn(shop, "member"), path));
    expect(ending).not.toContain("Cancel at period end");
    expect(ending).not.toContain(`action="${path}/pause"`);

    expect(await post("member", `${path}/cancel`, { atPeriodEnd: "false" })).toMatchObject({ notice: "Subscription canceled" });
    expect(await read(id)).toMatchObject({ status: "canceled" });
    expect(await pageBody(openPage(signedIn(shop, "member"), path))).not.toContain('method="post"');
    await expect(post("member", `${path}/cancel`, { atPeriodEnd: "false" })).rejects.toBeInstanceOf(StateConflictError);
  });

  it("refuses a pause date before the pause begins, naming the field, and shows a viewer no control", async () => {
    const id = await subscription();
    await expect(post("member", `/app/subscriptions/${id}/pause`, { resumesAt: "2001-01-01" })).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: "resumesAt" })],
    });
    await expect(post("member", `/app/subscriptions/${id}/pause`, { resumesAt: "soon" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await pageBody(openPage(signedIn(shop, "viewer"), `/app/subscriptions/${id}`))).not.toContain('method="post"');
  });

  it("is a 404 for another merchant's subscription", async () => {
    const theirs = await subscription(await newMerchant("Other Subs"));
    await expect(openPage(signedIn(shop), `/app/subscriptions/${theirs}`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(post("owner", `/app/subscriptions/${theirs}/cancel`)).rejects.toBeInstanceOf(NotFoundError);
  });
});
