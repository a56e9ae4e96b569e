import { describe, expect, it } from "vitest";
import type { Session } from "../types.js";
import { EXPIRY_MARGIN_MS, MAX_TIMER_MS } from "./expiry.js";
import type { SessionMessage } from "./session-channel.js";
import type { SessionAnswer } from "./session-request.js";
import { SessionStore, type StoreEnvironment } from "./session-store.js";

const DAY = 24 * 3600 * 1000;

function session(name: string, expiresAt: number): Session {
  return { user: { name }, expires: new Date(expiresAt).toISOString() };
}

interface Call {
  update: { data: unknown } | undefined;
  answer(value: SessionAnswer): void;
}

/** A fake platform: requests wait until the test answers them, time moves when the test says so. */
function fakeEnvironment() {
  const calls: Call[] = [];
  const messages: SessionMessage[] = [];
  let now = Date.parse("2030-01-01T00:00:00.000Z");
  let timers: { at: number; callback: () => void; cancelled: boolean }[] = [];
  const env: StoreEnvironment = {
    requestSession(_basePath, update) {
      return new Promise((resolve) => calls.push({ update, answer: resolve }));
    },
    announce: (_basePath, message) => messages.push(message),
    now: () => now,
    schedule(callback, ms) {
      const timer = { at: now + ms, callback, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
  };
  return {
    env,
    calls,
    messages,
    now: () => now,
    /** Moves the clock, running the timers that come due. */
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        due.cancelled = true;
        due.callback();
      }
      now = until;
      timers = timers.filter((t) => !t.cancelled);
    },
    pendingTimers: () => timers.filter((t) => !t.cancelled).map((t) => t.at - now),
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
const ok = (value: Session | null): SessionAnswer => ({ ok: true, session: value, serverOffset: 0 });

describe("SessionStore", () => {
  it("an update() asked while the first load is in flight is queued, not dropped (next-auth #13173)", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", undefined, fake.env);
    store.start();
    expect(store.getSnapshot().status).toBe("loading");
    const updated = store.update({ name: "Renamed" });
    await settled();
    // One request at a time: the update waits for the load.
    expect(fake.calls).toHaveLength(1);
    fake.calls[0]?.answer(ok(session("Alice", fake.now() + DAY)));
    await settled();
    expect(fake.calls).toHaveLength(2);
    expect(fake.calls[1]?.update).toEqual({ data: { name: "Renamed" } });
    fake.calls[1]?.answer(ok(session("Renamed", fake.now() + DAY)));
    expect((await updated)?.user?.name).toBe("Renamed");
    expect(store.getSnapshot()).toMatchObject({ status: "authenticated", data: { user: { name: "Renamed" } } });
    store.stop();
  });

  it("update() without data is a plain refetch, as in next-auth (no trigger \"update\"), and resolves to the fresh session", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", session("Alice", fake.now() + DAY), fake.env);
    const updated = store.update();
    await settled();
    expect(fake.calls[0]?.update).toBeUndefined();
    fake.calls[0]?.answer(ok(session("Alice Fresh", fake.now() + DAY)));
    expect((await updated)?.user?.name).toBe("Alice Fresh");
    // Any value but undefined is data, null included (next-auth tests `typeof data === "undefined"`).
    const withNull = store.update(null);
    await settled();
    expect(fake.calls[1]?.update).toEqual({ data: null });
    fake.calls[1]?.answer(ok(session("Alice Fresh", fake.now() + DAY)));
    await withNull;
  });

  it("a failed refetch keeps the session; a null answer signs out", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", session("Alice", fake.now() + DAY), fake.env);
    const failed = store.load();
    await settled();
    fake.calls[0]?.answer({ ok: false, status: 503, cause: null });
    await failed;
    expect(store.getSnapshot().status).toBe("authenticated");
    const signedOut = store.load();
    await settled();
    fake.calls[1]?.answer(ok(null));
    await signedOut;
    expect(store.getSnapshot()).toEqual({ data: null, status: "unauthenticated" });
  });

  it("a failed update() keeps the state and resolves to null", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", session("Alice", fake.now() + DAY), fake.env);
    const updated = store.update({ name: "X" });
    await settled();
    fake.calls[0]?.answer({ ok: false, status: undefined, cause: new TypeError("offline") });
    expect(await updated).toBeNull();
    expect(store.getSnapshot()).toMatchObject({ status: "authenticated", data: { user: { name: "Alice" } } });
  });

  it("loads asked while one is queued join it", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", null, fake.env);
    const first = store.load();
    const second = store.load();
    await settled();
    // The first has been sent; a load asked now must be sent after it, once.
    const third = store.load();
    const fourth = store.load();
    expect(second).toBe(first);
    expect(fourth).toBe(third);
    fake.calls[0]?.answer(ok(null));
    await settled();
    fake.calls[1]?.answer(ok(null));
    await Promise.all([first, third]);
    expect(fake.calls).toHaveLength(2);
  });

  it("a server render's session wins over an answer to a request sent before it", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", session("Alice", fake.now() + DAY), fake.env);
    const stale = store.load();
    await settled();
    // A server action signed out; the layout rendered again with no session.
    store.adopt(null);
    expect(store.getSnapshot().status).toBe("unauthenticated");
    expect(fake.messages.at(-1)).toMatchObject({ kind: "changed" });
    fake.calls[0]?.answer(ok(session("Alice", fake.now() + DAY)));
    await stale;
    expect(store.getSnapshot().status).toBe("unauthenticated");
  });

  it("adopts a session prop only when it changes, and announces only a different session", () => {
    const fake = fakeEnvironment();
    const first = session("Alice", fake.now() + DAY);
    const store = new SessionStore("/api/auth", first, fake.env);
    store.adopt({ ...first });
    expect(fake.messages).toHaveLength(0);
    // Only the expiry moved: taken, not announced.
    store.adopt(session("Alice", fake.now() + 2 * DAY));
    expect(fake.messages).toHaveLength(0);
    expect(store.getSnapshot().data?.expires).toBe(new Date(fake.now() + 2 * DAY).toISOString());
    store.adopt(session("Bob", fake.now() + DAY));
    expect(fake.messages).toEqual([{ kind: "changed", from: store.id, key: expect.any(String) as unknown }]);
  });

  it("checks the session just after it expires, not before", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", session("Alice", fake.now() + 4_000), fake.env);
    store.start();
    fake.advance(4_000);
    await settled();
    expect(fake.calls).toHaveLength(0);
    fake.advance(EXPIRY_MARGIN_MS);
    await settled();
    expect(fake.calls).toHaveLength(1);
    fake.calls[0]?.answer(ok(null));
    await settled();
    expect(store.getSnapshot().status).toBe("unauthenticated");
    expect(fake.pendingTimers()).toEqual([]);
    store.stop();
  });

  it("splits a 30-day wait: a timer past 2^31 ms would fire at once", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", session("Alice", fake.now() + 30 * DAY), fake.env);
    store.start();
    expect(fake.pendingTimers()).toEqual([MAX_TIMER_MS]);
    fake.advance(MAX_TIMER_MS);
    await settled();
    expect(fake.calls).toHaveLength(0);
    fake.advance(30 * DAY - MAX_TIMER_MS + EXPIRY_MARGIN_MS);
    await settled();
    expect(fake.calls).toHaveLength(1);
    store.stop();
  });

  it("an expiry check that fails is tried again later, keeping the session meanwhile", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", session("Alice", fake.now() + 1_000), fake.env);
    store.start();
    fake.advance(1_000 + EXPIRY_MARGIN_MS);
    await settled();
    fake.calls[0]?.answer({ ok: false, status: 502, cause: null });
    await settled();
    expect(store.getSnapshot().status).toBe("authenticated");
    expect(fake.pendingTimers()).toEqual([5_000]);
    fake.advance(5_000);
    await settled();
    fake.calls[1]?.answer(ok(null));
    await settled();
    expect(store.getSnapshot().status).toBe("unauthenticated");
    store.stop();
  });

  it("an expiry moved by another tab moves the check: two idle tabs must not keep each other alive", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", session("Alice", fake.now() + 10_000), fake.env);
    store.start();
    void store.receive({ kind: "renewed", from: "other-tab", checkAt: fake.now() + 60_000 });
    // An older expiry never moves it back.
    void store.receive({ kind: "renewed", from: "other-tab", checkAt: fake.now() + 20_000 });
    fake.advance(59_000);
    await settled();
    expect(fake.calls).toHaveLength(0);
    fake.advance(1_000);
    await settled();
    expect(fake.calls).toHaveLength(1);
    store.stop();
  });

  it("announces the new expiry after each fetch that found a session", async () => {
    const fake = fakeEnvironment();
    const store = new SessionStore("/api/auth", session("Alice", fake.now() + 1_000), fake.env);
    const loaded = store.load();
    await settled();
    fake.calls[0]?.answer(ok(session("Alice", fake.now() + 30_000)));
    await loaded;
    expect(fake.messages).toEqual([{ kind: "renewed", from: store.id, checkAt: fake.now() + 30_000 + EXPIRY_MARGIN_MS }]);
  });

  it("ignores its own announcements and a change to the session it already holds", async () => {
    const fake = fakeEnvironment();
    const alice = session("Alice", fake.now() + DAY);
    const store = new SessionStore("/api/auth", alice, fake.env);
    store.start();
    const mount = fake.messages[0];
    expect(mount).toMatchObject({ kind: "changed", from: store.id });
    if (mount?.kind !== "changed") throw new Error("expected the mount announcement");
    void store.receive(mount);
    void store.receive({ ...mount, from: "other-tab" });
    await settled();
    expect(fake.calls).toHaveLength(0);
    void store.receive({ kind: "changed", from: "other-tab" });
    await settled();
    expect(fake.calls).toHaveLength(1);
    store.stop();
  });
});

