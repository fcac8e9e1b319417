/**
 * Secrets rotate without breaking warm containers: a container that holds the old value re-reads the
 * secret when a check fails with it and checks once more, and re-reads at most once a minute however
 * many checks fail. The secrets come from a fake Secrets Manager (no plain value in the environment).
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyStructuredResultV2, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { handler as merchants } from "../../functions/api/merchants.ts";
import { handler as ingest } from "../../functions/webhooks/stripe-ingest.ts";
import { handler as consume } from "../../functions/webhooks/stripe-process.ts";
import { dataSealer, keyringOf, seal, UnknownDataKeyError } from "../../shared/auth/sealed.ts";
import { secretRereadIntervalMs } from "../../shared/aws/secrets.ts";
import { sandboxFor } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { formToken, submitPayForm } from "../../shared/hosted/pay-form.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { signPayload } from "../../shared/payments/signing.ts";
import { httpEvent, lambdaContext, sampleEvent } from "../helpers/events.ts";

const secretsManager = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBDocumentClient);

/** The fake Secrets Manager: the current value of each secret, by ARN. */
const stored = new Map<string, string>();
const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`;
const reads = (name: string) =>
  secretsManager.commandCalls(GetSecretValueCommand).filter((c) => c.args[0].input.SecretId === arn(name))
    .length;

const oldWebhookSecret = "whsec_old_0123456789abcdef";
const newWebhookSecret = "whsec_new_0123456789abcdef";
const event = (id: string) =>
  JSON.stringify({
    id,
    object: "event",
    type: "payment_intent.succeeded",
    created: 1767225600,
    livemode: false,
    data: { object: { id: "pi_1Rotation", object: "payment_intent", metadata: {} } },
  });

let now = Date.parse("2026-11-30T08:00:00Z");
const seconds = () => Math.floor(now / 1000);
const at = (ms: number) => {
  now = ms;
  vi.setSystemTime(now);
};

async function deliver(payload: string, secret: string) {
  const request = httpEvent("POST /webhooks/stripe", {
    body: payload,
    headers: { "stripe-signature": signPayload(payload, secret, seconds()) },
  });
  const result = (await ingest(request, lambdaContext)) as APIGatewayProxyStructuredResultV2;
  return result.statusCode;
}

describe("secret rotation in a warm container", () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(now);
    for (const name of ["STRIPE_WEBHOOK_SECRET", "ADMIN_TOKEN"]) delete process.env[name];
    process.env.STRIPE_WEBHOOK_SECRET_ARN = arn("webhook");
    process.env.ADMIN_TOKEN_SECRET_ARN = arn("admin");
    process.env.CURSOR_SECRET = "cursor_secret_0123456789abcdef";
    process.env.TABLE_NAME = "kassa-handler-test";
    process.env.QUEUE_URL_STRIPE_EVENTS =
      "https://sqs.us-east-1.amazonaws.com/000000000000/kassa-stripe-events";
    stored.set(arn("webhook"), oldWebhookSecret);
    stored.set(arn("admin"), "admin_old_0123456789abcdef");
  });

  afterAll(() => {
    vi.useRealTimers();
  });

  beforeEach(() => {
    secretsManager.reset();
    secretsManager
      .on(GetSecretValueCommand)
      .callsFake((input: { SecretId: string }) => ({ SecretString: stored.get(input.SecretId) }));
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    ddb.reset();
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
  });

  it("accepts the first webhook signed with the new secret, and re-reads at most once a minute under a flood of bad signatures", async () => {
    expect(await deliver(event("evt_1Old"), oldWebhookSecret)).toBe(200);
    expect(reads("webhook")).toBe(1);

    stored.set(arn("webhook"), newWebhookSecret);
    at(now + 1_000);
    expect(await deliver(event("evt_1New"), newWebhookSecret)).toBe(200);
    expect(reads("webhook")).toBe(2);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 2);

    // A flood of forged signatures within the minute: all refused, no further reads.
    for (let i = 0; i < 30; i++) {
      at(now + 1_000);
      expect(await deliver(event(`evt_1Forged${i}`), "whsec_forged_0123456789abcdef")).toBe(400);
    }
    expect(reads("webhook")).toBe(2);
    // A minute after the last read, one more read; then none again for a minute.
    at(now + secretRereadIntervalMs);
    for (let i = 0; i < 10; i++)
      expect(await deliver(event(`evt_1Later${i}`), "whsec_forged_0123456789abcdef")).toBe(400);
    expect(reads("webhook")).toBe(3);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 2);
    expect(secretRereadIntervalMs).toBe(60_000);
  });

  it("lets the queue consumer verify an event signed with the rotated secret", async () => {
    const rotated = "whsec_rotated_0123456789abcdef";
    stored.set(arn("webhook"), rotated);
    at(now + secretRereadIntervalMs);
    const sample = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!;
    const payload = event("evt_1Consumer");
    const batch: SQSEvent = {
      Records: [
        {
          ...sample,
          messageId: "m-1",
          body: JSON.stringify({ payload, signature: signPayload(payload, rotated, seconds()) }),
        },
      ],
    };

    expect(await consume(batch)).toEqual({ batchItemFailures: [] });
    expect(reads("webhook")).toBe(1);
  });

  it("accepts the rotated admin token in a container that read the old one", async () => {
    const list = async (token: string) => {
      const result = (await merchants(
        httpEvent("GET /v1/merchants", { token }),
        lambdaContext,
      )) as APIGatewayProxyStructuredResultV2;
      return result.statusCode;
    };
    expect(await list("admin_old_0123456789abcdef")).toBe(200);
    stored.set(arn("admin"), "admin_new_0123456789abcdef");
    at(now + 1_000);

    expect(await list("admin_new_0123456789abcdef")).toBe(200);
    expect(await list("admin_old_0123456789abcdef")).toBe(401);
    expect(reads("admin")).toBe(2);
  });

  it("opens a value sealed under the rotated data encryption key in a container that read the old one", async () => {
    delete process.env.DATA_ENCRYPTION_KEY;
    process.env.DATA_ENCRYPTION_KEY_SECRET_ARN = arn("data-key");
    stored.set(arn("data-key"), "old-data-key-0123456789abcdef");
    const clock = fixedClock(new Date(now));
    const here = await dataSealer("idempotency mer_1 k1", clock);

    // Another container reads the rotated secret (`new old`) first and seals with the new key.
    stored.set(arn("data-key"), "new-data-key-0123456789abcdef old-data-key-0123456789abcdef");
    const sealedElsewhere = seal(
      keyringOf(stored.get(arn("data-key"))!),
      "sk_live_secret",
      "idempotency mer_1 k1",
    );

    await expect(here.unseal(sealedElsewhere)).resolves.toBe("sk_live_secret");
    expect(reads("data-key")).toBe(2);
    // A value under a key nobody has is refused, and costs no further read within the minute.
    const stray = seal(keyringOf("stray-key-0123456789abcdef"), "x", "idempotency mer_1 k1");
    for (let i = 0; i < 5; i++) await expect(here.unseal(stray)).rejects.toThrow(UnknownDataKeyError);
    expect(reads("data-key")).toBe(2);
  });

  it("signs the sandbox's events with the rotated webhook secret within a minute, as the consumers that moved on verify", async () => {
    at(now + secretRereadIntervalMs);
    stored.set(arn("webhook"), "whsec_before_0123456789abcdef");
    const clock = { now: () => new Date(now) };
    const sandbox = await sandboxFor(clock);
    const charge = async (n: number) => {
      await sandbox.charge({
        amount: 1_000 + n,
        currency: "usd",
        paymentMethod: "pm_card_visa",
        description: "Rotation",
        metadata: { kassa_merchant_id: "mer_1", kassa_payment_id: `pay_${n}` },
        idempotencyKey: `rotation-${n}`,
        offSession: false,
      });
      const sent = sqs.commandCalls(SendMessageCommand).at(-1)?.args[0].input.MessageBody;
      return JSON.parse(sent ?? "{}") as { payload: string; signature: string };
    };
    const signedWith = (signed: { payload: string; signature: string }, secret: string) =>
      signed.signature === signPayload(signed.payload, secret, seconds());

    expect(signedWith(await charge(1), "whsec_before_0123456789abcdef")).toBe(true);
    // Rotated: within the minute the signer may still use the value it read; after it, the new one.
    stored.set(arn("webhook"), "whsec_after_0123456789abcdef");
    at(now + secretRereadIntervalMs);
    expect(signedWith(await charge(2), "whsec_after_0123456789abcdef")).toBe(true);
    for (let i = 3; i < 13; i++) await charge(i);
    expect(reads("webhook")).toBe(2);
  });

  it("accepts a list cursor another container signed with the rotated cursor secret, re-reading at most once a minute", async () => {
    delete process.env.CURSOR_SECRET;
    process.env.CURSOR_SECRET_ARN = arn("cursor");
    stored.set(arn("cursor"), "cursor_old_0123456789abcdef");
    at(now + secretRereadIntervalMs);
    const request = (cursor?: string) => ({
      event: httpEvent("GET /v1/payments", { token: "sk_x" }),
      operation: { id: "listPayments" },
      principal: { merchantId: "mer_1" },
      query: { limit: 20, ...(cursor ? { cursor } : {}) },
      clock: fixedClock(new Date(now)),
    });
    const here = await pageResponse(request(), { items: [], next: { SK: "PAY#1" } });
    await expect(pageRequest(request(here.nextCursor ?? ""))).resolves.toEqual({
      limit: 20,
      after: { SK: "PAY#1" },
    });

    // Rotated; another container (a fresh module graph) read the new secret and signs with it.
    stored.set(arn("cursor"), "cursor_new_0123456789abcdef");
    at(now + secretRereadIntervalMs);
    vi.resetModules();
    const other = await import("../../shared/http/list.ts");
    const elsewhere = await other.pageResponse(request(), { items: [], next: { SK: "PAY#2" } });
    const readsBefore = reads("cursor");

    await expect(pageRequest(request(elsewhere.nextCursor ?? ""))).resolves.toEqual({
      limit: 20,
      after: { SK: "PAY#2" },
    });
    // Forged cursors within the minute: refused, no further reads.
    for (let i = 0; i < 10; i++) await expect(pageRequest(request(`${i}.forged`))).rejects.toThrow("cursor");
    expect(reads("cursor") - readsBefore).toBe(1);
  });

  it("accepts a pay-form token signed with the rotated secret in a container that read the old one", async () => {
    delete process.env.CURSOR_SECRET;
    process.env.CURSOR_SECRET_ARN = arn("cursor");
    process.env.SANDBOX = "enabled";
    stored.set(arn("cursor"), "form_old_0123456789abcdef");
    at(now + secretRereadIntervalMs);
    const context = {
      token: "hosted_1",
      backUrl: "/i/hosted_1",
      publicBaseUrl: "https://pay.kassa.test",
      clock: { now: () => new Date(now) },
      // Every card is welcome here: the window of declines is not what this test is about.
      cardAttempts: {
        take: async () => ({ taken: true as const, slot: { giveBack: async () => {} } }),
        retryAfter: async () => undefined,
      },
    };
    const payable = {
      merchant: {
        id: "mer_1",
        name: "Rotation Shop",
        email: "shop@merchant.test",
        timeZone: "UTC",
        branding: {},
        processor: "sandbox",
      } as unknown as Merchant,
      locale: "en-US",
      kind: "invoice" as const,
      number: "INV-0001",
      amountDue: 1_000,
      currency: "USD",
      payable: true,
      charge: async () => ({}),
      checkout: async () => ({ url: "" }),
    };
    const submit = async (token: string) =>
      (
        await submitPayForm(
          payable,
          context,
          httpEvent("POST /i/{token}/pay", { body: `formToken=${token}&card=pm_card_visa` }),
        )
      ).status;
    expect(await submit(formToken("form_old_0123456789abcdef", "hosted_1", seconds()))).toBe(303);

    stored.set(arn("cursor"), "form_new_0123456789abcdef");
    at(now + secretRereadIntervalMs);
    const readsBefore = reads("cursor");
    expect(await submit(formToken("form_new_0123456789abcdef", "hosted_1", seconds()))).toBe(303);
    for (let i = 0; i < 10; i++)
      expect(await submit(formToken("form_forged_0123456789", "hosted_1", seconds()))).toBe(403);
    expect(reads("cursor") - readsBefore).toBe(1);
  });
});
