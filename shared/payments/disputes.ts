/**
 * Disputes reported by the processor, applied to the payment in one conditional transaction with
 * its event and (when lost) its balance transaction.
 */
import { retryOnConflict } from "../domain/errors.ts";
import {
  type DisputeReport,
  disputeReportApplies,
  isClosedDispute,
  type Payment,
  type PaymentStatus,
  paymentEvent,
  refundedStatus,
} from "./payment.ts";
import { merchantOf, moneyMoved, type PaymentPorts } from "./ports.ts";

/**
 * A report of a dispute from the processor; a lost dispute is a balance transaction. Idempotent and
 * order-tolerant: a report that is older or less final than what the payment holds changes nothing
 * (see `disputeReportApplies`), so the reports end in the same state whatever order they arrive in.
 */
export async function applyDispute(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  report: DisputeReport,
): Promise<Payment | undefined> {
  // A lost race (another report of the same dispute) re-reads and decides again.
  return retryOnConflict(5, async () => {
    const found = await ports.payments.read(merchantId, paymentId);
    if (!found) return undefined;
    const { value: payment, version } = found;
    if (!disputeReportApplies(payment.dispute, report)) return payment;
    const now = ports.clock.now();
    const at = now.toISOString();
    const closed = isClosedDispute(report.status);
    const lost = report.status === "lost";
    // Only a lost dispute takes the money back; any other decision leaves the payment as it was.
    const status: PaymentStatus =
      closed && !lost
        ? refundedStatus(payment.amount, payment.amountRefundedSettled ?? payment.amountRefunded)
        : "disputed";
    const next: Payment = {
      ...payment,
      status,
      dispute: {
        id: report.id,
        status: report.status,
        amount: report.amount,
        ...(report.reason ? { reason: report.reason } : {}),
        createdAt: report.createdAt,
        reportedAt: report.reportedAt,
        closed,
      },
      history: [...payment.history, { status, at, note: `Dispute ${report.status}` }],
      updatedAt: at,
    };
    const balance = lost
      ? moneyMoved(
          await merchantOf(ports, merchantId),
          "dispute",
          { id: report.id, currency: payment.currency },
          -report.amount,
          0,
          now,
        )
      : undefined;
    const type = closed ? "payment.dispute_closed" : "payment.disputed";
    await ports.payments.recordDispute(merchantId, {
      payment: { value: next, expectedVersion: version },
      ...(balance ? { balance } : {}),
      // A lost dispute's balance transaction rides along, so the reports fold it without reading it back.
      event: paymentEvent(type, merchantId, next, now, balance ? { balanceTransaction: balance } : {}),
    });
    return next;
  });
}
