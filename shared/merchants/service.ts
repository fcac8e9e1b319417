/**
 * Merchant and API key use cases. Ports come in as arguments so tests can hand in fakes or
 * emulator-backed stores.
 */
import { forgetApiKey } from "../auth/authenticate.ts";
import { hashSecret, newSecret, secretHint } from "../auth/secrets.ts";
import { localDate } from "../domain/calendar.ts";
import type { Clock } from "../domain/clock.ts";
import { ConflictError, NotFoundError } from "../domain/errors.ts";
import { applyPatch } from "../domain/patch.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { defaultLocale } from "../i18n/locale.ts";
import type { UserStore } from "../users/ports.ts";
import type { Role } from "../users/roles.ts";
import { newUser } from "../users/service.ts";
import type { MerchantStore } from "./ports.ts";
import {
  type ApiKey,
  type Branding,
  type TeamMember,
  type DunningSettings,
  defaultRenewalReminders,
  type Merchant,
  type PaymentTermsCode,
  type PortalSettings,
  portalOf,
  type RenewalReminders,
} from "./merchant.ts";

export interface MerchantPorts {
  store: MerchantStore;
  clock: Clock;
}

/** Creating a merchant writes its owner too. */
export interface CreateMerchantPorts extends MerchantPorts {
  users: Pick<UserStore, "firstOwnerWrites">;
}

export interface NewMerchant {
  name: string;
  email: string;
  locale?: string | undefined;
}

export interface MerchantSettingsPatch {
  name?: string;
  email?: string;
  timeZone?: string;
  locale?: string;
  defaultCurrency?: string;
  branding?: { [K in keyof Branding]?: Branding[K] | null };
  invoiceNumberPrefix?: string;
  defaultPaymentTerms?: PaymentTermsCode;
  invoiceReminders?: { daysAfterDue: number }[];
  renewalReminders?: RenewalReminders;
  dunning?: DunningSettings;
  portal?: Partial<PortalSettings>;
  processor?: "sandbox" | "stripe";
  supportEmail?: string | null;
  /** Replaces the whole team; [] empties it. */
  team?: TeamMember[];
}

function newKey(merchantId: string, name: string, role: Role, now: Date): { key: ApiKey; secret: string } {
  const secret = newSecret();
  return {
    secret,
    key: {
      id: newId("apiKey", now),
      merchantId,
      name,
      role,
      hint: secretHint(secret),
      status: "active",
      createdAt: now.toISOString(),
    },
  };
}

/**
 * Creates a merchant with its first API key (an owner's) and its owner, a user with the merchant's
 * email whose invitation the welcome email carries. The key's secret is returned here and never again.
 */
export async function createMerchant(
  { store, users, clock }: CreateMerchantPorts,
  input: NewMerchant,
): Promise<{ merchant: Merchant; apiKey: ApiKey & { secret: string } }> {
  const now = clock.now();
  const at = now.toISOString();
  const merchant: Merchant = {
    id: newId("merchant", now),
    name: input.name,
    email: input.email.toLowerCase(),
    timeZone: "UTC",
    locale: input.locale ?? defaultLocale,
    defaultCurrency: "USD",
    branding: {},
    invoiceNumberPrefix: "INV",
    defaultPaymentTerms: "net_30",
    invoiceReminders: [],
    renewalReminders: defaultRenewalReminders,
    createdAt: at,
    updatedAt: at,
  };
  const { key, secret } = newKey(merchant.id, "Default key", "owner", now);
  const owner = newUser(merchant.id, { email: merchant.email, role: "owner" }, now);
  await store.createMerchant(
    merchant,
    key,
    hashSecret(secret),
    newEvent("merchant.created", merchant.id, merchant.id, now, { merchant, owner }),
    users.firstOwnerWrites(owner),
  );
  return { merchant, apiKey: { ...key, secret } };
}

export async function getMerchant({ store }: MerchantPorts, merchantId: string): Promise<Merchant> {
  const found = await store.readMerchant(merchantId);
  if (!found) throw new NotFoundError("Merchant");
  return presentMerchant(found.value);
}

/** The merchant as the API shows it: its locale always (merchants created before locales read `defaultLocale`). */
export const presentMerchant = (merchant: Merchant): Merchant => ({
  ...merchant,
  locale: merchant.locale ?? defaultLocale,
});

/**
 * A time zone change keeps money off days that may be paid out already: payouts pay only days
 * before the run's local "today", so every day before the old zone's today may be done, and new
 * balance transactions are dated that day or later (see `moneyMoved`).
 */
function balanceDatesAfterZoneChange(
  merchant: Merchant,
  timeZone: string | undefined,
  now: Date,
): Pick<Merchant, "balanceDatesFrom"> {
  if (timeZone === undefined || timeZone === merchant.timeZone) return {};
  const oldToday = localDate(now, merchant.timeZone);
  const floor = merchant.balanceDatesFrom;
  return { balanceDatesFrom: floor && floor > oldToday ? floor : oldToday };
}

