import { describe, expect, it } from "vitest";
import { expiredAnswerDelay, EXPIRY_MARGIN_MS, expiryCheckAt, MAX_TIMER_MS, retryDelay, serverClockOffset, timerDelay } from "./expiry.js";

describe("expiryCheckAt", () => {
  const expires = "2030-01-01T00:00:00.000Z";
  const at = Date.parse(expires);

  it("checks just after the expiry when the clocks agree", () => {
    expect(expiryCheckAt(expires, 0)).toBe(at + EXPIRY_MARGIN_MS);
    expect(expiryCheckAt(expires, undefined)).toBe(at + EXPIRY_MARGIN_MS);
  });

  it("waits for the server's clock when the browser's runs ahead", () => {
    // Server 10 s behind: its expiry comes 10 s later on the browser's clock.
    expect(expiryCheckAt(expires, -10_000)).toBe(at + 10_000 + EXPIRY_MARGIN_MS);
  });

  it("waits for the cookie to expire on the browser's clock when the server's runs ahead", () => {
    // Never earlier than the cookie's Expires as the browser reads it: the cookie must be gone.
    expect(expiryCheckAt(expires, 10_000)).toBe(at + EXPIRY_MARGIN_MS);
  });

  it("has no check for a session without a readable expiry", () => {
    expect(expiryCheckAt(undefined, 0)).toBeUndefined();
    expect(expiryCheckAt("soon", 0)).toBeUndefined();
  });
});

describe("serverClockOffset", () => {
  it("is a lower bound from the Date header", () => {
    const received = Date.parse("2030-01-01T00:00:00.700Z");
    expect(serverClockOffset("Tue, 01 Jan 2030 00:00:00 GMT", received)).toBe(-700);
  });

  it("is unknown without a usable header", () => {
    expect(serverClockOffset(null, 0)).toBeUndefined();
    expect(serverClockOffset("yesterday", 0)).toBeUndefined();
  });
});

describe("timerDelay", () => {
  it("is the time left, never negative", () => {
    expect(timerDelay(1_500, 1_000)).toBe(500);
    expect(timerDelay(1_000, 5_000)).toBe(0);
  });

  it("caps at what setTimeout honours: a 30-day session must not fire at once", () => {
    expect(timerDelay(30 * 24 * 3600 * 1000, 0)).toBe(MAX_TIMER_MS);
  });
});

describe("retryDelay", () => {
  it("backs off from 5 s to at most a minute", () => {
    expect([1, 2, 3, 4, 5, 50].map(retryDelay)).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });
});

describe("expiredAnswerDelay", () => {
  it("backs off from 1 s to at most 5 minutes", () => {
    expect([1, 2, 3, 4, 9, 10, 1_000].map(expiredAnswerDelay)).toEqual([1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000]);
  });
});
