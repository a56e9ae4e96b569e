/**
 * The refresh lock of provider tokens under a slow provider and a slow store: the lock outlives
 * everything the refresh it guards may wait for (so no other instance presents the same refresh
 * token, which GitHub answers `bad_refresh_token` once it was used), its release never holds up an
 * answer, and an instance waiting for another's refresh waits no longer than `waitMs` in all. The
 * provider is a stand-in GitHub speaking GitHub's protocol (single-use refresh tokens); the store
 * shared by two app instances is Redis. Where time is the point, the tests assert what the provider
 * saw and what each caller got, and bound waits generously.
 */
import { setTimeout as realDelay } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_PROVIDER_TIMEOUT_MS } from "../src/core/oauth/provider-fetch.js";
import { getProviderAccessToken, type AccessTokenResult } from "../src/core/provider-tokens.js";
import { DEFAULT_STORE_TIMEOUT_MS } from "../src/core/time-limit.js";
import { MemoryProviderTokenStore } from "../src/provider-tokens/memory.js";
import { RedisProviderTokenStore } from "../src/provider-tokens/redis.js";
import type { ProviderTokenLock, ProviderTokenStore } from "../src/provider-tokens/types.js";
import type { AuthConfig } from "../src/types.js";
import { requireRedis, type RedisNamespace } from "./helpers/services.js";
import { gitHubAppInstance, rotatingRefreshTokens, startStandInGitHub, type StandInGitHub } from "./helpers/standin-github.js";

const now = () => Math.floor(Date.now() / 1000);
const logger = { error: () => undefined, warn: () => undefined };

let github: StandInGitHub;
let redis: RedisNamespace;
let users = 0;
const newUser = () => `locking-user-${process.pid}-${++users}-${Date.now()}`;

beforeAll(async () => {
  github = await startStandInGitHub();
  redis = await requireRedis();
});

afterAll(async () => {
  await github?.close();
  await redis?.drop();
});

beforeEach(() => {
  github.presented.length = 0;
});

afterEach(() => {
  vi.useRealTimers();
});

/** A store passing every call to `inner`, with `lock` replaced. */
function withLock(inner: ProviderTokenStore, lock: ProviderTokenStore["lock"]): ProviderTokenStore {
  return {
    get: (userId, provider) => inner.get(userId, provider),
    put: (userId, provider, tokens, expected, options) => inner.put(userId, provider, tokens, expected, options),
    delete: (userId, provider) => inner.delete(userId, provider),
    lock,
  };
}

/** A store that records the lifetime of every lock asked of it. */
function recordingLocks(inner: ProviderTokenStore): { store: ProviderTokenStore; ttls: number[] } {
  const ttls: number[] = [];
  return { ttls, store: withLock(inner, (userId, provider, ttlMs) => (ttls.push(ttlMs), inner.lock(userId, provider, ttlMs))) };
}

/** Two app instances on one store, and a user whose access token has expired (or expires in `validFor` s). */
async function twoInstances(store: ProviderTokenStore, refreshToken: string, extra: Partial<AuthConfig> = {}, validFor = -10) {
  const a = gitHubAppInstance(github, store, { logger, ...extra });
  const b = gitHubAppInstance(github, store, { logger, ...extra });
  const user = newUser();
  await store.put(user, "github", { accessToken: "ghu-current", refreshToken, expiresAt: now() + validFor, tokenType: "bearer" }, null);
  return {
    user,
    fromA: () => getProviderAccessToken(a.resolved, a.settings, a.provider, user),
    fromB: () => getProviderAccessToken(b.resolved, b.settings, b.provider, user),
  };
}

/** Resolves once the stand-in GitHub has been presented `count` refresh tokens. */
const presentedCount = (count: number) => vi.waitFor(() => expect(github.presented).toHaveLength(count), { timeout: 5_000, interval: 20 });

/** The answer, or a rejection saying the call hung (the bound is generous: a hang never ends). */
async function answerWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const hung = realDelay(ms).then(() => Promise.reject(new Error(`${what} did not answer within ${ms} ms`)));
  return Promise.race([promise, hung]);
}

