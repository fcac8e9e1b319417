/**
 * The largest checkout a merchant can realistically build, in memory: 20 adjustable items with long
 * names, two tax rates, phone, billing and a shipping address in 60 countries, 3 custom fields (a
 * dropdown of 20 options), discount codes, a test-mode merchant with a footer. The page-weight test
 * and the bench render its page.
 */
import type { Merchant } from "../../shared/merchants/merchant.ts";
import type { Offer } from "../../shared/payment-links/checkout.ts";
import type { PaymentLink } from "../../shared/payment-links/payment-link.ts";
import type { Product } from "../../shared/products/product.ts";
import type { TaxRate } from "../../shared/tax-rates/tax-rate.ts";

const at = "2026-03-01T12:00:00.000Z";
const countries = (
  "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE NO IS LI CH GB " +
  "US CA MX BR AR CL AU NZ JP KR SG HK TW IN AE SA IL TR ZA EG MA NG KE TH MY ID PH VN"
).split(" ");

export function largestOffer(): Extract<Offer, { state: "open" }> {
  const merchant = {
    id: "mer_weight",
    name: "Nordlys Kaffebrenneri & Bakeri AS",
    email: "owner@nordlys.test",
    supportEmail: "hjelp@nordlys.test",
    timeZone: "Europe/Oslo",
    defaultCurrency: "NOK",
    branding: {
      brandColor: "#0f766e",
      footerText: "Nordlys Kaffebrenneri & Bakeri AS · Org.nr. 123 456 789 MVA · Storgata 1, 0155 Oslo",
    },
    invoiceNumberPrefix: "NORD",
    defaultPaymentTerms: "net_15",
    processor: "sandbox",
    createdAt: at,
    updatedAt: at,
  } as Merchant;
  const products: Product[] = Array.from({ length: 20 }, (_, i) => ({
    id: `prod_${String(i).padStart(24, "0")}`,
    name: `Single-origin coffee, ${["Ethiopia Yirgacheffe", "Colombia Huila", "Kenya Nyeri AA", "Guatemala Antigua"][i % 4]} ${i + 1} kg`,
    unitAmount: 12_990 + i * 1_000,
    currency: "NOK",
    active: true,
    metadata: {},
    createdAt: at,
    updatedAt: at,
  }));
  const rates: TaxRate[] = [
    { id: "txr_food", name: "MVA næringsmidler", percentage: 15, inclusive: true },
    { id: "txr_deposit", name: "Pant", percentage: 2.5, inclusive: false },
  ].map((r) => ({ ...r, active: true, metadata: {}, createdAt: at, updatedAt: at }));
  const link: PaymentLink = {
    id: "plink_weight",
    slug: "AbCdEfGhIjKlMnOp",
    name: "The whole roastery: every coffee we roast this season, in the quantity you like",
    currency: "NOK",
    lineItems: products.map((p) => ({
      productId: p.id,
      quantity: 1,
      adjustableQuantity: { min: 1, max: 99 },
    })),
    allowDiscountCodes: true,
    collectBillingAddress: true,
    collectShippingAddress: { allowedCountries: countries },
    collectPhone: true,
    customFields: [
      {
        key: "grind",
        label: "How should we grind your coffee?",
        type: "dropdown",
        options: Array.from({ length: 20 }, (_, i) => `Grind setting ${i + 1} (fine → coarse)`),
        optional: false,
      },
      { key: "gift", label: "Gift message for the card in the box", type: "text", optional: true },
      { key: "floor", label: "Floor or apartment number for delivery", type: "numeric", optional: true },
    ],
    active: true,
    taxRateIds: rates.map((r) => r.id),
    metadata: {},
    timesRedeemed: 0,
    createdAt: at,
    updatedAt: at,
  };
  return { state: "open", merchant, link, products, rates };
}
