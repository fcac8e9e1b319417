/**
 * What every detail page and action shares: the merchant it renders for, whether the signed-in user
 * may act and the object's state allows it, a form read as the API operation's body (the same
 * validation, the same field names in a 400), a submit that runs once however often the form is
 * sent, and a document download from the same response the API serves.
 */
import { randomUUID } from "node:crypto";
import type * as z from "zod";
import { dataSealer } from "../../../auth/sealed.ts";
import { httpPorts, merchantPorts } from "../../../composition.ts";
import { StateConflictError, ValidationError } from "../../../domain/errors.ts";
import { majorUnits, minorUnits } from "../../../domain/format.ts";
import type { HttpResponse } from "../../../http/api.ts";
import { withIdempotency } from "../../../http/idempotency.ts";
import type { Operation } from "../../../http/operation.ts";
import { fieldErrors } from "../../../http/validation.ts";
import { getMerchant } from "../../../merchants/service.ts";
import { can, permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardResult } from "../../context.ts";
import { html, when } from "../../ui.ts";

export const merchantOf = (request: DashboardRequest) =>
  getMerchant(merchantPorts(request.clock), request.user.merchantId);

/** Whether the user's role has `permission`: write controls show only to those the server lets act. */
/** Whether the user's role may run `operation`'s API counterpart: a page shows that action's control only then. */
export const may = (request: DashboardRequest, operation: Operation): boolean =>
  can(request.user.role, permissionFor(operation));

/**
 * Whether the domain's own check of a state change passes (it throws a 409 when the state forbids
 * it), so a button shows exactly when the API would accept its request: the rule stays in one place.
 */
export function possible(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof StateConflictError) return false;
    throw error;
  }
}

/** A form's values as the operation's body, validated by its schema (400 naming the field). */
export function bodyOf<O extends Operation & { body: z.ZodType }>(
  operation: O,
  input: Record<string, unknown>,
): z.output<O["body"]> {
  const parsed = operation.body.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues, input));
  return parsed.data as z.output<O["body"]>;
}

/** A form field `name` typed in major units as the API's minor units; blank is `undefined`. */
export function amountOf(form: URLSearchParams, name: string, currency: string): number | undefined {
  const text = form.get(name)?.trim() ?? "";
  if (text === "") return undefined;
  const amount = minorUnits(text, currency);
  if (amount === undefined)
    throw new ValidationError([
      { path: name, message: `must be an amount in ${currency} like ${majorUnits(1250, currency)}` },
    ]);
  return amount;
}

/** The hidden field a form that must not run twice carries: a fresh value each time the page renders. */
export const onceField = (): Record<string, string> => ({ once: randomUUID() });

/**
 * Runs a form's action once per rendered form: a double submit (a second click, a resent POST)
 * replays the first result instead of running again. The form's one-time value is the key in the
 * API's idempotency store (scoped to the merchant, prefixed so it never meets an API client's key);
 * a failure leaves nothing behind, so the corrected form can be sent again. An action whose result
 * carries a secret (a new API key, a webhook signing secret) says so: its kept result is sealed, as
 * the API keeps such responses.
 */
export async function once<T>(
  request: DashboardRequest,
  run: () => Promise<T>,
  options: { carriesSecret?: boolean } = {},
): Promise<T> {
  const value = request.form.get("once") ?? "";
  // The page made it (`onceField`): anything else came from somewhere else.
  if (!/^[\w-]{1,64}$/.test(value))
    throw new ValidationError([{ path: "once", message: "must be the form's one-time value" }]);
  const { once: _, csrf: __, ...fields } = Object.fromEntries(request.form);
  const scope = request.user.merchantId;
  const key = `dashboard-${value}`;
  const response = await withIdempotency(
    {
      store: httpPorts.idempotency,
      clock: request.clock,
      scope,
      key,
      request: { method: request.method, path: request.path, body: JSON.stringify(fields) },
      lockMs: 30_000,
      ...(options.carriesSecret
        ? { sealer: await dataSealer(`idempotency ${scope} ${key}`, request.clock) }
        : {}),
    },
    async () => ({ statusCode: 200, headers: {}, body: JSON.stringify(await run()) }),
  );
  return JSON.parse(response.body) as T;
}

/** A download of what the API serves (a PDF response), under its file name. */
export function download(response: HttpResponse): DashboardResult {
  const disposition = response.headers["content-disposition"] ?? "";
  return {
    kind: "file",
    contentType: response.headers["content-type"] ?? "application/octet-stream",
    filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? "download",
    body: Buffer.from(response.raw?.body ?? "", response.raw?.isBase64Encoded ? "base64" : "utf8"),
  };
}

/** A link to another object's detail page (`/app/customers/cus_…`). */
export const objectLink = (collection: string, id: string, text?: string) =>
  html`<a href="/app/${collection}/${id}">${text ?? id}</a>`;

/** A calendar date (`YYYY-MM-DD`) as it is: it names a day, not an instant in some zone. */
export const calendarDay = (date: string | null | undefined) =>
  date ? when(`${date}T12:00:00Z`, "UTC", false) : undefined;

/** A code as words for a label: `bank_transfer` → "Bank transfer". */
export const words = (code: string): string =>
  code.charAt(0).toUpperCase() + code.slice(1).replaceAll("_", " ");
