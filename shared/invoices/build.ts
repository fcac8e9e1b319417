/**
 * Builds an invoice's content from a request: resolves products, tax rates and discount codes
 * against the merchant's catalog, then prices it with the money engine. Pure apart from the catalog
 * port, so the same rules serve create and every draft edit.
 */
import type { Customer } from "../customers/customer.ts";
import type { DiscountCode } from "../discount-codes/discount-code.ts";
import { unredeemableReason } from "../discount-codes/discount-code.ts";
import { type FieldError, ValidationError } from "../domain/errors.ts";
import { computeTotals, type DiscountInput, type TaxRateInput } from "../domain/totals.ts";
import type { Product } from "../products/product.ts";
import type { TaxRate } from "../tax-rates/tax-rate.ts";
import type {
  BilledCustomer,
  Invoice,
  InvoiceDiscount,
  InvoiceFee,
  InvoiceLine,
  LineDiscount,
} from "./invoice.ts";

export interface Catalog {
  customer(merchantId: string, id: string): Promise<Customer | undefined>;
  product(merchantId: string, id: string): Promise<Product | undefined>;
  taxRate(merchantId: string, id: string): Promise<TaxRate | undefined>;
  discountCode(merchantId: string, code: string): Promise<DiscountCode | undefined>;
  /**
   * Marks products as used by a finalized document, so their price and currency are frozen and they
   * can no longer be deleted. Idempotent; marking a product bumps its version, so a concurrent edit
   * made against the unmarked product gets a 409; a product whose price moved since it was priced is
   * a conflict (the finalize re-prices).
   */
  markReferenced(merchantId: string, products: PricedProduct[]): Promise<void>;
}

/** A product as a document was priced with it. */
export type PricedProduct = Pick<Product, "id" | "unitAmount" | "currency">;

export interface LineRequest {
  description?: string;
  quantity: number;
  unitAmount?: number;
  productId?: string;
  discount?: LineDiscount;
  taxRateIds?: string[];
}

/** A line as priced: a subscription's line also names the period it bills, kept through every re-pricing. */
export interface PricedLineRequest extends LineRequest {
  period?: { start: string; end: string };
  /** A subscription change's proration line (never from a request body): may be negative. */
  proration?: true;
}

export type DiscountRequest = { percentOff: number } | { amountOff: number } | { code: string };

export interface ContentRequest {
  customerId: string;
  currency: string;
  lineItems: LineRequest[];
  discounts?: DiscountRequest[];
  fees?: { description: string; amount?: number; percent?: number; taxable: boolean }[];
}

/** The invoice's priced content, and the discount codes it uses (redeemed when it is finalized). */
export interface PricedContent {
  customer: BilledCustomer;
  content: Pick<
    Invoice,
    | "customerId"
    | "currency"
    | "lineItems"
    | "discounts"
    | "fees"
    | "subtotal"
    | "discountTotal"
    | "taxTotal"
    | "taxBreakdown"
    | "feeTotal"
    | "total"
    | "creditedToBalance"
  >;
  discountCodeIds: string[];
  /** The document's products not yet marked as referenced (finalize marks them), as priced. */
  unreferencedProducts: PricedProduct[];
}

/** What pricing reads: of the customer, only what it bills (a finalize may hand it the draft's). */
export type PricingCatalog = Pick<Catalog, "product" | "taxRate" | "discountCode"> & {
  customer(merchantId: string, id: string): Promise<BilledCustomer | undefined>;
};

