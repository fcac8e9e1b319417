/** The merchant and API key records as the API shows them. */
export type PaymentTermsCode = "due_on_receipt" | "net_7" | "net_15" | "net_30" | "net_45" | "net_60" | "net_90";

export interface Branding {
  logoUrl?: string;
  /** `#rrggbb`. */
  brandColor?: string;
  footerText?: string;
}

export interface Merchant {
  id: string;
  name: string;
  email: string;
  /** IANA zone: due dates, payout days and reminders are computed in it. */
  timeZone: string;
  defaultCurrency: string;
  branding: Branding;
  /** Invoice numbers read `{prefix}-0001`. */
  invoiceNumberPrefix: string;
  defaultPaymentTerms: PaymentTermsCode;
  /** Reminder emails for open invoices, relative to the due date (negative: before it). */
  invoiceReminders?: { daysAfterDue: number }[];
  createdAt: string;
  updatedAt: string;
}

export type ApiKeyStatus = "active" | "revoked";

export interface ApiKey {
  id: string;
  merchantId: string;
  name: string;
  hint: string;
  status: ApiKeyStatus;
  createdAt: string;
  /** Updated at most every 5 minutes (see shared/auth/authenticate.ts). */
  lastUsedAt?: string;
  revokedAt?: string;
}
