/** Saved views: named list filters, a collection in the merchant's partition (`view_…`). */
import type { SavedView, ViewStore } from "../views/ports.ts";
import { collection } from "./collection.ts";

const views = collection<SavedView>({ type: "view", idKind: "view", label: "saved view" });

export const dynamoViewStore: ViewStore = {
  read: (merchantId, id) => views.read(merchantId, id),
  get: (merchantId, id) => views.get(merchantId, id),
  create: (merchantId, view, event) => views.create(merchantId, view, event),
  remove: (merchantId, id, expectedVersion, event) => views.remove(merchantId, id, expectedVersion, event),
  list: (merchantId, { object }, page) =>
    views.list(merchantId, {
      ...page,
      ...(object
        ? {
            filter: {
              expression: "#object = :object",
              names: { "#object": "object" },
              values: { ":object": object },
            },
          }
        : {}),
    }),
};
