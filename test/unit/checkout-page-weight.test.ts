/**
 * The checkout page's weight (issue 13 §2): its HTML, CSS and script (all inline: it loads nothing
 * else) stay under 60 KB for the largest link a merchant can realistically build.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../shared/domain/clock.ts";
import { liveTotalsScript, offerFormPage } from "../../shared/payment-links/checkout-page.ts";
import { largestOffer } from "../helpers/largest-offer.ts";

beforeAll(() => {
  process.env.CURSOR_SECRET ??= "test-cursor-secret-0123456789";
});

describe("the checkout page's weight", () => {
  it("is under 60 KB, HTML + CSS + JS, for 20 adjustable items, 3 custom fields, phone and both addresses", async () => {
    const offer = largestOffer();
    const r = await offerFormPage(offer, {
      slug: offer.link.slug,
      clock: fixedClock(new Date()),
      publicBaseUrl: "https://pay.example",
    });
    const page = r.raw?.body ?? "";

    // It is the largest page: every item, field and country is on it, with the script.
    expect(page.match(/name="quantity\.\d+"/g)).toHaveLength(20);
    expect(page.match(/name="custom\./g)).toHaveLength(3);
    expect(page).toContain('name="billing.line1"');
    expect(page).toContain('name="shipping.country"');
    expect(page).toContain('name="discountCode"');
    expect(page).toContain(liveTotalsScript);
    expect(page).not.toMatch(/<(?:link|img)\b|\bsrc=/i);
    expect(Buffer.byteLength(page, "utf8")).toBeLessThan(60 * 1024);
  });
});
