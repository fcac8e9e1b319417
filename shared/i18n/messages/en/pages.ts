/** English words of the pages. ICU MessageFormat; amounts and dates arrive formatted. */
export const pages = {} as const;
