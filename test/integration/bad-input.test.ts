/**
 * Bad input, walked generically over every POST and PATCH route in the manifest that takes a body.
 * From a valid body (the route's fixture, which the route accepts at the end), each case breaks one
 * thing — malformed JSON, an array, a required field removed, a wrong type, an unknown or read-only
 * field, an over-long string, a negative or fractional amount, an unknown currency — and must get a
 * 400 problem document naming the field, with nothing written (not even an idempotency record: half
 * the cases send an Idempotency-Key). Oversized bodies get 413 and missing or wrong credentials 401,
 * again writing nothing. The cases are derived from the body schema (`z.toJSONSchema`; a union body
 * from the branch its valid body takes, each branch a `variant`), so new fields are covered as they
 * appear; a route without a fixture fails: add one to `fixtures`. No refused request may queue a
 * processor event or call Stripe either.
 *
 * Public POST routes without a JSON body schema read their raw body themselves (Stripe's webhook,
 * the hosted card form): each has hand-written cases in `rawFixtures`, and fails without them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import type { Operation } from "../../shared/http/operation.ts";
import {
  notificationPorts,
  portalLinkPorts,
  quoteBillingPorts,
  unsubscribeLink,
  updateCardLinkPorts,
} from "../../shared/composition.ts";
import { portalLink } from "../../shared/customers/portal.ts";
import { updateCardLink } from "../../shared/customers/update-card.ts";
import { cookieName } from "../../shared/dashboard/cookies.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { formToken } from "../../shared/hosted/pay-form.ts";
import { signPayload } from "../../shared/payments/signing.ts";
import { billAcceptedQuote } from "../../shared/quotes/acceptance.ts";
import { type ApiResult, type call, newMerchant } from "../helpers/api.ts";
import { adminToken, type TestAws, useTestAws } from "../helpers/aws.ts";
import { takeQueued } from "../helpers/fixtures.ts";
import { manifestRoutes, type RouteCaller, routeCaller, servesRoute } from "../helpers/manifest-routes.ts";
import { type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

type CallOptions = NonNullable<Parameters<typeof call>[2]>;
type Body = Record<string, unknown>;

/** The merchant whose objects the fixtures name. */
interface World {
  secret: string;
  customer: string;
  /** A method saved on `customer`. */
  paymentMethod: string;
  product: string;
  /** A monthly USD product, for subscriptions. */
  recurringProduct: string;
  taxRate: string;
  discountCode: string;
  /** A test clock: customers bind to it, `advanceTestClock` moves it (forward: its valid body is later). */
  testClock: string;
  draftInvoice: string;
  openInvoice: string;
  /** Open, with an amount due, for `payInvoice`: only its accepted request charges it. */
  payableInvoice: string;
  /** A succeeded sandbox payment, for `createRefund`. */
  payment: string;
  /** An open invoice and its hosted-page token, for the card form; only its accepted request pays it. */
  hostedInvoice: string;
  hostedToken: string;
  /** Another open invoice's hosted-page token. */
  otherHostedToken: string;
  /** A subscription starting next year, for PATCH; another for its cancel (the accepted request stops it). */
  subscription: string;
  cancelableSubscription: string;
  /** An active subscription (started today, invoiced), for its pause (the accepted request pauses it). */
  pausableSubscription: string;
  /** The update-card page's token of `customer`, and another customer's. */
  updateCardToken: string;
  otherUpdateCardToken: string;
  /** The customer portal's token of `customer`, and another customer's. */
  portalToken: string;
  otherPortalToken: string;
  /** Subscriptions of `customer` (started today) for the portal's actions: each accepted request changes its own. */
  portalCancelable: string;
  portalPausable: string;
  /** Set to pause (through the API), for the portal's resume. */
  portalResumable: string;
  /** Renewed early by the renew form's accepted request (send_invoice: on to its invoice's page). */
  portalRenewable: string;
  /** A payment link selling `recurringProduct`, for PATCH. */
  paymentLink: string;
  /** The public slug of a one-time link collecting a phone and a custom field; another link's slug. */
  checkoutSlug: string;
  otherCheckoutSlug: string;
  /** An open checkout session of `checkoutSlug`'s link, for its card form. */
  checkoutSession: string;
  /** A task (related to `customer`), for its PATCH. */
  task: string;
  /** An invited team user (not the owner), for its PATCH. */
  user: string;
  /** The unsubscribe page's token of a customer of its own (its accepted request unsubscribes them). */
  unsubscribeToken: string;
  unsubscribeCustomer: string;
  /** The merchant's (default) quote template, for its PATCH and the quotes' `templateId`. */
  quoteTemplate: string;
  /** A workflow, for its PATCH. */
  workflow: string;
  /** An active segment (PATCH of its filters) and a static one (its picked members). */
  activeSegment: string;
  staticSegment: string;
  /** A webhook endpoint (PATCH, rotation, replay, redelivery) and an event of the merchant's (its redelivery). */
  webhookEndpoint: string;
  event: string;
  /** A draft quote (PATCH) and an open one (its offline acceptance). */
  draftQuote: string;
  openQuote: string;
  /**
   * Open quotes' page tokens: one to sign, one to decline, one the buyer signed (with its
   * countersigner's token); and an accepted one whose first invoice is paid on its page.
   */
  quotePages: {
    pay: string;
    sign: string;
    decline: string;
    countersign: string;
    signer: string;
    ids: Record<string, string>;
  };
}

interface BodyFixture {
  /** The admin token instead of the merchant's key. */
  admin?: boolean;
  params?: (w: World) => Record<string, string>;
  /** A valid body, as rich as the schema allows, so nested fields are walked too. */
  body: (w: World) => Body;
  /** Cases the schema cannot show (refinements, a union branch's own values), on top of the derived ones. */
  cases?: Case[];
  /** Further valid bodies (another branch of a union body), each walked with every case too. */
  variants?: Record<string, { body: (w: World) => Body; cases?: Case[] }>;
}

const future = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString();
let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

const address = {
  line1: "1 Main St",
  line2: "Floor 2",
  city: "Berlin",
  state: "BE",
  postalCode: "10115",
  country: "DE",
};
const lineItems = (w: World) => [
  { description: "Work", quantity: 1, unitAmount: 1000, taxRateIds: [w.taxRate] },
  { productId: w.product, quantity: 2 },
];

/** A subscription as rich as its schema allows: a product and an ad-hoc price, starting next year. */
const subscription = (w: World) => ({
  customerId: w.customer,
  items: [
    { productId: w.recurringProduct, quantity: 2 },
    { description: "Priority support", unitAmount: 500, quantity: 1 },
  ],
  currency: "USD",
  interval: "month",
  startDate: `${new Date().getUTCFullYear() + 1}-03-15`,
  billingAnchorDay: 15,
  collectionMethod: "charge_automatically",
  defaultPaymentMethodId: w.paymentMethod,
  billingCycles: 12,
  discounts: [{ percentOff: 5 }],
  taxRateIds: [w.taxRate],
  metadata: { plan: "pro" },
});

/** A payment link as rich as its schema allows (one recurring product: `product` changes interval in the walk). */
const paymentLink = (w: World) => ({
  name: "Coffee club",
  lineItems: [{ productId: w.recurringProduct, quantity: 2, adjustableQuantity: { min: 1, max: 5 } }],
  allowDiscountCodes: true,
  collectBillingAddress: true,
  collectShippingAddress: { allowedCountries: ["NO", "SE"] },
  collectPhone: true,
  trialDays: 14,
  testClockId: w.testClock,
  customFields: [{ key: "size", label: "Cup size", type: "dropdown", options: ["S", "M"], optional: false }],
  maxRedemptions: 100,
  expiresAt: future,
  active: true,
  afterCompletion: { type: "redirect", url: "https://shop.test/thanks" },
  taxRateIds: [w.taxRate],
  metadata: { campaign: "spring" },
});

/** The rules on a link's line items, custom fields, trial and references, for its create and its PATCH. */
const paymentLinkCases: Case[] = [
  change("lineItems.0.productId: no product of this merchant", "lineItems.0.productId", (v) => ({
    ...v,
    lineItems: [{ productId: `prd_${"9".repeat(26)}` }],
  })),
  change("lineItems.0.quantity: 1000", "lineItems.0.quantity", (v, w) => ({
    ...v,
    lineItems: [{ productId: w.recurringProduct, quantity: 1000 }],
  })),
  change("lineItems.0.quantity: outside its adjustable range", "lineItems.0.quantity", (v, w) => ({
    ...v,
    lineItems: [{ productId: w.recurringProduct, quantity: 9, adjustableQuantity: { min: 1, max: 5 } }],
  })),
  change("lineItems.0.adjustableQuantity.min: above max", "lineItems.0.adjustableQuantity.min", (v, w) => ({
    ...v,
    lineItems: [{ productId: w.recurringProduct, quantity: 3, adjustableQuantity: { min: 4, max: 2 } }],
  })),
  change("lineItems: 21 of them", "lineItems", (v, w) => ({
    ...v,
    lineItems: Array(21).fill({ productId: w.recurringProduct }),
  })),
  change("trialDays: 731", "trialDays", (v) => ({ ...v, trialDays: 731 })),
  change("testClockId: no clock of this merchant", "testClockId", (v) => ({
    ...v,
    testClockId: `clk_${"9".repeat(26)}`,
  })),
  change("customFields: 4 of them", "customFields", (v) => ({
    ...v,
    customFields: ["a", "b", "c", "d"].map((key) => ({ key, label: key, type: "text" })),
  })),
  change("customFields.1.key: the key of another field", "customFields.1.key", (v) => ({
    ...v,
    customFields: [
      { key: "k", label: "One", type: "text" },
      { key: "k", label: "Two", type: "numeric" },
    ],
  })),
  change("customFields.0.options: a dropdown without any", "customFields.0.options", (v) => ({
    ...v,
    customFields: [{ key: "k", label: "Pick", type: "dropdown" }],
  })),
  change("afterCompletion.url: not https", "afterCompletion.url", (v) => ({
    ...v,
    afterCompletion: { type: "redirect", url: "http://shop.test/thanks" },
  })),
  change("expiresAt: in the past", "expiresAt", (v) => ({ ...v, expiresAt: "2020-01-01T00:00:00Z" })),
  change("taxRateIds.0: no rate of this merchant", "taxRateIds.0", (v) => ({
    ...v,
    taxRateIds: [`txr_${"9".repeat(26)}`],
  })),
  change("maxRedemptions: 0", "maxRedemptions", (v) => ({ ...v, maxRedemptions: 0 })),
];

/** A code counts once per document (in any spelling): given twice it would be priced and redeemed twice. */
const repeatedCode = change(
  "discounts.1.code: a code the document already applies",
  "discounts.1.code",
  (v) => ({
    ...v,
    discounts: [{ code: "TEN" }, { code: "ten" }],
  }),
);

/** A well-formed template id that is none of the merchant's templates. */
const unknownTemplate = change("templateId: not one of the merchant's templates", "templateId", (v) => ({
  ...v,
  templateId: `qtpl_${"9".repeat(26)}`,
}));

/** A template's colour and logo as the merchant's branding takes them: #rrggbb, and an http(s) URL. */
const templateCases: Case[] = [
  change("accentColor: a colour name", "accentColor", (v) => ({ ...v, accentColor: "red" })),
  change("accentColor: #rgb", "accentColor", (v) => ({ ...v, accentColor: "#abc" })),
  change("logoUrl: a javascript: URL", "logoUrl", (v) => ({ ...v, logoUrl: "javascript:alert(1)" })),
  change("name: blank", "name", (v) => ({ ...v, name: "   " })),
];

/** A branch step (the contract's `then` key, spelled once). */
const branch = (yes: unknown[], no: unknown[] = []) => ({
  type: "branch",
  if: [{ field: "customer.email", op: "contains", value: "@" }],
  // biome-ignore lint/suspicious/noThenProperty: the contract names a branch's ways then and else
  then: yes,
  else: no,
});
const mail = { type: "send_email", to: "customer", subject: "Hi {{ customer.name }}", body: "Thanks" };

/** A workflow using every kind of step, filter and recipient. */
const workflowBody = (): Body => ({
  name: "Everything",
  active: false,
  trigger: {
    event: "payment.succeeded",
    filters: [
      { field: "payment.amount", op: "gte", value: 1000 },
      { field: "payment.currency", op: "in", value: ["USD", "EUR"] },
      { field: "customer.accountOwner", op: "exists", value: true },
    ],
  },
  reenroll: true,
  steps: [
    { type: "delay", duration: "P1DT2H" },
    { type: "create_discount_code", percentOff: 10, expiresInDays: 7, maxRedemptions: 1 },
    { ...mail, to: "account_owner", body: "Code {{ discountCode.code }} for {{ payment.amount | money }}" },
    branch([{ type: "create_task", title: "Call {{ customer.name }}", body: "Soon", dueInDays: 2 }], [mail]),
    // A name that resolves to a public address, or not at all here: accepted either way (checked again at each send).
    { type: "send_webhook", url: "https://hooks.example.com/kassa" },
  ],
});

/** A webhook step's URL (the SSRF guard's refusals at save time; loopback is allowed in this local-mode suite). */
const hookTo = (url: string) => ({ type: "send_webhook", url });

