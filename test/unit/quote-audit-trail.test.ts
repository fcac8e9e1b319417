import { describe, expect, it } from "vitest";
import type { Quote } from "../../shared/quotes/quote.ts";
import { auditTrail } from "../../shared/quotes/signed-pdf.ts";
import { translator } from "../../shared/i18n/translator.ts";

const merchant = { name: "Acme", email: "owner@acme.test" };
const english = translator("en-US");
const hash = "a".repeat(64);
const published = {
  id: "quo_1",
  number: "Q-0007",
  status: "accepted",
  requireSignature: true,
  countersigners: [],
  contentHash: hash,
  publishedAt: "2026-03-01T09:00:00.000Z",
} as unknown as Quote;
const signature = (over: object) => ({
  name: "Bea Buyer",
  email: "bea@buyer.test",
  role: "buyer",
  signedAt: "2026-03-02T10:00:00.000Z",
  ip: "198.51.100.4",
  userAgent: "Firefox/130",
  contentHash: hash,
  ...over,
});

describe("a quote's audit trail", () => {
  it("lists the publish, each signature with its IP, user agent and hash, and the acceptance, oldest first", () => {
    const trail = auditTrail(
      {
        ...published,
        signatures: [
          signature({}),
          signature({
            name: "Cora",
            email: "cora@acme.test",
            role: "countersigner",
            signedAt: "2026-03-03T08:00:00.000Z",
          }),
        ],
        acceptedAt: "2026-03-03T08:00:00.000Z",
      } as Quote,
      merchant,
      english,
    );
    expect(trail.map((e) => [e.at, e.event, e.actor.role, e.ip, e.contentHash])).toEqual([
      ["2026-03-01T09:00:00.000Z", "Published as quote Q-0007", "merchant", undefined, hash],
      ["2026-03-02T10:00:00.000Z", "Signed by the buyer on the quote's page", "buyer", "198.51.100.4", hash],
      [
        "2026-03-03T08:00:00.000Z",
        "Countersigned on the quote's page",
        "countersigner for Acme",
        "198.51.100.4",
        hash,
      ],
      [
        "2026-03-03T08:00:00.000Z",
        "Quote accepted",
        "system: every required signature is in",
        undefined,
        hash,
      ],
    ]);
  });

  it("calls a page acceptance without requireSignature an acceptance, not a signature", () => {
    const trail = auditTrail(
      {
        ...published,
        requireSignature: false,
        signatures: [signature({})],
        acceptedAt: "2026-03-02T10:00:00.000Z",
      } as Quote,
      merchant,
      english,
    );
    expect(trail[1]?.event).toBe("Accepted by the buyer on the quote's page (no signature required)");
  });

  it("marks an offline acceptance as the merchant's statement, dated when the buyer accepted (even before the publish), the quote accepted when it was recorded", () => {
    const trail = auditTrail(
      {
        ...published,
        acceptedAt: "2026-02-28T12:00:00.000Z",
        acceptance: {
          name: "Bea Buyer",
          acceptedAt: "2026-02-28T12:00:00.000Z",
          method: "offline",
          recordedAt: "2026-03-04T09:30:00.000Z",
        },
      } as Quote,
      merchant,
      english,
    );
    expect(trail.map((e) => e.event)).toEqual([
      "Accepted offline (outside Kassa), as recorded by the merchant",
      "Published as quote Q-0007",
      "Quote accepted",
    ]);
    expect(trail[0]).toMatchObject({ actor: { name: "Bea Buyer", role: "buyer (offline)" } });
    expect(trail[0]).not.toHaveProperty("ip");
    expect(trail[0]?.note).toContain("Recorded by Acme through Kassa's API at 2026-03-04T09:30:00.000Z");
    expect(trail[2]).toMatchObject({
      at: "2026-03-04T09:30:00.000Z",
      actor: { name: "Acme", email: "owner@acme.test", role: "merchant" },
    });
  });
});
