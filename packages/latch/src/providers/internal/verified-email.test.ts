import { describe, expect, it } from "vitest";
import { verifiedEmail } from "./verified-email.js";

describe("verifiedEmail", () => {
  it("keeps an address the service vouches for, or says nothing about", () => {
    expect(verifiedEmail("a@example.test", true)).toBe("a@example.test");
    expect(verifiedEmail("a@example.test", "true")).toBe("a@example.test");
    expect(verifiedEmail("a@example.test", undefined)).toBe("a@example.test");
  });

  it("drops an address marked unverified, as a boolean or Apple's string", () => {
    expect(verifiedEmail("a@example.test", false)).toBeNull();
    expect(verifiedEmail("a@example.test", "false")).toBeNull();
  });

  it("turns a missing or empty address into null", () => {
    expect(verifiedEmail(undefined, true)).toBeNull();
    expect(verifiedEmail("", true)).toBeNull();
    expect(verifiedEmail(42, true)).toBeNull();
  });
});