const workflowCases: Case[] = [
  change("trigger.event: not a trigger", "trigger.event", (v) => ({
    ...v,
    trigger: { event: "payment.refunded" },
  })),
  change("a filter on a field the trigger lacks", "trigger.filters.0.field", (v) => ({
    ...v,
    trigger: { event: "payment.succeeded", filters: [{ field: "invoice.number", op: "eq", value: "1" }] },
  })),
  change("an unknown template variable", "steps.1.body", (v) => ({
    ...v,
    steps: [mail, { ...mail, body: "{{ customer.nickname }}" }],
  })),
  change("an unknown template filter", "steps.0.subject", (v) => ({
    ...v,
    steps: [{ ...mail, subject: "{{ customer.name | shout }}" }],
  })),
  change("an address outside the team", "steps.0.to.userEmail", (v) => ({
    ...v,
    steps: [{ ...mail, to: { userEmail: "someone@elsewhere.test" } }],
  })),
  change("21 steps counting a branch's", "steps", (v) => ({
    ...v,
    steps: [branch([mail, mail]), ...Array.from({ length: 18 }, () => mail)],
  })),
  change("branches 4 deep", "steps.0.then.0.then.0.then.0", (v) => ({
    ...v,
    steps: [branch([branch([branch([branch([mail])])])])],
  })),
  change(
    "a step without its subject inside a branch 3 deep",
    "steps.0.then.0.then.0.then.0.subject",
    (v) => ({
      ...v,
      steps: [branch([branch([branch([{ type: "send_email", to: "customer", body: "Hi" }])])])],
    }),
  ),
  change("an unknown step type inside a branch 3 deep", "steps.0.then.0.then.0.then.0.type", (v) => ({
    ...v,
    steps: [branch([branch([branch([{ type: "whatever" }])])])],
  })),
  change("a duration in months", "steps.0.duration", (v) => ({
    ...v,
    steps: [{ type: "delay", duration: "P1M" }, mail],
  })),
  change("a duration under a minute", "steps.0.duration", (v) => ({
    ...v,
    steps: [{ type: "delay", duration: "PT0M" }, mail],
  })),
  change("a code's percentOff over 100", "steps.1.percentOff", (v) => ({
    ...v,
    steps: [mail, { type: "create_discount_code", percentOff: 150, expiresInDays: 7, maxRedemptions: 1 }],
  })),
  change("a code used before it is made", "steps.0.body", (v) => ({
    ...v,
    steps: [{ ...mail, body: "{{ discountCode.code }}" }],
  })),
  change("steps missing", "steps", ({ steps: _, ...v }) => v),
  change("a webhook URL on a private address", "steps.0.url", (v) => ({
    ...v,
    steps: [hookTo("https://10.0.0.1/hook")],
  })),
  change("a webhook URL to the metadata service, as a decimal host", "steps.0.url", (v) => ({
    ...v,
    steps: [hookTo("http://2852039166/latest/meta-data/")],
  })),
  change("a webhook URL on an IPv4-mapped link-local address", "steps.1.url", (v) => ({
    ...v,
    steps: [mail, hookTo("https://[::ffff:169.254.0.1]/")],
  })),
  change("a webhook URL that is not https", "steps.0.url", (v) => ({
    ...v,
    steps: [hookTo("ftp://hooks.example.com/")],
  })),
  change("a webhook URL with credentials", "steps.0.url", (v) => ({
    ...v,
    steps: [hookTo("https://user:secret@hooks.example.com/")],
  })),
  change("a webhook URL that is not a URL, inside a branch", "steps.0.else.0.url", (v) => ({
    ...v,
    steps: [branch([mail], [hookTo("hooks.example.com/kassa")])],
  })),
  change("a webhook step without its url", "steps.0.url", (v) => ({
    ...v,
    steps: [{ type: "send_webhook" }],
  })),
];

