/** The invoice pricing's catalog port (`Catalog`), backed by the customer, product, tax-rate and discount-code stores. */
import type { Catalog } from "../invoices/build.ts";
import { dynamoCustomerStore } from "./customers.ts";
import { dynamoDiscountCodeStore } from "./discount-codes.ts";
import { dynamoProductStore } from "./products.ts";
import { dynamoTaxRateStore } from "./tax-rates.ts";

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
