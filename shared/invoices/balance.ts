/**
 * The customer's credit balance on an invoice (issue 12 §2), pure so the finalize and the
 * subscription's upcoming-invoice preview compute it alike: the credit applies to the total (after
 * tax: the balance itself is never taxed) up to what is owed, and lines summing below zero credit
 * the rest.
 */
import type { Translator } from "../i18n/translator.ts";

export interface BalanceApplication {
  appliedBalance: number;
  /** total − appliedBalance */
  amountDue: number;
  /** The customer's credit in the invoice's currency afterwards. */
  balanceAfter: number;
}

/** `total` ≥ 0 as priced; `creditedToBalance` what the lines summed below zero; `balance` the customer's credit now. */
export function applyCreditBalance(
  total: number,
  creditedToBalance: number,
  balance: number,
): BalanceApplication {
  const appliedBalance = Math.min(Math.max(balance, 0), total);
  return {
    appliedBalance,
    amountDue: total - appliedBalance,
    balanceAfter: balance - appliedBalance + creditedToBalance,
  };
}

/**
 * The rows the hosted page and the PDF show under the total: the credit balance applied (a
 * deduction; not on a void invoice, which gave it back) and what the lines credited to the customer's
 * balance, each only when there is one. Labelled in the reader's language.
 */
export function balanceRows(
  invoice: {
    status: string;
    appliedBalance?: number;
    creditedToBalance?: number;
  },
  tr: Pick<Translator, "t">,
): [label: string, amount: number][] {
  return [
    ...((invoice.appliedBalance ?? 0) > 0 && invoice.status !== "void"
      ? [[tr.t("common.appliedBalance"), -(invoice.appliedBalance ?? 0)] as [string, number]]
      : []),
    ...((invoice.creditedToBalance ?? 0) > 0
      ? [[tr.t("common.creditedToBalance"), invoice.creditedToBalance ?? 0] as [string, number]]
      : []),
  ];
}
