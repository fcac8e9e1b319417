/**
 * An enrollment's context: the trigger's objects (`triggerObjects`) projected onto their shapes
 * (`objectShapes`) from the event's data, with what the event lacks re-read by id (the customer, the
 * merchant, a manual payment's invoice, a checkout's payment). Every field of a shape is present; an
 * absent value is null; money is `{ amount, currency }` in the object's currency.
 */
import type { DomainEvent } from "../domain/events.ts";
import type { ContextReads } from "./ports.ts";
import {
  type ContextObject,
  type ObjectShape,
  objectShapes,
  triggerObjects,
  type WorkflowContext,
  type WorkflowTrigger,
} from "./workflow.ts";

type Raw = Record<string, unknown>;

const isRaw = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The shape's fields read from `raw`: amounts become money in `currency`, anything missing null. */
export function project(shape: ObjectShape, raw: Raw | undefined, currency?: string): Raw {
  const ownCurrency = typeof raw?.currency === "string" ? raw.currency : currency;
  return Object.fromEntries(
    Object.entries(shape).map(([field, kind]) => {
      const value = raw?.[field];
      if (typeof kind === "object") return [field, isRaw(value) ? project(kind, value, ownCurrency) : null];
      if (kind === "money") {
        if (isRaw(value) && typeof value.amount === "number") return [field, value];
        return [
          field,
          typeof value === "number" && ownCurrency ? { amount: value, currency: ownCurrency } : null,
        ];
      }
      return [field, value ?? null];
    }),
  );
}

/** The raw objects of an event's data, under the names of the context (a checkout's session is `checkout`). */
function rawObjects(event: DomainEvent): Partial<Record<ContextObject, Raw>> {
  const data = event.data;
  const pick = (name: string) => (isRaw(data[name]) ? (data[name] as Raw) : undefined);
  const payment = pick("payment");
  const session = pick("checkoutSession");
  const renewal = pick("renewal");
  return {
    ...(payment
      ? {
          payment: {
            ...payment,
            failureMessage: isRaw(payment.failure) ? payment.failure.message : null,
          },
        }
      : {}),
    ...(pick("invoice") ? { invoice: pick("invoice") } : {}),
    ...(pick("subscription") ? { subscription: pick("subscription") } : {}),
    ...(pick("quote") ? { quote: pick("quote") } : {}),
    ...(pick("customer") ? { customer: pick("customer") } : {}),
    ...(renewal ? { renewal } : {}),
    ...(session
      ? {
          checkout: {
            ...session,
            amountTotal: session.amountDueNow ?? session.total,
            customerEmail: session.email,
            completedAt: event.occurredAt,
          },
        }
      : {}),
  };
}

/** The customer the event is about: its customer, or the customer of its payment, invoice, subscription, quote or checkout. */
export function customerIdOf(event: DomainEvent): string | undefined {
  const raw = rawObjects(event);
  const named = [
    raw.customer?.id,
    raw.payment?.customerId,
    raw.invoice?.customerId,
    raw.subscription?.customerId,
    raw.checkout?.customerId,
    raw.quote?.customerId,
    isRaw(raw.quote?.customer) ? raw.quote.customer.id : undefined,
  ];
  return named.find((id): id is string => typeof id === "string" && id.length > 0);
}

/**
 * The context of the trigger `event` (a workflow trigger): its objects as their shapes say. Reads
 * what the event does not carry; `links.renewEarly` is minted for the subscription's customer.
 */
export async function buildContext(
  reads: ContextReads,
  event: DomainEvent,
  trigger: WorkflowTrigger,
  /** Whether a filter reads `customer.inSegment` (only then are the customer's segments read). */
  options: { segments?: boolean } = {},
): Promise<WorkflowContext> {
  const raw = rawObjects(event);
  const merchantId = event.merchantId;
  const customerId = customerIdOf(event);
  const wanted = new Set(triggerObjects[trigger]);
  const [merchant, found, inSegment] = await Promise.all([
    reads.merchant(merchantId),
    raw.customer ?? (customerId ? reads.customer(merchantId, customerId) : undefined),
    options.segments && customerId ? reads.segmentsOf(merchantId, customerId) : undefined,
  ]);
  const customer = found && inSegment ? { ...found, inSegment } : found;
  if (wanted.has("invoice") && !raw.invoice && typeof raw.payment?.invoiceId === "string") {
    raw.invoice = (await reads.invoice(merchantId, raw.payment.invoiceId)) as Raw | undefined;
  }
  if (wanted.has("payment") && !raw.payment && typeof raw.checkout?.paymentId === "string") {
    raw.payment = (await reads.payment(merchantId, raw.checkout.paymentId)) as Raw | undefined;
  }
  const context: WorkflowContext = {};
  for (const object of wanted) {
    if (object === "links") continue;
    const source =
      object === "merchant"
        ? (merchant as Raw | undefined)
        : object === "customer"
          ? (customer as Raw)
          : raw[object];
    const currency =
      object === "renewal" && typeof raw.renewal?.currency === "string" ? raw.renewal.currency : undefined;
    context[object] = project(objectShapes[object], source, currency);
  }
  if (wanted.has("links")) {
    const subscriptionId = raw.subscription?.id;
    context.links = {
      renewEarly:
        customerId && typeof subscriptionId === "string"
          ? await reads.links.renewEarly(merchantId, customerId, subscriptionId)
          : null,
    };
  }
  return context;
}
