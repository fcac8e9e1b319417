/** A domain event: what happened to whose object, written in the same transaction as the change. */
export interface DomainEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  merchantId: string;
  occurredAt: string;
  data: T;
}
