import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as apiKeys } from "../../functions/api/api-keys.ts";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as merchants } from "../../functions/api/merchants.ts";
import { handler as settings } from "../../functions/api/merchant-settings.ts";
import { keyringOf, type Sealed, unseal } from "../../shared/auth/sealed.ts";
import { call, type Handler, newMerchant } from "../helpers/api.ts";
import { adminToken, dynamodbEndpoint, type TestAws, testDataEncryptionKey, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let merchant: { id: string; secret: string; keyId: string };
let other: { id: string; secret: string; keyId: string };

const customerCount = async (merchantId: string) =>
  (await aws.scanAll()).filter((i) => i.type === "customer" && i.PK === `MERCHANT#${merchantId}`).length;

describe("API platform conventions", () => {
  beforeAll(async () => {
    aws = await useTestAws();
    merchant = await newMerchant("Idem Shop");
    other = await newMerchant("Other Shop");
  });

  describe("Idempotency-Key", () => {
    it("replays the first response byte for byte, with Idempotent-Replayed", async () => {
      const request = { token: merchant.secret, headers: { "idempotency-key": "replay-1" }, body: { email: "replay@x.test", name: "Re Play" } };
      const first = await call(customers, "POST /v1/customers", request);
      const second = await call(customers, "POST /v1/customers", request);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.raw).toBe(first.raw);
      expect(second.headers["idempotent-replayed"]).toBe("true");
      expect(first.headers["idempotent-replayed"]).toBeUndefined();
    });

    it("refuses the same key with another body (409) and writes nothing", async () => {
      await call(customers, "POST /v1/customers", { token: merchant.secret, headers: { "idempotency-key": "reuse-1" }, body: { email: "a1@x.test" } });
      const before = await aws.countItems();
      const reused = await call(customers, "POST /v1/customers", {
        token: merchant.secret,
        headers: { "idempotency-key": "reuse-1" },
        body: { email: "a2@x.test" },
      });
      expect(reused.status).toBe(409);
      expect(reused.body.detail).toMatch(/different request/);
      expect(await aws.countItems()).toBe(before);
    });

    it("creates exactly one object for 20 concurrent duplicates, and all of them get its response", async () => {
      const before = await customerCount(merchant.id);
      const request = { token: merchant.secret, headers: { "idempotency-key": "race-1" }, body: { email: "race@x.test" } };
      const results = await Promise.all(Array.from({ length: 20 }, () => call(customers, "POST /v1/customers", request)));
      expect(await customerCount(merchant.id)).toBe(before + 1);
      const created = results.filter((r) => r.status === 201);
      expect(created.length).toBe(20);
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    });

    it("keeps nothing for a failed request, so the key can be used again", async () => {
      const key = { "idempotency-key": "retry-after-400" };
      const bad = await call(customers, "POST /v1/customers", { token: merchant.secret, headers: key, body: { email: "nope" } });
      expect(bad.status).toBe(400);
      const good = await call(customers, "POST /v1/customers", { token: merchant.secret, headers: key, body: { email: "retry@x.test" } });
      expect(good.status).toBe(201);
      expect(good.headers["idempotent-replayed"]).toBeUndefined();
    });

    it("scopes keys to the merchant", async () => {
      const key = { "idempotency-key": "shared-key" };
      const a = await call(customers, "POST /v1/customers", { token: merchant.secret, headers: key, body: { email: "scoped@x.test" } });
      const b = await call(customers, "POST /v1/customers", { token: other.secret, headers: key, body: { email: "scoped@x.test" } });
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(b.body.id).not.toBe(a.body.id);
      expect(b.headers["idempotent-replayed"]).toBeUndefined();
    });

    it("rejects a malformed key", async () => {
      const r = await call(customers, "POST /v1/customers", {
        token: merchant.secret,
        headers: { "idempotency-key": "x".repeat(256) },
        body: { email: "long@x.test" },
      });
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([{ path: "Idempotency-Key", message: "must be 1–255 printable ASCII characters" }]);
    });
  });

  describe("secrets at rest", () => {
    /** Every new image the table's stream has carried so far (what consumers and replicas see). */
    async function streamImages(): Promise<unknown[]> {
      const streams = new DynamoDBStreamsClient({ endpoint: dynamodbEndpoint(), region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
      const images: unknown[] = [];
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: aws.streamArn }));
      for (const { ShardId } of StreamDescription?.Shards ?? []) {
        let { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: aws.streamArn, ShardId, ShardIteratorType: "TRIM_HORIZON" }));
        while (ShardIterator) {
          const out = await streams.send(new GetRecordsCommand({ ShardIterator }));
          images.push(...(out.Records ?? []).map((r) => r.dynamodb?.NewImage));
          ShardIterator = out.Records?.length ? out.NextShardIterator : undefined;
        }
      }
      streams.destroy();
      return images;
    }

    /** Every 8-character piece of a key's random part: none may be kept anywhere. */
    const piecesOf = (secret: string) => Array.from({ length: secret.length - 10 }, (_, i) => secret.slice(3 + i, 11 + i));

    interface SecretCase {
      handler: Handler;
      /** The caller's token, the body, and the idempotency scope (the merchant, or `admin`). */
      request: () => { token: string; body: object; scope: string };
      // biome-ignore lint/suspicious/noExplicitAny: the response body, read field by field
      secretOf: (body: any) => string;
    }
    const secretCases: Record<string, SecretCase> = {
      "POST /v1/api-keys": {
        handler: apiKeys as Handler,
        request: () => ({ token: merchant.secret, body: { name: "CI" }, scope: merchant.id }),
        secretOf: (body) => body.secret,
      },
      "POST /v1/merchants": {
        handler: merchants as Handler,
        request: () => ({ token: adminToken, body: { name: "Sealed Co", email: "sealed@merchant.test" }, scope: "admin" }),
        secretOf: (body) => body.apiKey.secret,
      },
    };

    it.each(Object.entries(secretCases))("%s with an Idempotency-Key keeps the key's secret only sealed, and replays it byte for byte", async (routeKey, { handler, request, secretOf }) => {
      const key = `sealed-${routeKey.split("/").at(-1)}`;
      const { token, body, scope } = request();
      const options = { token, body, headers: { "idempotency-key": key } };
      const first = await call(handler, routeKey, options);
      expect(first.status).toBe(201);
      const secret = secretOf(first.body);
      expect(secret).toMatch(/^sk_/);

      const stored = JSON.stringify([await aws.scanAll(), await streamImages()]);
      for (const piece of piecesOf(secret)) expect(stored).not.toContain(piece);

      // What is kept is the response, sealed under the data encryption key and bound to its record.
      const record = (await aws.scanAll()).find((i) => i.type === "idempotency" && String(i.PK).includes(key));
      const kept = (record?.response ?? {}) as { sealed: Sealed };
      expect(Object.keys(kept)).toEqual(["sealed"]);
      expect(kept.sealed).toEqual({ alg: "A256GCM", kid: expect.any(String), iv: expect.any(String), tag: expect.any(String), ciphertext: expect.any(String) });
      const keyring = keyringOf(testDataEncryptionKey);
      expect(JSON.parse(unseal(keyring, kept.sealed, `idempotency ${scope} ${key}`))).toEqual({ statusCode: 201, headers: first.headers, body: first.raw });
      expect(() => unseal(keyring, kept.sealed, `idempotency ${other.id} ${key}`)).toThrow();

      const replay = await call(handler, routeKey, options);
      expect(replay.status).toBe(201);
      expect(replay.raw).toBe(first.raw);
      expect(replay.headers).toEqual({ ...first.headers, "idempotent-replayed": "true" });
    });

    it("keeps responses without a secret as they are", async () => {
      const key = "plain-customer";
      const created = await call(customers, "POST /v1/customers", { token: merchant.secret, headers: { "idempotency-key": key }, body: { email: "plain@x.test" } });
      const record = (await aws.scanAll()).find((i) => i.type === "idempotency" && String(i.PK).includes(key));
      expect(record?.response).toEqual({ statusCode: 201, headers: created.headers, body: created.raw });
    });
  });

  describe("lists", () => {
    it("pages with a signed cursor bound to merchant, list and filters", async () => {
      for (let i = 0; i < 3; i++) await call(customers, "POST /v1/customers", { token: other.secret, body: { email: `page${i}@x.test` } });
      const first = await call(customers, "GET /v1/customers", { token: other.secret, query: { limit: "2" } });
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await call(customers, "GET /v1/customers", { token: other.secret, query: { limit: "2", cursor: first.body.nextCursor } });
      expect(second.body.data.map((c: { id: string }) => c.id)).not.toContain(first.body.data[1].id);
      expect(first.body.data[1].id > second.body.data[0].id).toBe(true);

      const cursor = first.body.nextCursor as string;
      const [payload, signature] = cursor.split(".");
      const forged = `${Buffer.from(JSON.stringify({ PK: `MERCHANT#${merchant.id}`, SK: "cus_~" })).toString("base64url")}.${signature}`;
      for (const bad of [`${cursor}x`, forged, `${payload}`, "garbage"]) {
        const r = await call(customers, "GET /v1/customers", { token: other.secret, query: { cursor: bad } });
        expect(r.status).toBe(400);
        expect(r.body.errors).toEqual([{ path: "cursor", message: "is not a valid cursor for this list" }]);
      }
      const elsewhere = await call(customers, "GET /v1/customers", { token: merchant.secret, query: { cursor } });
      expect(elsewhere.status).toBe(400);
      const otherFilters = await call(customers, "GET /v1/customers", {
        token: other.secret,
        query: { cursor, createdAfter: "2020-01-01T00:00:00Z" },
      });
      expect(otherFilters.status).toBe(400);
    });

    it.each([["0"], ["101"], ["abc"], ["2.5"]])("refuses limit=%s", async (limit) => {
      const r = await call(customers, "GET /v1/customers", { token: merchant.secret, query: { limit } });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].path).toBe("limit");
    });

    it("refuses unknown query parameters", async () => {
      const r = await call(customers, "GET /v1/customers", { token: merchant.secret, query: { colour: "red" } });
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([{ path: "colour", message: "is not a known field" }]);
    });

    it("lists merchants for the admin only", async () => {
      const list = await call(merchants, "GET /v1/merchants", { token: adminToken, query: { limit: "100" } });
      expect(list.status).toBe(200);
      expect(list.body.data.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining([merchant.id, other.id]));
      expect((await call(merchants, "GET /v1/merchants", { token: merchant.secret })).status).toBe(401);
    });
  });

  describe("keys and tokens", () => {
    it("keeps the admin token and merchant keys apart", async () => {
      expect((await call(customers, "GET /v1/customers", { token: adminToken })).status).toBe(401);
      expect((await call(merchants, "POST /v1/merchants", { token: merchant.secret, body: { name: "X", email: "x@x.test" } })).status).toBe(401);
    });

    it("creates a key shown once, lists it by hint, and a revoked key is refused at once", async () => {
      const created = await call(apiKeys, "POST /v1/api-keys", { token: merchant.secret, body: { name: "CI" } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: "CI", status: "active", merchantId: merchant.id, secret: expect.stringMatching(/^sk_/) });
      const secret = created.body.secret as string;
      expect((await call(settings, "GET /v1/merchant", { token: secret })).status).toBe(200);

      const list = await call(apiKeys, "GET /v1/api-keys", { token: merchant.secret });
      const listed = list.body.data.find((k: { id: string }) => k.id === created.body.id);
      expect(listed).toMatchObject({ hint: `sk_…${secret.slice(-4)}`, status: "active" });
      expect(JSON.stringify(list.body)).not.toContain(secret);
      expect(JSON.stringify(await aws.scanAll())).not.toContain(secret);

      const revoked = await call(apiKeys, "POST /v1/api-keys/{id}/revoke", { token: merchant.secret, pathParameters: { id: created.body.id } });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: created.body.id, status: "revoked", revokedAt: expect.any(String) });
      expect((await call(settings, "GET /v1/merchant", { token: secret })).status).toBe(401);
      const again = await call(apiKeys, "POST /v1/api-keys/{id}/revoke", { token: merchant.secret, pathParameters: { id: created.body.id } });
      expect(again.status).toBe(409);
      const foreign = await call(apiKeys, "POST /v1/api-keys/{id}/revoke", { token: other.secret, pathParameters: { id: merchant.keyId } });
      expect(foreign.status).toBe(404);
    });
  });

  describe("merchant settings", () => {
    it("updates settings and validates each field", async () => {
      const updated = await call(settings, "PATCH /v1/merchant", {
        token: merchant.secret,
        body: {
          timeZone: "America/New_York",
          defaultCurrency: "jpy",
          branding: { logoUrl: "https://cdn.idem.test/logo.png", brandColor: "#0a0B0c", footerText: "Thanks!" },
          invoiceNumberPrefix: "IDEM",
          defaultPaymentTerms: "net_15",
        },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        id: merchant.id,
        timeZone: "America/New_York",
        defaultCurrency: "JPY",
        branding: { logoUrl: "https://cdn.idem.test/logo.png", brandColor: "#0a0B0c", footerText: "Thanks!" },
        invoiceNumberPrefix: "IDEM",
        defaultPaymentTerms: "net_15",
      });
      const cleared = await call(settings, "PATCH /v1/merchant", { token: merchant.secret, body: { branding: { footerText: null } } });
      expect(cleared.body.branding).toEqual({ logoUrl: "https://cdn.idem.test/logo.png", brandColor: "#0a0B0c" });

      const before = await aws.countItems();
      for (const [body, path] of [
        [{ timeZone: "Mars/Olympus" }, "timeZone"],
        [{ defaultCurrency: "XYZ" }, "defaultCurrency"],
        [{ branding: { brandColor: "red" } }, "branding.brandColor"],
        [{ branding: { logoUrl: "javascript:alert(1)" } }, "branding.logoUrl"],
        [{ invoiceNumberPrefix: "inv-" }, "invoiceNumberPrefix"],
        [{ defaultPaymentTerms: "net_31" }, "defaultPaymentTerms"],
        [{ id: "mer_x" }, "id"],
      ] as const) {
        const r = await call(settings, "PATCH /v1/merchant", { token: merchant.secret, body });
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      }
      expect(await aws.countItems()).toBe(before);
    });

    it("refuses bodies over 256 KB with 413", async () => {
      const r = await call(customers, "POST /v1/customers", {
        token: merchant.secret,
        body: { email: "big@x.test", metadata: { note: "x".repeat(300 * 1024) } },
      });
      expect(r.status).toBe(413);
    });
  });
});
