/**
 * What the merchant-settings pages share: a form saved as a `PATCH /v1/merchant` body through the
 * same use case (its schema names a bad field in the 400, nothing is written then), and lists of
 * days typed as one field ("-3, 0, 7").
 */
import * as ops from "../../../api/merchants.ts";
import { merchantPorts } from "../../../composition.ts";
import { ValidationError } from "../../../domain/errors.ts";
import { updateMerchant } from "../../../merchants/service.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardResult } from "../../context.ts";
import { bodyOf } from "../details/common.ts";

export const settingsPath = "/app/settings";

/** Who may open and change the merchant's settings: whoever may `PATCH /v1/merchant`. */
export const settingsPermission = permissionFor(ops.updateMerchant);

/** Saves `input` as the API's settings patch, then shows `location` again with `notice`. */
export async function saveSettings(
  request: DashboardRequest,
  input: Record<string, unknown>,
  location: string,
  notice: string,
): Promise<DashboardResult> {
  const patch = bodyOf(ops.updateMerchant, input);
  await updateMerchant(merchantPorts(request.clock), request.user.merchantId, patch);
  return { kind: "redirect", location, notice };
}

/**
 * A field of whole numbers of days separated by commas or spaces (`-3, 0, 7`), in the order typed;
 * blank is none. The API's schema then judges the numbers (range, order, repeats).
 */
export function daysOf(form: URLSearchParams, name: string): number[] {
  const tokens = (form.get(name) ?? "").split(/[\s,]+/).filter(Boolean);
  if (tokens.some((t) => !/^[-+]?\d{1,4}$/.test(t)))
    throw new ValidationError([
      { path: name, message: "must be whole numbers of days separated by commas, like 3, 5, 7" },
    ]);
  return tokens.map(Number);
}

/** Days as the field shows them again. */
export const daysText = (days: readonly number[]) => days.join(", ");
