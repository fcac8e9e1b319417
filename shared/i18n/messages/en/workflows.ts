/** English words of the workflows. ICU MessageFormat; amounts and dates arrive formatted. */
export const workflows = {} as const;
