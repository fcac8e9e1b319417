/**
 * Quote templates (HubSpot's branded templates): which sections a quote shows, header and footer
 * text, default terms, and an accent colour and logo that override the merchant's branding. A
 * quote's template is frozen onto it at publish (`FrozenQuoteTemplate`), so the page and the PDF
 * keep following what the buyer was shown whatever becomes of the template afterwards.
 */
import type { Merchant } from "../merchants/merchant.ts";

/** The parts of a quote a template can hide; all shown by default. */
export interface QuoteTemplateSections {
  lineItems: boolean;
  paymentPlan: boolean;
  terms: boolean;
  signatureBlock: boolean;
  comments: boolean;
}

export const allSections: QuoteTemplateSections = {
  lineItems: true,
  paymentPlan: true,
  terms: true,
  signatureBlock: true,
  comments: true,
};

/** What a template looks like, whatever it is used for. */
interface TemplateLook {
  name: string;
  sections: QuoteTemplateSections;
  /** Shown above the quote's content. */
  headerText?: string;
  /** Shown below it, instead of the merchant's branding `footerText`. */
  footerText?: string;
  /** `#rrggbb`, instead of the merchant's brand colour. */
  accentColor?: string;
  /** Instead of the merchant's branding `logoUrl`. */
  logoUrl?: string;
}

/** A template as stored: which one is the merchant's default is kept apart (`isDefault` when shown). */
export interface StoredQuoteTemplate extends TemplateLook {
  id: string;
  /** Fills a quote's `terms` at publish when the quote has none. */
  defaultTerms?: string;
  createdAt: string;
  updatedAt: string;
}

export interface QuoteTemplate extends StoredQuoteTemplate {
  /** Exactly one of a merchant's templates is its default (the first one created, until another is made so). */
  isDefault: boolean;
}

/** A template as the request gives it; `sections` left out are shown. */
export interface NewQuoteTemplate {
  name: string;
  sections?: Partial<QuoteTemplateSections>;
  headerText?: string;
  footerText?: string;
  defaultTerms?: string;
  accentColor?: string;
  logoUrl?: string;
  isDefault?: boolean;
}

/** A change to a template: null clears a text; the sections given replace those. */
export interface QuoteTemplatePatch {
  name?: string;
  sections?: Partial<QuoteTemplateSections>;
  headerText?: string | null;
  footerText?: string | null;
  defaultTerms?: string | null;
  accentColor?: string | null;
  logoUrl?: string | null;
  /** Only true: a merchant always has a default, so one stops being it when another becomes it. */
  isDefault?: boolean;
}

/** The template as a published quote keeps it: its look (its default terms went into the quote's terms). */
export interface FrozenQuoteTemplate extends TemplateLook {
  id: string;
}

export function freezeTemplate(template: StoredQuoteTemplate): FrozenQuoteTemplate {
  const { defaultTerms: _, createdAt: __, updatedAt: ___, ...look } = template;
  return look;
}

/** Whether a quote published with `template` shows `section` (every section without one). */
export const showsSection = (
  template: FrozenQuoteTemplate | undefined,
  section: keyof QuoteTemplateSections,
): boolean => template?.sections[section] ?? true;

/**
 * The merchant as a quote's page and PDF draw it: the template's accent colour, logo and footer text
 * in place of the merchant's branding, so every renderer that follows the branding follows the
 * template without knowing of it.
 */
export function brandedByTemplate<M extends Pick<Merchant, "branding">>(
  merchant: M,
  template: FrozenQuoteTemplate | undefined,
): M {
  if (!template) return merchant;
  return {
    ...merchant,
    branding: {
      ...merchant.branding,
      ...(template.accentColor ? { brandColor: template.accentColor } : {}),
      ...(template.logoUrl ? { logoUrl: template.logoUrl } : {}),
      ...(template.footerText ? { footerText: template.footerText } : {}),
    },
  };
}
