/** Saved views: a merchant names a set of list filters and lists with `?view={id}`. */
import type { Clock } from "../domain/clock.ts";
import { NotFoundError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Position } from "../http/cursor.ts";
import type { SavedView, ViewObject, ViewStore } from "./ports.ts";

export interface ViewPorts {
  store: ViewStore;
  clock: Clock;
}

export async function createView(
  { store, clock }: ViewPorts,
  merchantId: string,
  input: Omit<SavedView, "id" | "createdAt">,
) {
  const now = clock.now();
  const view: SavedView = { id: newId("view", now), ...input, createdAt: now.toISOString() };
  await store.create(merchantId, view, newEvent("view.created", merchantId, view.id, now, { view }));
  return view;
}

export async function getView({ store }: ViewPorts, merchantId: string, id: string) {
  const view = await store.get(merchantId, id);
  if (!view) throw new NotFoundError("Saved view");
  return view;
}

export async function deleteView({ store, clock }: ViewPorts, merchantId: string, id: string) {
  const found = await store.read(merchantId, id);
  if (!found) throw new NotFoundError("Saved view");
  await store.remove(
    merchantId,
    id,
    found.version,
    newEvent("view.deleted", merchantId, id, clock.now(), { viewId: id }),
  );
}

export async function listViews(
  { store }: ViewPorts,
  merchantId: string,
  query: { limit: number; after?: Position; object?: ViewObject | undefined },
) {
  return store.list(
    merchantId,
    { object: query.object },
    { limit: query.limit, ...(query.after ? { after: query.after } : {}) },
  );
}