/** Tabs sharing one clock and one channel; requests wait until the test answers them. */
function browser(answerFor: (now: number) => Session | null = () => null) {
  let now = Date.parse("2030-01-01T00:00:00.000Z");
  const pending: { answer(value: SessionAnswer): void }[] = [];
  let requests = 0;
  const stores: SessionStore[] = [];
  let timers: { at: number; callback: () => void; cancelled: boolean }[] = [];
  const env: StoreEnvironment = {
    requestSession() {
      requests++;
      return new Promise((resolve) => pending.push({ answer: resolve }));
    },
    // Delivered to the other tabs (asynchronously, like BroadcastChannel).
    announce: (_basePath, message: SessionMessage) => {
      for (const store of stores) if (store.id !== message.from) setTimeout(() => void store.receive(message), 0);
    },
    now: () => now,
    schedule(callback, ms) {
      const timer = { at: now + ms, callback, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
  };
  return {
    openTab(initial: Session | null | undefined) {
      const store = new SessionStore("/api/auth", initial, env);
      stores.push(store);
      return store;
    },
    stores,
    pending,
    requests: () => requests,
    now: () => now,
    /** Moves the clock, running the timers that come due and answering what they ask with `answerFor`. */
    async advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        due.cancelled = true;
        due.callback();
        await settled();
        while (pending.length > 0) {
          pending.shift()?.answer(ok(answerFor(now)));
          await settled();
        }
      }
      now = until;
      timers = timers.filter((t) => !t.cancelled);
    },
  };
}