/** Operation id → its valid request. Every POST/PATCH route with a body needs one. */
const fixtures: Record<string, BodyFixture> = {
  updateLedgerAccountMapping: {
    body: () => ({
      accounts: {
        revenue: { code: "200", name: "Sales:Kassa", taxRate: "Tax Exempt" },
        bank: { code: "090", name: "Checking", taxRate: "Tax Exempt" },
      },
    }),
    cases: [
      change("no account named", "accounts", () => ({ accounts: {} })),
      change("an account not in the ledger", "accounts", () => ({ accounts: { petty_cash: { code: "1" } } })),
      change("an account changing no field", "accounts.revenue", () => ({ accounts: { revenue: {} } })),
      change("a code longer than Xero's 10 characters", "accounts.revenue.code", () => ({
        accounts: { revenue: { code: "12345678901" } },
      })),
      change("a name with a line break", "accounts.bank.name", () => ({
        accounts: { bank: { name: "Bank\nInjected" } },
      })),
      change("an empty tax rate", "accounts.bank.taxRate", () => ({ accounts: { bank: { taxRate: "  " } } })),
    ],
  },
  createMerchant: {
    admin: true,
    body: () => ({ name: "Bad Input Co", email: `bad-${unique()}@merchant.test` }),
  },
  updateMerchant: {
    body: () => ({
      name: "Bad Input Shop",
      email: "owner@bad-input.test",
      timeZone: "Europe/Berlin",
      defaultCurrency: "EUR",
      branding: {
        logoUrl: "https://cdn.bad-input.test/logo.png",
        brandColor: "#112233",
        footerText: "Thanks",
      },
      invoiceNumberPrefix: "BAD",
      defaultPaymentTerms: "net_30",
      portal: { cancel: "at_period_end", pause: true, updatePaymentMethod: true },
      team: [{ name: "Ann Owner", email: "ann@bad-input.test" }],
    }),
    cases: [
      change("team: an email twice", "team", (v) => ({
        ...v,
        team: [
          { name: "Ann", email: "ann@bad-input.test" },
          { name: "Annie", email: "ANN@bad-input.test" },
        ],
      })),
      change("team: 51 members", "team", (v) => ({
        ...v,
        team: Array.from({ length: 51 }, (_, i) => ({ name: `M${i}`, email: `m${i}@bad-input.test` })),
      })),
    ],
  },
  createApiKey: { body: () => ({ name: "CI", role: "member" }) },
  inviteUser: { body: () => ({ email: `ann-${unique()}@bad-input.test`, role: "viewer", name: "Ann" }) },
  updateUser: {
    params: (w) => ({ id: w.user }),
    body: () => ({ role: "admin", name: "Bo Admin" }),
  },
  createCustomer: {
    body: (w) => ({
      email: `buyer-${unique()}@bad-input.test`,
      name: "Buyer",
      companyName: "Buyer GmbH",
      phone: "+49 30 123456",
      address,
      taxIds: [{ type: "eu_vat", value: "DE123456789" }],
      metadata: { note: "vip" },
      testClockId: w.testClock,
      accountOwner: { name: "Ann Owner", email: "ann@bad-input.test" },
    }),
  },
  updateCustomer: {
    params: (w) => ({ id: w.customer }),
    body: (w) => ({
      email: `renamed-${unique()}@bad-input.test`,
      name: "Buyer Renamed",
      companyName: "Buyer AG",
      phone: "+49 30 654321",
      address,
      taxIds: [{ type: "eu_vat", value: "DE987654321" }],
      metadata: { note: "still vip" },
      defaultPaymentMethodId: w.paymentMethod,
      accountOwner: { name: "Ben Owner", email: "ben@bad-input.test" },
    }),
    cases: [
      change("defaultPaymentMethodId: no method of the customer's", "defaultPaymentMethodId", (v) => ({
        ...v,
        defaultPaymentMethodId: `pm_${"9".repeat(26)}`,
      })),
      change("defaultPaymentMethodId: the customer's own id", "defaultPaymentMethodId", (v, w) => ({
        ...v,
        defaultPaymentMethodId: w.customer,
      })),
    ],
  },
  attachPaymentMethod: {
    params: (w) => ({ id: w.customer }),
    body: () => ({ paymentMethod: "pm_card_visa" }),
    cases: [
      change("paymentMethod: blank", "paymentMethod", (v) => ({ ...v, paymentMethod: "   " })),
      change("paymentMethod: no such test method", "paymentMethod", (v) => ({
        ...v,
        paymentMethod: "pm_card_nope",
      })),
      change("paymentMethod: a card number the sandbox does not know", "paymentMethod", (v) => ({
        ...v,
        paymentMethod: "4111 1111 1111 1111",
      })),
    ],
  },
  createDiscountCode: {
    body: () => ({
      code: `BAD${unique()}`.toUpperCase(),
      percentOff: 10,
      duration: "repeating",
      durationInPeriods: 3,
      maxRedemptions: 100,
      expiresAt: future,
      metadata: { campaign: "spring" },
    }),
  },
  updateDiscountCode: {
    params: (w) => ({ id: w.discountCode }),
    body: () => ({ active: true, maxRedemptions: 50, expiresAt: future, metadata: { campaign: "summer" } }),
  },
  createProduct: {
    body: () => ({
      name: "Pro plan",
      description: "Everything",
      unitAmount: 4900,
      currency: "USD",
      recurring: { interval: "month" },
      active: true,
      metadata: { tier: "pro" },
    }),
  },
  updateProduct: {
    params: (w) => ({ id: w.product }),
    body: () => ({
      name: "Pro plan v2",
      description: "Everything and more",
      unitAmount: 5900,
      currency: "USD",
      recurring: { interval: "year" },
      active: true,
      metadata: { tier: "pro" },
    }),
  },
  createTaxRate: {
    body: () => ({
      name: "VAT",
      percentage: 19,
      inclusive: false,
      country: "DE",
      region: "Berlin",
      description: "German VAT",
      active: true,
      metadata: { source: "bzst" },
    }),
  },
  updateTaxRate: {
    params: (w) => ({ id: w.taxRate }),
    body: () => ({
      name: "VAT (DE)",
      country: "DE",
      region: "Berlin",
      description: "Standard rate",
      active: true,
      metadata: { source: "bzst" },
    }),
  },
  createTask: {
    body: (w) => ({
      title: "Call the buyer",
      body: "About the renewal",
      dueDate: "2026-12-31",
      related: { customerId: w.customer, invoiceId: w.draftInvoice },
    }),
    cases: [
      change("related.customerId: no customer of this merchant", "related.customerId", (v) => ({
        ...v,
        related: { customerId: `cus_${"9".repeat(26)}` },
      })),
    ],
  },
  updateTask: {
    params: (w) => ({ id: w.task }),
    body: () => ({
      title: "Call the buyer again",
      body: "Left a message",
      dueDate: "2027-01-15",
      status: "done",
    }),
  },
  createInvoice: {
    body: (w) => ({
      customerId: w.customer,
      currency: "USD",
      lineItems: lineItems(w),
      discounts: [{ percentOff: 5 }],
      fees: [{ description: "Shipping", amount: 500, taxable: false }],
      paymentTerms: "net_30",
      memo: "Thanks for your business",
      footer: "Bank: DE00 0000",
      metadata: { project: "apollo" },
    }),
    cases: [repeatedCode],
  },
  updateInvoice: {
    params: (w) => ({ id: w.draftInvoice }),
    body: (w) => ({
      customerId: w.customer,
      currency: "USD",
      lineItems: lineItems(w),
      discounts: [{ amountOff: 100 }],
      fees: [{ description: "Handling", amount: 200 }],
      paymentTerms: "net_15",
      memo: "Updated memo",
      footer: "Updated footer",
      metadata: { project: "gemini" },
    }),
    cases: [repeatedCode],
  },
  createQuote: {
    body: (w) => ({
      customerId: w.customer,
      currency: "USD",
      lineItems: lineItems(w),
      discounts: [{ percentOff: 5 }],
      fees: [{ description: "Shipping", amount: 500, taxable: false }],
      expiresAt: future,
      title: "Proposal",
      terms: "Net 30",
      comments: "Looking forward",
      requireSignature: true,
      countersigners: [{ name: "Cora Counter", email: "cora@shop.test" }],
      collectPayment: true,
      paymentPlan: {
        installments: [
          { percent: 30, dueAfterDays: 0 },
          { percent: 70, dueAfterDays: 30 },
        ],
        collection: "charge_automatically",
      },
      subscriptionStartDate: `${new Date().getUTCFullYear() + 1}-03-15`,
      templateId: w.quoteTemplate,
      metadata: { deal: "apollo" },
    }),
    cases: [
      repeatedCode,
      unknownTemplate,
      change(
        "paymentPlan.installments.0.dueAfterDays: the first not at acceptance",
        "paymentPlan.installments.0.dueAfterDays",
        (v) => ({
          ...v,
          paymentPlan: {
            installments: [
              { percent: 30, dueAfterDays: 5 },
              { percent: 70, dueAfterDays: 30 },
            ],
          },
        }),
      ),
      change(
        "paymentPlan.installments.1: a mix of percents and amounts",
        "paymentPlan.installments.1",
        (v) => ({
          ...v,
          paymentPlan: {
            installments: [
              { percent: 30, dueAfterDays: 0 },
              { amount: 700, dueAfterDays: 30 },
            ],
          },
        }),
      ),
      change("countersigners: four", "countersigners", (v) => ({
        ...v,
        countersigners: [1, 2, 3, 4].map((i) => ({ name: `S${i}`, email: `s${i}@shop.test` })),
      })),
      change("expiresAt: in the past", "expiresAt", (v) => ({ ...v, expiresAt: "2020-01-01T00:00:00Z" })),
    ],
  },
  updateQuote: {
    params: (w) => ({ id: w.draftQuote }),
    body: (w) => ({
      customerId: w.customer,
      currency: "USD",
      lineItems: lineItems(w),
      discounts: [{ amountOff: 100 }],
      fees: [{ description: "Handling", amount: 200 }],
      expiresAt: future,
      title: "Revised proposal",
      terms: null,
      comments: "Updated",
      requireSignature: false,
      countersigners: [],
      collectPayment: false,
      paymentPlan: null,
      subscriptionStartDate: null,
      templateId: w.quoteTemplate,
      metadata: { deal: "gemini" },
    }),
    cases: [repeatedCode, unknownTemplate],
  },
  createQuoteTemplate: {
    body: () => ({
      name: "Standard",
      sections: { lineItems: true, paymentPlan: false, terms: true, signatureBlock: true, comments: false },
      headerText: "Prepared by the studio",
      footerText: "Registered in Berlin",
      defaultTerms: "Net 30",
      accentColor: "#1a2b3c",
      logoUrl: "https://shop.test/logo.png",
      isDefault: false,
    }),
    cases: templateCases,
  },
  createWorkflow: {
    body: workflowBody,
    cases: workflowCases,
    variants: {
      fromTemplate: {
        body: () => ({ fromTemplate: "renewal_reminder_with_code", name: "Renewals", active: false }),
        cases: [
          change("an unknown template", "fromTemplate", (v) => ({ ...v, fromTemplate: "nope" })),
          change("steps beside a template", "steps", (v) => ({ ...v, steps: [mail] })),
        ],
      },
    },
  },
  updateWorkflow: {
    params: (w) => ({ id: w.workflow }),
    body: workflowBody,
    // A PATCH may leave the steps out.
    cases: workflowCases.filter((c) => c.name !== "steps missing"),
  },
  updateQuoteTemplate: {
    params: (w) => ({ id: w.quoteTemplate }),
    body: () => ({
      name: "Standard v2",
      sections: { comments: true },
      headerText: null,
      footerText: "Registered in Hamburg",
      defaultTerms: null,
      accentColor: null,
      logoUrl: "https://shop.test/logo-2.png",
      isDefault: true,
    }),
    cases: [
      ...templateCases,
      change("isDefault: false on the default template", "isDefault", (v) => ({ ...v, isDefault: false })),
    ],
  },
  acceptQuote: {
    params: (w) => ({ id: w.openQuote }),
    body: () => ({
      name: "Ada Buyer",
      email: "ada@buyer.test",
      acceptedAt: new Date(Date.now() - 60_000).toISOString(),
    }),
    cases: [
      change("acceptedAt: in the future", "acceptedAt", (v) => ({ ...v, acceptedAt: future })),
      change("name: blank", "name", (v) => ({ ...v, name: "   " })),
    ],
  },
  recordInvoicePayment: {
    params: (w) => ({ id: w.openInvoice }),
    body: () => ({
      amount: 100,
      method: "bank_transfer",
      paidAt: new Date().toISOString(),
      reference: "wire 42",
    }),
  },
  createWebhookEndpoint: {
    body: () => ({
      url: "https://hooks.example.com/kassa",
      events: ["invoice.paid", "payment.*"],
      description: "ERP",
      active: true,
    }),
    cases: [
      change("events.1: not in the catalog", "events.1", (v) => ({ ...v, events: ["invoice.paid", "invoice.pai"] })),
      change("events.0: a wildcard of no prefix", "events.0", (v) => ({ ...v, events: ["*"] })),
      change("events.0: an unknown prefix's wildcard", "events.0", (v) => ({ ...v, events: ["nothing.*"] })),
      // Plain http is only for a loopback receiver, and only behind the local flag (which tests run with).
      change("url: plain http to a host that is no loopback receiver", "url", (v) => ({ ...v, url: "http://hooks.example.com/kassa" })),
      change("url: not a URL", "url", (v) => ({ ...v, url: "hooks" })),
    ],
  },
  updateWebhookEndpoint: {
    params: (w) => ({ id: w.webhookEndpoint }),
    body: () => ({ url: "https://hooks.example.com/v2", events: ["customer.*"], description: "v2", active: true }),
    cases: [
      change("events.0: not in the catalog", "events.0", () => ({ events: ["customer.creatd"] })),
      change("url: plain http to a host that is no loopback receiver", "url", () => ({ url: "http://hooks.example.com/v2" })),
    ],
  },
  rotateWebhookSecret: {
    params: (w) => ({ id: w.webhookEndpoint }),
    body: () => ({ expireOldAfterHours: 24 }),
  },
  redeliverEvent: {
    params: (w) => ({ id: w.event }),
    body: (w) => ({ endpointId: w.webhookEndpoint }),
    cases: [
      change("endpointId: no endpoint of this merchant", "endpointId", () => ({ endpointId: `we_${"9".repeat(26)}` })),
    ],
  },
  replayWebhookEvents: {
    params: (w) => ({ id: w.webhookEndpoint }),
    body: () => ({ from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" }),
    cases: [
      change("to: before from", "to", () => ({ from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" })),
    ],
  },
  createSegment: {
    body: (w) => ({
      name: "Big spenders",
      type: "active",
      filters: [
        { type: "totalPaidGte", amount: 10_000, currency: "EUR" },
        { paidInLastDays: 30 },
        { type: "subscribedToProduct", productId: w.recurringProduct },
      ],
    }),
    cases: [
      change("filters.1.days: zero days", "filters.1.days", (v) => ({
        ...v,
        filters: [(v.filters as Body[])[0], { paidInLastDays: 0 }],
      })),
      change("filters.1.days: both date and days", "filters.1.days", (v) => ({
        ...v,
        filters: [(v.filters as Body[])[0], { type: "lastPaymentBefore", date: "2030-01-01", days: 3 }],
      })),
      change("filters.1.after: a createdAt filter without bounds", "filters.1.after", (v) => ({
        ...v,
        filters: [(v.filters as Body[])[0], { createdAt: {} }],
      })),
      change("filters.1.type: an unknown filter", "filters.1.type", (v) => ({
        ...v,
        filters: [(v.filters as Body[])[0], { type: "spendsALot" }],
      })),
      change("filters.0.currency: unknown currency", "filters.0.currency", (v) => ({
        ...v,
        filters: [{ type: "totalPaidGte", amount: 100, currency: "XXQ" }],
      })),
      change("filters: 21 of them", "filters", (v) => ({
        ...v,
        filters: Array(21).fill({ paidInLastDays: 30 }),
      })),
    ],
  },
  updateSegment: {
    params: (w) => ({ id: w.activeSegment }),
    body: () => ({ name: "Lapsed", filters: [{ type: "lastPaymentBefore", days: 90 }] }),
    cases: [
      change("filters.0.days: a fraction of a day", "filters.0.days", () => ({
        filters: [{ type: "lastPaymentBefore", days: 1.5 }],
      })),
    ],
  },
  addSegmentMembers: {
    params: (w) => ({ id: w.staticSegment }),
    body: (w) => ({ customerIds: [w.customer] }),
    cases: [
      change("customerIds: empty", "customerIds", () => ({ customerIds: [] })),
      change("customerIds.0: not a customer id", "customerIds.0", () => ({ customerIds: ["prd_1"] })),
      change("customerIds.0: no customer of this merchant", "customerIds.0", () => ({
        customerIds: [`cus_${"9".repeat(26)}`],
      })),
    ],
  },
  createView: {
    body: (w) => ({
      object: "invoices",
      name: "Overdue USD",
      filters: {
        status: "overdue",
        customerId: w.customer,
        subscriptionId: `sub_${"2".repeat(26)}`,
        currency: "USD",
        totalGte: 100,
      },
    }),
    cases: [
      change("filters.amountGte: a payments filter on an invoices view", "filters.amountGte", (v) => ({
        ...v,
        filters: { ...(v.filters as Body), amountGte: 100 },
      })),
    ],
    variants: {
      payments: {
        body: (w) => ({
          object: "payments",
          name: "Refunded by Owner",
          filters: {
            status: "partially_refunded",
            customerId: w.customer,
            invoiceId: w.openInvoice,
            amountGte: 100,
            amountLte: 100_000,
            createdAfter: "2026-01-01T00:00:00.000Z",
            createdBefore: future,
          },
        }),
        cases: [
          change("filters.status: an invoice status on a payments view", "filters.status", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), status: "open" },
          })),
          change("filters.dueBefore: an invoices filter on a payments view", "filters.dueBefore", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), dueBefore: "2026-01-01" },
          })),
          change("filters.invoiceId: a customer id", "filters.invoiceId", (v, w) => ({
            ...v,
            filters: { ...(v.filters as Body), invoiceId: w.customer },
          })),
          change("object: an unknown object", "object", (v) => ({ ...v, object: "products" })),
        ],
      },
      subscriptions: {
        body: (w) => ({
          object: "subscriptions",
          name: "Past due of one customer",
          filters: {
            status: "past_due",
            customerId: w.customer,
            createdAfter: "2026-01-01T00:00:00.000Z",
            createdBefore: future,
          },
        }),
        cases: [
          change("filters.status: an invoice status on a subscriptions view", "filters.status", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), status: "open" },
          })),
          change("filters.currency: an invoices filter on a subscriptions view", "filters.currency", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), currency: "USD" },
          })),
        ],
      },
      // The lists issue 16 gave saved views (views-csv): each view body takes its list's own filters.
      customers: {
        body: () => ({
          object: "customers",
          name: "Ada since January",
          filters: {
            email: "ada@example.com",
            createdAfter: "2026-01-01T00:00:00.000Z",
            createdBefore: future,
          },
        }),
        cases: [
          change("filters.status: a status on a customers view", "filters.status", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), status: "open" },
          })),
          change("filters.email: not an email", "filters.email", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), email: "ada" },
          })),
        ],
      },
      payment_links: {
        body: () => ({
          object: "payment_links",
          name: "Active links",
          filters: { active: true, createdAfter: "2026-01-01T00:00:00.000Z", createdBefore: future },
        }),
        cases: [
          change("filters.active: not a boolean", "filters.active", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), active: "yes" },
          })),
        ],
      },
      checkout_sessions: {
        body: (w) => ({
          object: "checkout_sessions",
          name: "Open sessions of one link",
          filters: {
            paymentLinkId: w.paymentLink,
            status: "open",
            createdAfter: "2026-01-01T00:00:00.000Z",
            createdBefore: future,
          },
        }),
        cases: [
          change("filters.paymentLinkId: a customer id", "filters.paymentLinkId", (v, w) => ({
            ...v,
            filters: { ...(v.filters as Body), paymentLinkId: w.customer },
          })),
        ],
      },
      refunds: {
        body: (w) => ({
          object: "refunds",
          name: "Refunds of one payment",
          filters: { paymentId: w.payment, createdAfter: "2026-01-01T00:00:00.000Z", createdBefore: future },
        }),
        cases: [
          change("filters.paymentId: a customer id", "filters.paymentId", (v, w) => ({
            ...v,
            filters: { ...(v.filters as Body), paymentId: w.customer },
          })),
        ],
      },
      payouts: {
        body: () => ({
          object: "payouts",
          name: "Paid USD payouts",
          filters: {
            currency: "usd",
            status: "paid",
            createdAfter: "2026-01-01T00:00:00.000Z",
            createdBefore: future,
          },
        }),
        cases: [
          change("filters.currency: unknown", "filters.currency", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), currency: "ZZZ" },
          })),
          change("filters.status: an invoice status on a payouts view", "filters.status", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), status: "open" },
          })),
        ],
      },
      tasks: {
        body: (w) => ({
          object: "tasks",
          name: "Open tasks of one customer",
          filters: { status: "open", dueBefore: "2027-01-01", relatedTo: w.customer },
        }),
        cases: [
          change("filters.dueBefore: not a date", "filters.dueBefore", (v) => ({
            ...v,
            filters: { ...(v.filters as Body), dueBefore: "soon" },
          })),
        ],
      },
    },
  },
  payInvoice: {
    params: (w) => ({ id: w.payableInvoice }),
    body: () => ({ paymentMethod: "pm_card_visa" }),
    cases: [
      change("paymentMethod: blank", "paymentMethod", (v) => ({ ...v, paymentMethod: "   " })),
      change("paymentMethod: 2 characters", "paymentMethod", (v) => ({ ...v, paymentMethod: "pm" })),
    ],
  },
  createRefund: {
    params: (w) => ({ id: w.payment }),
    body: () => ({ amount: 100, reason: "requested_by_customer" }),
    cases: [
      change("amount: 0", "amount", (v) => ({ ...v, amount: 0 })),
      change("amount: more than was paid", "amount", (v) => ({ ...v, amount: 10_000_000 })),
      change("reason: not one of Stripe's", "reason", (v) => ({ ...v, reason: "changed_mind" })),
    ],
  },
  createTestClock: {
    body: () => ({ frozenTime: "2030-01-01T00:00:00Z", name: "Renewals" }),
  },
  createSubscription: {
    body: (w) => subscription(w),
    cases: [
      change("customerId: no customer of this merchant", "customerId", (v) => ({
        ...v,
        customerId: `cus_${"9".repeat(26)}`,
      })),
      change("items.0.productId: a one-time product", "items.0.productId", (v, w) => ({
        ...v,
        items: [{ productId: w.product }],
      })),
      change("items.0.unitAmount: with a productId", "items.0.unitAmount", (v, w) => ({
        ...v,
        items: [{ productId: w.recurringProduct, unitAmount: 100 }],
      })),
      change("items.0.description: an ad-hoc price without one", "items.0.description", (v) => ({
        ...v,
        items: [{ unitAmount: 100 }],
      })),
      change("items: 21 of them", "items", (v, w) => ({
        ...v,
        items: Array(21).fill({ productId: w.recurringProduct }),
      })),
      change("startDate: yesterday", "startDate", (v) => ({
        ...v,
        startDate: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10),
      })),
      change("billingAnchorDay: 32", "billingAnchorDay", (v) => ({ ...v, billingAnchorDay: 32 })),
      change("billingCycles: 0", "billingCycles", (v) => ({ ...v, billingCycles: 0 })),
      change("defaultPaymentMethodId: no method of the customer's", "defaultPaymentMethodId", (v) => ({
        ...v,
        defaultPaymentMethodId: `pm_${"9".repeat(26)}`,
      })),
      change("paymentTerms: when charging automatically", "paymentTerms", (v) => ({
        ...v,
        paymentTerms: "net_15",
      })),
      change("discounts.0.code: no code of this merchant", "discounts.0.code", (v) => ({
        ...v,
        discounts: [{ code: "NOSUCHCODE" }],
      })),
      change("taxRateIds.0: no rate of this merchant", "taxRateIds.0", (v) => ({
        ...v,
        taxRateIds: [`txr_${"9".repeat(26)}`],
      })),
      repeatedCode,
    ],
  },
  updateSubscription: {
    params: (w) => ({ id: w.subscription }),
    body: () => ({ cancelAtPeriodEnd: false, metadata: { note: "vip", old: null } }),
    cases: [
      change("items.0.id: not an item of this subscription", "items.0.id", (v) => ({
        ...v,
        items: [{ id: `si_${"9".repeat(26)}`, quantity: 2 }],
      })),
      change("items.0.productId: a one-time product", "items.0.productId", (v, w) => ({
        ...v,
        items: [{ productId: w.product }],
      })),
      change("items.0.description: a new ad-hoc item without it", "items.0.description", (v) => ({
        ...v,
        items: [{ unitAmount: 100 }],
      })),
      change("items: empty", "items", (v) => ({ ...v, items: [] })),
      change("prorationBehavior: not a behavior", "prorationBehavior", (v) => ({
        ...v,
        prorationBehavior: "sometimes",
      })),
      change("paymentTerms: when charging automatically", "paymentTerms", (v) => ({
        ...v,
        paymentTerms: "net_15",
      })),
      change("taxRateIds.0: no rate of this merchant", "taxRateIds.0", (v) => ({
        ...v,
        taxRateIds: [`txr_${"9".repeat(26)}`],
      })),
      change("defaultPaymentMethodId: not the customer's", "defaultPaymentMethodId", (v) => ({
        ...v,
        defaultPaymentMethodId: `pm_${"9".repeat(26)}`,
      })),
    ],
  },
  previewSubscriptionChange: {
    params: (w) => ({ id: w.subscription }),
    body: () => ({ items: [{ description: "Upgrade", unitAmount: 2500 }], prorationBehavior: "none" }),
    cases: [
      change("prorationDate: no period runs yet", "prorationDate", (v) => ({
        ...v,
        prorationDate: "2026-12-15T10:00:00Z",
      })),
      change("prorationDate: not an instant", "prorationDate", (v) => ({ ...v, prorationDate: "soon" })),
      change("items.0.id: not an item of this subscription", "items.0.id", (v) => ({
        ...v,
        items: [{ id: `si_${"9".repeat(26)}` }],
      })),
    ],
  },
  cancelSubscription: {
    params: (w) => ({ id: w.cancelableSubscription }),
    body: () => ({ atPeriodEnd: false }),
  },
  pauseSubscription: {
    params: (w) => ({ id: w.pausableSubscription }),
    body: () => ({ resumesAt: `${new Date().getUTCFullYear() + 1}-06-01` }),
    cases: [
      change("resumesAt: not after the day the pause begins", "resumesAt", (v) => ({
        ...v,
        resumesAt: new Date().toISOString().slice(0, 10),
      })),
    ],
  },
  createPaymentLink: { body: paymentLink, cases: paymentLinkCases },
  updatePaymentLink: {
    params: (w) => ({ id: w.paymentLink }),
    body: (w) => ({
      ...paymentLink(w),
      trialDays: 7,
      afterCompletion: { type: "message", message: "Thanks! Your beans are on their way." },
      metadata: { campaign: "summer", old: null },
    }),
    cases: paymentLinkCases,
  },
  advanceTestClock: {
    params: (w) => ({ id: w.testClock }),
    body: () => ({ frozenTime: "2031-01-01T00:00:00+02:00" }),
    cases: [
      change("frozenTime: not after the clock's time", "frozenTime", (v) => ({
        ...v,
        frozenTime: "2029-01-01T00:00:00Z",
      })),
    ],
  },
  connectStripe: {
    body: () => ({ returnUrl: "https://shop.test/back", refreshUrl: "https://shop.test/again" }),
    cases: [
      change("returnUrl: not a URL", "returnUrl", (v) => ({ ...v, returnUrl: "shop.test/back" })),
      change("refreshUrl: not a URL", "refreshUrl", (v) => ({ ...v, refreshUrl: "again" })),
    ],
  },
};

