/** The catalog port of invoice pricing, backed by the customer, product, tax-rate and discount-code stores. */
import { dynamoCustomerStore } from "../store/customers.ts";
import { dynamoDiscountCodeStore } from "../store/discount-codes.ts";
import { dynamoProductStore } from "../store/products.ts";
import { dynamoTaxRateStore } from "../store/tax-rates.ts";
import type { Catalog } from "./build.ts";

export const dynamoCatalog: Catalog = {
  customer: async (merchantId, id) => (await dynamoCustomerStore.read(merchantId, id))?.value,
  product: async (merchantId, id) => (await dynamoProductStore.read(merchantId, id))?.value,
  taxRate: async (merchantId, id) => (await dynamoTaxRateStore.read(merchantId, id))?.value,
  discountCode: async (merchantId, code) => {
    const id = await dynamoDiscountCodeStore.findIdByCode(merchantId, code);
    return id ? (await dynamoDiscountCodeStore.read(merchantId, id))?.value : undefined;
  },
  markReferenced: (merchantId, products) => dynamoProductStore.markReferenced(merchantId, products),
};
