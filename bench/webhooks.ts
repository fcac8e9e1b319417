/**
 * The Stripe webhook ingest handler's time in-process: verify the signature on the raw body and
 * queue the event (to the SQS stand-in on loopback), median of many invocations after a warm-up.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { benchEnvironment, benchSecrets } from "./environment.ts";
import { signPayload } from "../shared/payments/signing.ts";
import { paymentIntentEvent } from "../shared/stripe-shapes/payment-intents.ts";
import type { Row } from "./report.ts";
import { median } from "./stats.ts";

const secret = benchSecrets.webhookSecret;

function webhookEvent(payload: string, signature: string): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "POST /webhooks/stripe",
    rawPath: "/webhooks/stripe",
    rawQueryString: "",
    headers: { "content-type": "application/json", "stripe-signature": signature },
    requestContext: {
      accountId: "bench",
      apiId: "bench",
      domainName: "bench",
      domainPrefix: "bench",
      http: {
        method: "POST",
        path: "/webhooks/stripe",
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "Stripe/1.0",
      },
      requestId: randomUUID(),
      routeKey: "POST /webhooks/stripe",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: payload,
    isBase64Encoded: false,
  };
}

export async function webhookSection(samples = 200): Promise<Row[]> {
  await benchEnvironment();
  {
    const { handler } = await import("../functions/webhooks/stripe-ingest.ts");
    const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
    const times: number[] = [];
    let rejected = 0;
    for (let i = 0; i < samples + 20; i++) {
      const event = paymentIntentEvent("payment_intent.succeeded", {
        id: `pi_bench_${i}`,
        amount: 10_000,
        currency: "usd",
        metadata: { kassa_merchant_id: "mer_bench", kassa_payment_id: `pay_bench_${i}` },
        created: Math.floor(Date.now() / 1000),
      });
      const payload = JSON.stringify(event);
      const signature = signPayload(payload, secret, Math.floor(Date.now() / 1000));
      const started = performance.now();
      const result = (await handler(
        webhookEvent(payload, signature),
        context,
      )) as APIGatewayProxyStructuredResultV2;
      const elapsed = performance.now() - started;
      if (result.statusCode !== 200) rejected++;
      if (i >= 20) times.push(elapsed);
    }
    const tampered = (await handler(
      webhookEvent('{"id":"evt_forged"}', "t=1,v1=00"),
      context,
    )) as APIGatewayProxyStructuredResultV2;
    return [
      {
        handler: "stripe-ingest (verify + SQS send)",
        samples,
        "median ms": Number(median(times).toFixed(2)),
        "p90 ms": Number([...times].sort((a, b) => a - b)[Math.floor(times.length * 0.9)]?.toFixed(2)),
        "non-200": rejected,
        "bad signature →": tampered.statusCode,
      },
    ];
  }
}
