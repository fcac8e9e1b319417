/** Whether Kassa's Stripe secret key moves real money: Stripe's live keys start `sk_live_` (restricted keys `rk_live_`). */
export const isLiveStripeKey = (key: string): boolean => /^(sk|rk)_live_/.test(key);
