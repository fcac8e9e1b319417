import { describe, expect, it } from "vitest";
import type { Invoice } from "../../shared/invoices/invoice.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { checkoutCompleted } from "../../shared/notifications/checkout-completed.ts";
import type { NotificationPorts } from "../../shared/notifications/ports.ts";
import type { CheckoutSession } from "../../shared/payment-links/checkout-session.ts";
import type { PaymentLink } from "../../shared/payment-links/payment-link.ts";

const merchant = {
  id: "mer_1",
  name: "Fjord Coffee",
  email: "owner@fjord.test",
  supportEmail: "help@fjord.test",
  timeZone: "Europe/Oslo",
  processor: "stripe",
  stripeLivemode: true,
  branding: { brandColor: "#0f766e", footerText: "Fjord Coffee AS, Oslo" },
} as Merchant;
const link = {
  id: "plink_1",
  name: "Breakfast box",
  customFields: [
    { key: "grind", label: "Grind", type: "dropdown", options: ["Whole", "Fine"], optional: false },
    { key: "gift", label: "Gift message", type: "text", optional: true },
    { key: "floor", label: "Floor", type: "numeric", optional: true },
  ],
} as PaymentLink;
const invoice = {
  id: "inv_1",
  number: "FJORD-0042",
  hostedUrl: "https://pay.kassa.test/i/tok_1",
} as Invoice;
// 3 × 12.99 + 8.00 = 46.97; 10 % tax line by line: 3.90 + 0.80 = 4.70; total 51.67.
const session = {
  id: "cs_1",
  paymentLinkId: "plink_1",
  status: "complete",
  currency: "USD",
  lineItems: [
    {
      productId: "prod_beans",
      description: "Beans",
      quantity: 3,
      unitAmount: 1299,
      amountSubtotal: 3897,
      amountDiscount: 0,
      amountTax: 390,
      amountTotal: 4287,
    },
    {
      productId: "prod_mug",
      description: "Mug",
      quantity: 1,
      unitAmount: 800,
      amountSubtotal: 800,
      amountDiscount: 0,
      amountTax: 80,
      amountTotal: 880,
    },
  ],
  subtotal: 4697,
  discountTotal: 0,
  taxTotal: 470,
  total: 5167,
  amountDueNow: 5167,
  taxRateIds: ["txr_1"],
  email: "ada@buyer.test",
  name: "Ada Buyer",
  phone: "+47 22 33 44 55",
  billingAddress: {
    line1: "Storgata 1",
    line2: "3rd floor",
    city: "Oslo",
    postalCode: "0155",
    country: "NO",
  },
  shippingAddress: { line1: "Havnegata 9", city: "Bergen", postalCode: "5003", country: "NO" },
  customFields: { grind: "Fine", floor: "3" },
  expiresAt: "2026-03-01T12:30:00.000Z",
  customerId: "cus_1",
  invoiceId: "inv_1",
  paymentId: "pay_1",
  createdAt: "2026-03-01T12:00:00.000Z",
  updatedAt: "2026-03-01T12:05:00.000Z",
} as CheckoutSession;

const ports = (
  known: { merchant?: Merchant; link?: PaymentLink; invoice?: Invoice } = { merchant, link, invoice },
) =>
  ({
    merchant: async (id: string) => (id === "mer_1" ? known.merchant : undefined),
    invoice: async (merchantId: string, id: string) =>
      merchantId === "mer_1" && id === "inv_1" ? known.invoice : undefined,
    paymentLink: async (merchantId: string, id: string) =>
      merchantId === "mer_1" && id === "plink_1" ? known.link : undefined,
  }) as unknown as NotificationPorts;
const render = (data: CheckoutSession, p = ports()) =>
  checkoutCompleted.render(
    {
      id: "evt_1",
      type: "checkout.completed",
      merchantId: "mer_1",
      objectId: data.id,
      data: { checkoutSession: data },
    },
    p,
  );

