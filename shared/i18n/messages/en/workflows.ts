/** English words of the workflows. ICU MessageFormat; amounts and dates arrive formatted. */
export const workflows = {
  // The footer of a buyer's workflow email: the link's words, then the rest of the sentence.
  "workflow.unsubscribe.link": "Unsubscribe",
  "workflow.unsubscribe.afterLink": "from {merchant}'s emails like this one.",
  "workflow.unsubscribe.text": "Unsubscribe from {merchant}'s emails like this one: {url}",
} as const;
