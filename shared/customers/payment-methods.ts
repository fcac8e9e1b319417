/**
 * A customer's saved payment methods. The processor validates and keeps the method (the sandbox's
 * test tokens, or a Stripe PaymentMethod attached to the customer's Stripe Customer); Kassa keeps its
 * own record under its own id, and the customer's default, in one transaction with the customer.
 */
import type { Clock } from "../domain/clock.ts";
import { PaymentDeclinedError, requireFound, ValidationError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Position } from "../http/cursor.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { connectedAccount } from "../payments/ports.ts";
import type { PaymentProcessor } from "../payments/processor.ts";
import type { CustomerStore } from "../store/customers.ts";
import type { PaymentMethodStore } from "../store/payment-methods.ts";
import type { Customer } from "./customer.ts";
import { type PaymentMethod, presentPaymentMethod } from "./payment-method.ts";

export interface PaymentMethodPorts {
  customers: CustomerStore;
  methods: PaymentMethodStore;
  /** The merchant's processor and its connected account, if any (404 for an unknown merchant). */
  processorOf(merchantId: string): Promise<{ processor: PaymentProcessor; merchant: Merchant }>;
  clock: Clock;
}

export interface AttachOptions {
  /** The method becomes the customer's default even when it has one (the buyer's update-card page). */
  makeDefault?: boolean;
  /** The twin the method is saved on already (a Checkout session used it), when the customer records none. */
  processorCustomerId?: string;
}

export async function attachPaymentMethod(
  ports: PaymentMethodPorts,
  merchantId: string,
  customerId: string,
  token: string,
  options: AttachOptions = {},
) {
  const customer = requireFound(await ports.customers.read(merchantId, customerId), "Customer");
  const { processor, merchant } = await ports.processorOf(merchantId);
  const { value } = customer;
  const processorCustomerId = value.processorCustomerId ?? options.processorCustomerId;
  const attached = await processor.attachPaymentMethod({
    ...connectedAccount(merchant, processor),
    paymentMethod: token,
    ...(processorCustomerId ? { processorCustomerId } : {}),
    customer: {
      kassaCustomerId: value.id,
      merchantId,
      email: value.email,
      ...(value.name ? { name: value.name } : {}),
    },
  });
  if (attached.status === "invalid") {
    throw new ValidationError([{ path: "paymentMethod", message: attached.message }]);
  }
  if (attached.status === "declined") throw new PaymentDeclinedError(attached.declineCode, attached.message);
  const now = ports.clock.now();
  const method: PaymentMethod = {
    id: newId("paymentMethod", now),
    customerId,
    type: attached.type,
    ...(attached.card ? { card: attached.card } : {}),
    processorId: attached.processorId,
    createdAt: now.toISOString(),
  };
  const twinKnown =
    !attached.processorCustomerId || attached.processorCustomerId === value.processorCustomerId;
  const keptDefault = options.makeDefault ? undefined : value.defaultPaymentMethodId;
  const next: Customer | undefined =
    keptDefault && twinKnown
      ? undefined
      : {
          ...value,
          defaultPaymentMethodId: keptDefault ?? method.id,
          ...(attached.processorCustomerId ? { processorCustomerId: attached.processorCustomerId } : {}),
          updatedAt: now.toISOString(),
        };
  const shown = presentPaymentMethod(method);
  await ports.methods.attach(
    merchantId,
    method,
    customer,
    next,
    // The customer's test clock: the billing queue's reaction (a retry with the new card) runs on its time.
    newEvent("payment_method.attached", merchantId, method.id, now, {
      customerId,
      paymentMethod: shown,
      ...(value.testClockId ? { testClockId: value.testClockId } : {}),
    }),
  );
  return shown;
}

/**
 * The customer's twin at a processor with hosted checkout (made once, keyed by the customer, when it
 * has none), on which a Checkout session saves the buyer's card; `undefined` for the sandbox.
 */
export async function processorCustomerOf(
  processor: PaymentProcessor,
  merchant: Merchant,
  customer: Customer,
): Promise<string | undefined> {
  return processor.ensureProcessorCustomer?.({
    ...connectedAccount(merchant, processor),
    ...(customer.processorCustomerId ? { processorCustomerId: customer.processorCustomerId } : {}),
    customer: {
      kassaCustomerId: customer.id,
      merchantId: merchant.id,
      email: customer.email,
      ...(customer.name ? { name: customer.name } : {}),
    },
  });
}

/**
 * Saves the method a buyer just used (a subscription's payment, a Checkout session) unless the
 * customer has it already: a redelivered report or a second payment with the same method saves it
 * once. Answers the saved method, as the API shows it.
 */
export async function keepPaymentMethod(
  ports: PaymentMethodPorts,
  merchantId: string,
  customerId: string,
  processorMethod: string,
  options: AttachOptions = {},
) {
  const saved = await ports.methods.listOfCustomer(merchantId, customerId, { limit: 100 });
  const known = saved.items.find((m) => m.processorId === processorMethod);
  if (known) return presentPaymentMethod(known);
  return attachPaymentMethod(ports, merchantId, customerId, processorMethod, options);
}

export async function listPaymentMethods(
  ports: PaymentMethodPorts,
  merchantId: string,
  customerId: string,
  query: { limit: number; after?: Position },
) {
  requireFound(await ports.customers.read(merchantId, customerId), "Customer");
  const page = await ports.methods.listOfCustomer(merchantId, customerId, query);
  return { ...page, items: page.items.map(presentPaymentMethod) };
}

export async function detachPaymentMethod(
  ports: PaymentMethodPorts,
  merchantId: string,
  customerId: string,
  paymentMethodId: string,
): Promise<void> {
  const customer = requireFound(await ports.customers.read(merchantId, customerId), "Customer");
  const found = await ports.methods.read(merchantId, paymentMethodId);
  const method = requireFound(found?.value.customerId === customerId ? found : undefined, "Payment method");
  const { processor, merchant } = await ports.processorOf(merchantId);
  await processor.detachPaymentMethod({
    ...connectedAccount(merchant, processor),
    processorId: method.value.processorId,
  });
  const now = ports.clock.now();
  const { defaultPaymentMethodId: _, ...rest } = customer.value;
  const next =
    customer.value.defaultPaymentMethodId === paymentMethodId
      ? { ...rest, updatedAt: now.toISOString() }
      : undefined;
  await ports.methods.detach(
    merchantId,
    method,
    customer,
    next,
    newEvent("payment_method.detached", merchantId, paymentMethodId, now, {
      customerId,
      paymentMethod: presentPaymentMethod(method.value),
    }),
  );
}

/** A customer's new default must be one of its saved methods: else a 400 naming the field. */
export async function requireOwnMethod(
  methods: Pick<PaymentMethodStore, "read">,
  merchantId: string,
  customerId: string,
  paymentMethodId: string,
): Promise<void> {
  const found = await methods.read(merchantId, paymentMethodId);
  if (found?.value.customerId !== customerId) {
    throw new ValidationError([
      { path: "defaultPaymentMethodId", message: "must be one of the customer's saved payment methods" },
    ]);
  }
}
