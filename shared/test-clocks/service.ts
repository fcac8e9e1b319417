/** Test clock use cases, and the binding of customers to a clock (sandbox merchants only). */
import type { Clock } from "../domain/clock.ts";
import { ConflictError, requireFound, ValidationError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Change } from "../domain/records.ts";
import type { Position } from "../http/cursor.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { asChange, listWindow } from "../store/collection.ts";
import { type ClockWorkStore, releaseSubscriptionWrite } from "../store/clock-work.ts";
import type { SubscriptionStore } from "../store/subscriptions.ts";
import { bindCustomerWrite, releaseCustomerWrite, type TestClockStore } from "../store/test-clocks.ts";
import { type StoredSubscription, terminalSubscriptionStatuses } from "../subscriptions/subscription.ts";
import { advanced, clockAt, type NewTestClock, presentTestClock, type TestClock } from "./test-clock.ts";

export interface TestClockPorts {
  store: TestClockStore;
  merchants: Pick<MerchantStore, "readMerchant">;
  /** The clock's due work: its customers' subscriptions and pending schedules. */
  work: Pick<ClockWorkStore, "due" | "remove">;
  subscriptions: Pick<SubscriptionStore, "read" | "replace">;
  clock: Clock;
}

const liveMerchant =
  "Test clocks are for test mode only: this merchant takes real payments (a live Stripe account)";

async function requireTestMode({ merchants }: Pick<TestClockPorts, "merchants">, merchantId: string) {
  const merchant = requireFound(await merchants.readMerchant(merchantId), "Merchant").value;
  if (merchantLivemode(merchant)) throw new ConflictError(liveMerchant);
}

export async function createTestClock(ports: TestClockPorts, merchantId: string, input: NewTestClock) {
  await requireTestMode(ports, merchantId);
  const now = ports.clock.now();
  const testClock: TestClock = {
    id: newId("testClock", now),
    ...(input.name ? { name: input.name } : {}),
    frozenTime: input.frozenTime,
    status: "ready",
    createdAt: now.toISOString(),
  };
  const shown = presentTestClock(testClock);
  await ports.store.create(
    merchantId,
    testClock,
    newEvent("test_clock.created", merchantId, testClock.id, now, { testClock: shown }),
  );
  return shown;
}

export async function getTestClock({ store }: TestClockPorts, merchantId: string, id: string) {
  return presentTestClock(requireFound(await store.read(merchantId, id), "Test clock").value);
}

export async function listTestClocks(
  { store }: TestClockPorts,
  merchantId: string,
  query: { limit: number; after?: Position; createdAfter?: string; createdBefore?: string },
) {
  const page = await store.list(merchantId, listWindow(query));
  return { ...page, items: page.items.map(presentTestClock) };
}

/**
 * Sets the clock advancing to `frozenTime`: a conditional write (a concurrent advance loses with a
 * 409) with the `test_clock.advancing` event, which the billing queue gets and runs the clock's due
 * work on (advance.ts); the clock is `ready` when all of it ran.
 */
export async function advanceTestClock(
  ports: TestClockPorts,
  merchantId: string,
  id: string,
  frozenTime: string,
) {
  const { value, version } = requireFound(await ports.store.read(merchantId, id), "Test clock");
  const next = advanced(value, frozenTime);
  const shown = presentTestClock(next);
  await ports.store.replace(
    merchantId,
    next,
    version,
    newEvent("test_clock.advancing", merchantId, id, ports.clock.now(), { testClock: shown }),
  );
  return shown;
}

/**
 * Deletes the clock. Its customers' subscriptions are canceled first (on the clock's time) and its
 * pending schedules dropped, so nothing of the clock's world goes on running on the wall clock;
 * the customers stay, still naming the clock (the binding is immutable), and live on the wall clock
 * from then on. A failure leaves the clock in place: deleting it again finishes the work.
 */
export async function deleteTestClock(ports: TestClockPorts, merchantId: string, id: string) {
  const { value, version } = requireFound(await ports.store.read(merchantId, id), "Test clock");
  await endClockWork(ports, merchantId, value);
  await ports.store.remove(
    merchantId,
    id,
    version,
    newEvent("test_clock.deleted", merchantId, id, ports.clock.now(), { testClock: presentTestClock(value) }),
  );
}

/**
 * What binding a new customer to the clock writes, in the customer's transaction: the clock must be
 * this merchant's (as for any reference in a body, another's is a 400 naming the field), the merchant in test mode, and the clock
 * have room (the counter's condition: 409).
 */
export async function bindCustomer(
  ports: Pick<TestClockPorts, "store" | "merchants">,
  merchantId: string,
  testClockId: string,
): Promise<Change> {
  await requireTestMode(ports, merchantId);
  if (!(await ports.store.read(merchantId, testClockId))) {
    throw new ValidationError([{ path: "testClockId", message: "is not one of your test clocks" }]);
  }
  return asChange(bindCustomerWrite(merchantId, testClockId));
}

/** What deleting a bound customer writes: one customer less on its clock, unless the clock is gone. */
export async function releaseCustomer(
  ports: Pick<TestClockPorts, "store">,
  merchantId: string,
  testClockId: string,
): Promise<Change[]> {
  return (await ports.store.read(merchantId, testClockId))
    ? [asChange(releaseCustomerWrite(merchantId, testClockId))]
    : [];
}

/** Later than any work's due time: the whole of the clock's partition. */
const endOfTime = "9999-12-31T23:59:59.999Z";

async function endClockWork(ports: TestClockPorts, merchantId: string, testClock: TestClock) {
  const now = clockAt(testClock, merchantId).now();
  let after: Record<string, unknown> | undefined;
  do {
    const page = await ports.work.due(testClock.id, endOfTime, 100, after);
    for (const work of page.items) {
      if (work.kind === "schedule") await ports.work.remove(work);
      else await cancelWithClock(ports, merchantId, work.ref, now);
    }
    after = page.next;
  } while (after);
}

/** Cancels a clock's subscription at once: no further invoices, one subscription less for its customer. */
async function cancelWithClock(ports: TestClockPorts, merchantId: string, id: string, now: Date) {
  const found = await ports.subscriptions.read(merchantId, id);
  if (!found || terminalSubscriptionStatuses.includes(found.value.status)) return;
  const at = now.toISOString();
  const canceled: StoredSubscription = {
    ...found.value,
    status: "canceled",
    canceledAt: at,
    endedAt: at,
    cancelAtPeriodEnd: false,
    nextBillingAt: null,
    updatedAt: at,
  };
  const { timeZone: _, nextPeriod: __, ...shown } = canceled;
  await ports.subscriptions.replace(
    merchantId,
    canceled,
    found.version,
    newEvent("subscription.canceled", merchantId, id, now, { subscription: shown }),
    [releaseSubscriptionWrite(merchantId, canceled.customerId)],
  );
}
