/** What webhook endpoints and their deliveries run on; `shared/store/webhooks.ts` implements the store. */
import type { Sealed } from "../auth/sealed.ts";
import type { Clock } from "../domain/clock.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { WindowCounter } from "../domain/limits.ts";
import type { Page, Versioned } from "../domain/records.ts";
import type { OutboundPort } from "./outbound.ts";
import type { DeliveryAttempt, DeliveryLine, RetryPolicy, StoredEndpoint, WebhookDelivery } from "./endpoint.ts";

/** A delivery as stored: which line it waits in (endpoint × object). */
export interface StoredDelivery extends WebhookDelivery {
  line: DeliveryLine;
}

export interface NewDelivery {
  delivery: StoredDelivery;
  /**
   * Makes the delivery once per claim (fan-out: endpoint × event; replay: endpoint × event × replay):
   * a second try of the same claim creates nothing and answers the first delivery's id.
   */
  claim?: string;
}

export interface WebhookStore {
  readEndpoint(merchantId: string, id: string): Promise<Versioned<StoredEndpoint> | undefined>;
  createEndpoint(merchantId: string, endpoint: StoredEndpoint, event: DomainEvent): Promise<void>;
  replaceEndpoint(merchantId: string, endpoint: StoredEndpoint, version: number, event?: DomainEvent): Promise<void>;
  removeEndpoint(merchantId: string, id: string, version: number, event: DomainEvent): Promise<void>;
  listEndpoints(merchantId: string, page: { limit: number; after?: Record<string, unknown> }): Promise<Page<StoredEndpoint>>;
  /** Every endpoint of the merchant (`maxEndpoints`, give or take a race). */
  allEndpoints(merchantId: string): Promise<StoredEndpoint[]>;

  /** Creates the delivery and puts it in its line; returns its id (the existing one for a claim made before). */
  createDelivery(merchantId: string, input: NewDelivery): Promise<{ id: string; created: boolean }>;
  readDelivery(merchantId: string, endpointId: string, id: string): Promise<StoredDelivery | undefined>;
  listDeliveries(
    merchantId: string,
    endpointId: string,
    page: { limit: number; after?: Record<string, unknown> },
  ): Promise<Page<WebhookDelivery>>;
  /** The first delivery waiting in a line (its id), if any. */
  lineHead(merchantId: string, endpointId: string, group: string): Promise<string | undefined>;
  /**
   * Takes the right to attempt a pending delivery until `until` (another worker holding it, or the
   * delivery no longer pending, answers false): two copies of a message never post twice at once.
   */
  lease(merchantId: string, endpointId: string, id: string, now: Date, until: Date): Promise<boolean>;
  /** Records a failed attempt of a delivery that will be retried, and lets its lease go. */
  recordRetry(merchantId: string, delivery: StoredDelivery, attempt: DeliveryAttempt, nextAttemptAt: Date): Promise<void>;
  /** Records the last attempt (if any), sets the final status and takes the delivery out of its line. */
  complete(
    merchantId: string,
    delivery: StoredDelivery,
    outcome: { status: "succeeded" | "failed"; attempt?: DeliveryAttempt; at: Date },
  ): Promise<void>;
  /** The endpoint's failure streak: started at `at` if none is running. */
  markFailing(merchantId: string, endpointId: string, at: Date): Promise<void>;
  /** A success ends the streak. */
  markHealthy(merchantId: string, endpointId: string): Promise<void>;
  /** Disables the endpoint if it is still active and failing since `failingSince`: false when it was not. */
  disable(merchantId: string, endpoint: StoredEndpoint, failingSince: string, event: DomainEvent): Promise<boolean>;

  /** The merchant's retained events created in [from, to), oldest first, from after `after` (an event id). */
  eventsBetween(merchantId: string, range: { from: Date; to: Date; after?: string; limit: number }): Promise<DomainEvent[]>;
  event(merchantId: string, id: string): Promise<DomainEvent | undefined>;
}

/** Seals and opens endpoints' signing secrets, each bound to its endpoint. */
export interface SecretSealer {
  seal(context: string, plaintext: string): Promise<Sealed>;
  open(context: string, sealed: Sealed): Promise<string>;
}

/** A delivery's message, on the webhooks queue: each receive is one attempt. */
export interface DeliveryMessage {
  kind: "webhook.deliver";
  merchantId: string;
  endpointId: string;
  deliveryId: string;
}

/** A replay's next page, on the webhooks queue. */
export interface ReplayMessage {
  kind: "webhook.replay";
  merchantId: string;
  endpointId: string;
  replayId: string;
  from: string;
  to: string;
  /** The last event id of the previous page. */
  after?: string;
}

export interface WebhookQueues {
  deliver(message: DeliveryMessage): Promise<void>;
  replay(message: ReplayMessage): Promise<void>;
}

export interface WebhookPorts {
  store: WebhookStore;
  sealer: SecretSealer;
  queues: WebhookQueues;
  clock: Clock;
  /**
   * Why Kassa would not post to a URL, or undefined: the SSRF guard's `checkWebhookUrl`, the early
   * 400 at create and PATCH (every delivery is checked again by the outbound port itself).
   */
  checkUrl(url: string): Promise<string | undefined>;
  windows: WindowCounter;
}

export interface DeliveryPorts extends Omit<WebhookPorts, "windows" | "checkUrl"> {
  outbound: OutboundPort;
  retry: RetryPolicy;
  /** One attempt's timeout: 10 s (tests shorten it). */
  timeoutMs: number;
}

/** The most endpoints a merchant may have: fan-out reads them all with one query. */
export const maxEndpoints = 16;