describe("SessionStore across tabs", () => {
  it("a sign-in announced to N open tabs costs N session requests, not ~2N", async () => {
    const b = browser();
    const N = 5;
    for (let i = 0; i < N; i++) b.openTab(null).start();
    // signIn() in some tab: { kind: "changed" } without a key.
    for (const store of b.stores) void store.receive({ kind: "changed", from: "sign-in" });
    await settled();
    expect(b.requests()).toBe(N);
    // The answers arrive one by one; each tab that got its answer announces "renewed".
    while (b.pending.length > 0) {
      b.pending.shift()?.answer(ok(session("Alice", b.now() + DAY)));
      await settled();
      await settled();
    }
    for (const store of b.stores) store.stop();
    expect(b.stores.every((s) => s.getSnapshot().status === "authenticated")).toBe(true);
    // Every extra request also slides the session; a tab whose own request (sent after the change) is in flight needs no second one.
    expect(b.requests()).toBe(N);
  });

  it("a tab whose request was sent before the change it then hears of still asks again", async () => {
    const b = browser();
    const tab = b.openTab(null);
    const other = b.openTab(null);
    // A focus refetch goes out; then a sign-in elsewhere is announced, then another tab's renewal.
    void tab.load();
    await settled();
    void tab.receive({ kind: "changed", from: "sign-in" });
    void tab.receive({ kind: "renewed", from: other.id, checkAt: b.now() + DAY });
    await settled();
    // The early request answers "signed out": the one queued after the change must follow.
    b.pending.shift()?.answer(ok(null));
    await settled();
    expect(b.requests()).toBe(2);
    b.pending.shift()?.answer(ok(session("Alice", b.now() + DAY)));
    await settled();
    expect(tab.getSnapshot().status).toBe("authenticated");
  });

  it("a live session whose `expires` the app's session callback set in the past does not make a tab poll once a second forever", async () => {
    // e.g. session({ session, token }) { return { ...session, expires: token.accessTokenExpires } } after the access token lapsed.
    const b = browser((now) => session("Alice", now - 60_000));
    const tab = b.openTab(session("Alice", b.now() - 60_000));
    tab.start();
    await b.advance(60_000);
    // At once, then after 1, 2, 4, 8, 16 and 32 s: backing off, not once a second.
    expect(b.requests()).toBe(6);
    await b.advance(3_600_000);
    // Then at most every 5 minutes.
    expect(b.requests()).toBeLessThanOrEqual(6 + 3 + 12);
    expect(tab.getSnapshot().status).toBe("authenticated");
    tab.stop();
  });

  it("the back-off ends with the first answer whose session expires in the future", async () => {
    let expired = true;
    const b = browser((now) => session("Alice", expired ? now - 60_000 : now + 10 * 60_000));
    const start = b.now();
    const tab = b.openTab(session("Alice", start - 60_000));
    tab.start();
    // Checks at once, then after 1, 2 and 4 s; the next is due 8 s after that, at 15 s.
    await b.advance(10_000);
    expect(b.requests()).toBe(4);
    expired = false;
    await b.advance(10_000);
    expect(b.requests()).toBe(5);
    // The check now waits for the expiry the server gave, not for the back-off.
    expect(tab.nextCheckAt()).toBe(start + 15_000 + 10 * 60_000 + EXPIRY_MARGIN_MS);
    tab.stop();
  });
});
