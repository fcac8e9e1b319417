/**
 * A checkout session's statuses (./checkout-session.ts), apart so the list filters (shared/api/
 * list-filters.ts) name them without loading the session's pricing and translations.
 */
export const checkoutStatuses = ["open", "complete", "expired"] as const;
export type CheckoutStatus = (typeof checkoutStatuses)[number];
