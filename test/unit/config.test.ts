import { afterEach, describe, expect, it } from "vitest";
import { config } from "../../shared/config.ts";

describe("config", () => {
  afterEach(() => {
    delete process.env.SANDBOX_FEE_PERCENT;
    delete process.env.SANDBOX_FEE_FIXED;
    delete process.env.SANDBOX;
  });

  it("defaults the sandbox fee to 2.9 % + 30 and reads overrides", () => {
    expect(config.sandboxFee()).toEqual({ percent: 2.9, fixed: 30 });
    process.env.SANDBOX_FEE_PERCENT = "1.4";
    process.env.SANDBOX_FEE_FIXED = "25";
    expect(config.sandboxFee()).toEqual({ percent: 1.4, fixed: 25 });
  });

  it("fails fast, naming the variable, on a bad value", () => {
    process.env.SANDBOX_FEE_FIXED = "2.5";
    expect(() => config.sandboxFee()).toThrow(/SANDBOX_FEE_FIXED/);
  });

  it("disables the sandbox unless the deployment enables it, and refuses other values", () => {
    delete process.env.SANDBOX;
    expect(config.sandbox()).toBe("disabled");
    process.env.SANDBOX = "enabled";
    expect(config.sandbox()).toBe("enabled");
    process.env.SANDBOX = "on";
    expect(() => config.sandbox()).toThrow(/SANDBOX/);
  });
});
