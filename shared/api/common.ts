/**
 * Schemas shared by the API's operations: ids, money, metadata, dates, list queries and pages.
 * Request objects are strict: unknown and read-only fields are rejected, never ignored.
 */
import * as z from "zod";
import { exponentOf, isCurrency } from "../domain/currency.ts";
import { type IdKind, idPrefixes, isId } from "../domain/ids.ts";
import { toTenThousandths } from "../domain/money.ts";
import { metadataLimits } from "../domain/patch.ts";
import { canonicalLocale } from "../i18n/locale.ts";
import { lazy } from "../lazy.ts";

/** Whether A and B are the same type: identical to the compiler, down to optional fields and nested objects. */
type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/**
 * The schema, proven at compile time to parse to exactly `T`, the input type its use case declares
 * in the capability's domain: a field added, dropped or retyped on either side fails the build, so
 * the API and the use cases cannot drift. `parsesTo<NewCustomer>()(schema)` returns `schema`.
 */
export const parsesTo =
  <T>() =>
  <S extends z.ZodType>(schema: S & (Same<z.output<S>, T> extends true ? unknown : never)): S =>
    schema;

export const idOf = (kind: IdKind) =>
  z.string().refine((v) => isId(kind, v), { message: `must be a ${idPrefixes[kind]}_… id` });

export const idParams = (kind: IdKind) =>
  z.strictObject({ id: z.string().min(1).max(64) }).describe(`${kind} id`);

/** An amount in the currency's minor unit (cents for USD, yen for JPY, fils for KWD). */
export const amount = lazy(() =>
  z
    .number({ error: "must be an integer amount in minor units" })
    .int("must be an integer amount in minor units (no fractions)")
    .min(0, "must not be negative")
    .max(Number.MAX_SAFE_INTEGER),
);

export const currency = lazy(() =>
  z
    .string()
    .transform((v) => v.toUpperCase())
    .refine(isCurrency, { message: "must be an ISO 4217 currency code, e.g. USD" })
    .describe("ISO 4217 code; amounts are in its minor unit (exponent: USD 2, JPY 0, KWD 3)"),
);

export const currencyExponent = (code: string): number => exponentOf(code);

export const email = lazy(() =>
  z
    .email("must be an email address")
    .max(254)
    .transform((v) => v.toLowerCase()),
);

/**
 * A percentage from 0 to 100 with at most 4 decimals, checked exactly as the money engine reads it
 * (`toTenThousandths`): a float tolerance let 1e-11 and 6e-323 through (DynamoDB refuses the latter).
 */
export const percentage = lazy(() =>
  z
    .number()
    .min(0)
    .max(100)
    .refine((v) => toTenThousandths(v) !== undefined, { message: "must have at most 4 decimals" }),
);

export const metadata = lazy(() =>
  z
    .record(z.string().min(1).max(metadataLimits.keyLength), z.string().max(metadataLimits.valueLength))
    .refine((m) => Object.keys(m).length <= metadataLimits.keys, {
      message: `must have at most ${metadataLimits.keys} keys`,
    })
    .describe(
      `Your own key–value pairs (at most ${metadataLimits.keys} keys; keys ≤ ${metadataLimits.keyLength}, values ≤ ${metadataLimits.valueLength} characters; a PATCH's merged result too)`,
    ),
);

export const isoDateTime = lazy(() => z.iso.datetime({ offset: true }));

export const country = lazy(() =>
  z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code")
    .transform((v) => v.toUpperCase()),
);

export const paymentTerms = lazy(() =>
  z.enum(["due_on_receipt", "net_7", "net_15", "net_30", "net_45", "net_60", "net_90"]),
);

export const timeZone = lazy(() =>
  z.string().refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        return tz.includes("/") || tz === "UTC";
      } catch {
        return false;
      }
    },
    { message: "must be an IANA time zone, e.g. Europe/Berlin" },
  ),
);

/**
 * A BCP 47 locale the platform formats for (`en-US`, `nb-NO`), stored canonical (`nb-no` → `nb-NO`):
 * buyers read documents in its language when Kassa ships a catalog for it (`en`, `nb`), else in
 * English, and in its number and date formats always.
 */
export const locale = lazy(() =>
  z
    .string()
    .max(64)
    .transform((tag, ctx) => {
      const canonical = canonicalLocale(tag);
      if (canonical) return canonical;
      ctx.addIssue({ code: "custom", message: "must be a BCP 47 locale such as en-US or nb-NO" });
      return z.NEVER;
    })
    .describe("BCP 47 locale, e.g. en-US or nb-NO"),
);

export const listQuery = lazy(() =>
  z.strictObject({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(2048).optional(),
  }),
);

/**
 * What every exportable list takes besides its filters: a saved view of that list (its filters, the
 * query's own overriding them) and the format (`csv`, or the Accept header decides).
 */
export const viewAndFormat = lazy(() => ({
  view: idOf("view")
    .optional()
    .describe(
      "A saved view of this list (POST /v1/views): its filters, each filter given here overriding it",
    ),
  format: z
    .enum(["json", "csv"])
    .optional()
    .describe(
      'csv: answer text/csv (as `Accept: text/csv` does): up to 2,000 rows per response, the rest through the `Link: <…>; rel="next"` header',
    ),
}));

/** A query-string boolean: `true` or `false`. */
export const flag = lazy(() =>
  z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true"),
);

/** A filter's boolean: `true`/`false` in a query string, a JSON boolean in a saved view's body. */
export const filterFlag = lazy(() => z.union([z.boolean(), flag()]));

/** Each address as stored: the customer's, copied onto the invoice (and a checkout's, as typed). */
export const billedAddress = lazy(() =>
  z.object({
    line1: z.string(),
    line2: z.string().optional(),
    city: z.string(),
    state: z.string().optional(),
    postalCode: z.string(),
    country: z.string(),
  }),
);

/** A hosted page's token in its path (every hosted page: the invoice's, the update-card page). */
export const hostedParams = lazy(() =>
  z.strictObject({
    token: z.string().regex(/^[A-Za-z0-9_-]{32}$/, "is not a hosted page token"),
  }),
);

/** A calendar date (due dates, report days, filters): `2026-12-31`. */
export const calendarDate = lazy(() => z.iso.date("must be a date like 2026-12-31"));

/** A document number filter: exact, case-insensitive (numbers are upper case, `INV-0042`, `Q-0007-2`). */
export const documentNumber = lazy(() =>
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .transform((v) => v.toUpperCase())
    .describe("The document's number, exactly (case-insensitive), e.g. INV-0042"),
);

export const createdRange = lazy(() => ({
  createdAfter: isoDateTime().optional(),
  createdBefore: isoDateTime().optional(),
}));

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });
