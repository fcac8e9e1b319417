/** English words of the documents. ICU MessageFormat; amounts and dates arrive formatted. */
export const documents = {} as const;
