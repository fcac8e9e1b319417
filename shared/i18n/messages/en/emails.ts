/** English words of the emails. ICU MessageFormat; amounts and dates arrive formatted. */
export const emails = {} as const;
