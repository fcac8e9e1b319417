/**
 * Consumer of the workflows queue: a trigger event enrolls the merchant's matching customers and
 * runs their steps; a delay's schedule (`workflow.resume`) continues its enrollment.
 */
import * as z from "zod";
import { clockFor, workflowEnginePorts } from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { enrollOnEvent, resumeEnrollment, workflowResumeMessage } from "../../shared/workflows/engine.ts";
import type { WorkflowEnginePorts } from "../../shared/workflows/ports.ts";

const message = () => z.union([workflowResumeMessage(), eventMessage()]);

/** One message per record, with the ports on the clock resolved for its merchant (each enrollment then runs on its customer's). */
export function workflows(portsFor: (clock: Clock) => WorkflowEnginePorts) {
  return sqsConsumer(message, async (body) => {
    const ports = portsFor(clockFor({ merchantId: body.merchantId }));
    if ("kind" in body) await resumeEnrollment(ports, body);
    else await enrollOnEvent(ports, body);
  });
}

export const handler = workflows(workflowEnginePorts);
