/**
 * Quote template use cases, and the template a quote uses. A merchant has exactly one default
 * template once it has any: the first one created, until another is made the default (one
 * conditional write moves it, so there is never none and never two). The default cannot be deleted
 * while other templates exist; any other template can, even while drafts name it: such a draft is
 * published with the merchant's default instead (the template a published quote used is frozen
 * onto it, so deleting or editing a template never changes a published quote).
 */
import type { Clock } from "../domain/clock.ts";
import { NotFoundError, retryOnConflict, StateConflictError, ValidationError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { applyPatch } from "../domain/patch.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Page, PageRequest, Versioned } from "../domain/records.ts";
import {
  allSections,
  type FrozenQuoteTemplate,
  freezeTemplate,
  type NewQuoteTemplate,
  type QuoteTemplate,
  type QuoteTemplatePatch,
  type StoredQuoteTemplate,
} from "./template.ts";

/** Which template is the merchant's default, and how many templates it has. */
export interface TemplateDefault {
  templateId: string;
  templates: number;
}

/**
 * The templates' store (`shared/store/quote-templates.ts`). Each write is one transaction with the
 * default's record: a lost race on it (another template added, deleted or made the default meanwhile)
 * is a ConflictError, which the use cases retry on a fresh read.
 */
export interface QuoteTemplateStore {
  read(merchantId: string, id: string): Promise<Versioned<StoredQuoteTemplate> | undefined>;
  list(merchantId: string, page: Pick<PageRequest, "limit" | "after">): Promise<Page<StoredQuoteTemplate>>;
  readDefault(merchantId: string): Promise<TemplateDefault | undefined>;
  /** Adds a template, counted; the default when `asDefault`. The `first` claims the record only if there is none. */
  create(
    merchantId: string,
    template: StoredQuoteTemplate,
    event: DomainEvent,
    p: { asDefault: boolean; first: boolean },
  ): Promise<void>;
  /** Replaces a template at `version`; makes it the default when `asDefault`. */
  replace(
    merchantId: string,
    template: StoredQuoteTemplate,
    version: number,
    event: DomainEvent,
    p: { asDefault: boolean },
  ): Promise<void>;
  /** Removes a template that is not the default (still), or the default when it is the last one (`last`). */
  remove(
    merchantId: string,
    id: string,
    version: number,
    event: DomainEvent,
    p: { last: boolean },
  ): Promise<void>;
}

export interface QuoteTemplatePorts {
  templates: QuoteTemplateStore;
  clock: Clock;
}

const present = (template: StoredQuoteTemplate, current: TemplateDefault | undefined): QuoteTemplate => ({
  ...template,
  isDefault: template.id === current?.templateId,
});

async function readOrThrow(ports: QuoteTemplatePorts, merchantId: string, id: string) {
  const found = await ports.templates.read(merchantId, id);
  if (!found) throw new NotFoundError("Quote template");
  return found;
}

/** Races on the default's record are short: a few retries on a fresh read settle them. */
const settle = <T>(attempt: () => Promise<T>) =>
  retryOnConflict(10, attempt, (run) => Math.random() * 5 * run);

export async function createQuoteTemplate(
  ports: QuoteTemplatePorts,
  merchantId: string,
  input: NewQuoteTemplate,
): Promise<QuoteTemplate> {
  const now = ports.clock.now();
  const { sections, isDefault, ...look } = input;
  const template: StoredQuoteTemplate = {
    id: newId("quoteTemplate", now),
    ...look,
    sections: { ...allSections, ...sections },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  return settle(async () => {
    const seen = await ports.templates.readDefault(merchantId);
    // The first template is the default whatever the request says: a merchant with templates has one.
    const asDefault = !seen || isDefault === true;
    const shown = { ...template, isDefault: asDefault };
    await ports.templates.create(
      merchantId,
      template,
      newEvent("quote_template.created", merchantId, template.id, now, { quoteTemplate: shown }),
      { asDefault, first: !seen },
    );
    return shown;
  });
}

export async function getQuoteTemplate(ports: QuoteTemplatePorts, merchantId: string, id: string) {
  const [{ value }, current] = await Promise.all([
    readOrThrow(ports, merchantId, id),
    ports.templates.readDefault(merchantId),
  ]);
  return present(value, current);
}

export async function listQuoteTemplates(
  ports: QuoteTemplatePorts,
  merchantId: string,
  page: Pick<PageRequest, "limit" | "after">,
) {
  const [result, current] = await Promise.all([
    ports.templates.list(merchantId, page),
    ports.templates.readDefault(merchantId),
  ]);
  return { ...result, items: result.items.map((t) => present(t, current)) };
}

export async function updateQuoteTemplate(
  ports: QuoteTemplatePorts,
  merchantId: string,
  id: string,
  patch: QuoteTemplatePatch,
): Promise<QuoteTemplate> {
  const [{ value, version }, current] = await Promise.all([
    readOrThrow(ports, merchantId, id),
    ports.templates.readDefault(merchantId),
  ]);
  const wasDefault = value.id === current?.templateId;
  if (patch.isDefault === false && wasDefault)
    throw new ValidationError([
      {
        path: "isDefault",
        message: "cannot be false on the default template: make another template the default instead",
      },
    ]);
  const now = ports.clock.now();
  const { sections, isDefault, ...fields } = patch;
  const next: StoredQuoteTemplate = {
    ...applyPatch(value, fields as Partial<StoredQuoteTemplate>),
    sections: { ...value.sections, ...sections },
    updatedAt: now.toISOString(),
  };
  const asDefault = isDefault === true && !wasDefault;
  const shown = { ...next, isDefault: wasDefault || asDefault };
  await ports.templates.replace(
    merchantId,
    next,
    version,
    newEvent("quote_template.updated", merchantId, id, now, { quoteTemplate: shown }),
    { asDefault },
  );
  return shown;
}

export async function deleteQuoteTemplate(
  ports: QuoteTemplatePorts,
  merchantId: string,
  id: string,
): Promise<void> {
  await settle(async () => {
    const [{ version }, current] = await Promise.all([
      readOrThrow(ports, merchantId, id),
      ports.templates.readDefault(merchantId),
    ]);
    const isDefault = id === current?.templateId;
    if (isDefault && (current?.templates ?? 0) > 1)
      throw new StateConflictError(
        "This is the default quote template: make another template the default before deleting it",
      );
    await ports.templates.remove(
      merchantId,
      id,
      version,
      newEvent("quote_template.deleted", merchantId, id, ports.clock.now(), { quoteTemplateId: id }),
      { last: isDefault },
    );
  });
}

// --- the template a quote uses ------------------------------------------------------------------

type TemplateReads = Pick<QuoteTemplateStore, "read" | "readDefault">;

/** The template a new quote names, checked to be the merchant's (a 400 naming `templateId`), else its default's id. */
export async function templateIdFor(
  templates: TemplateReads,
  merchantId: string,
  templateId: string | undefined,
): Promise<string | undefined> {
  if (templateId) {
    await assertOwnTemplate(templates, merchantId, templateId);
    return templateId;
  }
  return (await templates.readDefault(merchantId))?.templateId;
}

/** A template a quote is given must be one of the merchant's: any other id is a 400 naming `templateId`. */
export async function assertOwnTemplate(templates: TemplateReads, merchantId: string, templateId: string) {
  if (!(await templates.read(merchantId, templateId)))
    throw new ValidationError([{ path: "templateId", message: "is not one of your quote templates" }]);
}

/**
 * The template a quote is published with: the one it names, or the merchant's default when it names
 * none or one deleted since; none when the merchant has no templates.
 */
export async function templateForPublish(
  templates: TemplateReads,
  merchantId: string,
  templateId: string | undefined,
): Promise<{ frozen: FrozenQuoteTemplate; defaultTerms?: string } | undefined> {
  const named = templateId ? await templates.read(merchantId, templateId) : undefined;
  const current = named ? undefined : await templates.readDefault(merchantId);
  const template = (named ?? (current && (await templates.read(merchantId, current.templateId))))?.value;
  if (!template) return undefined;
  return {
    frozen: freezeTemplate(template),
    ...(template.defaultTerms ? { defaultTerms: template.defaultTerms } : {}),
  };
}
