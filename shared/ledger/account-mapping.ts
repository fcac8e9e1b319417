/**
 * The merchant's map from Kassa's ledger accounts to its own chart of accounts: per account the code
 * Xero imports by (`AccountCode`), the tax rate every Xero journal line must name (`TaxRate`, the
 * rate's full name in the Xero organisation) and the account name QuickBooks Online imports by
 * (`Account Name`, `Parent:Sub` for a sub-account). The defaults are placeholders to edit before a
 * first import; Kassa's lines carry tax on their own account (tax_payable), so the rate should be one
 * that adds no tax.
 */
import { type LedgerAccount, ledgerAccounts } from "./entry.ts";

export interface MappedAccount {
  /** Xero AccountCode: the code, not "code - name" (at most 10 characters). */
  code: string;
  /** QuickBooks Online Account Name. */
  name: string;
  /** Xero TaxRate: the rate's name as the organisation's tax settings spell it. */
  taxRate: string;
}

export type AccountMapping = Record<LedgerAccount, MappedAccount>;

const noTax = "Tax Exempt";

export const defaultAccountMapping: AccountMapping = {
  accounts_receivable: { code: "610", name: "Kassa Receivables", taxRate: noTax },
  revenue: { code: "200", name: "Sales", taxRate: noTax },
  tax_payable: { code: "820", name: "Sales Tax Payable", taxRate: noTax },
  discounts: { code: "210", name: "Discounts Given", taxRate: noTax },
  fees_income: { code: "260", name: "Other Income", taxRate: noTax },
  processor_balance: { code: "615", name: "Kassa Processor Balance", taxRate: noTax },
  processor_fees: { code: "404", name: "Payment Processing Fees", taxRate: noTax },
  refunds: { code: "220", name: "Refunds Given", taxRate: noTax },
  disputes: { code: "225", name: "Chargebacks", taxRate: noTax },
  dispute_fees: { code: "405", name: "Dispute Fees", taxRate: noTax },
  bad_debt: { code: "410", name: "Bad Debts", taxRate: noTax },
  bank: { code: "090", name: "Business Bank Account", taxRate: noTax },
  customer_credit: { code: "830", name: "Customer Credit", taxRate: noTax },
};

export type AccountMappingPatch = Partial<Record<LedgerAccount, Partial<MappedAccount>>>;

/** The mapping with `patch` merged in field by field; an account or field left out keeps its value. */
export function patchedMapping(current: AccountMapping, patch: AccountMappingPatch): AccountMapping {
  return Object.fromEntries(
    ledgerAccounts.map((account) => [account, { ...current[account], ...patch[account] }]),
  ) as AccountMapping;
}

/** A stored mapping completed with the defaults: an account added to the ledger later reads its default. */
export const completeMapping = (stored: Partial<AccountMapping> | undefined): AccountMapping =>
  patchedMapping(defaultAccountMapping, stored ?? {});