/** Placeholder ids of the right shape, to derive each route's cases before the real fixtures exist. */
const placeholder: World = {
  secret: "",
  customer: `cus_${"0".repeat(26)}`,
  paymentMethod: `pm_${"0".repeat(26)}`,
  product: `prd_${"0".repeat(26)}`,
  recurringProduct: `prd_${"1".repeat(26)}`,
  taxRate: `txr_${"0".repeat(26)}`,
  discountCode: `dc_${"0".repeat(26)}`,
  testClock: `clk_${"0".repeat(26)}`,
  draftInvoice: `inv_${"0".repeat(26)}`,
  openInvoice: `inv_${"1".repeat(26)}`,
  payableInvoice: `inv_${"2".repeat(26)}`,
  payment: `pay_${"0".repeat(26)}`,
  hostedInvoice: `inv_${"3".repeat(26)}`,
  hostedToken: "0".repeat(32),
  otherHostedToken: "1".repeat(32),
  quotePages: {
    pay: "5".repeat(32),
    sign: "6".repeat(32),
    decline: "7".repeat(32),
    countersign: "8".repeat(32),
    signer: "9".repeat(32),
    ids: {},
  },
  subscription: `sub_${"0".repeat(26)}`,
  cancelableSubscription: `sub_${"1".repeat(26)}`,
  pausableSubscription: `sub_${"2".repeat(26)}`,
  updateCardToken: "2".repeat(32),
  otherUpdateCardToken: "3".repeat(32),
  portalToken: "4".repeat(32),
  otherPortalToken: "5".repeat(32),
  portalCancelable: `sub_${"3".repeat(26)}`,
  portalPausable: `sub_${"4".repeat(26)}`,
  portalResumable: `sub_${"5".repeat(26)}`,
  portalRenewable: `sub_${"6".repeat(26)}`,
  paymentLink: `plink_${"0".repeat(26)}`,
  checkoutSlug: "",
  otherCheckoutSlug: "",
  checkoutSession: "",
  task: `task_${"0".repeat(26)}`,
  user: `usr_${"0".repeat(26)}`,
  unsubscribeToken: "6".repeat(32),
  unsubscribeCustomer: `cus_${"1".repeat(26)}`,
  quoteTemplate: `qtpl_${"0".repeat(26)}`,
  workflow: `wf_${"0".repeat(26)}`,
  activeSegment: `seg_${"0".repeat(26)}`,
  staticSegment: `seg_${"1".repeat(26)}`,
  webhookEndpoint: `we_${"0".repeat(26)}`,
  event: `evt_${"0".repeat(26)}`,
  draftQuote: `quo_${"0".repeat(26)}`,
  openQuote: `quo_${"1".repeat(26)}`,
};

const defaultBodyLimit = 256 * 1024;

// ---- The cases, derived from the body's JSON Schema and the valid body --------------------------

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  maxLength?: number;
}

interface Slot {
  path: (string | number)[];
  name: string;
  schema: JsonSchema;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The branch of a union that applies: the one non-null branch of a nullable, or the branch of a
 * discriminated union whose `const` fields the valid `value` has (a saved view's `object`).
 * Undefined for other unions (their errors name the union).
 */
function resolve(schema: JsonSchema | undefined, value?: unknown): JsonSchema | undefined {
  if (!schema) return undefined;
  const union = schema.anyOf ?? schema.oneOf;
  if (!union) return schema;
  const branches = union.filter((b) => b.type !== "null");
  if (branches.length === 1) return resolve(branches[0], value);
  const taken = branches.filter((b) => {
    const consts = Object.entries(b.properties ?? {}).filter(([, p]) => p.const !== undefined);
    return isObject(value) && consts.length > 0 && consts.every(([name, p]) => value[name] === p.const);
  });
  return taken.length === 1 ? resolve(taken[0], value) : undefined;
}

/** Every field of an object the valid body has (its absent optional fields too), recursively. */
function slotsOf(schema: JsonSchema, value: unknown, path: (string | number)[] = []): Slot[] {
  const out: Slot[] = [];
  if (schema.properties && isObject(value)) {
    for (const [name, sub] of Object.entries(schema.properties)) {
      const resolved = resolve(sub, value[name]);
      if (!resolved) continue;
      out.push({ path: [...path, name], name, schema: resolved });
      if (value[name] !== undefined) out.push(...slotsOf(resolved, value[name], [...path, name]));
    }
  } else if (isObject(schema.additionalProperties) && isObject(value)) {
    const values = resolve(schema.additionalProperties);
    for (const name of Object.keys(value)) {
      if (values) out.push({ path: [...path, name], name, schema: values });
    }
  } else if (schema.items && Array.isArray(value) && value.length > 0) {
    const items = resolve(schema.items, value[0]);
    if (items) out.push(...slotsOf(items, value[0], [...path, 0]));
  }
  return out;
}

/** Objects of the valid body with named fields (nested ones too): where required and unknown fields are checked. */
function objectsOf(
  schema: JsonSchema,
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; schema: JsonSchema }[] {
  if (schema.properties && isObject(value)) {
    return [
      { path, schema },
      ...Object.entries(schema.properties).flatMap(([name, sub]) => {
        const resolved = resolve(sub, value[name]);
        return resolved && value[name] !== undefined ? objectsOf(resolved, value[name], [...path, name]) : [];
      }),
    ];
  }
  const items = Array.isArray(value) ? resolve(schema.items, value[0]) : undefined;
  return items && Array.isArray(value) && value.length > 0 ? objectsOf(items, value[0], [...path, 0]) : [];
}

function at(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown> | undefined)?.[key], value);
}

function setAt(body: Body, path: (string | number)[], value: unknown, remove = false): Body {
  const copy = structuredClone(body);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path.at(-1) as string | number;
  if (remove) delete parent[key];
  else parent[key] = value;
  return copy;
}

const dotted = (path: (string | number)[]) => (path.length ? path.join(".") : "body");

const wrongValue = (schema: JsonSchema): { value: unknown; what: string } | undefined => {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return { value: 12345, what: "a string given a number" };
    case "number":
    case "integer":
      return { value: "12", what: "a number given a string" };
    case "boolean":
      return { value: "true", what: "a boolean given a string" };
    case "object":
      return { value: "not-an-object", what: "an object given a string" };
    case "array":
      return { value: "not-an-array", what: "an array given a string" };
    default:
      return undefined;
  }
};

const readOnlyValues: Record<string, unknown> = {
  id: "obj_01J0000000000000000000000",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  status: "paid",
  amountPaid: 0,
  amountRemaining: 0,
  timesRedeemed: 0,
  number: "INV-0001",
  merchantId: "mer_01J0000000000000000000000",
  total: 0,
};

/** Money fields, and the money bounds of list filters (`totalGte`, `amountLte`). */
const isAmount = (name: string) => /(^amount|Amount|amountOff|^(amount|total)(Gte|Lte))$/.test(name);

interface Case {
  name: string;
  /** The request body: a string sent as is. */
  body: (valid: Body, w: World) => string;
  /** The dotted path the errors must name. */
  path: string;
  /**
   * Whether every error must be about `path`. Not when the case adds a field the valid body lacks:
   * that may rightly trip a rule across fields too (`amountOff` beside `percentOff`).
   */
  only: boolean;
}

/** A hand-written case: the valid body changed one way, refused on `path` alone. */
function change(name: string, path: string, mutate: (v: Body, w: World) => unknown): Case {
  return { name, body: (v, w) => JSON.stringify(mutate(v, w)), path, only: true };
}

function casesFor(op: Operation, valid: Body): Case[] {
  const whole = z.toJSONSchema(op.body as z.ZodType, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const schema = resolve(whole, valid);
  if (!schema?.properties)
    throw new Error(
      `${op.id}: no branch of its body schema matches the fixture, so no field cases can be derived`,
    );
  const json = (mutate: (v: Body) => unknown) => (v: Body) => JSON.stringify(mutate(v));
  const cases: Case[] = [
    { name: "malformed JSON", body: (v) => JSON.stringify(v).slice(0, -1), path: "body", only: true },
    { name: "a JSON array instead of an object", body: json((v) => [v]), path: "body", only: true },
    { name: "a JSON string instead of an object", body: json(() => "hello"), path: "body", only: true },
    { name: "JSON null instead of an object", body: () => "null", path: "body", only: true },
    // An action whose every field has a default takes no body at all.
    ...(op.bodyOptional ? [] : [{ name: "an empty body", body: () => "", path: "body", only: true }]),
  ];
  const properties = Object.keys(schema.properties ?? {});
  for (const object of objectsOf(schema, valid)) {
    for (const field of object.schema.required ?? []) {
      const path = [...object.path, field];
      cases.push({
        name: `required ${dotted(path)} removed`,
        body: json((v) => setAt(v, path, undefined, true)),
        path: dotted(path),
        only: true,
      });
    }
    // Every object of a request is strict (shared/api/common.ts): an unknown field is refused, never dropped.
    const unknown = [...object.path, "unexpectedField"];
    cases.push({
      name: `unknown field ${dotted(unknown)}`,
      body: json((v) => setAt(v, unknown, "surprise")),
      path: dotted(unknown),
      only: true,
    });
  }
  for (const name of properties) {
    const wrong = wrongValue(resolve(schema.properties?.[name], valid[name]) ?? {});
    if (wrong)
      cases.push({
        name: `${name}: ${wrong.what}`,
        body: json((v) => ({ ...v, [name]: wrong.value })),
        path: name,
        only: true,
      });
  }
  const response = op.response
    ? (z.toJSONSchema(op.response, { io: "output", unrepresentable: "any" }) as JsonSchema)
    : {};
  const shown = new Set(["id", "createdAt", ...Object.keys(response.properties ?? {})]);
  for (const [name, value] of Object.entries(readOnlyValues)) {
    if (shown.has(name) && !properties.includes(name)) {
      cases.push({
        name: `read-only field ${name}`,
        body: json((v) => ({ ...v, [name]: value })),
        path: name,
        only: true,
      });
    }
  }
  for (const slot of slotsOf(schema, valid)) {
    const path = dotted(slot.path);
    const only = at(valid, slot.path) !== undefined;
    if (slot.schema.type === "string" && slot.schema.maxLength !== undefined) {
      cases.push({
        name: `${path}: 10,000 characters`,
        body: json((v) => setAt(v, slot.path, "x".repeat(10_000))),
        path,
        only,
      });
    }
    if (slot.schema.type === "integer" && isAmount(slot.name)) {
      for (const amount of [-1, 1.5])
        cases.push({
          name: `${path}: ${amount}`,
          body: json((v) => setAt(v, slot.path, amount)),
          path,
          only,
        });
    }
    if (slot.schema.type === "string" && /currency$/i.test(slot.name)) {
      cases.push({ name: `${path}: "XYZ"`, body: json((v) => setAt(v, slot.path, "XYZ")), path, only });
    }
  }
  return cases;
}

// ---- Raw-body routes: public POSTs that read their own body ------------------------------------

interface RawRequest {
  body: string;
  headers?: Record<string, string>;
}

interface RawCase {
  name: string;
  request: (w: World) => RawRequest | Promise<RawRequest>;
  status: number;
  /** A problem document naming this path in its first error; otherwise the route's own page (HTML). */
  path?: string;
}

interface RawFixture {
  params?: (w: World) => Record<string, string>;
  cases: RawCase[];
  /**
   * The request the route accepts and its status; `check` sees the answer and the messages it queued
   * (some, so the refused cases' empty queue means something).
   */
  valid: {
    request: (w: World) => Promise<RawRequest>;
    status: number;
    check: (r: ApiResult, queued: unknown[], raw: RawRequest, w: World) => Promise<void> | void;
  };
  /** What a refused request must leave exactly as it was, beyond the table's item count. */
  unchanged?: (w: World) => Promise<unknown>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const webhookSecret = () => process.env.STRIPE_WEBHOOK_SECRET ?? "";
/** A Stripe event as Stripe would post it (the consumer is not running: only its shape matters here). */
const stripeEvent = (amount = 1000) =>
  JSON.stringify({
    id: `evt_${unique()}`,
    object: "event",
    api_version: "2025-01-27.acacia",
    created: nowSeconds(),
    type: "payment_intent.succeeded",
    livemode: false,
    data: {
      object: {
        id: `pi_${unique()}`,
        object: "payment_intent",
        status: "succeeded",
        amount,
        currency: "usd",
      },
    },
  });
const signed = (payload: string, signature: string): RawRequest => ({
  body: payload,
  headers: { "content-type": "application/json", "stripe-signature": signature },
});
const formRequest = (fields: Record<string, string>): RawRequest => ({
  body: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded" },
});
const testCard = "4242 4242 4242 4242";
/** The dashboard's sign-in form, with its double-submit cookie (shared/dashboard/csrf.ts). */
const signInToken = "A".repeat(43);
const signInForm = (fields: Record<string, string>): RawRequest => {
  const raw = formRequest(fields);
  const cookie = `${cookieName("signIn", process.env.PUBLIC_BASE_URL ?? "")}=${signInToken}`;
  return { ...raw, headers: { ...raw.headers, cookie } };
};

/** The sandbox card page's hidden `formToken`, as the buyer's browser would post it back. */
async function pageFormToken(token: string): Promise<string> {
  const page = await api("GET /i/{token}/pay", { pathParameters: { token } });
  const match = /name="formToken" value="([^"]+)"/.exec(page.raw);
  if (page.status !== 200 || !match?.[1])
    throw new Error(`No card page for ${token}: ${page.status} ${page.raw.slice(0, 300)}`);
  return match[1];
}

