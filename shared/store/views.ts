/** Saved views: named list filters, a collection in the merchant's partition (`view_…`). */
import { collection } from "./collection.ts";

export interface SavedView {
  id: string;
  object: "invoices" | "payments";
  name: string;
  filters: Record<string, unknown>;
  createdAt: string;
}

export const dynamoViewStore = collection<SavedView>({ type: "view", idKind: "view", label: "saved view" });
export type ViewStore = typeof dynamoViewStore;
