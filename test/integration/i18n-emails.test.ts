/**
 * Languages in mail, against DynamoDB Local and the SES stand-in (issue 18): a buyer reading nb-NO —
 * by their customer record, or by their choice on the checkout page — pays an en-US merchant's
 * payment link; their order confirmation and receipt are Norwegian, while the merchant's notices of
 * the same order and payment are English.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as sessionsApi } from "../../functions/api/checkout-sessions.ts";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as links } from "../../functions/api/payment-links.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { formTokenIn, page, post } from "../helpers/checkout.ts";
import { sampleEvent } from "../helpers/events.ts";

let aws: TestAws;
let shop: TestMerchant;

const sampleRecord = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!;
const record = (body: string): SQSRecord => ({ ...sampleRecord, messageId: randomUUID(), body });

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", "notifications"]);
  shop = await newMerchant("Fjord Kaffe AS");
});

describe("mail in the reader's language", () => {
  it.each([
    ["whose customer record reads nb-NO", "record"],
    ["who chose nb-NO on the checkout page (?locale=), a new customer", "checkout"],
  ] as const)(
    "a buyer %s gets a Norwegian confirmation and receipt; the en-US merchant English notices",
    async (_, how) => {
      const email = `kari-${randomUUID()}@kunde.test`;
      if (how === "record") {
        await expectStatus(
          merchantCall(customers, "POST /v1/customers", shop.secret, {
            body: { email, name: "Kari Nordmann", locale: "nb-no" },
          }),
          201,
        );
      }
      const choice = how === "checkout" ? { locale: "nb-NO" } : undefined;
      const beans = (
        await expectStatus(
          merchantCall(products, "POST /v1/products", shop.secret, {
            body: { name: "Kaffebønner 1 kg", unitAmount: 140_625, currency: "NOK" },
          }),
          201,
        )
      ).id as string;
      const link = await expectStatus(
        merchantCall(links, "POST /v1/payment-links", shop.secret, {
          body: { name: "Kaffe", lineItems: [{ productId: beans, quantity: 3 }] },
        }),
        201,
      );
      const slug = String(link.url).slice(`${testPublicBaseUrl}/l/`.length);
      const started = await post(slug, {
        formToken: formTokenIn((await page(slug, choice)).raw),
        ...choice,
        email,
        name: "Kari Nordmann",
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
      expect((invoice.customer as { locale?: string }).locale).toBe("nb-NO");

      const events = (await aws.scanAll())
        .filter((i) => i.type === "event")
        .map((i) => eventFromItem(i))
        .filter(
          (e) =>
            e.merchantId === shop.id &&
            ((e.type === "checkout.completed" && e.objectId === sessionId) ||
              (e.type === "payment.succeeded" &&
                (e.data as { payment?: { invoiceId?: string } }).payment?.invoiceId === invoice.id)),
        );
      expect(events.map((e) => e.type).sort()).toEqual(["checkout.completed", "payment.succeeded"]);
      expect(await notificationsHandler({ Records: events.map((e) => record(JSON.stringify(e))) })).toEqual({
        batchItemFailures: [],
      });

      const amount = "4\u00a0218,75\u00a0kr";
      const toBuyer = await aws.mailTo(email);
      expect(toBuyer.map((m) => m.subject).sort()).toEqual([
        `[TESTMODUS] Bestillingen din fra Fjord Kaffe AS: ${amount} betalt`,
        `[TESTMODUS] Kvittering fra Fjord Kaffe AS: ${amount} betalt`,
      ]);
      const receipt = toBuyer.find((m) => m.subject.includes("Kvittering"))!;
      expect(receipt.body.text).toContain(
        `Takk for betalingen! Vi har mottatt ${amount} for faktura ${invoice.number}.`,
      );
      const order = toBuyer.find((m) => m.subject.includes("Bestillingen"))!;
      expect(order.body.text).toContain(`Kaffebønner 1 kg × 3: ${amount}.\nTotalt betalt: ${amount}.`);

      const toMerchant = (await aws.mailTo(shop.email)).map((m) => m.subject).sort();
      expect(toMerchant).toEqual(
        expect.arrayContaining([
          "[TEST MODE] New order: Kari Nordmann, NOK\u00a04,218.75",
          `[TEST MODE] Payment received: NOK\u00a04,218.75 for invoice ${invoice.number}`,
        ]),
      );
    },
  );
});
