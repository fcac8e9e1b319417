/**
 * Test mode: which processor takes a merchant's card payments on this deployment, if any, and
 * whether the merchant's money is real. The one home of both rules: the payment wiring, the hosted
 * pages, documents and emails all ask here.
 */
import { config } from "../config.ts";
import { ConflictError } from "../domain/errors.ts";
import type { Merchant } from "../merchants/merchant.ts";

export type SandboxSetting = "enabled" | "disabled";

export const noProcessorMessage =
  "This merchant has no connected payment processor and the sandbox is disabled on this deployment: " +
  'connect Stripe with POST /v1/processor/stripe/connect, then PATCH /v1/merchant { "processor": "stripe" }';

/**
 * Stripe once the merchant chose it; otherwise the sandbox, when the deployment allows it;
 * otherwise none (the merchant can record manual payments but take no card).
 */
export function processorKindOf(
  merchant: Pick<Merchant, "processor">,
  sandbox: SandboxSetting = config.sandbox(),
): "sandbox" | "stripe" | undefined {
  if (merchant.processor === "stripe") return "stripe";
  return sandbox === "enabled" ? "sandbox" : undefined;
}

/** As `processorKindOf`, for an attempt to charge: without a processor it is a 409 naming the fix. */
export function requireProcessorKind(
  merchant: Pick<Merchant, "processor">,
  sandbox?: SandboxSetting,
): "sandbox" | "stripe" {
  const kind = processorKindOf(merchant, sandbox);
  if (!kind) throw new ConflictError(noProcessorMessage);
  return kind;
}

/**
 * Whether a merchant's money is real: it takes payments through a Stripe account connected with a
 * live platform key. Until then the merchant is in test mode, and so is everything it issues
 * (invoices, their PDFs and pages, manual payments).
 */
export const merchantLivemode = (merchant: Pick<Merchant, "processor" | "stripeLivemode">): boolean =>
  merchant.processor === "stripe" && merchant.stripeLivemode === true;
