/**
 * Workflow email and task texts: LiquidJS templates over an enrollment's context.
 * (First cut: the workflows-resource work hardens it — save-time checks against the trigger's shape,
 * limits, per-context escaping.)
 */
import { Liquid } from "liquidjs";
import { formatDate, formatMoney } from "../domain/format.ts";
import type { MoneyValue, WorkflowContext } from "./workflow.ts";

/** Where a rendered text goes: an HTML body (outputs escaped), a text body, or a subject (one line). */
export type TemplateMode = "html" | "text" | "subject";

const isMoney = (value: unknown): value is MoneyValue =>
  typeof value === "object" && value !== null && "amount" in value && "currency" in value;

function engine(timeZone: string, mode: TemplateMode): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    outputEscape: mode === "html" ? "escape" : undefined,
  });
  liquid.registerFilter("money", (value: unknown) =>
    isMoney(value) ? formatMoney(value.amount, value.currency) : value,
  );
  liquid.registerFilter("date", (value: unknown) =>
    typeof value === "string" ? formatDate(value, timeZone) : value,
  );
  return liquid;
}

/** Renders `source` over the context; a subject loses its line breaks. */
export async function renderTemplate(
  source: string,
  context: WorkflowContext,
  mode: TemplateMode,
  options: { timeZone: string },
): Promise<string> {
  const out = await engine(options.timeZone, mode).parseAndRender(source, context);
  return mode === "subject" ? out.replace(/[\r\n]+/g, " ").trim() : out;
}
