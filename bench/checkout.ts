/**
 * The checkout page (issue 13 §2): its weight for the largest realistic link (HTML + CSS + JS, all
 * inline), and the server's time to price and render it in-process — the money engine on 20 lines,
 * the form token, the HTML — without the store's reads or the network; and the live totals' pricing.
 */
import { fixedClock } from "../shared/domain/clock.ts";
import { priceCheckout } from "../shared/payment-links/checkout-session.ts";
import { defaultLocale } from "../shared/i18n/locale.ts";
import { translator } from "../shared/i18n/translator.ts";
import { displayedTotals, offerFormPage } from "../shared/payment-links/checkout-page.ts";
import { largestOffer } from "../test/helpers/largest-offer.ts";
import type { Row } from "./report.ts";
import { percentile, round } from "./stats.ts";

const warmUp = 50;

async function timed(samples: number, run: () => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples + warmUp; i++) {
    const started = performance.now();
    await run();
    if (i >= warmUp) times.push(performance.now() - started);
  }
  return times;
}

export async function checkoutSection(samples = 1000): Promise<Row[]> {
  // The form token's secret, as a local deployment reads it (set already when the bench environment runs).
  process.env.CURSOR_SECRET ??= "bench-cursor-secret-0123456789";
  const offer = largestOffer();
  const context = { slug: offer.link.slug, clock: fixedClock(new Date()), publicBaseUrl: "https://pay.example" };
  const page = (await offerFormPage(offer, context)).raw?.body ?? "";
  const bytes = Buffer.byteLength(page, "utf8");
  const render = await timed(samples, () => offerFormPage(offer, context));
  const quantities = offer.link.lineItems.map((_, i) => 1 + (i % 5));
  const live = await timed(samples, () =>
    displayedTotals(
      priceCheckout(offer.link, offer.products, offer.rates, quantities, {
        code: "SPRING15",
        percentOff: 15,
      }),
      translator(defaultLocale),
    ),
  );
  const figures = (times: number[]) => ({
    samples,
    "p50 ms": round(percentile(times, 50), 3),
    "p95 ms": round(percentile(times, 95), 3),
  });
  return [
    {
      figure: "checkout page weight, largest link (20 items, 3 custom fields, addresses)",
      bytes,
      KB: round(bytes / 1024, 1),
      "budget KB": 60,
    },
    { figure: "price + render that page, in-process (no store, no network)", ...figures(render) },
    { figure: "live totals: price 20 lines with a code + format, in-process", ...figures(live) },
  ];
}
