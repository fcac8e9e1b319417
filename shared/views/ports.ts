/** What saved views run on: the view store port, implemented by `shared/store/views.ts`. */
import type { DomainEvent } from "../domain/events.ts";
import type { Page, PageRequest, Versioned } from "../domain/records.ts";

/** The lists a saved view can be of. */
export type ViewObject = "invoices" | "payments" | "subscriptions" | "quotes";

export interface SavedView {
  id: string;
  object: ViewObject;
  name: string;
  /** The list's own filter (an `InvoiceFilter`, a `PaymentFilter`, a `SubscriptionFilter` or a `QuoteFilter`), as the API validated it. */
  filters: Record<string, unknown>;
  createdAt: string;
}

export interface ViewStore {
  read(merchantId: string, id: string): Promise<Versioned<SavedView> | undefined>;
  get(merchantId: string, id: string): Promise<SavedView | undefined>;
  create(merchantId: string, view: SavedView, event: DomainEvent): Promise<void>;
  remove(merchantId: string, id: string, expectedVersion: number, event: DomainEvent): Promise<void>;
  /** Newest first, optionally only the views of one list. */
  list(
    merchantId: string,
    filter: { object?: ViewObject | undefined },
    page: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<SavedView>>;
}
