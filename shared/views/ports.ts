/** What saved views run on: the view store port, implemented by `shared/store/views.ts`. */
import type { DomainEvent } from "../domain/events.ts";
import type { Page, PageRequest, Versioned } from "../domain/records.ts";

/** The lists a saved view can be of. */
export const viewObjects = [
  "customers",
  "invoices",
  "payments",
  "subscriptions",
  "quotes",
  "payment_links",
  "checkout_sessions",
  "refunds",
  "payouts",
  "tasks",
] as const;

export type ViewObject = (typeof viewObjects)[number];

export interface SavedView {
  id: string;
  object: ViewObject;
  name: string;
  /** The list's own filters (e.g. an `InvoiceFilter`), as the API validated them with that list's filter schema. */
  filters: Record<string, unknown>;
  createdAt: string;
}

/** What a list with saved views reads them through. */
export interface SavedViewPorts {
  views: Pick<ViewStore, "get">;
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
