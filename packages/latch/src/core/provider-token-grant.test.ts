import { describe, expect, it } from "vitest";
import { tokensOf } from "./provider-token-grant.js";

describe("tokensOf", () => {
  it.each([3600, 3599.5, 0.25])("keeps the expiry of expires_in %s in whole seconds, rounded down", (expiresIn) => {
    const before = Date.now() / 1000;
    const expiresAt = tokensOf({ access_token: "at", expires_in: expiresIn })?.expiresAt;
    const after = Date.now() / 1000;
    expect(Number.isSafeInteger(expiresAt), `expiresAt ${expiresAt}`).toBe(true);
    expect(expiresAt).toBeGreaterThan(before + expiresIn - 1);
    expect(expiresAt).toBeLessThanOrEqual(after + expiresIn);
  });

  it("rounds a fractional expires_at down to whole seconds", () => {
    expect(tokensOf({ access_token: "at", expires_at: 1_900_000_000.9 })?.expiresAt).toBe(1_900_000_000);
  });

  it("keeps no expiry when the lifetime is past what a number holds exactly", () => {
    expect(tokensOf({ access_token: "at", expires_in: 1e300 })).toEqual({ accessToken: "at" });
    expect(tokensOf({ access_token: "at", expires_at: Number.POSITIVE_INFINITY })).toEqual({ accessToken: "at" });
  });

  it("is null without an access token", () => {
    expect(tokensOf({ refresh_token: "rt", expires_in: 60 })).toBeNull();
    expect(tokensOf({ access_token: "" })).toBeNull();
  });
});
