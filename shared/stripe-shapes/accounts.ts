/** `account.updated` for a connected account. */
import type Stripe from "stripe";
import { type EventEnvelope, type EventOf, envelope } from "./envelope.ts";
import { clone, fixtures } from "./fixtures.ts";

export interface AccountInput extends Omit<EventEnvelope, "accountId"> {
  /** `acct_…`; also the event's `account`. */
  id: string;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  currentlyDue?: string[];
  pastDue?: string[];
  eventuallyDue?: string[];
  disabledReason?: string | null;
  email?: string | null;
  country?: string;
  defaultCurrency?: string;
  businessName?: string | null;
}

/** `account.updated` for a connected account (onboarding progress, capabilities, requirements). */
export function accountUpdatedEvent(input: AccountInput): EventOf<"account.updated"> {
  const template = clone(fixtures.resources.account);
  const currentlyDue = input.currentlyDue ?? [];
  const overrides: Partial<Stripe.Account> = {
    id: input.id,
    business_profile: {
      ...template.business_profile,
      name: input.businessName ?? null,
    } as Stripe.Account.BusinessProfile,
    capabilities: {
      card_payments: input.chargesEnabled ? "active" : "inactive",
      transfers: input.payoutsEnabled ? "active" : "inactive",
    },
    charges_enabled: input.chargesEnabled,
    country: input.country ?? template.country,
    created: input.created,
    default_currency: (input.defaultCurrency ?? template.default_currency).toLowerCase(),
    details_submitted: input.detailsSubmitted,
    email: input.email ?? null,
    external_accounts: {
      ...template.external_accounts,
      url: `/v1/accounts/${input.id}/external_accounts`,
    } as Stripe.ApiList<Stripe.BankAccount | Stripe.Card>,
    metadata: {},
    payouts_enabled: input.payoutsEnabled,
    requirements: {
      ...template.requirements,
      currently_due: currentlyDue,
      eventually_due: input.eventuallyDue ?? currentlyDue,
      past_due: input.pastDue ?? [],
      disabled_reason: input.disabledReason ?? null,
    } as Stripe.Account.Requirements,
  };
  const seed = `${input.chargesEnabled}|${input.payoutsEnabled}|${input.detailsSubmitted}|${currentlyDue.join(",")}`;
  return envelope("account.updated", { ...template, ...overrides }, { ...input, accountId: input.id }, seed);
}
