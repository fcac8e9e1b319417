/** The body of a domain event on a queue, as the dispatcher sends it: validated by every consumer. */
import * as z from "zod";
import { lazy } from "../lazy.ts";

export const eventMessage = lazy(() =>
  z.object({
    id: z.string().min(1),
    type: z.string().min(1),
    merchantId: z.string().min(1),
    objectId: z.string().optional(),
    occurredAt: z.string(),
    /** Absent on events written before events carried a mode: test mode. */
    livemode: z.boolean().default(false),
    /** The object's version after the change (shared/store/outbox.ts `sequenceEvents`); absent on older events. */
    sequence: z.number().int().optional(),
    data: z.record(z.string(), z.unknown()),
  }),
);
