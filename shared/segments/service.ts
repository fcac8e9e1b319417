/** Segments' use cases for the API: create, read, change and delete them; page and hand-pick members. */
import { presentCustomer } from "../customers/service.ts";
import { NotFoundError, StateConflictError, ValidationError, requireFound } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Position } from "../http/cursor.ts";
import type { SegmentPorts } from "./ports.ts";
import type { Segment, SegmentFilter, SegmentType } from "./segment.ts";

export interface NewSegment {
  name: string;
  type: SegmentType;
  filters: SegmentFilter[];
}

export interface SegmentPatch {
  name?: string;
  filters?: SegmentFilter[];
}

/** The segment as the API shows it (its build revision is internal). */
export const presentSegment = ({ revision: _, ...segment }: Segment) => segment;

const requireSegment = async ({ segments }: SegmentPorts, merchantId: string, id: string) =>
  requireFound(await segments.read(merchantId, id), "Segment");

/**
 * A new segment. An active one, and a static one with filters (its snapshot), is `building` until the
 * segments consumer has walked the merchant's customers; a static one without filters starts empty
 * and `ready` for hand-picked members.
 */
export async function createSegment(
  { segments, clock }: SegmentPorts,
  merchantId: string,
  input: NewSegment,
) {
  const now = clock.now();
  const building = input.type === "active" || input.filters.length > 0;
  const segment: Segment = {
    id: newId("segment", now),
    ...input,
    status: building ? "building" : "ready",
    memberCount: 0,
    revision: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await segments.create(
    merchantId,
    segment,
    newEvent("segment.created", merchantId, segment.id, now, { segment: presentSegment(segment) }),
  );
  return presentSegment(segment);
}

export async function getSegment(ports: SegmentPorts, merchantId: string, id: string) {
  return presentSegment((await requireSegment(ports, merchantId, id)).value);
}

export async function listSegments(
  { segments }: SegmentPorts,
  merchantId: string,
  query: { limit: number; after?: Position },
) {
  const page = await segments.list(merchantId, {
    limit: query.limit,
    ...(query.after ? { after: query.after } : {}),
  });
  return { ...page, items: page.items.map(presentSegment) };
}

/**
 * Renames a segment or changes an active one's filters, which rebuilds it (`building` again, a new
 * revision: the build of the old filters stops). A static segment's members are a snapshot plus
 * hand-picked ones: its filters do not change (409).
 */
export async function updateSegment(
  ports: SegmentPorts,
  merchantId: string,
  id: string,
  patch: SegmentPatch,
) {
  const { value, version } = await requireSegment(ports, merchantId, id);
  const refilter =
    patch.filters !== undefined && JSON.stringify(patch.filters) !== JSON.stringify(value.filters);
  if (refilter && value.type === "static")
    throw new StateConflictError(
      "A static segment's members are a snapshot: add and remove them with /v1/segments/{id}/members",
    );
  const now = ports.clock.now();
  const next: Segment = {
    ...value,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(refilter && patch.filters
      ? { filters: patch.filters, status: "building", revision: value.revision + 1 }
      : {}),
    updatedAt: now.toISOString(),
  };
  await ports.segments.update(
    merchantId,
    next,
    version,
    newEvent("segment.updated", merchantId, id, now, { segment: presentSegment(next), rebuild: refilter }),
  );
  return presentSegment(next);
}

/** Deletes the segment; the consumer then deletes its member items (`segment.deleted`). */
export async function deleteSegment(ports: SegmentPorts, merchantId: string, id: string): Promise<void> {
  const { version } = await requireSegment(ports, merchantId, id);
  await ports.segments.remove(
    merchantId,
    id,
    version,
    newEvent("segment.deleted", merchantId, id, ports.clock.now(), { segmentId: id }),
  );
}

/**
 * A page of the segment's customers, newest first: one query of its member items, one batch read of
 * their customers. `unknown` says how an unknown segment is refused: 404 on its own route, 400 on
 * `segmentId` as a filter of the customers' list.
 */
export async function listSegmentCustomers(
  ports: SegmentPorts,
  merchantId: string,
  segmentId: string,
  query: { limit: number; after?: Position },
  unknown: "404" | "400" = "404",
) {
  if (!(await ports.segments.read(merchantId, segmentId))) {
    if (unknown === "400")
      throw new ValidationError([{ path: "segmentId", message: "is not one of your segments" }]);
    throw new NotFoundError("Segment");
  }
  const page = await ports.members.page(merchantId, segmentId, {
    limit: query.limit,
    ...(query.after ? { after: query.after } : {}),
  });
  const byId = new Map((await ports.customers.readMany(merchantId, page.items)).map((c) => [c.id, c]));
  return {
    ...page,
    items: page.items.flatMap((id) => {
      const customer = byId.get(id);
      return customer ? [presentCustomer(customer)] : [];
    }),
  };
}

const requireStatic = (segment: Segment) => {
  if (segment.type !== "static")
    throw new StateConflictError(
      "An active segment's members follow its filters: only a static segment's are picked by hand",
    );
};

/** Adds customers to a static segment (each once; members already in stay). Returns the segment. */
export async function addSegmentMembers(
  ports: SegmentPorts,
  merchantId: string,
  segmentId: string,
  customerIds: readonly string[],
) {
  const { value } = await requireSegment(ports, merchantId, segmentId);
  requireStatic(value);
  const unique = [...new Set(customerIds)];
  const found = new Set((await ports.customers.readMany(merchantId, unique)).map((c) => c.id));
  const missing = unique.findIndex((id) => !found.has(id));
  if (missing >= 0)
    throw new ValidationError([
      {
        path: `customerIds.${customerIds.indexOf(unique[missing] ?? "")}`,
        message: "is not one of your customers",
      },
    ]);
  for (const customerId of unique) await ports.members.add(merchantId, segmentId, customerId);
  return getSegment(ports, merchantId, segmentId);
}

/** Removes a customer from a static segment (404 when it is not a member). */
export async function removeSegmentMember(
  ports: SegmentPorts,
  merchantId: string,
  segmentId: string,
  customerId: string,
): Promise<void> {
  const { value } = await requireSegment(ports, merchantId, segmentId);
  requireStatic(value);
  if (!(await ports.members.remove(merchantId, segmentId, customerId)))
    throw new NotFoundError("Segment member");
}
