import { afterEach, describe, expect, it, vi } from "vitest";
import { announce, channelName, listen, parseSessionMessage, type SessionMessage } from "./session-channel.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

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

describe("announce and listen", () => {
  it("resolves once this document's listeners have handled the message, each called once", async () => {
    vi.stubGlobal("window", { location: { href: "http://app.test/" } });
    const handled: string[] = [];
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    const stopA = listen("/api/auth", async (message) => {
      await slow;
      handled.push(`a:${message.kind}`);
    });
    const stopB = listen("/api/auth", (message) => void handled.push(`b:${message.kind}`));
    const stopOther = listen("/other/auth", (message) => void handled.push(`other:${message.kind}`));
    let resolved = false;
    const done = announce("/api/auth", { kind: "changed", from: "sender" }).then(() => (resolved = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resolved).toBe(false);
    finish();
    await done;
    // The channel's echo of this document's own post (delivered asynchronously) is skipped.
    await new Promise((resolve) => setTimeout(resolve, 20));
    stopA();
    stopB();
    stopOther();
    expect(handled.sort()).toEqual(["a:changed", "b:changed"]);
  });

  it("still hears other tabs through the channel", async () => {
    const heard: SessionMessage[] = [];
    const stop = listen("/api/auth", (message) => void heard.push(message));
    const otherTab = new BroadcastChannel(channelName("/api/auth"));
    otherTab.postMessage({ kind: "changed", from: "other-tab", key: "none" });
    otherTab.close();
    await vi.waitFor(() => expect(heard).toEqual([{ kind: "changed", from: "other-tab", key: "none" }]));
    stop();
  });

  it("a listener that fails does not keep the announcement from resolving", async () => {
    const stop = listen("/api/auth", () => Promise.reject(new Error("broken listener")));
    await expect(announce("/api/auth", { kind: "renewed", from: "sender", checkAt: 1 })).resolves.toBeUndefined();
    stop();
  });
});
