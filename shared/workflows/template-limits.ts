/**
 * The workflow templates' size limits, apart from the LiquidJS engine (templating.ts) so the API
 * schemas — which the docs function loads whole — bound a template without loading LiquidJS.
 */

/** The longest template source accepted, and the most a render may produce. */
export const maxTemplateLength = 20_000;
export const maxRenderedLength = 100_000;
