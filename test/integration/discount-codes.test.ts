import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/discount-codes.ts";
import { redeemDiscountCode, releaseDiscountCode } from "../../shared/discount-codes/service.ts";
import { fixedClock, systemClock } from "../../shared/domain/clock.ts";
import { ConflictError, ValidationError } from "../../shared/domain/errors.ts";
import { transact } from "../../shared/store/collection.ts";
import { dynamoDiscountCodeStore as store, redemptionWrite } from "../../shared/store/discount-codes.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { callForBody, newMerchant, type TestMerchant } from "../helpers/api.ts";

let aws: TestAws;

const create = (token: string, body: unknown) => callForBody(handler, "POST /v1/discount-codes", { token, body: body as object });
const get = (token: string, id: string) => callForBody(handler, "GET /v1/discount-codes/{id}", { token, pathParameters: { id } });
const patch = (token: string, id: string, body: unknown) =>
  callForBody(handler, "PATCH /v1/discount-codes/{id}", { token, pathParameters: { id }, body: body as object });
const list = (token: string, query: Record<string, string> = {}) => callForBody(handler, "GET /v1/discount-codes", { token, query });
const codesOf = (body: { data: { code: string }[] }) => body.data.map((d) => d.code);

const ports = { store, clock: systemClock };
const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function storedItem(merchantId: string, id: string) {
  const { Item } = await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${merchantId}`, SK: id } }));
  return Item;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("discount codes against DynamoDB Local", () => {
  let a: TestMerchant;
  let b: TestMerchant;

  beforeAll(async () => {
    aws = await useTestAws();
    a = await newMerchant("Alpha");
    b = await newMerchant("Beta");
  });

  describe("creating", () => {
    it("creates a percentage code: 201, the exact shape, the code, its claim and its event in one write", async () => {
      const before = await aws.countItems();

      const { status, body } = await create(a.secret, {
        code: "summer-10",
        percentOff: 12.5,
        duration: "repeating",
        durationInPeriods: 3,
        maxRedemptions: 100,
        expiresAt: "2099-01-01T00:00:00+02:00",
        metadata: { campaign: "summer" },
      });

      expect(status).toBe(201);
      expect(body).toEqual({
        id: expect.stringMatching(/^dc_[0-9A-HJKMNP-TV-Z]{26}$/),
        code: "SUMMER-10",
        percentOff: 12.5,
        duration: "repeating",
        durationInPeriods: 3,
        maxRedemptions: 100,
        expiresAt: "2098-12-31T22:00:00.000Z",
        active: true,
        timesRedeemed: 0,
        metadata: { campaign: "summer" },
        createdAt: expect.any(String),
        updatedAt: body.createdAt,
      });
      expect(await aws.countItems()).toBe(before + 3);
      // The expiry is not stored under the table's TTL attribute (DynamoDB would treat it as one).
      const item = await storedItem(a.id, body.id);
      expect(item).toMatchObject({ type: "discountCode", version: 1, redeemableUntil: "2098-12-31T22:00:00.000Z" });
      expect(item).not.toHaveProperty("expiresAt");
      const { Item: claim } = await aws.db.send(
        new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${a.id}`, SK: "UNIQUE#discount-code#SUMMER-10" } }),
      );
      expect(claim).toMatchObject({ type: "unique", discountCodeId: body.id });
      const events = (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === body.id);
      expect(events).toEqual([expect.objectContaining({ eventType: "discount_code.created", data: { discountCode: body } })]);

      expect(await get(a.secret, body.id)).toEqual({ status: 200, body });
    });

    it("creates an amount-off code with its currency upper-cased and defaults applied", async () => {
      const { status, body } = await create(a.secret, { code: "FIVE_OFF", amountOff: 500, currency: "usd", duration: "once" });

      expect(status).toBe(201);
      expect(body).toEqual({
        id: expect.stringMatching(/^dc_/),
        code: "FIVE_OFF",
        amountOff: 500,
        currency: "USD",
        duration: "once",
        active: true,
        timesRedeemed: 0,
        metadata: {},
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    const base = { code: "BAD-INPUT", duration: "once" };
    it.each([
      ["both percentOff and amountOff", { ...base, percentOff: 10, amountOff: 100 }, "amountOff", /exactly one of percentOff or amountOff/],
      ["neither percentOff nor amountOff", { ...base }, "body", /exactly one of percentOff or amountOff/],
      ["amountOff without currency", { ...base, amountOff: 100 }, "currency", /^is required$/],
      ["percentOff with currency", { ...base, percentOff: 10, currency: "USD" }, "currency", /must not be given with percentOff/],
      ["repeating without durationInPeriods", { ...base, percentOff: 10, duration: "repeating" }, "durationInPeriods", /^is required$/],
      ["durationInPeriods without repeating", { ...base, percentOff: 10, durationInPeriods: 2 }, "durationInPeriods", /only .* repeating/],
      ["a negative amountOff", { ...base, amountOff: -100, currency: "USD" }, "amountOff", /must not be negative/],
      ["a fractional amountOff", { ...base, amountOff: 10.5, currency: "USD" }, "amountOff", /no fractions/],
      ["a zero amountOff", { ...base, amountOff: 0, currency: "USD" }, "amountOff", /greater than 0/],
      ["a zero percentOff", { ...base, percentOff: 0 }, "percentOff", /greater than 0/],
      ["a percentOff over 100", { ...base, percentOff: 100.5 }, "percentOff", /100/],
      ["a percentOff with 5 decimals", { ...base, percentOff: 10.12345 }, "percentOff", /at most 4 decimals/],
      ["an unknown currency", { ...base, amountOff: 100, currency: "XYZ" }, "currency", /ISO 4217/],
      ["an expiresAt in the past", { ...base, percentOff: 10, expiresAt: "2020-01-01T00:00:00Z" }, "expiresAt", /in the future/],
      ["an expiresAt that is no datetime", { ...base, percentOff: 10, expiresAt: "tomorrow" }, "expiresAt", /./],
      ["a code too short", { ...base, code: "ab", percentOff: 10 }, "code", /3–40 letters/],
      ["a code with a space", { ...base, code: "TEN OFF", percentOff: 10 }, "code", /3–40 letters/],
      ["a maxRedemptions of 0", { ...base, percentOff: 10, maxRedemptions: 0 }, "maxRedemptions", /at least 1/],
      ["a read-only timesRedeemed", { ...base, percentOff: 10, timesRedeemed: 5 }, "timesRedeemed", /is not a known field/],
      ["an unknown duration", { ...base, percentOff: 10, duration: "weekly" }, "duration", /./],
    ])("refuses %s with a 400 naming the field and writes nothing", async (_, body, path, message) => {
      const before = await aws.countItems();

      const { status, body: problem } = await create(a.secret, body);

      expect(status).toBe(400);
      expect(problem.errors).toContainEqual({ path, message: expect.stringMatching(message) });
      expect(await aws.countItems()).toBe(before);
    });

    it("refuses a code that exists in another case with a 409 and writes nothing", async () => {
      const before = await aws.countItems();

      const { status, body } = await create(a.secret, { code: "Summer-10", percentOff: 5, duration: "forever" });

      expect(status).toBe(409);
      expect(body.detail).toBe("A discount code SUMMER-10 already exists");
      expect(await aws.countItems()).toBe(before);
    });
  });

  describe("updating", () => {
    it("changes active, maxRedemptions, expiresAt and metadata (merged), and emits discount_code.updated", async () => {
      const created = (await create(a.secret, { code: "PATCHME", percentOff: 20, duration: "forever", metadata: { a: "1", b: "2" } })).body;
      const expiresAt = inOneHour();

      const { status, body } = await patch(a.secret, created.id, {
        active: false,
        maxRedemptions: 5,
        expiresAt,
        metadata: { a: null, c: "3" },
      });

      expect(status).toBe(200);
      expect(body).toEqual({
        ...created,
        active: false,
        maxRedemptions: 5,
        expiresAt,
        metadata: { b: "2", c: "3" },
        updatedAt: expect.any(String),
      });
      expect(await get(a.secret, created.id)).toEqual({ status: 200, body });
      const events = (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === created.id);
      expect(events.map((e) => e.eventType).sort()).toEqual(["discount_code.created", "discount_code.updated"]);

      const cleared = await patch(a.secret, created.id, { maxRedemptions: null, expiresAt: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body).not.toHaveProperty("maxRedemptions");
      expect(cleared.body).not.toHaveProperty("expiresAt");
    });

    it.each([
      ["code", { code: "OTHER" }],
      ["percentOff", { percentOff: 50 }],
      ["amountOff", { amountOff: 100 }],
      ["currency", { currency: "EUR" }],
      ["duration", { duration: "once" }],
      ["durationInPeriods", { durationInPeriods: 2 }],
      ["timesRedeemed", { timesRedeemed: 0 }],
    ])("refuses a change of the frozen field %s with a 400 and writes nothing", async (field, body) => {
      const created = (await create(a.secret, { code: `FROZEN-${field}`, percentOff: 10, duration: "once" })).body;
      const before = await aws.countItems();

      const { status, body: problem } = await patch(a.secret, created.id, body);

      expect(status).toBe(400);
      expect(problem.errors).toEqual([{ path: field, message: "is not a known field" }]);
      expect(await aws.countItems()).toBe(before);
      expect((await get(a.secret, created.id)).body).toEqual(created);
    });

    it("refuses an expiresAt in the past", async () => {
      const created = (await create(a.secret, { code: "PAST-PATCH", percentOff: 10, duration: "once" })).body;
      const { status, body } = await patch(a.secret, created.id, { expiresAt: "2001-01-01T00:00:00Z" });
      expect(status).toBe(400);
      expect(body.errors).toEqual([{ path: "expiresAt", message: "must be in the future" }]);
    });

    it("refuses a maxRedemptions below timesRedeemed with a 409", async () => {
      const created = (await create(a.secret, { code: "LIMITED", percentOff: 10, duration: "once" })).body;
      for (let i = 0; i < 3; i++) await redeemDiscountCode(ports, a.id, "limited", { currency: "EUR" });
      const before = await aws.countItems();

      const { status, body } = await patch(a.secret, created.id, { maxRedemptions: 2 });

      expect(status).toBe(409);
      expect(body.detail).toMatch(/already been redeemed 3 times/);
      expect(await aws.countItems()).toBe(before);
      expect(await patch(a.secret, created.id, { maxRedemptions: 3 })).toMatchObject({
        status: 200,
        body: { maxRedemptions: 3, timesRedeemed: 3 },
      });
    });

    it("a redemption between a PATCH's read and its write makes the write a conflict, not a lost count", async () => {
      const created = (await create(a.secret, { code: "RACY", percentOff: 10, duration: "once" })).body;
      const read = await store.read(a.id, created.id);
      await redeemDiscountCode(ports, a.id, "RACY", { currency: "USD" });

      const error = await rejection(
        store.replace(a.id, { ...read!.value, active: false }, read!.version, {
          id: "evt_racy",
          type: "discount_code.updated",
          merchantId: a.id,
          livemode: false,
          occurredAt: new Date().toISOString(),
          data: {},
        }),
      );

      expect(error).toBeInstanceOf(ConflictError);
      expect((await get(a.secret, created.id)).body).toMatchObject({ active: true, timesRedeemed: 1 });
    });
  });

  describe("redeeming", () => {
    it("30 concurrent redemptions of a code limited to 10: exactly 10 succeed", async () => {
      const created = (await create(a.secret, { code: "RUSH", amountOff: 1000, currency: "EUR", duration: "once", maxRedemptions: 10 })).body;

      const results = await Promise.allSettled(
        Array.from({ length: 30 }, () => redeemDiscountCode(ports, a.id, "rush", { currency: "eur" })),
      );

      const fulfilled = results.filter((r) => r.status === "fulfilled");
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(fulfilled).toHaveLength(10);
      for (const r of fulfilled) {
        expect(r.value).toEqual({ id: created.id, code: "RUSH", amountOff: 1000, currency: "EUR", duration: "once" });
      }
      expect(rejected).toHaveLength(20);
      for (const r of rejected) {
        expect(r.reason).toBeInstanceOf(ConflictError);
        expect(r.reason.message).toBe("The discount code RUSH has reached its maximum of 10 redemptions");
      }
      expect((await get(a.secret, created.id)).body).toMatchObject({ timesRedeemed: 10 });
      expect(await storedItem(a.id, created.id)).toMatchObject({ timesRedeemed: 10, version: 11 });
    });

    it("returns the terms of a percentage code whatever the document's currency", async () => {
      const created = (await create(a.secret, { code: "QUARTER", percentOff: 25, duration: "repeating", durationInPeriods: 6 })).body;
      await expect(redeemDiscountCode(ports, a.id, "Quarter", { currency: "JPY" })).resolves.toEqual({
        id: created.id,
        code: "QUARTER",
        percentOff: 25,
        duration: "repeating",
        durationInPeriods: 6,
      });
    });

    it("refuses an unknown code as a validation error on code", async () => {
      const error = await rejection(redeemDiscountCode(ports, a.id, "NO-SUCH-CODE", { currency: "USD" }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors).toEqual([{ path: "code", message: "is not a valid discount code" }]);
    });

    it("refuses an amount-off code in another currency, and counts nothing", async () => {
      const created = (await create(a.secret, { code: "TENUSD", amountOff: 1000, currency: "USD", duration: "once" })).body;
      const error = await rejection(redeemDiscountCode(ports, a.id, "TENUSD", { currency: "EUR" }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors).toEqual([
        { path: "code", message: "is a USD discount and cannot apply to an amount in EUR" },
      ]);
      expect((await get(a.secret, created.id)).body.timesRedeemed).toBe(0);
    });

    it("refuses an inactive code with a conflict naming why", async () => {
      const created = (await create(a.secret, { code: "PAUSED", percentOff: 10, duration: "once", active: false })).body;
      const error = await rejection(redeemDiscountCode(ports, a.id, "PAUSED", { currency: "USD" }));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe("The discount code PAUSED is inactive");
      expect((await get(a.secret, created.id)).body.timesRedeemed).toBe(0);
    });

    it("refuses an expired code with a conflict naming when it expired", async () => {
      const expiresAt = inOneHour();
      await create(a.secret, { code: "SOON-GONE", percentOff: 10, duration: "once", expiresAt });
      const later = fixedClock(new Date(Date.parse(expiresAt) + 1000));

      const error = await rejection(redeemDiscountCode({ store, clock: later }, a.id, "SOON-GONE", { currency: "USD" }));

      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe(`The discount code SOON-GONE expired at ${expiresAt}`);
      await expect(redeemDiscountCode(ports, a.id, "SOON-GONE", { currency: "USD" })).resolves.toMatchObject({ code: "SOON-GONE" });
    });

    it("redeems inside another transaction with the same condition (the invoice finalization path)", async () => {
      const created = (await create(a.secret, { code: "IN-TX", amountOff: 200, currency: "CHF", duration: "once", maxRedemptions: 1 })).body;

      await transact([redemptionWrite(a.id, created.id, "CHF", new Date())], "lost");
      const wrongCurrency = await rejection(transact([redemptionWrite(a.id, created.id, "EUR", new Date())], "lost"));
      const usedUp = await rejection(transact([redemptionWrite(a.id, created.id, "CHF", new Date())], "lost"));

      expect(wrongCurrency).toBeInstanceOf(ConflictError);
      expect(usedUp).toBeInstanceOf(ConflictError);
      expect(usedUp.message).toMatch(/can no longer be redeemed/);
      expect(await storedItem(a.id, created.id)).toMatchObject({ timesRedeemed: 1, version: 2 });
    });

    it("releases a redemption, which frees a place under the limit; a code with none to release is a conflict", async () => {
      const created = (await create(a.secret, { code: "ONESHOT", percentOff: 10, duration: "once", maxRedemptions: 1 })).body;
      await redeemDiscountCode(ports, a.id, "ONESHOT", { currency: "USD" });
      await expect(redeemDiscountCode(ports, a.id, "ONESHOT", { currency: "USD" })).rejects.toThrow(/maximum of 1 redemptions/);

      await expect(releaseDiscountCode(ports, a.id, "oneshot")).resolves.toMatchObject({ id: created.id, timesRedeemed: 0 });
      await expect(redeemDiscountCode(ports, a.id, "ONESHOT", { currency: "USD" })).resolves.toMatchObject({ id: created.id });
      await releaseDiscountCode(ports, a.id, "ONESHOT");

      const error = await rejection(releaseDiscountCode(ports, a.id, "ONESHOT"));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe("The discount code ONESHOT has no redemption to release");
      expect((await get(a.secret, created.id)).body.timesRedeemed).toBe(0);
    });
  });

  describe("listing", () => {
    let m: TestMerchant;
    let made: { id: string; code: string; createdAt: string }[];

    beforeAll(async () => {
      m = await newMerchant("Lister");
      made = [];
      for (const [code, active] of [["LIST-A", true], ["LIST-B", false], ["LIST-C", true], ["LIST-D", true]] as const) {
        made.push((await create(m.secret, { code, percentOff: 10, duration: "once", active })).body);
        await new Promise((r) => setTimeout(r, 5));
      }
    });

    it("lists newest first with the exact objects", async () => {
      const { status, body } = await list(m.secret);
      expect(status).toBe(200);
      expect(body).toEqual({ data: [...made].reverse(), nextCursor: null });
    });

    it("pages with a cursor, unfiltered and filtered", async () => {
      const first = await list(m.secret, { limit: "3" });
      expect(codesOf(first.body)).toEqual(["LIST-D", "LIST-C", "LIST-B"]);
      const second = await list(m.secret, { limit: "3", cursor: first.body.nextCursor });
      expect(second.body).toEqual({ data: [made[0]], nextCursor: null });

      const active: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list(m.secret, { active: "true", limit: "1", ...(cursor ? { cursor } : {}) });
        expect(page.status).toBe(200);
        active.push(...codesOf(page.body));
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
      expect(active).toEqual(["LIST-D", "LIST-C", "LIST-A"]);
    });

    it("filters by active, by code (case-insensitive) and by creation time", async () => {
      expect(codesOf((await list(m.secret, { active: "false" })).body)).toEqual(["LIST-B"]);
      expect((await list(m.secret, { code: "list-c" })).body).toEqual({ data: [made[2]], nextCursor: null });
      expect((await list(m.secret, { code: "list-c", active: "false" })).body.data).toEqual([]);
      expect((await list(m.secret, { code: "NOPE-NOPE" })).body.data).toEqual([]);
      expect(
        codesOf((await list(m.secret, { createdAfter: made[1]!.createdAt, createdBefore: made[3]!.createdAt })).body),
      ).toEqual(["LIST-C", "LIST-B"]);
    });

    it("refuses a bad filter with a 400", async () => {
      expect((await list(m.secret, { active: "yes" })).status).toBe(400);
      expect((await list(m.secret, { code: "a b" })).status).toBe(400);
    });
  });

  describe("tenant wall", () => {
    it("merchant B cannot see, change, list or redeem A's codes, and may use the same code itself", async () => {
      const theirs = (await create(a.secret, { code: "WALLED", percentOff: 30, duration: "once" })).body;
      const before = await aws.countItems();

      expect((await get(b.secret, theirs.id)).status).toBe(404);
      expect((await patch(b.secret, theirs.id, { active: false })).status).toBe(404);
      expect((await list(b.secret)).body.data).toEqual([]);
      expect((await list(b.secret, { code: "WALLED" })).body.data).toEqual([]);
      await expect(redeemDiscountCode(ports, b.id, "WALLED", { currency: "USD" })).rejects.toBeInstanceOf(ValidationError);
      expect(await aws.countItems()).toBe(before);

      const mine = await create(b.secret, { code: "walled", amountOff: 100, currency: "GBP", duration: "once" });
      expect(mine.status).toBe(201);
      expect(codesOf((await list(b.secret)).body)).toEqual(["WALLED"]);
      expect((await get(a.secret, theirs.id)).body).toEqual(theirs);
    });
  });
});
