/**
 * Stripe's canonical example objects, the templates every builder in this folder starts from.
 *
 * The templates in `stripe-fixtures.json` are a trimmed copy of Stripe's `openapi/fixtures3.json`
 * (github.com/stripe/openapi, commit f6c2a48f; MIT licence, © Stripe, Inc. — the notice travels in
 * the JSON's `_provenance`; see ../shared/stripe/README.md): only the resources rendered here, unchanged.
 */
import fixtures from "./stripe-fixtures.json" with { type: "json" };

export { fixtures };

/** A builder's own copy of a template, so overriding it never touches the shared JSON. */
export const clone = <T>(value: T): T => structuredClone(value);