describe("the refresh lock outlives the refresh", () => {
  it("keeps another instance from presenting the same refresh token while GitHub takes 10.5 s to answer (providerTimeout 15 s)", async () => {
    // The lock once lasted a fixed 10 s: the waiting instance took the expired lock and presented
    // the refresh token GitHub had just used, which GitHub answers bad_refresh_token.
    github.onRefresh = rotatingRefreshTokens({ delayMs: 10_500 });
    const store = RedisProviderTokenStore(redis.client, { prefix: `${redis.prefix}slow:` });
    const { fromA, fromB } = await twoInstances(store, "ghr-slow", { providerTimeout: 15_000 });

    const first = fromA();
    await presentedCount(1);
    expect(await fromB(), "B waits its 5 s, then answers that the token is being refreshed elsewhere").toEqual({ error: "RefreshUnavailable" });
    expect(await first).toMatchObject({ accessToken: "ghu-from-ghr-slow" });
    expect(await fromB(), "B now reads what A wrote").toMatchObject({ accessToken: "ghu-from-ghr-slow" });
    expect(github.presented, "refresh tokens GitHub saw").toEqual(["ghr-slow"]);
  }, 30_000);

  it.each([
    { settings: "the default timeouts", extra: {}, storeMs: DEFAULT_STORE_TIMEOUT_MS, providerMs: DEFAULT_PROVIDER_TIMEOUT_MS },
    { settings: "providerTimeout 15 s", extra: { providerTimeout: 15_000 }, storeMs: DEFAULT_STORE_TIMEOUT_MS, providerMs: 15_000 },
    { settings: "storeTimeout 0.5 s and providerTimeout 20 s", extra: { storeTimeout: 500, providerTimeout: 20_000 }, storeMs: 500, providerMs: 20_000 },
  ])("with $settings, takes a lock longer than the lock call, a store read, discovery, the grant and a store write may take", async ({ extra, storeMs, providerMs }) => {
    github.onRefresh = rotatingRefreshTokens();
    const { store, ttls } = recordingLocks(MemoryProviderTokenStore());
    const { fromA } = await twoInstances(store, "ghr-ttl", extra);
    expect(await fromA()).toMatchObject({ accessToken: "ghu-from-ghr-ttl" });
    expect(ttls).toHaveLength(1);
    expect(ttls[0]).toBeGreaterThan(3 * storeMs + 2 * providerMs);
  });

  it("with providerTimeout: false, abandons a refresh GitHub never answers before its lock expires", async () => {
    github.onRefresh = () => "hang";
    const { store, ttls } = recordingLocks(MemoryProviderTokenStore());
    // Fake timers from before the call, so that the refresh's deadline is one of them.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { fromA } = await twoInstances(store, "ghr-never", { providerTimeout: false });
    let answer: AccessTokenResult | undefined;
    void fromA().then((result) => (answer = result));
    for (let waited = 0; github.presented.length === 0 && waited < 5_000; waited += 20) await realDelay(20);
    expect(github.presented).toEqual(["ghr-never"]);
    let elapsed = 0;
    while (answer === undefined && elapsed < 10 * 60_000) {
      await vi.advanceTimersByTimeAsync(1_000);
      elapsed += 1_000;
    }
    expect(answer, "the answer once the refresh gave up").toEqual({ error: "RefreshUnavailable" });
    expect(ttls).toHaveLength(1);
    expect(elapsed, "ms until the refresh gave up, against the lock's lifetime").toBeLessThan(ttls[0] ?? 0);
  });
});

describe("releasing the refresh lock", () => {
  it("holds up neither the answer nor later calls for the user when the store's answer to the release never comes", async () => {
    // The store releases the lock, but its answer never comes back (a connection that stalls
    // after sending the command).
    github.onRefresh = rotatingRefreshTokens();
    const inner = MemoryProviderTokenStore();
    const store = withLock(inner, async (userId, provider, ttlMs) => {
      const held = await inner.lock(userId, provider, ttlMs);
      if (!held) return null;
      const stalled: ProviderTokenLock = {
        release: () => {
          void held.release();
          return new Promise<void>(() => undefined);
        },
      };
      return stalled;
    });
    const { user, fromA } = await twoInstances(store, "ghr-stall");
    expect(await answerWithin(fromA(), 10_000, "the first call")).toMatchObject({ accessToken: "ghu-from-ghr-stall" });
    // New tokens, expired again: the next call refreshes, and must not join the first one's flight.
    await inner.put(user, "github", { accessToken: "ghu-again", refreshToken: "ghr-again", expiresAt: now() - 10, tokenType: "bearer" }, null, { force: true });
    expect(await answerWithin(fromA(), 10_000, "a later call")).toMatchObject({ accessToken: "ghu-from-ghr-again" });
    expect(github.presented).toEqual(["ghr-stall", "ghr-again"]);
  }, 30_000);
});

describe("waiting for another instance's refresh", () => {
  it("answers the still-valid token without asking GitHub again when the other instance gives up without writing", async () => {
    // GitHub does not answer; A gives up after providerTimeout (3.5 s) and answers its still-valid
    // token. B, waiting for A, once slept out all of waitMs and then asked GitHub itself.
    github.onRefresh = () => "hang";
    const store = RedisProviderTokenStore(redis.client, { prefix: `${redis.prefix}gave-up:` });
    // Valid for 30 more seconds: inside the 60 s refresh margin.
    const { fromA, fromB } = await twoInstances(store, "ghr-hang", {}, 30);
    const first = fromA();
    await presentedCount(1);
    const started = Date.now();
    const second = await fromB();
    const waited = Date.now() - started;
    expect(second).toMatchObject({ accessToken: "ghu-current" });
    expect(await first).toMatchObject({ accessToken: "ghu-current" });
    expect(github.presented, "refresh tokens GitHub saw").toEqual(["ghr-hang"]);
    expect(waited, "ms B waited: at most waitMs (5 s), with 2 s to spare for a loaded machine").toBeLessThan(7_000);
  }, 30_000);
});
