import { describe, expect, it } from "vitest";
import { sessionKey } from "./session-key.js";

describe("sessionKey", () => {
  it("ignores expires, which moves on every read", () => {
    const a = { user: { name: "Alice" }, expires: "2030-01-01T00:00:00.000Z" };
    const b = { user: { name: "Alice" }, expires: "2030-02-01T00:00:00.000Z" };
    expect(sessionKey(a)).toBe(sessionKey(b));
  });

  it("differs for another user, and for no session", () => {
    const alice = sessionKey({ user: { name: "Alice" }, expires: "x" });
    expect(sessionKey({ user: { name: "Bob" }, expires: "x" })).not.toBe(alice);
    expect(sessionKey(null)).not.toBe(alice);
  });

  it("does not carry the session's data", () => {
    expect(sessionKey({ user: { name: "Alice", email: "alice@example.test" }, expires: "x" })).toMatch(/^[0-9a-f]{16}$/);
  });
});
