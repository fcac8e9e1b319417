/**
 * Test mode's rules: which processor a merchant gets on a deployment, whether its money is live, and
 * the mode each processor reports.
 */
import { describe, expect, it } from "vitest";
import { ConflictError } from "../../shared/domain/errors.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import {
  merchantLivemode,
  processorKindOf,
  requireProcessorKind,
} from "../../shared/payments/mode.ts";
import { sandboxProcessor } from "../../shared/payments/sandbox.ts";
import { stripeProcessor } from "../../shared/payments/stripe.ts";
import { isLiveStripeKey } from "../../shared/payments/stripe-mode.ts";

describe("test mode", () => {
  it("recognises Stripe's live secret and restricted keys, and nothing else, as live", () => {
    expect(["sk_live_abc", "rk_live_abc"].map(isLiveStripeKey)).toEqual([true, true]);
    expect(["sk_test_abc", "rk_test_abc", "pk_live_abc", "xsk_live_abc", ""].map(isLiveStripeKey)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("reports the sandbox as test money and Stripe by its platform key", () => {
    expect(sandboxProcessor({ clock: fixedClock(new Date(0)), events: async () => {} }).livemode).toBe(false);
    expect(stripeProcessor({ secretKey: "sk_live_0123456789abcdef" }).livemode).toBe(true);
    expect(stripeProcessor({ secretKey: "sk_test_0123456789abcdef" }).livemode).toBe(false);
  });

  it("gives a merchant Stripe once chosen, else the sandbox only where the deployment enables it", () => {
    expect(processorKindOf({ processor: "stripe" }, "disabled")).toBe("stripe");
    expect(processorKindOf({ processor: "sandbox" }, "enabled")).toBe("sandbox");
    expect(processorKindOf({}, "enabled")).toBe("sandbox");
    expect(processorKindOf({ processor: "sandbox" }, "disabled")).toBeUndefined();
    expect(processorKindOf({}, "disabled")).toBeUndefined();
  });

  it("refuses a charge without a processor with a 409 that says how to connect one", () => {
    expect(() => requireProcessorKind({}, "disabled")).toThrow(ConflictError);
    expect(() => requireProcessorKind({}, "disabled")).toThrow(/POST \/v1\/processor\/stripe\/connect/);
    expect(requireProcessorKind({ processor: "stripe" }, "disabled")).toBe("stripe");
  });

  it("counts a merchant live only on a Stripe account connected with a live key", () => {
    expect(merchantLivemode({ processor: "stripe", stripeLivemode: true })).toBe(true);
    expect(merchantLivemode({ processor: "stripe", stripeLivemode: false })).toBe(false);
    expect(merchantLivemode({ processor: "stripe" })).toBe(false);
    expect(merchantLivemode({ processor: "sandbox", stripeLivemode: true })).toBe(false);
    expect(merchantLivemode({})).toBe(false);
  });
});