describe("the emails of a completed checkout", () => {
  it("confirms the order to the buyer: items, quantities, amounts, total, the invoice number and its page, in the merchant's branding", async () => {
    const [buyer] = await render(session);

    expect(buyer?.to).toEqual({ email: "ada@buyer.test", name: "Ada Buyer" });
    expect(buyer?.subject).toBe("Your order from Fjord Coffee: $51.67 paid");
    expect(buyer?.text).toBe(
      [
        "Your order from Fjord Coffee: $51.67 paid",
        "",
        "Thank you for your order from Fjord Coffee. You bought:",
        "Beans × 3: $38.97.",
        "Mug: $8.00.",
        "Subtotal: $46.97.",
        "Tax: $4.70.",
        "Total paid: $51.67.",
        "Invoice number: FJORD-0042.",
        "Your invoice and receipt: https://pay.kassa.test/i/tok_1",
        "Questions? Contact Fjord Coffee at help@fjord.test.",
        "",
        "Fjord Coffee AS, Oslo",
      ].join("\n"),
    );
    expect(buyer?.html).toContain("background:#0f766e");
  });

  it("shows a discount code's discount between the subtotal and the tax", async () => {
    // 46.97 − 7.05 (SPRING15, 15 %) = 39.92; tax 3.99; total 43.91.
    const [buyer] = await render({
      ...session,
      discountCode: "SPRING15",
      discountTotal: 705,
      taxTotal: 399,
      total: 4391,
    });

    expect(buyer?.text).toContain(
      ["Subtotal: $46.97.", "Discount (SPRING15): −$7.05.", "Tax: $3.99.", "Total paid: $43.91."].join("\n"),
    );
  });

  it("tells the merchant who bought what for how much, with every custom field's label and answer", async () => {
    const [, notice, ...more] = await render(session);

    expect(more).toEqual([]);
    expect(notice?.to.email).toBe("owner@fjord.test");
    expect(notice?.subject).toBe("New order: Ada Buyer, $51.67");
    expect(notice?.text).toBe(
      [
        "New order: Ada Buyer, $51.67",
        "",
        'Ada Buyer (ada@buyer.test) bought through payment link "Breakfast box" (plink_1). Checkout cs_1, invoice FJORD-0042:',
        "Beans × 3: $38.97.",
        "Mug: $8.00.",
        "Subtotal: $46.97.",
        "Tax: $4.70.",
        "Total paid: $51.67.",
        "Email: ada@buyer.test.",
        "Name: Ada Buyer.",
        "Phone: +47 22 33 44 55.",
        "Billing address: Storgata 1, 3rd floor, 0155 Oslo, NO.",
        "Shipping address: Havnegata 9, 5003 Bergen, NO.",
        "Custom fields:",
        "Grind: Fine",
        "Gift message: (not answered)",
        "Floor: 3",
      ].join("\n"),
    );
    // Kassa's own look: the merchant's branding is for its buyers.
    expect(notice?.html).not.toContain("#0f766e");
  });

  it("says only what the link collected, and keeps an answer whose field was removed from the link since, under its key", async () => {
    const { name: _n, phone: _p, billingAddress: _b, shippingAddress: _s, ...bare } = session;
    const plain = {
      ...bare,
      taxTotal: 0,
      total: 4697,
      amountDueNow: 4697,
      customFields: { grind: "Whole", colour: "Red" },
    } as CheckoutSession;

    const [buyer, notice] = await render(plain);

    expect(buyer?.to).toEqual({ email: "ada@buyer.test" });
    expect(buyer?.text).not.toContain("Subtotal");
    expect(buyer?.text).toContain("Mug: $8.00.\nTotal paid: $46.97.\nInvoice number: FJORD-0042.");
    expect(notice?.subject).toBe("New order: ada@buyer.test, $46.97");
    expect(notice?.text).toContain(
      "Email: ada@buyer.test.\nCustom fields:\nGrind: Whole\nGift message: (not answered)\nFloor: (not answered)\ncolour: Red",
    );
    expect(notice?.text).not.toMatch(/Name:|Phone:|address:/);
  });

  it("marks both mails TEST MODE while the merchant is in the sandbox", async () => {
    const sandbox = { ...merchant, processor: "sandbox" } as Merchant;
    const mails = await render(session, ports({ merchant: sandbox, link, invoice }));

    expect(mails.map((m) => m.subject)).toEqual([
      "[TEST MODE] Your order from Fjord Coffee: $51.67 paid",
      "[TEST MODE] New order: Ada Buyer, $51.67",
    ]);
    for (const mail of mails)
      expect(mail.text).toContain("TEST MODE: this is about test money in the sandbox.");
  });

  it("leaves out the invoice's page when it presents none", async () => {
    const [buyer] = await render(
      session,
      ports({ merchant, link, invoice: { ...invoice, hostedUrl: undefined } as Invoice }),
    );

    expect(buyer?.text).toContain("Invoice number: FJORD-0042.\nQuestions?");
  });

  it("fails, to be retried, when the merchant cannot be read", async () => {
    await expect(render(session, ports({ link, invoice }))).rejects.toThrow(/merchant/);
  });
});