/** An accepted quote's pay page's hidden `formToken`. */
async function quotePayFormToken(token: string): Promise<string> {
  const page = await api("GET /q/{token}/pay", { pathParameters: { token } });
  const match = /name="formToken" value="([^"]+)"/.exec(page.raw);
  if (page.status !== 200 || !match?.[1])
    throw new Error(`No quote pay page for ${token}: ${page.status} ${page.raw.slice(0, 300)}`);
  return match[1];
}

const payQuoteInvoice = async (w: World) => {
  const quote = await api("GET /v1/quotes/{id}", {
    token: w.secret,
    pathParameters: { id: w.quotePages.ids.pay ?? "" },
  });
  return (
    await api("GET /v1/invoices/{id}", { token: w.secret, pathParameters: { id: quote.body.invoiceId } })
  ).body;
};

/** The update-card page's hidden `formToken`, as the buyer's browser would post it back. */
async function updateCardFormToken(token: string): Promise<string> {
  const page = await api("GET /c/{token}/payment-method", { pathParameters: { token } });
  const match = /name="formToken" value="([^"]+)"/.exec(page.raw);
  if (page.status !== 200 || !match?.[1])
    throw new Error(`No update-card page for ${token}: ${page.status} ${page.raw.slice(0, 300)}`);
  return match[1];
}

/** A checkout page's hidden `formToken`, as the buyer's browser would post it back. */
async function checkoutFormToken(slug: string): Promise<string> {
  const page = await api("GET /l/{slug}", { pathParameters: { slug } });
  const match = /name="formToken" value="([^"]+)"/.exec(page.raw);
  if (page.status !== 200 || !match?.[1])
    throw new Error(`No checkout page for ${slug}: ${page.status} ${page.raw.slice(0, 300)}`);
  return match[1];
}

/** The buyer's answers the checkout fixture's link needs, all valid. */
const buyer = {
  "quantity.0": "2",
  email: "buyer@bad-input.test",
  phone: "+47 22 33 44 55",
  "custom.grind": "Fine",
};

/** The customer portal's hidden `formToken`, as the buyer's browser would post it back. */
async function portalFormToken(token: string): Promise<string> {
  const page = await api("GET /c/{token}", { pathParameters: { token } });
  const match = /name="formToken" value="([^"]+)"/.exec(page.raw);
  if (page.status !== 200 || !match?.[1])
    throw new Error(`No portal for ${token}: ${page.status} ${page.raw.slice(0, 300)}`);
  return match[1];
}

/**
 * A portal form's refused cases (the form's token missing, forged, another customer's portal's,
 * expired, or sent as JSON) and its accepted request: the form's token alone.
 */
const portalFormCases = (): RawCase[] => [
  { name: "no formToken", request: () => formRequest({}), status: 403 },
  { name: "an empty body", request: () => ({ body: "" }), status: 403 },
  {
    name: "a forged formToken",
    request: () => formRequest({ formToken: `${nowSeconds()}.${"A".repeat(43)}` }),
    status: 403,
  },
  {
    name: "the formToken of another customer's portal",
    request: async (w) => formRequest({ formToken: await portalFormToken(w.otherPortalToken) }),
    status: 403,
  },
  {
    name: "an expired formToken (issued 31 minutes ago)",
    request: (w) =>
      formRequest({
        formToken: formToken(process.env.CURSOR_SECRET ?? "", w.portalToken, nowSeconds() - 31 * 60),
      }),
    status: 403,
  },
  {
    name: "JSON instead of the form",
    request: async (w) => ({
      body: JSON.stringify({ formToken: await portalFormToken(w.portalToken) }),
      headers: { "content-type": "application/json" },
    }),
    status: 403,
  },
];

const subscriptionOf = async (w: World, id: string) =>
  (await api("GET /v1/subscriptions/{id}", { token: w.secret, pathParameters: { id } })).body;

/** A portal action on `subscription(w)`: refused cases change nothing, the accepted one does `check`. */
const portalAction = (
  subscription: (w: World) => string,
  done: string,
  check: (after: Record<string, unknown>) => void,
): RawFixture => ({
  params: (w) => ({ token: w.portalToken, subscriptionId: subscription(w) }),
  cases: portalFormCases(),
  valid: {
    request: async (w) => formRequest({ formToken: await portalFormToken(w.portalToken) }),
    status: 303,
    check: async (r, _queued, _raw, w) => {
      expect(r.headers.location, "back to the portal, saying so").toBe(`/c/${w.portalToken}?done=${done}`);
      check(await subscriptionOf(w, subscription(w)));
    },
  },
  unchanged: (w) => subscriptionOf(w, subscription(w)),
});

const customerOf = async (w: World) =>
  (await api("GET /v1/customers/{id}", { token: w.secret, pathParameters: { id: w.customer } })).body;

/** Operation id → its hand-written cases. Every public POST route without a JSON body schema needs one. */
/** The sign (or decline) form of a quote's page, filled with `fields` over what the page holds. */
async function quoteSignForm(
  token: string,
  fields: Record<string, string>,
  signer?: string,
): Promise<RawRequest> {
  const page = signer
    ? await api("GET /q/{token}/countersign/{signerToken}", {
        pathParameters: { token, signerToken: signer },
      })
    : await api("GET /q/{token}", { pathParameters: { token } });
  const value = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page.raw)?.[1] ?? "";
  if (page.status !== 200 || !value("formToken"))
    throw new Error(`No quote page for ${token}: ${page.status} ${page.raw.slice(0, 300)}`);
  return formRequest({ formToken: value("formToken"), contentHash: value("contentHash"), ...fields });
}

const quoteOf = (kind: string) => async (w: World) =>
  (
    await api("GET /v1/quotes/{id}", {
      token: w.secret,
      pathParameters: { id: w.quotePages.ids[kind] ?? "" },
    })
  ).body;

/** A quote form's refused cases: its token missing, forged, another page's or expired, JSON; no name or consent; a stale hash. */
const quoteFormCases = (token: (w: World) => string, signer?: (w: World) => string): RawCase[] => {
  const fill = (w: World, fields: Record<string, string>) => quoteSignForm(token(w), fields, signer?.(w));
  // A countersigner's form is bound to their link: the quote's token and theirs.
  const scope = (w: World) => (signer ? `${token(w)}/${signer(w)}` : token(w));
  return [
    { name: "no formToken", request: () => formRequest({ name: "Ada", consent: "yes" }), status: 403 },
    { name: "an empty body", request: () => ({ body: "" }), status: 403 },
    {
      name: "a forged formToken",
      request: () =>
        formRequest({ name: "Ada", consent: "yes", formToken: `${nowSeconds()}.${"A".repeat(43)}` }),
      status: 403,
    },
    {
      name: "an expired formToken (issued 31 minutes ago)",
      request: (w) =>
        formRequest({
          name: "Ada",
          consent: "yes",
          formToken: formToken(process.env.CURSOR_SECRET ?? "", scope(w), nowSeconds() - 31 * 60),
        }),
      status: 403,
    },
    {
      name: "JSON instead of the form",
      request: async (w) => ({
        body: JSON.stringify(
          Object.fromEntries(new URLSearchParams((await fill(w, { name: "Ada", consent: "yes" })).body)),
        ),
        headers: { "content-type": "application/json" },
      }),
      status: 403,
    },
    { name: "no name", request: (w) => fill(w, { consent: "yes" }), status: 400 },
    { name: "a blank name", request: (w) => fill(w, { name: "   ", consent: "yes" }), status: 400 },
    { name: "the consent box unticked", request: (w) => fill(w, { name: "Ada Buyer" }), status: 400 },
    {
      name: "a contentHash that is not the quote's (a stale tab)",
      request: (w) => fill(w, { name: "Ada Buyer", consent: "yes", contentHash: "0".repeat(64) }),
      status: 409,
    },
  ];
};

