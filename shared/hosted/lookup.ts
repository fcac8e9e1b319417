/**
 * The page-token lookup of every hosted page: a buyer reaches a merchant's record by the unguessable
 * token in its link, never by id, and an unknown token is a 404 that says nothing more.
 */
import { NotFoundError } from "../domain/errors.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";

export interface TokenTarget<T> {
  /** What the page shows, as its 404 names it ("Invoice"). */
  what: string;
  /** The record the token points at, if any. */
  find(token: string): Promise<{ merchantId: string; id: string } | undefined>;
  read(merchantId: string, id: string): Promise<T | undefined>;
}

export async function byPageToken<T>(
  merchants: MerchantStore,
  target: TokenTarget<T>,
  token: string,
): Promise<{ value: T; merchant: Merchant }> {
  const ref = await target.find(token);
  const [value, merchant] = ref
    ? await Promise.all([target.read(ref.merchantId, ref.id), merchants.readMerchant(ref.merchantId)])
    : [];
  if (value === undefined || !merchant) throw new NotFoundError(target.what);
  return { value, merchant: merchant.value };
}
