/**
 * Consumer of the segments queue: domain events keep customers' stats and active segments' members
 * current (and start a segment's build); a flip's schedule (`segment.flip`) re-evaluates a customer
 * when time alone may have moved it; `segment.build` pages a build on.
 */
import * as z from "zod";
import { clockFor, segmentConsumerPorts } from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import {
  onSegmentEvent,
  onSegmentFlip,
  runBuild,
  segmentBuildMessage,
  segmentFlipMessage,
} from "../../shared/segments/membership.ts";
import type { SegmentConsumerPorts } from "../../shared/segments/ports.ts";

const message = () => z.union([segmentFlipMessage(), segmentBuildMessage(), eventMessage()]);

/** One message per record, on the clock resolved for its merchant (each customer is evaluated on its own). */
export function segments(portsFor: (clock: Clock) => SegmentConsumerPorts) {
  return sqsConsumer(message, async (body) => {
    const ports = portsFor(clockFor({ merchantId: body.merchantId }));
    if (!("kind" in body)) await onSegmentEvent(ports, body);
    else if (body.kind === "segment.flip") await onSegmentFlip(ports, body);
    else await runBuild(ports, body);
  });
}

export const handler = segments(segmentConsumerPorts);
