/**
 * The emails of a completed checkout (issue 13 §3) against DynamoDB Local and the SES stand-in: a
 * buyer pays a payment link's checkout page, and `checkout.completed` — delivered twice, as SQS may —
 * sends the buyer one order confirmation and the merchant one notice carrying the custom fields'
 * answers.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as sessionsApi } from "../../functions/api/checkout-sessions.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as links } from "../../functions/api/payment-links.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { queuesFor } from "../../shared/outbox/routing.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { formTokenIn, page, post } from "../helpers/checkout.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";

let aws: TestAws;
let shop: TestMerchant;

const sampleRecord = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!;
const record = (body: string): SQSRecord => ({ ...sampleRecord, messageId: randomUUID(), body });

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", "notifications"]);
  shop = await newMerchant("Order Mail Shop");
});

describe("the emails of a completed checkout", () => {
  it("are routed to the notifications queue", () => {
    expect(queuesFor("checkout.completed")).toContain("notifications");
  });

  it("one checkout.completed delivered twice sends the buyer one confirmation and the merchant one notice with the custom fields' answers", async () => {
    const beans = (
      await expectStatus(
        merchantCall(products, "POST /v1/products", shop.secret, {
          body: { name: "Beans", unitAmount: 1299, currency: "USD" },
        }),
        201,
      )
    ).id as string;
    const link = await expectStatus(
      merchantCall(links, "POST /v1/payment-links", shop.secret, {
        body: {
          name: "Beans by mail",
          lineItems: [{ productId: beans, quantity: 1, adjustableQuantity: { min: 1, max: 5 } }],
          collectPhone: true,
          customFields: [
            { key: "grind", label: "Grind", type: "dropdown", options: ["Whole", "Fine"] },
            { key: "note", label: "Delivery note", type: "text", optional: true },
          ],
        },
      }),
      201,
    );
    const slug = String(link.url).slice(`${testPublicBaseUrl}/l/`.length);
    const email = `buyer-${randomUUID()}@orders.test`;
    const started = await post(slug, {
      formToken: formTokenIn((await page(slug)).raw),
      "quantity.0": "2",
      email,
      name: "Olga Order",
      phone: "+47 22 33 44 55",
      "custom.grind": "Fine",
      "custom.note": "Leave at the door",
    });
    const sessionId = /[?&]session=(cs_[0-9A-Z]{26})$/.exec(started.headers.location ?? "")?.[1] ?? "";
    const paid = await post(slug, {
      formToken: formTokenIn((await page(slug, { session: sessionId })).raw),
      session: sessionId,
      card: "4242424242424242",
    });
    expect(paid.status, paid.raw).toBe(303);
    const session = await expectStatus(
      merchantCall(sessionsApi, "GET /v1/checkout-sessions/{id}", shop.secret, { id: sessionId }),
    );
    const invoice = await expectStatus(
      merchantCall(invoices, "GET /v1/invoices/{id}", shop.secret, { id: session.invoiceId }),
    );
    const [completed, ...others] = (await aws.scanAll()).filter(
      (i) => i.type === "event" && i.eventType === "checkout.completed" && i.objectId === sessionId,
    );
    expect(others).toEqual([]);

    const message = JSON.stringify(eventFromItem(completed!));
    for (let i = 0; i < 2; i++)
      expect(await notificationsHandler({ Records: [record(message)] })).toEqual({ batchItemFailures: [] });

    const toBuyer = await aws.mailTo(email);
    expect(toBuyer.map((m) => m.subject)).toEqual([
      "[TEST MODE] Your order from Order Mail Shop: $25.98 paid",
    ]);
    expect(toBuyer[0]!.body.text).toContain("Beans × 2: $25.98.\nTotal paid: $25.98.");
    expect(toBuyer[0]!.body.text).toContain(`Invoice number: ${invoice.number}.`);
    const toMerchant = (await aws.mailTo(shop.email)).filter((m) => m.subject.includes("New order"));
    expect(toMerchant.map((m) => m.subject)).toEqual(["[TEST MODE] New order: Olga Order, $25.98"]);
    expect(toMerchant[0]!.body.text).toContain(
      `Olga Order (${email}) bought through payment link "Beans by mail" (${link.id}). Checkout ${sessionId}, invoice ${invoice.number}:`,
    );
    expect(toMerchant[0]!.body.text).toContain(
      "Phone: +47 22 33 44 55.\nCustom fields:\nGrind: Fine\nDelivery note: Leave at the door",
    );
  });
});
