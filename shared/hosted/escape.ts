/**
 * Escaping for every value a hosted page interpolates. The kit's entry point to the one escaper the
 * emails use too, so pages and mails can never disagree on what is safe.
 */
export { escapeHtml } from "../notifications/html.ts";
