/**
 * What an index page's search box (`?q=`) stands for, in the list's own filters: an email is the
 * customer list's `email` filter, and on the lists of a customer's documents the customer with that
 * email (found through the customer list's `email` filter) as their customer filter; anything else on
 * the invoice and quote lists is their `number` filter.
 */
import { email } from "../../../api/common.ts";
import { customerPorts, withSavedViews } from "../../../composition.ts";
import { listCustomers } from "../../../customers/service.ts";
import { ValidationError } from "../../../domain/errors.ts";
import type { Search } from "./index-page.ts";

function emailOf(q: string): string {
  const parsed = email().safeParse(q);
  if (!parsed.success) throw new ValidationError([{ path: "q", message: "must be an email address" }]);
  return parsed.data;
}

/** `q` as the list's `email` filter. */
export const byEmail: Search = {
  hint: "An email address",
  resolve: async (_clock, _merchantId, q) => ({ filters: { email: emailOf(q) } }),
};

/** `q` as the customer with that email, given to the list's customer filter (`customerId`, `relatedTo`). */
export const byCustomerEmail = (filter: string): Search => ({
  hint: "The customer's email address",
  resolve: async (clock, merchantId, q) => {
    const found = await listCustomers(withSavedViews(customerPorts(clock)), merchantId, {
      email: emailOf(q),
      limit: 1,
    });
    const customer = found.items[0];
    return customer
      ? { filters: { [filter]: customer.id } }
      : { nothing: `No customer has the email ${emailOf(q)}.` };
  },
});

/** `q` as the document's `number` filter, or (with an `@`) as its customer's email. */
export const byNumberOrCustomerEmail = (example: string): Search => {
  const byEmail = byCustomerEmail("customerId");
  return {
    hint: `A number (${example}) or the customer's email address`,
    resolve: (clock, merchantId, q) =>
      q.includes("@") ? byEmail.resolve(clock, merchantId, q) : Promise.resolve({ filters: { number: q } }),
  };
};