export async function priceContent(
  catalog: PricingCatalog,
  merchantId: string,
  request: Omit<ContentRequest, "lineItems"> & { lineItems: PricedLineRequest[] },
  now: Date,
): Promise<PricedContent> {
  const errors: FieldError[] = [];
  const customer = await catalog.customer(merchantId, request.customerId);
  if (!customer) errors.push({ path: "customerId", message: "is not one of your customers" });

  const rateIds = [...new Set(request.lineItems.flatMap((l) => l.taxRateIds ?? []))];
  const rates = new Map<string, TaxRate>();
  await Promise.all(
    rateIds.map(async (id) => {
      const rate = await catalog.taxRate(merchantId, id);
      if (rate?.active) rates.set(id, rate);
    }),
  );
  const products = new Map<string, Product>();
  await Promise.all(
    [...new Set(request.lineItems.flatMap((l) => (l.productId ? [l.productId] : [])))].map(async (id) => {
      const product = await catalog.product(merchantId, id);
      if (product) products.set(id, product);
    }),
  );

  const lines = request.lineItems.map((line, i) => {
    const product = line.productId ? products.get(line.productId) : undefined;
    if (line.productId && !product)
      errors.push({ path: `lineItems.${i}.productId`, message: "is not one of your products" });
    else if (product && !product.active)
      errors.push({ path: `lineItems.${i}.productId`, message: "is archived" });
    else if (product && product.currency !== request.currency) {
      errors.push({
        path: `lineItems.${i}.productId`,
        message: `is priced in ${product.currency}, not ${request.currency}`,
      });
    }
    (line.taxRateIds ?? []).forEach((id, j) => {
      if (!rates.has(id))
        errors.push({
          path: `lineItems.${i}.taxRateIds.${j}`,
          message: "is not one of your active tax rates",
        });
    });
    return {
      description: line.description ?? product?.name ?? "",
      quantity: line.quantity,
      unitAmount: line.unitAmount ?? product?.unitAmount ?? 0,
      ...(line.productId ? { productId: line.productId } : {}),
      ...(line.discount ? { discount: line.discount } : {}),
      taxRateIds: line.taxRateIds ?? [],
      ...(line.period ? { period: line.period } : {}),
      ...(line.proration ? { proration: true as const } : {}),
    };
  });

  const codes: DiscountCode[] = [];
  const discounts: (DiscountInput & { code?: string })[] = [];
  for (const [i, discount] of (request.discounts ?? []).entries()) {
    if (!("code" in discount)) {
      discounts.push(discount);
      continue;
    }
    const code = await catalog.discountCode(merchantId, discount.code.toUpperCase());
    const problem = !code
      ? "is not one of your discount codes"
      : (unredeemableReason(code, now) ??
        (code.amountOff !== undefined && code.currency !== request.currency
          ? `is for ${code.currency}, not ${request.currency}`
          : undefined));
    if (problem || !code) {
      errors.push({ path: `discounts.${i}.code`, message: problem ?? "is not valid" });
      continue;
    }
    // The request schema refuses a repeated code; a draft stored before it did must not reach a
    // finalize that would price it twice and redeem it twice in one transaction.
    if (codes.some((c) => c.id === code.id)) {
      errors.push({ path: `discounts.${i}.code`, message: "is already applied to this document" });
      continue;
    }
    codes.push(code);
    discounts.push(
      code.percentOff !== undefined
        ? { percentOff: code.percentOff, code: code.code }
        : { amountOff: code.amountOff ?? 0, code: code.code },
    );
  }
  if (errors.length) throw new ValidationError(errors);

  const taxInput = (ids: string[]): TaxRateInput[] =>
    ids.map((id) => {
      const rate = rates.get(id) as TaxRate;
      return { id, name: rate.name, percentage: rate.percentage, inclusive: rate.inclusive };
    });
  const totals = computeTotals({
    currency: request.currency,
    lines: lines.map((l) => ({
      quantity: l.quantity,
      unitAmount: l.unitAmount,
      ...(l.discount ? { discount: l.discount } : {}),
      ...(l.proration ? { proration: true } : {}),
      taxRates: taxInput(l.taxRateIds),
    })),
    discounts: discounts.map(({ code: _, ...d }) => d as DiscountInput),
    fees: (request.fees ?? []).map((f) => ({ ...f, ...(f.taxable ? { taxRates: taxInput(rateIds) } : {}) })),
    taxRates: taxInput(rateIds),
  });

  const lineItems: InvoiceLine[] = lines.map((l, i) => {
    const t = totals.lines[i];
    return {
      ...l,
      amountSubtotal: t?.amountSubtotal ?? 0,
      amountDiscount: t?.amountDiscount ?? 0,
      amountTax: t?.amountTax ?? 0,
      amountTotal: t?.amountTotal ?? 0,
    };
  });
  const appliedDiscounts: InvoiceDiscount[] = discounts.map((d, i) => ({
    ...d,
    amount: totals.discounts[i]?.amount ?? 0,
  }));
  const fees: InvoiceFee[] = (request.fees ?? []).map((f, i) => ({
    ...f,
    amountTotal: totals.fees[i]?.amountTotal ?? 0,
  }));
  const c = customer as BilledCustomer;
  return {
    customer: {
      id: c.id,
      email: c.email,
      ...(c.name ? { name: c.name } : {}),
      ...(c.companyName ? { companyName: c.companyName } : {}),
      ...(c.address ? { address: c.address } : {}),
      ...(c.locale ? { locale: c.locale } : {}),
    },
    content: {
      customerId: c.id,
      currency: request.currency,
      lineItems,
      discounts: appliedDiscounts,
      fees,
      subtotal: totals.subtotal,
      discountTotal: totals.discountTotal,
      taxTotal: totals.taxTotal,
      taxBreakdown: totals.taxBreakdown,
      feeTotal: totals.feeTotal,
      // Credits (proration lines) outweighing the charges: nothing is owed, the rest is the customer's.
      total: Math.max(0, totals.total),
      creditedToBalance: Math.max(0, -totals.total),
    },
    discountCodeIds: codes.map((c) => c.id),
    unreferencedProducts: [...products.values()]
      .filter((p) => !p.referenced)
      .map(({ id, unitAmount, currency }) => ({ id, unitAmount, currency })),
  };
}
