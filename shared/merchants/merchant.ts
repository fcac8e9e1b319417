/** The merchant and API key records as the API shows them. */
import type { Interval } from "../products/product.ts";
import type { Role } from "../users/roles.ts";

export type PaymentTermsCode =
  | "due_on_receipt"
  | "net_7"
  | "net_15"
  | "net_30"
  | "net_45"
  | "net_60"
  | "net_90";

/** What happens after a subscription's renewal charge fails (issue 12 §1). */
export interface DunningSettings {
  /** Retry offsets in days from the first failure, increasing, each 1–60 (1–8 of them). */
  retryDays: number[];
  /** After the last retry failed: cancel the subscription, mark the invoice uncollectible, or nothing. */
  finalAction: "cancel" | "mark_uncollectible" | "leave_past_due";
}

export const defaultDunning: DunningSettings = { retryDays: [3, 5, 7], finalAction: "cancel" };

export interface Branding {
  logoUrl?: string;
  /** `#rrggbb`. */
  brandColor?: string;
  footerText?: string;
}

/**
 * When the buyer of a subscription hears of its next renewal: `daysBefore` days before it (09:00 merchant
 * time), by email for subscriptions of these intervals only (the `subscription.renewal_upcoming` event
 * fires for every interval).
 */
export interface RenewalReminders {
  daysBefore: number;
  intervals: Interval[];
}

/** Stripe's default: a week before yearly (and half-yearly) renewals, which buyers forget. */
export const defaultRenewalReminders: RenewalReminders = { daysBefore: 7, intervals: ["year", "half_year"] };

export const renewalRemindersOf = (merchant: Pick<Merchant, "renewalReminders">): RenewalReminders =>
  merchant.renewalReminders ?? defaultRenewalReminders;

/**
 * What a buyer may do on their customer portal (`/c/{token}`) besides seeing their subscriptions and
 * invoices and paying open ones: cancel at period end (or never: only the merchant cancels), pause and
 * resume, and update the card their subscriptions are charged to.
 */
export interface PortalSettings {
  cancel: "at_period_end" | "never";
  pause: boolean;
  updatePaymentMethod: boolean;
}

/** Stripe's portal defaults: cancel at period end and a new card, but no pause (it changes revenue). */
export const defaultPortal: PortalSettings = {
  cancel: "at_period_end",
  pause: false,
  updatePaymentMethod: true,
};

export const portalOf = (merchant: Pick<Merchant, "portal">): PortalSettings => ({
  ...defaultPortal,
  ...merchant.portal,
});

/** A member of the merchant's team: an address workflow emails (`{ userEmail }`) and account owners may use. */
export interface TeamMember {
  name: string;
  /** Lower case, unique within the team. */
  email: string;
}

/** At most this many team members (merchant settings `team`). */
export const maxTeamMembers = 50;

export interface Merchant {
  id: string;
  name: string;
  email: string;
  /** IANA zone: due dates, payout days and reminders are computed in it. */
  timeZone: string;
  /**
   * BCP 47 locale its buyers read documents in unless their customer record names one, and its own
   * emails (absent on merchants created before locales: `defaultLocale`).
   */
  locale?: string;
  defaultCurrency: string;
  branding: Branding;
  /** Invoice numbers read `{prefix}-0001`. */
  invoiceNumberPrefix: string;
  defaultPaymentTerms: PaymentTermsCode;
  /** Reminder emails for open invoices, relative to the due date (negative: before it). */
  invoiceReminders?: { daysAfterDue: number }[];
  /** Renewal reminders of subscriptions (absent: `defaultRenewalReminders`); see subscriptions/renewals.ts. */
  renewalReminders?: RenewalReminders;
  /** Retries of failed renewal charges (absent: `defaultDunning`). */
  dunning?: DunningSettings;
  /** What buyers may do on their customer portal (absent: `defaultPortal`). */
  portal?: PortalSettings;
  /** Who takes card and bank payments: the built-in sandbox (test mode, the default) or Stripe. */
  processor?: "sandbox" | "stripe";
  /** The merchant's connected Stripe account (`acct_…`), once it started connecting. */
  stripeAccountId?: string;
  /** Set by Stripe's account.updated webhook when the account can take charges. */
  stripeChargesEnabled?: boolean;
  /** The connected account moves real money: it was connected with a live platform key (see payments/mode.ts). */
  stripeLivemode?: boolean;
  /** Shown on receipts. */
  supportEmail?: string;
  /** The merchant's team (absent: none): who internal workflow emails may go to. */
  team?: TeamMember[];
  /**
   * The earliest local day new balance transactions are dated on, set when the time zone changes:
   * the days before the old zone's "today" may be paid out already, and a zone further west would
   * otherwise date money onto them, where no payout would ever pick it up.
   */
  balanceDatesFrom?: string;
  createdAt: string;
  updatedAt: string;
}

export type ApiKeyStatus = "active" | "revoked";

export interface ApiKey {
  id: string;
  merchantId: string;
  name: string;
  /** What the key may do (shared/users/roles.ts); absent on keys made before roles: the owner's. */
  role?: Role;
  hint: string;
  status: ApiKeyStatus;
  createdAt: string;
  /** Updated at most every 5 minutes (see shared/auth/authenticate.ts). */
  lastUsedAt?: string;
  revokedAt?: string;
}

/**
 * The addresses internal mail may go to on the merchant's behalf: its own email and its team's, lower
 * case, so a workflow's `{ userEmail }` can never send through the operator's identity to anyone else.
 */
export const teamEmails = (merchant: Pick<Merchant, "email" | "team">): string[] => [
  ...new Set(
    [merchant.email, ...(merchant.team ?? []).map((member) => member.email)].map((e) => e.toLowerCase()),
  ),
];