const rawFixtures: Record<string, RawFixture> = {
  signHostedQuote: {
    params: (w) => ({ token: w.quotePages.sign }),
    cases: quoteFormCases((w) => w.quotePages.sign),
    valid: {
      request: (w) => quoteSignForm(w.quotePages.sign, { name: "Ada Buyer", consent: "yes" }),
      status: 303,
      check: async (r, _queued, _raw, w) => {
        expect(r.headers.location).toBe(`/q/${w.quotePages.sign}?done=accepted`);
        expect((await quoteOf("sign")(w)).status).toBe("accepted");
      },
    },
    unchanged: quoteOf("sign"),
  },
  declineHostedQuote: {
    params: (w) => ({ token: w.quotePages.decline }),
    cases: [
      ...quoteFormCases((w) => w.quotePages.decline).slice(0, 5),
      {
        name: "a reason over 1000 characters",
        request: (w) => quoteSignForm(w.quotePages.decline, { reason: "x".repeat(1001) }),
        status: 400,
      },
    ],
    valid: {
      request: (w) => quoteSignForm(w.quotePages.decline, { reason: "Too dear" }),
      status: 303,
      check: async (_r, _queued, _raw, w) => {
        expect(await quoteOf("decline")(w)).toMatchObject({ status: "declined", declineReason: "Too dear" });
      },
    },
    unchanged: quoteOf("decline"),
  },
  countersignHostedQuote: {
    params: (w) => ({ token: w.quotePages.countersign, signerToken: w.quotePages.signer }),
    cases: quoteFormCases(
      (w) => w.quotePages.countersign,
      (w) => w.quotePages.signer,
    ),
    valid: {
      request: (w) =>
        quoteSignForm(
          w.quotePages.countersign,
          { name: "Carol Seller", consent: "yes" },
          w.quotePages.signer,
        ),
      status: 303,
      check: async (_r, _queued, _raw, w) => {
        expect((await quoteOf("countersign")(w)).status).toBe("accepted");
      },
    },
    unchanged: quoteOf("countersign"),
  },
  receiveStripeWebhook: {
    cases: [
      {
        name: "no Stripe-Signature header",
        request: () => ({ body: stripeEvent() }),
        status: 400,
        path: "stripe-signature",
      },
      {
        name: "no body and no signature",
        request: () => ({ body: "" }),
        status: 400,
        path: "stripe-signature",
      },
      {
        name: "an empty Stripe-Signature header",
        request: () => signed(stripeEvent(), ""),
        status: 400,
        path: "stripe-signature",
      },
      {
        name: "a malformed Stripe-Signature header",
        request: () => signed(stripeEvent(), "not-a-signature"),
        status: 400,
        path: "stripe-signature",
      },
      {
        name: "signed with another endpoint's secret",
        request: () => {
          const payload = stripeEvent();
          return signed(payload, signPayload(payload, "whsec_someone_else_0123456789", nowSeconds()));
        },
        status: 400,
        path: "stripe-signature",
      },
      {
        name: "signed 10 minutes ago (tolerance 5)",
        request: () => {
          const payload = stripeEvent();
          return signed(payload, signPayload(payload, webhookSecret(), nowSeconds() - 600));
        },
        status: 400,
        path: "stripe-signature",
      },
      {
        name: "the body changed after signing",
        request: () => {
          const signature = signPayload(stripeEvent(1000), webhookSecret(), nowSeconds());
          return signed(stripeEvent(999_999), signature);
        },
        status: 400,
        path: "stripe-signature",
      },
      {
        name: "a v0 signature only",
        request: () => {
          const payload = stripeEvent();
          return signed(payload, signPayload(payload, webhookSecret(), nowSeconds()).replace("v1=", "v0="));
        },
        status: 400,
        path: "stripe-signature",
      },
      {
        name: "a correctly signed body that is not JSON",
        request: () => signed("not json", signPayload("not json", webhookSecret(), nowSeconds())),
        status: 400,
        path: "stripe-signature",
      },
    ],
    valid: {
      request: async () => {
        const payload = stripeEvent();
        return signed(payload, signPayload(payload, webhookSecret(), nowSeconds()));
      },
      status: 200,
      check: (r, queued, raw) => {
        expect(r.body, "the webhook's answer").toMatchObject({ received: true, id: JSON.parse(raw.body).id });
        // Queued as received: the raw body and its signature, for the consumer to verify again.
        expect(queued, "the webhook queues the event once").toEqual([
          { payload: raw.body, signature: raw.headers?.["stripe-signature"] },
        ]);
      },
    },
  },
  submitHostedQuotePayment: {
    params: (w) => ({ token: w.quotePages.pay }),
    cases: [
      { name: "no formToken", request: () => formRequest({ card: testCard }), status: 403 },
      {
        name: "a forged formToken",
        request: () => formRequest({ card: testCard, formToken: `${nowSeconds()}.${"A".repeat(43)}` }),
        status: 403,
      },
      {
        name: "the formToken of an invoice's page",
        request: async (w) =>
          formRequest({ card: testCard, formToken: await pageFormToken(w.otherHostedToken) }),
        status: 403,
      },
      {
        name: "no card",
        request: async (w) => formRequest({ formToken: await quotePayFormToken(w.quotePages.pay) }),
        status: 400,
      },
    ],
    valid: {
      request: async (w) =>
        formRequest({ card: testCard, formToken: await quotePayFormToken(w.quotePages.pay) }),
      status: 303,
      check: async (r, _queued, _raw, w) => {
        expect(r.headers.location, "paid: back to the quote").toBe(`/q/${w.quotePages.pay}?paid=1`);
        expect((await payQuoteInvoice(w)).status, "the card form paid its first invoice").toBe("paid");
      },
    },
    unchanged: payQuoteInvoice,
  },
  submitHostedInvoicePayment: {
    params: (w) => ({ token: w.hostedToken }),
    cases: [
      { name: "no formToken", request: () => formRequest({ card: testCard }), status: 403 },
      { name: "an empty body", request: () => ({ body: "" }), status: 403 },
      {
        name: "a forged formToken",
        request: () => formRequest({ card: testCard, formToken: `${nowSeconds()}.${"A".repeat(43)}` }),
        status: 403,
      },
      {
        name: "the formToken of another invoice's page",
        request: async (w) =>
          formRequest({ card: testCard, formToken: await pageFormToken(w.otherHostedToken) }),
        status: 403,
      },
      {
        name: "an expired formToken (issued 31 minutes ago)",
        request: (w) =>
          formRequest({
            card: testCard,
            formToken: formToken(process.env.CURSOR_SECRET ?? "", w.hostedToken, nowSeconds() - 31 * 60),
          }),
        status: 403,
      },
      {
        name: "JSON instead of the form",
        request: async (w) => ({
          body: JSON.stringify({ card: testCard, formToken: await pageFormToken(w.hostedToken) }),
          headers: { "content-type": "application/json" },
        }),
        status: 403,
      },
      {
        name: "no card",
        request: async (w) => formRequest({ formToken: await pageFormToken(w.hostedToken) }),
        status: 400,
      },
      {
        name: "a card that is not a number",
        request: async (w) =>
          formRequest({ card: "4242 abcd", formToken: await pageFormToken(w.hostedToken) }),
        status: 400,
      },
    ],
    valid: {
      request: async (w) => formRequest({ card: testCard, formToken: await pageFormToken(w.hostedToken) }),
      status: 303,
      check: async (r, queued, _raw, w) => {
        expect(r.headers.location, "paid: back to the invoice").toBe(`/i/${w.hostedToken}?paid=1`);
        expect(queued.length, "the sandbox charge queues its events").toBeGreaterThan(0);
        const invoice = await api("GET /v1/invoices/{id}", {
          token: w.secret,
          pathParameters: { id: w.hostedInvoice },
        });
        expect(invoice.body.status, "the card form paid the invoice").toBe("paid");
      },
    },
    unchanged: async (w) =>
      (await api("GET /v1/invoices/{id}", { token: w.secret, pathParameters: { id: w.hostedInvoice } })).body,
  },
  submitUpdateCard: {
    params: (w) => ({ token: w.updateCardToken }),
    cases: [
      { name: "no formToken", request: () => formRequest({ card: testCard }), status: 403 },
      { name: "an empty body", request: () => ({ body: "" }), status: 403 },
      {
        name: "a forged formToken",
        request: () => formRequest({ card: testCard, formToken: `${nowSeconds()}.${"A".repeat(43)}` }),
        status: 403,
      },
      {
        name: "the formToken of another customer's page",
        request: async (w) =>
          formRequest({ card: testCard, formToken: await updateCardFormToken(w.otherUpdateCardToken) }),
        status: 403,
      },
      {
        name: "an expired formToken (issued 31 minutes ago)",
        request: (w) =>
          formRequest({
            card: testCard,
            formToken: formToken(process.env.CURSOR_SECRET ?? "", w.updateCardToken, nowSeconds() - 31 * 60),
          }),
        status: 403,
      },
      {
        name: "JSON instead of the form",
        request: async (w) => ({
          body: JSON.stringify({ card: testCard, formToken: await updateCardFormToken(w.updateCardToken) }),
          headers: { "content-type": "application/json" },
        }),
        status: 403,
      },
      {
        name: "no card",
        request: async (w) => formRequest({ formToken: await updateCardFormToken(w.updateCardToken) }),
        status: 400,
      },
      {
        name: "a card that is not a number",
        request: async (w) =>
          formRequest({ card: "4242 abcd", formToken: await updateCardFormToken(w.updateCardToken) }),
        status: 400,
      },
    ],
    valid: {
      request: async (w) =>
        formRequest({ card: "5555 5555 5555 4444", formToken: await updateCardFormToken(w.updateCardToken) }),
      status: 303,
      check: async (r, _queued, _raw, w) => {
        expect(r.headers.location, "saved: back to the page").toBe(
          `/c/${w.updateCardToken}/payment-method?saved=1`,
        );
        const customer = await customerOf(w);
        expect(customer.defaultPaymentMethodId, "the new card is the default").not.toBe(w.paymentMethod);
      },
    },
    unchanged: customerOf,
  },
  portalCancelSubscription: portalAction(
    (w) => w.portalCancelable,
    "canceled",
    (after) => expect(after.cancelAtPeriodEnd, "set to cancel at period end").toBe(true),
  ),
  portalPauseSubscription: portalAction(
    (w) => w.portalPausable,
    "paused",
    (after) =>
      expect(after.pauseAt, "set to pause at the end of the period billed").toBe(after.currentPeriodEnd),
  ),
  portalResumeSubscription: portalAction(
    (w) => w.portalResumable,
    "resumed",
    (after) => expect(after.pauseAt, "the pause called off").toBeNull(),
  ),
  submitCheckout: {
    params: (w) => ({ slug: w.checkoutSlug }),
    cases: [
      { name: "no formToken", request: () => formRequest(buyer), status: 403 },
      { name: "an empty body", request: () => ({ body: "" }), status: 403 },
      {
        name: "a forged formToken",
        request: () => formRequest({ ...buyer, formToken: `${nowSeconds()}.${"A".repeat(43)}` }),
        status: 403,
      },
      {
        name: "the formToken of another link's page",
        request: async (w) =>
          formRequest({ ...buyer, formToken: await checkoutFormToken(w.otherCheckoutSlug) }),
        status: 403,
      },
      {
        name: "an expired formToken (issued 31 minutes ago)",
        request: (w) =>
          formRequest({
            ...buyer,
            formToken: formToken(process.env.CURSOR_SECRET ?? "", w.checkoutSlug, nowSeconds() - 31 * 60),
          }),
        status: 403,
      },
      {
        name: "JSON instead of the form",
        request: async (w) => ({
          body: JSON.stringify({ ...buyer, formToken: await checkoutFormToken(w.checkoutSlug) }),
          headers: { "content-type": "application/json" },
        }),
        status: 403,
      },
      ...(
        [
          ["no email", { email: "" }],
          ["an email that is not one", { email: "buyer@" }],
          ["a quantity above the link's range", { "quantity.0": "4" }],
          ["a fractional quantity", { "quantity.0": "1.5" }],
          ["no phone", { phone: "" }],
          ["a dropdown answer that is not an option", { "custom.grind": "Coarse" }],
          ["no answer to a required custom field", { "custom.grind": "" }],
        ] as const
      ).map(([name, change]) => ({
        name,
        request: async (w: World) =>
          formRequest({ ...buyer, ...change, formToken: await checkoutFormToken(w.checkoutSlug) }),
        status: 400,
      })),
      ...(
        [
          ["paying without a card", {}],
          ["paying with a card that is not a number", { card: "4242 abcd" }],
        ] as const
      ).map(([name, card]) => ({
        name,
        request: async (w: World) =>
          formRequest({
            ...card,
            session: w.checkoutSession,
            formToken: await checkoutFormToken(w.checkoutSlug),
          }),
        status: 400,
      })),
    ],
    valid: {
      request: async (w) => formRequest({ ...buyer, formToken: await checkoutFormToken(w.checkoutSlug) }),
      status: 303,
      check: (r, _queued, _raw, w) =>
        expect(r.headers.location, "on to the started session").toMatch(
          new RegExp(`^/l/${w.checkoutSlug}\\?session=cs_[0-9A-Z]{26}$`),
        ),
    },
  },
  priceCheckoutForm: {
    params: (w) => ({ slug: w.checkoutSlug }),
    cases: [
      { name: "an empty body (no quantity)", request: () => ({ body: "" }), status: 400, path: "quantity.0" },
      ...(
        [
          ["a quantity above the link's range", "4"],
          ["a fractional quantity", "1.5"],
          ["a quantity that is not a number", "two"],
        ] as const
      ).map(([name, quantity]) => ({
        name,
        request: () => formRequest({ "quantity.0": quantity }),
        status: 400,
        path: "quantity.0",
      })),
      {
        name: "JSON instead of the form",
        request: () => ({
          body: JSON.stringify({ "quantity.0": "2" }),
          headers: { "content-type": "application/json" },
        }),
        status: 400,
        path: "quantity.0",
      },
    ],
    valid: {
      request: async () => formRequest({ "quantity.0": "2" }),
      status: 200,
      // 2 × 12.99, untaxed.
      check: (r) => expect(r.body.total, "priced by the engine").toBe(2598),
    },
  },
  // The dashboard's sign-in form: refused (403, nothing done) without the double-submit token, with
  // one that is not the cookie's, or from another origin; a malformed email is the form again (400).
  postDashboardAction: {
    params: () => ({ proxy: "sign-in" }),
    cases: [
      { name: "no csrf field", request: () => signInForm({ email: "owner@shop.test" }), status: 403 },
      {
        name: "a csrf field that is not the cookie's",
        request: () => signInForm({ email: "owner@shop.test", csrf: "B".repeat(43) }),
        status: 403,
      },
      {
        name: "no sign-in cookie",
        request: () => ({ ...formRequest({ email: "owner@shop.test", csrf: signInToken }) }),
        status: 403,
      },
      {
        name: "another origin",
        request: () => {
          const raw = signInForm({ email: "owner@shop.test", csrf: signInToken });
          return { ...raw, headers: { ...raw.headers, origin: "https://attacker.test" } };
        },
        status: 403,
      },
      {
        name: "an email without @",
        request: () => signInForm({ email: "owner.shop.test", csrf: signInToken }),
        status: 400,
      },
    ],
    valid: {
      request: async () => signInForm({ email: "owner@shop.test", csrf: signInToken }),
      status: 200,
      check: (r) => expect(r.raw, "never says whether the address has an account").toContain("Check your email"),
    },
  },
  // A form without its valid token is refused; a mail client's one-click needs none (the link's token is the proof).
  submitUnsubscribe: {
    params: (w) => ({ token: w.unsubscribeToken }),
    cases: [
      { name: "no formToken", request: () => formRequest({}), status: 403 },
      { name: "an empty body", request: () => ({ body: "" }), status: 403 },
      {
        name: "a forged formToken",
        request: () => formRequest({ formToken: `${nowSeconds()}.${"A".repeat(43)}` }),
        status: 403,
      },
      {
        name: "the formToken of another page",
        request: async (w) => formRequest({ formToken: await portalFormToken(w.portalToken) }),
        status: 403,
      },
      {
        name: "a one-click body with another value",
        request: () => formRequest({ "List-Unsubscribe": "Yes" }),
        status: 403,
      },
    ],
    valid: {
      request: async () => formRequest({ "List-Unsubscribe": "One-Click" }),
      status: 200,
      check: async (r, _queued, _raw, w) => {
        expect(r.raw, "says so").toContain("You are unsubscribed");
        const customer = await api("GET /v1/customers/{id}", {
          token: w.secret,
          pathParameters: { id: w.unsubscribeCustomer },
        });
        expect(customer.body.unsubscribedAt, "the one-click unsubscribed the customer").toEqual(
          expect.any(String),
        );
      },
    },
    unchanged: async (w) =>
      (
        await api("GET /v1/customers/{id}", {
          token: w.secret,
          pathParameters: { id: w.unsubscribeCustomer },
        })
      ).body,
  },
  // The renew form: the portal's form cases, then its fields named (nothing billed); the accepted
  // request bills the next period and sends the buyer on to its invoice's page (send_invoice).
  portalRenewEarly: {
    params: (w) => ({ token: w.portalToken }),
    cases: [
      ...portalFormCases(),
      ...(
        [
          ["no subscription", {}, "subscription"],
          ["a subscription that is no id", { subscription: "sub_nope" }, "subscription"],
          ["a code of 65 characters", { subscription: "", code: "C".repeat(65) }, "code"],
        ] as const
      ).map(
        ([name, fields, path]): RawCase => ({
          name,
          request: async (w) =>
            formRequest({
              formToken: await portalFormToken(w.portalToken),
              ...fields,
              ...("code" in fields ? { subscription: w.portalRenewable } : {}),
            }),
          status: 400,
          path,
        }),
      ),
    ],
    valid: {
      request: async (w) =>
        formRequest({ formToken: await portalFormToken(w.portalToken), subscription: w.portalRenewable }),
      status: 303,
      check: async (r, _queued, _raw, w) => {
        expect(r.headers.location, "on to the renewal's invoice").toMatch(
          /^https?:\/\/[^/]+\/i\/[A-Za-z0-9_-]+$/,
        );
        expect(await subscriptionOf(w, w.portalRenewable)).toMatchObject({ cyclesBilled: 2 });
      },
    },
    unchanged: (w) => subscriptionOf(w, w.portalRenewable),
  },
  portalUpdateCard: {
    params: (w) => ({ token: w.portalToken }),
    cases: portalFormCases(),
    valid: {
      request: async (w) => formRequest({ formToken: await portalFormToken(w.portalToken) }),
      status: 303,
      check: (r) =>
        expect(r.headers.location, "on to a fresh update-card page").toMatch(
          /^https?:\/\/[^/]+\/c\/[A-Za-z0-9_-]{32}\/payment-method$/,
        ),
    },
  },
};

// ---- The walk -----------------------------------------------------------------------------------

let aws: TestAws;
let world: World;
let stripe: StripeFake;
let callRoute: RouteCaller;
/** The queue of processor events (the sandbox's and Stripe's webhooks): refused requests add nothing. */
const eventQueue = "stripe-events";

const writeRoutes = manifestRoutes.filter(({ route }) => route.method === "POST" || route.method === "PATCH");

interface WalkEntry {
  /** The route key, and the variant's name when it is one. */
  label: string;
  routeKey: string;
  op: Operation | undefined;
  fixture: BodyFixture | undefined;
  variant: string;
}

/** Each route with a JSON body, once per valid body (a union body's other branches are `variants`). */
const walk: WalkEntry[] = writeRoutes
  // Actions without a body (finalize, revoke, …) have nothing to break; raw-body routes are walked below.
  .filter(({ op }) => !op || op.body)
  .flatMap(({ routeKey, op }): WalkEntry[] => {
    const fixture = op?.body ? fixtures[op.id] : undefined;
    if (!op?.body || !fixture) return [{ label: routeKey, routeKey, op, fixture: undefined, variant: "" }];
    return [
      { label: routeKey, routeKey, op, fixture, variant: "" },
      ...Object.entries(fixture.variants ?? {}).map(([variant, v]) => ({
        label: `${routeKey} (${variant})`,
        routeKey,
        op,
        fixture: { ...fixture, body: v.body, cases: v.cases ?? [], variants: undefined } as BodyFixture,
        variant,
      })),
    ];
  });

/** Public POST routes that read their raw body themselves (no JSON body schema). */
const rawWalk = writeRoutes.filter(({ op }) => op && !op.body && op.auth === "public");

