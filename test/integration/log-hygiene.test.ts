/**
 * What Kassa writes to its logs never holds a credential or card data: a representative flow runs
 * through the real handlers and the outbox pipeline against the emulators while everything written
 * to stdout, stderr and the console is captured — at DEBUG, with metrics on.
 */
import { randomUUID } from "node:crypto";
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as payments } from "../../functions/api/payments.ts";
import { handler as billing } from "../../functions/billing/timers.ts";
import { handler as hosted } from "../../functions/hosted/invoice.ts";
import { handler as notifications } from "../../functions/notifications/send.ts";
import { handler as stripeEvents } from "../../functions/webhooks/stripe-process.ts";
import { signInPorts } from "../../shared/composition.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { requestSignIn } from "../../shared/users/sign-in.ts";
import type { Poller } from "../../infra/local/sqs-poller.ts";
import { call, expectStatus, type Handler, merchantCall, newMerchant } from "../helpers/api.ts";
import { adminToken, eventually, type TestAws, useTestAws } from "../helpers/aws.ts";
import { dispatchedQueues, dispatchFromStream } from "../helpers/pipeline.ts";
import { type CapturedOutput, captureOutput } from "../helpers/output.ts";

let aws: TestAws;
let output: CapturedOutput;
const pollers: Poller[] = [];

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", ...dispatchedQueues]);
  pollers.push(await dispatchFromStream(aws));
});
afterAll(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

async function drain(queue: string): Promise<SQSRecord[]> {
  const QueueUrl = aws.queues[queue]!.url;
  const records: SQSRecord[] = [];
  for (;;) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return records;
    records.push(
      ...Messages.map((m) => ({ messageId: m.MessageId ?? randomUUID(), body: m.Body ?? "" }) as SQSRecord),
    );
    await aws.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
      }),
    );
  }
}

describe("log hygiene", () => {
  it("never logs an API key secret, a card number, a hosted-page token or a form token — through API, hosted page and the consumers", async () => {
    output = captureOutput();
    let secrets: string[] = [];
    let signInTokens: string[] = [];
    try {
      const shop = await newMerchant("Hygiene Shop");
      const api = (handler: unknown, routeKey: string, options?: Parameters<typeof merchantCall>[3]) =>
        merchantCall(handler, routeKey, shop.secret, options);
      const buyer = await expectStatus(
        api(customers, "POST /v1/customers", {
          body: { email: `b-${randomUUID().slice(0, 6)}@buyer.test`, name: "Bea" },
        }),
        201,
      );
      const draft = await expectStatus(
        api(invoices, "POST /v1/invoices", {
          body: {
            customerId: buyer.id,
            currency: "USD",
            lineItems: [{ description: "Tea", unitAmount: 4_200 }],
          },
        }),
        201,
      );
      const invoice = await expectStatus(api(invoices, "POST /v1/invoices/{id}/finalize", { id: draft.id }));
      const token = String(invoice.hostedUrl).split("/").pop() ?? "";
      const page = (routeKey: string, form?: Record<string, string>) =>
        call(hosted as Handler, routeKey, {
          pathParameters: { token },
          ...(form
            ? {
                body: new URLSearchParams(form).toString(),
                headers: { "content-type": "application/x-www-form-urlencoded" },
              }
            : {}),
        });
      await page("GET /i/{token}");
      const form = await page("GET /i/{token}/pay");
      const formToken = /name="formToken" value="([^"]+)"/.exec(form.raw)?.[1] ?? "";
      const paid = await page("POST /i/{token}/pay", { card: "4242424242424242", formToken });
      expect(paid.status).toBe(303);
      // A declined card's attempt is logged too.
      await page("POST /i/{token}/pay", { card: "4000000000000002", formToken });
      await expectStatus(api(invoices, "GET /v1/invoices/{id}", { id: invoice.id }));
      const [payment] = (
        await expectStatus(api(payments, "GET /v1/payments", { query: { invoiceId: invoice.id } }))
      ).data;
      await expectStatus(
        api(payments, "POST /v1/payments/{id}/refunds", { id: payment.id, body: { amount: 200 } }),
        201,
      );
      // A request with a wrong key: the presented secret is not logged either.
      await merchantCall(payments, "GET /v1/payments", `${shop.secret}x`);
      // The owner asks for a dashboard sign-in link (the welcome email carries their invitation).
      await requestSignIn(signInPorts(systemClock), shop.email);

      // The outbox pipeline: events to their queues, then their consumers.
      const queued: Record<string, SQSRecord[]> = { notifications: [], billing: [], "stripe-events": [] };
      await eventually(async () => {
        for (const name of Object.keys(queued)) queued[name]!.push(...(await drain(name)));
        const types = queued.notifications!.map((r) => JSON.parse(r.body).type);
        return ["payment.succeeded", "merchant.created", "user.sign_in_requested"].every((t) => types.includes(t))
          ? true
          : undefined;
      }, 15_000);
      await stripeEvents({ Records: queued["stripe-events"]! });
      await billing({ Records: queued.billing! });
      await notifications({ Records: queued.notifications! });
      // The links the team's mail carries: the invitation (welcome email) and the sign-in link.
      const links = (await aws.mailTo(shop.email)).flatMap((mail) => [
        ...mail.body.text.matchAll(/\/app\/sign-in\/([A-Za-z0-9_-]{43})/g),
      ]);
      expect(links).toHaveLength(2);
      signInTokens = links.map((match) => match[1] ?? "");

      secrets = [
        shop.secret,
        token,
        formToken,
        adminToken,
        "4242424242424242",
        "4000000000000002",
        "4242 4242 4242 4242",
        ...signInTokens,
      ];
    } finally {
      output.restore();
    }

    const lines = output.logs();
    // Not vacuous: the flow was logged, request by request and message by message.
    expect(lines.filter((l) => l.message === "API request").map((l) => l.route)).toEqual(
      expect.arrayContaining([
        "POST /v1/merchants",
        "POST /v1/invoices/{id}/finalize",
        "GET /i/{token}",
        "POST /i/{token}/pay",
        "POST /v1/payments/{id}/refunds",
      ]),
    );
    expect(lines.some((l) => l.message === "Message" && l.type === "payment.succeeded")).toBe(true);
    // Correlated: the consumer of merchant.created logs the id of the API request that created the merchant.
    const created = lines.find((l) => l.message === "API request" && l.route === "POST /v1/merchants");
    const welcomed = lines.find((l) => l.message === "Message" && l.type === "merchant.created");
    expect(welcomed?.correlationId).toBe(created?.requestId);
    expect(output.metrics().length).toBeGreaterThan(0);
    const text = output.text();
    for (const secret of secrets) expect(text, "a secret in the logs").not.toContain(secret);
  });
});
