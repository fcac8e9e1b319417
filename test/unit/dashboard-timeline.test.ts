/** The timeline's words: every event type Kassa emits reads as a sentence, not as a code. */
import { describe, expect, it } from "vitest";
import { eventTitle } from "../../shared/dashboard/pages/details/timeline.ts";
import { webhookEventTypes } from "../../shared/webhooks/event-types.ts";

describe("eventTitle", () => {
  it("words the object and what happened to it", () => {
    expect(eventTitle("invoice.finalized")).toBe("Invoice finalized");
    expect(eventTitle("payment.succeeded")).toBe("Payment succeeded");
    expect(eventTitle("invoice.marked_uncollectible")).toBe("Invoice marked uncollectible");
    expect(eventTitle("payment_link.deactivated")).toBe("Payment link deactivated");
    expect(eventTitle("subscription.renewal_upcoming")).toBe("Renewal coming up");
  });

  it.each(webhookEventTypes)("%s reads as words", (type) => {
    expect(eventTitle(type)).toMatch(/^[A-Z][a-z' ]+$/);
  });
});
