import { describe, expect, it } from "vitest";
import { parseSessionMessage } from "./session-channel.js";

describe("parseSessionMessage", () => {
  it("reads both kinds", () => {
    expect(parseSessionMessage({ kind: "changed", from: "a", key: "k" })).toEqual({ kind: "changed", from: "a", key: "k" });
    expect(parseSessionMessage({ kind: "changed", from: "a" })).toEqual({ kind: "changed", from: "a", key: undefined });
    expect(parseSessionMessage({ kind: "renewed", from: "a", checkAt: 5 })).toEqual({ kind: "renewed", from: "a", checkAt: 5 });
  });

  it("ignores anything else on the channel", () => {
    for (const data of [null, "changed", { kind: "changed" }, { kind: "renewed", from: "a" }, { kind: "renewed", from: "a", checkAt: Number.NaN }, { kind: "x", from: "a" }]) {
      expect(parseSessionMessage(data)).toBeUndefined();
    }
  });
});