/** Applies a settings patch; `null` clears an optional branding field. */
export async function updateMerchant(
  { store, clock }: MerchantPorts,
  merchantId: string,
  patch: MerchantSettingsPatch,
): Promise<Merchant> {
  const found = await store.readMerchant(merchantId);
  if (!found) throw new NotFoundError("Merchant");
  const now = clock.now();
  const { branding: brandingPatch, ...rest } = patch;
  const branding: Branding = { ...found.value.branding };
  for (const [field, value] of Object.entries(brandingPatch ?? {}) as [
    keyof Branding,
    string | null | undefined,
  ][]) {
    if (value === null) delete branding[field];
    else if (value !== undefined) branding[field] = value;
  }
  if (patch.processor === "stripe" && !found.value.stripeChargesEnabled) {
    throw new ConflictError(
      "Connect a Stripe account that can take charges first (POST /v1/processor/stripe/connect)",
    );
  }
  const { supportEmail, portal, ...others } = rest;
  const merchant: Merchant = {
    ...presentMerchant(applyPatch(found.value, { supportEmail })),
    ...others,
    ...(portal ? { portal: { ...portalOf(found.value), ...portal } } : {}),
    branding,
    ...balanceDatesAfterZoneChange(found.value, patch.timeZone, now),
    updatedAt: now.toISOString(),
  };
  await store.replaceMerchant(
    merchant,
    found.version,
    newEvent("merchant.updated", merchantId, merchantId, now, { merchant, changed: Object.keys(patch) }),
  );
  return presentMerchant(merchant);
}

export async function createApiKey(
  { store, clock }: MerchantPorts,
  merchantId: string,
  name = "API key",
  role: Role = "owner",
) {
  const now = clock.now();
  const { key, secret } = newKey(merchantId, name, role, now);
  await store.createApiKey(
    key,
    hashSecret(secret),
    newEvent("api_key.created", merchantId, key.id, now, { apiKey: key }),
  );
  return { ...key, secret };
}

export async function revokeApiKey(
  { store, clock }: MerchantPorts,
  merchantId: string,
  keyId: string,
): Promise<ApiKey> {
  const hash = await store.findApiKeyHash(merchantId, keyId);
  if (!hash) throw new NotFoundError("API key");
  const now = clock.now();
  const key = await store.revokeApiKey(
    hash,
    merchantId,
    now.toISOString(),
    newEvent("api_key.revoked", merchantId, keyId, now, { apiKeyId: keyId }),
  );
  forgetApiKey(keyId);
  return key;
}

/** Stripe's account.updated: whether the connected account can take charges now. */
export async function setStripeAccountStatus(
  { store, clock }: MerchantPorts,
  merchantId: string,
  chargesEnabled: boolean,
): Promise<void> {
  const found = await store.readMerchant(merchantId);
  if (!found || found.value.stripeChargesEnabled === chargesEnabled) return;
  const now = clock.now();
  const merchant: Merchant = {
    ...found.value,
    stripeChargesEnabled: chargesEnabled,
    updatedAt: now.toISOString(),
  };
  await store.replaceMerchant(
    merchant,
    found.version,
    newEvent("merchant.updated", merchantId, merchantId, now, {
      merchant,
      changed: ["stripeChargesEnabled"],
    }),
  );
}

/**
 * Records the merchant's connected Stripe account (the first step of connecting) and whether it is a
 * live account: one connected with a live platform key. Connecting again records the mode of an
 * account connected before Kassa recorded modes.
 */
export async function setStripeAccount(
  { store, clock }: MerchantPorts,
  merchantId: string,
  accountId: string,
  livemode: boolean,
): Promise<Merchant> {
  const found = await store.readMerchant(merchantId);
  if (!found) throw new NotFoundError("Merchant");
  const sameAccount = found.value.stripeAccountId === accountId;
  if (sameAccount && found.value.stripeLivemode === livemode) return found.value;
  const now = clock.now();
  const merchant: Merchant = {
    ...found.value,
    stripeAccountId: accountId,
    stripeLivemode: livemode,
    ...(sameAccount ? {} : { stripeChargesEnabled: false }),
    updatedAt: now.toISOString(),
  };
  await store.replaceMerchant(
    merchant,
    found.version,
    newEvent("merchant.updated", merchantId, merchantId, now, {
      merchant,
      changed: sameAccount ? ["stripeLivemode"] : ["stripeAccountId", "stripeLivemode"],
    }),
    sameAccount ? [] : [store.stripeAccountRefWrite(accountId, merchantId)],
  );
  return merchant;
}

/** What connecting needs of Stripe's Connect API (shared/payments/stripe.ts `stripeConnect`). */
export interface StripeOnboarding {
  createConnectedAccount(
    email: string,
    request: { merchantId: string; idempotencyKey: string },
  ): Promise<string>;
  accountLink(accountId: string, refreshUrl: string, returnUrl: string): Promise<string>;
}

/**
 * Starts (or resumes) connecting the merchant's Stripe account: the account is created once (keyed
 * by the merchant), recorded with the platform key's mode, and a fresh single-use onboarding link is
 * answered; Stripe's account.updated completes it. The API's `POST /v1/processor/stripe/connect` and
 * the dashboard's processor page both start here.
 */
export async function startStripeConnect(
  ports: MerchantPorts & { stripe: StripeOnboarding; livemode: boolean },
  merchantId: string,
  links: { refreshUrl: string; returnUrl: string },
): Promise<{ accountId: string; url: string }> {
  const merchant = await getMerchant(ports, merchantId);
  const accountId =
    merchant.stripeAccountId ??
    (await ports.stripe.createConnectedAccount(merchant.email, {
      merchantId: merchant.id,
      idempotencyKey: `connect-${merchant.id}`,
    }));
  await setStripeAccount(ports, merchant.id, accountId, ports.livemode);
  const url = await ports.stripe.accountLink(accountId, links.refreshUrl, links.returnUrl);
  return { accountId, url };
}