/**
 * The walk sends hundreds of bodies for one merchant in a burst: a 429 from the per-merchant API limit
 * (checked before anything is read or written) is not what it checks, so it is waited out and resent.
 */
async function api(routeKey: string, options: CallOptions = {}): Promise<ApiResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await callRoute(routeKey, options);
    if (result.status !== 429 || attempt === 5) return result;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function created(
  routeKey: string,
  token: string,
  body?: Body,
  pathParameters?: Record<string, string>,
): Promise<string> {
  const r = await api(routeKey, {
    token,
    ...(body ? { body } : {}),
    ...(pathParameters ? { pathParameters } : {}),
  });
  if (r.status >= 300) throw new Error(`Fixture ${routeKey} failed: ${r.status} ${r.raw}`);
  return r.body.id as string;
}

/** The items in the table now; every refused request must leave it at that. */
let baseline = 0;

function expectProblem(r: ApiResult, status: number, label: string) {
  expect(r.status, `${label}: ${r.raw.slice(0, 400)}`).toBe(status);
  expect(r.headers["content-type"], label).toBe("application/problem+json");
  expect(r.body, label).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:kassa:problem:/),
    title: expect.any(String),
  });
}

/** Items the last request added: measured at once, so one request that wrote fails only its own case. */
async function written(): Promise<number> {
  const before = baseline;
  baseline = await aws.countItems();
  return baseline - before;
}

/** Processor events queued since the last call (taken off the queue). */
const queued = () => takeQueued(aws, eventQueue);

/** Stripe API calls made since the last call. */
let stripeSeen = 0;
function stripeCalls(): number {
  const before = stripeSeen;
  stripeSeen = stripe.requests.length;
  return stripeSeen - before;
}

describe("bad input: every POST and PATCH route with a body", () => {
  beforeAll(async () => {
    aws = await useTestAws(["notifications", eventQueue, "webhooks"]);
    // connectStripe talks to Stripe: to the loopback fake here.
    stripe = await startStripeFake();
    process.env.STRIPE_API_BASE = `http://127.0.0.1:${stripe.port}`;
    process.env.STRIPE_SECRET_KEY = "sk_test_bad_input_0123456789";
    callRoute = await routeCaller();
    const { secret, id: merchantId } = await newMerchant("Bad Input Shop");
    const customer = await created("POST /v1/customers", secret, {
      email: `owner-${unique()}@bad-input.test`,
      name: "Owner",
    });
    const product = await created("POST /v1/products", secret, {
      name: "Widget",
      unitAmount: 1500,
      currency: "USD",
    });
    const taxRate = await created("POST /v1/tax-rates", secret, {
      name: "VAT",
      percentage: 19,
      inclusive: false,
    });
    const discountCode = await created("POST /v1/discount-codes", secret, {
      code: `WELCOME${unique()}`.toUpperCase(),
      percentOff: 10,
      duration: "once",
    });
    const testClock = await created("POST /v1/test-clocks", secret, { frozenTime: "2030-01-01T00:00:00Z" });
    const recurringProduct = await created("POST /v1/products", secret, {
      name: "Pro monthly",
      unitAmount: 4900,
      currency: "USD",
      recurring: { interval: "month" },
    });
    const paymentMethod = servesRoute("POST /v1/customers/{id}/payment-methods")
      ? await created(
          "POST /v1/customers/{id}/payment-methods",
          secret,
          { paymentMethod: "pm_card_visa" },
          {
            id: customer,
          },
        )
      : "";
    world = {
      secret,
      customer,
      paymentMethod,
      product,
      recurringProduct,
      taxRate,
      discountCode,
      testClock,
      draftInvoice: "",
      openInvoice: "",
      quoteTemplate: servesRoute("POST /v1/quote-templates")
        ? await created("POST /v1/quote-templates", secret, { name: "Standard" })
        : "",
      workflow: servesRoute("POST /v1/workflows")
        ? await created("POST /v1/workflows", secret, { fromTemplate: "welcome_email" })
        : "",
      activeSegment: servesRoute("POST /v1/segments")
        ? await created("POST /v1/segments", secret, { name: "Everyone", type: "active" })
        : "",
      staticSegment: servesRoute("POST /v1/segments")
        ? await created("POST /v1/segments", secret, { name: "Picked", type: "static" })
        : "",
      webhookEndpoint: servesRoute("POST /v1/webhook-endpoints")
        ? await created("POST /v1/webhook-endpoints", secret, { url: "https://hooks.example.com/in", events: ["invoice.paid"] })
        : "",
      // The merchant's first event (merchant.created), for its redelivery.
      event: String(
        (await aws.scanAll()).find((i) => i.type === "event" && i.PK === `MERCHANT#${merchantId}`)?.id ?? "",
      ),
      draftQuote: "",
      openQuote: "",
      quotePages: { pay: "", sign: "", decline: "", countersign: "", signer: "", ids: {} },
      payableInvoice: "",
      payment: "",
      hostedInvoice: "",
      hostedToken: "",
      otherHostedToken: "",
      subscription: "",
      cancelableSubscription: "",
      pausableSubscription: "",
      updateCardToken: "",
      otherUpdateCardToken: "",
      portalToken: "",
      otherPortalToken: "",
      portalCancelable: "",
      portalPausable: "",
      portalResumable: "",
      portalRenewable: "",
      paymentLink: "",
      checkoutSlug: "",
      otherCheckoutSlug: "",
      checkoutSession: "",
      task: "",
      user: "",
      unsubscribeToken: "",
      unsubscribeCustomer: "",
    };
    if (servesRoute("POST /v1/payment-links")) {
      world.paymentLink = await created("POST /v1/payment-links", secret, paymentLink(world));
      // Its own product: the walk changes `product`.
      const sold = await created("POST /v1/products", secret, {
        name: "Beans",
        unitAmount: 1299,
        currency: "USD",
      });
      const slugOf = async (body: Body) => {
        const id = await created("POST /v1/payment-links", secret, body);
        const link = await api("GET /v1/payment-links/{id}", { token: secret, pathParameters: { id } });
        return String(link.body.url).split("/l/")[1] ?? "";
      };
      world.checkoutSlug = await slugOf({
        name: "Beans",
        lineItems: [{ productId: sold, quantity: 1, adjustableQuantity: { min: 1, max: 3 } }],
        collectPhone: true,
        customFields: [{ key: "grind", label: "Grind", type: "dropdown", options: ["Whole", "Fine"] }],
      });
      world.otherCheckoutSlug = await slugOf({ name: "More beans", lineItems: [{ productId: sold }] });
      const started = await api("POST /l/{slug}", {
        ...formRequest({ ...buyer, formToken: await checkoutFormToken(world.checkoutSlug) }),
        pathParameters: { slug: world.checkoutSlug },
      });
      world.checkoutSession = /session=(cs_[0-9A-Z]{26})/.exec(started.headers.location ?? "")?.[1] ?? "";
      if (!world.checkoutSession)
        throw new Error(`Fixture checkout failed: ${started.status} ${started.raw}`);
    }
    if (servesRoute("POST /v1/subscriptions")) {
      world.subscription = await created("POST /v1/subscriptions", secret, subscription(world));
      world.cancelableSubscription = await created("POST /v1/subscriptions", secret, subscription(world));
      world.pausableSubscription = await created("POST /v1/subscriptions", secret, {
        customerId: customer,
        items: [{ description: "Retainer", unitAmount: 1000 }],
        currency: "USD",
        interval: "month",
        collectionMethod: "send_invoice",
      });
    }
    const updateCardToken = async (customerId: string) =>
      (await updateCardLink(updateCardLinkPorts(systemClock), merchantId, customerId)).split("/").at(-2) ??
      "";
    world.updateCardToken = await updateCardToken(customer);
    world.otherUpdateCardToken = await updateCardToken(
      await created("POST /v1/customers", secret, { email: `other-${unique()}@bad-input.test` }),
    );
    if (servesRoute("GET /c/{token}")) {
      const portalToken = async (customerId: string) =>
        (await portalLink(portalLinkPorts(systemClock), merchantId, customerId)).url.split("/").at(-1) ?? "";
      world.portalToken = await portalToken(customer);
      world.otherPortalToken = await portalToken(
        await created("POST /v1/customers", secret, { email: `portal-${unique()}@bad-input.test` }),
      );
      const started = () =>
        created("POST /v1/subscriptions", secret, {
          customerId: customer,
          items: [{ description: "Portal plan", unitAmount: 1000 }],
          currency: "USD",
          interval: "month",
          collectionMethod: "send_invoice",
        });
      world.portalCancelable = await started();
      world.portalPausable = await started();
      world.portalResumable = await started();
      world.portalRenewable = await started();
      await created("POST /v1/subscriptions/{id}/pause", secret, {}, { id: world.portalResumable });
      const allowed = await api("PATCH /v1/merchant", { token: secret, body: { portal: { pause: true } } });
      if (allowed.status !== 200) throw new Error(`Fixture portal setting failed: ${allowed.raw}`);
    }
    if (servesRoute("POST /v1/users"))
      world.user = await created("POST /v1/users", secret, { email: `bo-${unique()}@bad-input.test`, role: "member" });
    if (servesRoute("POST /v1/tasks"))
      world.task = await created("POST /v1/tasks", secret, {
        title: "Follow up",
        related: { customerId: customer },
      });
    if (servesRoute("POST /u/{token}")) {
      world.unsubscribeCustomer = await created("POST /v1/customers", secret, {
        email: `unsubscribe-${unique()}@bad-input.test`,
      });
      world.unsubscribeToken =
        (await unsubscribeLink(systemClock)(merchantId, world.unsubscribeCustomer)).split("/").at(-1) ?? "";
    }
    if (servesRoute("POST /v1/invoices")) {
      const invoice = {
        customerId: customer,
        currency: "USD",
        lineItems: [{ description: "Work", quantity: 1, unitAmount: 1000 }],
      };
      const open = async () => {
        const id = await created("POST /v1/invoices", secret, invoice);
        await created("POST /v1/invoices/{id}/finalize", secret, undefined, { id });
        return id;
      };
      const hostedTokenOf = async (id: string) =>
        String((await api("GET /v1/invoices/{id}", { token: secret, pathParameters: { id } })).body.hostedUrl)
          .split("/")
          .pop() ?? "";
      world.draftInvoice = await created("POST /v1/invoices", secret, invoice);
      if (servesRoute("POST /v1/quotes")) {
        world.draftQuote = await created("POST /v1/quotes", secret, invoice);
        world.openQuote = await created("POST /v1/quotes", secret, invoice);
        await created("POST /v1/quotes/{id}/publish", secret, undefined, { id: world.openQuote });
        const quotePage = async (kind: string, body: Record<string, unknown> = {}) => {
          const id = await created("POST /v1/quotes", secret, { ...invoice, ...body });
          world.quotePages.ids[kind] = id;
          await created("POST /v1/quotes/{id}/publish", secret, undefined, { id });
          return (
            String(
              (await api("GET /v1/quotes/{id}", { token: secret, pathParameters: { id } })).body.hostedUrl,
            )
              .split("/")
              .pop() ?? ""
          );
        };
        world.quotePages.sign = await quotePage("sign");
        world.quotePages.pay = await quotePage("pay");
        await created(
          "POST /v1/quotes/{id}/accept",
          secret,
          { name: "Ada Buyer" },
          {
            id: world.quotePages.ids.pay ?? "",
          },
        );
        // What the billing queue does with its quote.accepted: the first invoice, to pay on the page.
        await billAcceptedQuote(quoteBillingPorts(systemClock), merchantId, world.quotePages.ids.pay ?? "");
        world.quotePages.decline = await quotePage("decline");
        world.quotePages.countersign = await quotePage("countersign", {
          countersigners: [{ name: "Carol Seller", email: "carol@bad-input.test" }],
        });
        const signed = await api("POST /q/{token}/sign", {
          pathParameters: { token: world.quotePages.countersign },
          ...(await quoteSignForm(world.quotePages.countersign, { name: "Ada Buyer", consent: "yes" })),
        });
        if (signed.status !== 303)
          throw new Error(`Fixture quote signature failed: ${signed.status} ${signed.raw}`);
        const [link] = await notificationPorts(systemClock).quoteCountersignLinks(
          merchantId,
          world.quotePages.ids.countersign ?? "",
        );
        world.quotePages.signer = link?.url.split("/").pop() ?? "";
      }
      world.openInvoice = await open();
      world.otherHostedToken = await hostedTokenOf(world.openInvoice);
      world.hostedInvoice = await open();
      world.hostedToken = await hostedTokenOf(world.hostedInvoice);
      if (servesRoute("POST /v1/invoices/{id}/pay")) {
        world.payableInvoice = await open();
        const paid = await api("POST /v1/invoices/{id}/pay", {
          token: secret,
          pathParameters: { id: await open() },
          body: { paymentMethod: "pm_card_visa" },
        });
        if (paid.status !== 200) throw new Error(`Fixture payInvoice failed: ${paid.status} ${paid.raw}`);
        world.payment = paid.body.payment.id as string;
      }
    }
    baseline = await aws.countItems();
    await queued();
    stripeCalls();
  });

  afterAll(async () => {
    await stripe?.stop();
    delete process.env.STRIPE_API_BASE;
    delete process.env.STRIPE_SECRET_KEY;
  });

  describe.each(walk.map((r) => [r.label, r] as const))(
    "%s",
    (_label, { routeKey, op, fixture, variant }) => {
      if (!op?.body || !fixture) {
        it("has a fixture", () => {
          if (!op)
            throw new Error(`${routeKey} is in the manifest but not in allOperations (shared/api/index.ts)`);
          throw new Error(
            `add a bad-input fixture for ${op.id} (${routeKey}) in test/integration/bad-input.test.ts`,
          );
        });
        return;
      }
      const body = op.body;
      const keyPrefix = `bad-input-${op.id}${variant ? `-${variant}` : ""}`;
      /** The route's request; `key` sets an Idempotency-Key (a refused request must leave no record behind). */
      const request = (raw: string, key?: string): CallOptions => ({
        token: fixture.admin ? adminToken : world.secret,
        body: raw,
        ...(fixture.params ? { pathParameters: fixture.params(world) } : {}),
        headers: {
          "content-type": "application/json",
          ...(key ? { "idempotency-key": `${keyPrefix}-${key}` } : {}),
        },
      });
      /** Nothing queued and no call to Stripe since the last check. */
      const expectQuiet = async (label: string) => {
        expect(await queued(), `${label} queued processor events`).toEqual([]);
        expect(stripeCalls(), `${label} called Stripe`).toBe(0);
      };

      it("has a valid fixture body", () => {
        const parsed = body.safeParse(fixture.body(world));
        expect(parsed.success, `${routeKey} fixture: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      });

      const cases = [...casesFor(op, fixture.body(placeholder)), ...(fixture.cases ?? [])];
      it.each(cases.map((c, n) => [c.name, c, n] as const))("400: %s", async (name, c, n) => {
        const label = `${routeKey} ${name}`;
        // Half the cases carry an Idempotency-Key.
        const r = await api(
          routeKey,
          request(c.body(fixture.body(world), world), n % 2 === 0 ? `case-${n}` : undefined),
        );
        const added = await written();
        expectProblem(r, 400, label);
        const errors = r.body.errors as { path: string; message: string }[];
        expect(Array.isArray(errors) && errors.length > 0, `${label}: errors ${JSON.stringify(r.body)}`).toBe(
          true,
        );
        const paths = errors.map((e) => e.path);
        expect(paths, label).toContain(c.path);
        for (const path of c.only ? paths : []) {
          expect(
            path === c.path || path.startsWith(`${c.path}.`),
            `${label}: error on ${path}, not ${c.path}: ${r.raw}`,
          ).toBe(true);
        }
        expect(added, `${label} wrote to the table`).toBe(0);
        await expectQuiet(label);
      });

      const limit = op.maxBodyBytes ?? defaultBodyLimit;
      /** The valid body plus an unknown `padding` field, `bytes` long in all. */
      const padded = (bytes: number) => {
        const valid = fixture.body(world);
        const bare = Buffer.byteLength(JSON.stringify({ ...valid, padding: "" }));
        return JSON.stringify({ ...valid, padding: "x".repeat(bytes - bare) });
      };

      it(`413: a body of ${limit + 1} bytes (one over the limit)`, async () => {
        for (const key of ["413", undefined]) {
          const r = await api(routeKey, request(padded(limit + 1), key));
          const added = await written();
          expectProblem(r, 413, `${routeKey} ${limit + 1} bytes`);
          expect(added, `${routeKey} ${limit + 1} bytes wrote to the table`).toBe(0);
        }
        const atLimit = await api(routeKey, request(padded(limit), "at-limit"));
        const added = await written();
        expectProblem(atLimit, 400, `${routeKey} ${limit} bytes`);
        expect(atLimit.body.errors, routeKey).toEqual([{ path: "padding", message: "is not a known field" }]);
        expect(added, `${routeKey} ${limit} bytes wrote to the table`).toBe(0);
        await expectQuiet(`${routeKey} 413`);
      });

      it.each([
        ["no Authorization header", undefined],
        ["an unknown key", "Bearer sk_0123456789abcdefghijklmnopqrstuv"],
        ["a malformed header", "Basic dXNlcjpwYXNz"],
        ["the wrong kind of credential", "wrong-kind"],
      ] as const)("401: %s", async (name, authorization) => {
        const header =
          authorization === "wrong-kind"
            ? `Bearer ${fixture.admin ? world.secret : adminToken}`
            : authorization;
        for (const key of ["401", undefined]) {
          const options = request(JSON.stringify(fixture.body(world)), key);
          const r = await api(routeKey, {
            ...options,
            token: undefined,
            headers: { ...options.headers, ...(header ? { authorization: header } : {}) },
          });
          const added = await written();
          expectProblem(r, 401, `${routeKey} ${name}`);
          expect(added, `${routeKey} ${name} wrote to the table`).toBe(0);
        }
        await expectQuiet(`${routeKey} ${name}`);
      });

      it("accepts the fixture body (so every case above broke exactly one thing)", async () => {
        const r = await api(routeKey, request(JSON.stringify(fixture.body(world)), "accept"));
        await written();
        await queued();
        stripeCalls();
        expect(r.status, `${routeKey}: ${r.raw.slice(0, 500)}`).toBe(op.status);
      });
    },
  );

  // ── Reports: GET routes with a query, every report route of the manifest walked ──
  describe("report queries", () => {
    const reportRoutes = manifestRoutes.filter(({ routeKey }) => routeKey.startsWith("GET /v1/reports/"));
    const valid = { from: "2026-10-01", to: "2026-10-31" };
    const cases: [string, Record<string, string>, string][] = [
      ["from missing", { to: "2026-10-31" }, "from"],
      ["from not a date", { ...valid, from: "2026-02-30" }, "from"],
      ["to before from", { ...valid, to: "2026-09-30" }, "to"],
      ["a range of 367 days", { from: "2026-01-01", to: "2027-01-02" }, "to"],
      ["livemode not a boolean", { ...valid, livemode: "yes" }, "livemode"],
      ["an unknown parameter", { ...valid, sort: "asc" }, "sort"],
    ];
    const ownCases: Record<string, [string, Record<string, string>, string][]> = {
      "GET /v1/reports/revenue": [
        ["groupBy unknown", { ...valid, groupBy: "year" }, "groupBy"],
        ["currency unknown", { ...valid, currency: "XXY" }, "currency"],
      ],
      "GET /v1/reports/customers": [["groupBy unknown", { ...valid, groupBy: "quarter" }, "groupBy"]],
      "GET /v1/reports/top-customers": [
        ["limit 0", { ...valid, limit: "0" }, "limit"],
        ["limit 101", { ...valid, limit: "101" }, "limit"],
        ["currency unknown", { ...valid, currency: "XXY" }, "currency"],
      ],
      "GET /v1/reports/subscriptions": [
        ["groupBy day (MRR is monthly)", { ...valid, groupBy: "day" }, "groupBy"],
        ["currency unknown", { ...valid, currency: "XXY" }, "currency"],
      ],
    };
    /** Reports as of now: no range, only their own cases. */
    const asOfCases: Record<string, [string, Record<string, string>, string][]> = {
      "GET /v1/reports/receivables": [
        ["currency unknown", { currency: "XXY" }, "currency"],
        ["livemode not a boolean", { livemode: "yes" }, "livemode"],
        ["a range (it is as of now)", { from: "2026-10-01" }, "from"],
      ],
    };
    it("walks at least the revenue, customers, top-customers, subscriptions and receivables reports", () => {
      expect(reportRoutes.map((r) => r.routeKey)).toEqual(
        expect.arrayContaining([...Object.keys(ownCases), ...Object.keys(asOfCases)]),
      );
    });
    it.each(reportRoutes.map((r) => [r.routeKey] as const))(
      "%s: 400 naming the field, nothing written",
      async (routeKey) => {
        const asOf = asOfCases[routeKey];
        for (const [name, query, path] of asOf ?? [...cases, ...(ownCases[routeKey] ?? [])]) {
          const r = await api(routeKey, { token: world.secret, query });
          expectProblem(r, 400, `${routeKey} ${name}`);
          expect(
            r.body.errors.map((e: { path: string }) => e.path),
            `${routeKey} ${name}`,
          ).toContain(path);
          expect(await written(), `${routeKey} ${name} wrote to the table`).toBe(0);
        }
        const ok = await api(routeKey, { token: world.secret, query: asOf ? {} : valid });
        expect(ok.status, `${routeKey}: ${ok.raw.slice(0, 300)}`).toBe(200);
      },
    );
  });

  // ── Accounting exports: the format, range, currency and part of GET /v1/ledger/exports/{format} ──
  describe("ledger export queries", () => {
    const routeKey = "GET /v1/ledger/exports/{format}";
    const valid = { from: "2026-10-01", to: "2026-10-31", currency: "USD" };
    const cases: [string, Record<string, string>, Record<string, string>, string][] = [
      ["an unknown format", { format: "sage" }, valid, "format"],
      ["from missing", { format: "xero" }, { to: valid.to, currency: "USD" }, "from"],
      ["to before from", { format: "xero" }, { ...valid, to: "2026-09-30" }, "to"],
      ["a range of 367 days", { format: "xero" }, { ...valid, from: "2026-01-01", to: "2027-01-02" }, "to"],
      ["currency missing", { format: "quickbooks" }, { from: valid.from, to: valid.to }, "currency"],
      ["currency unknown", { format: "quickbooks" }, { ...valid, currency: "XXY" }, "currency"],
      ["part 0", { format: "xero" }, { ...valid, part: "0" }, "part"],
      ["part not a number", { format: "xero" }, { ...valid, part: "two" }, "part"],
      ["a part past the last", { format: "xero" }, { ...valid, part: "2" }, "part"],
      ["livemode not a boolean", { format: "xero" }, { ...valid, livemode: "yes" }, "livemode"],
      ["an unknown parameter", { format: "xero" }, { ...valid, sort: "asc" }, "sort"],
    ];
    it("400 naming the field, nothing written; the valid query answers CSV", async () => {
      for (const [name, pathParameters, query, path] of cases) {
        const r = await api(routeKey, { token: world.secret, pathParameters, query });
        expectProblem(r, 400, `${routeKey} ${name}`);
        expect(
          r.body.errors.map((e: { path: string }) => e.path),
          `${routeKey} ${name}`,
        ).toContain(path);
        expect(await written(), `${routeKey} ${name} wrote to the table`).toBe(0);
      }
      const ok = await api(routeKey, {
        token: world.secret,
        pathParameters: { format: "xero" },
        query: valid,
      });
      expect([ok.status, ok.headers["content-type"]], ok.raw.slice(0, 300)).toEqual([
        200,
        "text/csv; charset=utf-8",
      ]);
    });
  });

  // ── Ledger: GET routes with a query, every ledger route of the manifest walked ──
  describe("ledger queries", () => {
    // The exports have their walk above; the account mapping's GET takes no query.
    const ledgerRoutes = manifestRoutes.filter(
      ({ routeKey }) =>
        routeKey.startsWith("GET /v1/ledger/") &&
        !routeKey.startsWith("GET /v1/ledger/exports/") &&
        routeKey !== "GET /v1/ledger/account-mapping",
    );
    const cases: Record<string, [string, Record<string, string>, string][]> = {
      "GET /v1/ledger/entries": [
        ["from not a date", { from: "2026-02-30" }, "from"],
        ["to before from", { from: "2026-10-02", to: "2026-10-01" }, "to"],
        ["account unknown", { account: "cash" }, "account"],
        ["currency unknown", { currency: "XXY" }, "currency"],
        ["livemode not a boolean", { livemode: "yes" }, "livemode"],
        ["limit 101", { limit: "101" }, "limit"],
        ["format unknown", { format: "xml" }, "format"],
        ["an unknown parameter", { sort: "asc" }, "sort"],
      ],
      "GET /v1/ledger/balances": [
        ["currency unknown", { currency: "XXY" }, "currency"],
        ["livemode not a boolean", { livemode: "yes" }, "livemode"],
        ["a range (it is as of now or of one day)", { from: "2026-10-01" }, "from"],
        ["asOf not a date", { asOf: "2026-13-01" }, "asOf"],
      ],
    };
    it("walks at least the entries and the balances", () => {
      expect(ledgerRoutes.map((r) => r.routeKey)).toEqual(expect.arrayContaining(Object.keys(cases)));
    });
    it.each(ledgerRoutes.map((r) => [r.routeKey] as const))(
      "%s: 400 naming the field, nothing written",
      async (routeKey) => {
        const own = cases[routeKey];
        if (!own)
          throw new Error(`add ledger bad-input cases for ${routeKey} in test/integration/bad-input.test.ts`);
        for (const [name, query, path] of own) {
          const r = await api(routeKey, { token: world.secret, query });
          expectProblem(r, 400, `${routeKey} ${name}`);
          expect(
            r.body.errors.map((e: { path: string }) => e.path),
            `${routeKey} ${name}`,
          ).toContain(path);
          expect(await written(), `${routeKey} ${name} wrote to the table`).toBe(0);
        }
        const ok = await api(routeKey, { token: world.secret, query: {} });
        expect(ok.status, `${routeKey}: ${ok.raw.slice(0, 300)}`).toBe(200);
      },
    );
  });

  describe.each(rawWalk.map((r) => [r.routeKey, r] as const))("%s (raw body)", (routeKey, { op }) => {
    const fixture = op ? rawFixtures[op.id] : undefined;
    if (!op || !fixture) {
      it("has a fixture", () => {
        throw new Error(
          `add a raw-body bad-input fixture for ${op?.id} (${routeKey}) to rawFixtures in test/integration/bad-input.test.ts`,
        );
      });
      return;
    }
    const send = (raw: RawRequest) =>
      api(routeKey, {
        body: raw.body,
        headers: raw.headers ?? {},
        ...(fixture.params ? { pathParameters: fixture.params(world) } : {}),
      });
    /** Refused: nothing written, queued, sent to Stripe or changed. */
    const expectNothingDone = async (label: string, before: unknown) => {
      expect(await written(), `${label} wrote to the table`).toBe(0);
      expect(await queued(), `${label} queued processor events`).toEqual([]);
      expect(stripeCalls(), `${label} called Stripe`).toBe(0);
      if (fixture.unchanged)
        expect(await fixture.unchanged(world), `${label} changed the invoice`).toEqual(before);
    };

    it.each(fixture.cases.map((c) => [c.status, c.name, c] as const))("%i: %s", async (status, name, c) => {
      const label = `${routeKey} ${name}`;
      const raw = await c.request(world);
      // Building the request may read (the card page); only the request itself is measured.
      await written();
      const before = await fixture.unchanged?.(world);
      const r = await send(raw);
      if (c.path) {
        expectProblem(r, status, label);
        expect(r.body.errors?.[0]?.path, `${label}: ${r.raw}`).toBe(c.path);
      } else {
        expect(r.status, `${label}: ${r.raw.slice(0, 400)}`).toBe(status);
        expect(r.headers["content-type"], label).toMatch(/^text\/html/);
      }
      await expectNothingDone(label, before);
    });

    const limit = op.maxBodyBytes ?? defaultBodyLimit;
    it(`413: a body of ${limit + 1} bytes (one over the limit)`, async () => {
      const before = await fixture.unchanged?.(world);
      const r = await send({ body: "x".repeat(limit + 1) });
      expectProblem(r, 413, `${routeKey} ${limit + 1} bytes`);
      await expectNothingDone(`${routeKey} ${limit + 1} bytes`, before);
    });

    it("accepts a valid request (so every case above broke exactly one thing)", async () => {
      const raw = await fixture.valid.request(world);
      const r = await send(raw);
      await written();
      stripeCalls();
      expect(r.status, `${routeKey}: ${r.raw.slice(0, 500)}`).toBe(fixture.valid.status);
      await fixture.valid.check(r, await queued(), raw, world);
    });
  });
});
