/**
 * Provider access tokens that refresh themselves — once, everywhere. The tokens a provider issued
 * at sign-in live in a `ProviderTokenStore` on the server, never in the session cookie. Asking for
 * an access token near its expiry refreshes it with the refresh token; concurrent callers in one
 * process share one refresh, and across instances a lock in the store, outliving everything the
 * refresh may wait for, lets one instance refresh while the others wait and read what it wrote. A rotated refresh token is written with
 * compare-and-set, so two refreshes can never both persist (the provider would see the loser's
 * reuse of a rotated token and revoke the grant).
 */
import { emitAudit } from "./audit.js";
import type { ProviderTokenLock, ProviderTokenStore, ProviderTokens, StoredProviderTokens } from "../provider-tokens/types.js";
import type { TokenSet } from "../types.js";
import type { ResolvedConfig } from "./config.js";
import { requestRefresh, tokensOf } from "./provider-token-grant.js";
import { forgetHealthy } from "./provider-token-status.js";
import type { InternalOAuthProvider } from "./providers.js";

/** Provider-token settings after defaults. */
export interface ResolvedProviderTokens {
  store: ProviderTokenStore;
  /** Refresh when fewer than this many seconds are left. */
  refreshMargin: number;
  /**
   * The shortest refresh lock (ms); it expires on its own if the holder dies. A refresh takes a
   * longer one when the store and provider timeouts let it run longer (refreshTiming).
   */
  lockTtlMs: number;
  /** How long a caller waits in all for another instance's refresh before giving up (ms). */
  waitMs: number;
  /** How long a session read trusts a "no refresh failure" answer (ms), per user and process. */
  statusTtlMs: number;
}

/** What `getAccessToken` answers. */
export type AccessTokenResult =
  | { accessToken: string; expiresAt: number | undefined; tokenType: string | undefined; scope: string | undefined }
  | { error: AccessTokenError };

/**
 * - `NoSession`: nobody is signed in.
 * - `NoTokens`: the user has no tokens from this provider (signed in with another one).
 * - `RefreshTokenError`: the refresh was refused for good (revoked grant): sign in again.
 * - `RefreshUnavailable`: the provider or the store did not answer; try again later.
 */
export type AccessTokenError = "NoSession" | "NoTokens" | "RefreshTokenError" | "RefreshUnavailable";

/** Keeps the tokens a sign-in yielded (replacing any older ones, and any earlier refresh error). */
export async function saveSignInTokens(settings: ResolvedProviderTokens, userId: string, providerId: string, tokens: TokenSet | Record<string, unknown>): Promise<void> {
  const stored = tokensOf(tokens);
  if (stored) await settings.store.put(userId, providerId, stored, null, { force: true });
}

function result(tokens: ProviderTokens): AccessTokenResult {
  if (tokens.error) return { error: tokens.error };
  return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, tokenType: tokens.tokenType, scope: tokens.scope };
}

function fresh(tokens: ProviderTokens, margin: number): boolean {
  return tokens.expiresAt === undefined || tokens.expiresAt - margin > Date.now() / 1000;
}

function stillValid(tokens: ProviderTokens): boolean {
  return tokens.expiresAt === undefined || tokens.expiresAt > Date.now() / 1000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a refresh allows a step whose timeout is off (`false`): a store call or a provider request (ms). */
const UNBOUNDED_STEP_MS = 30_000;
/** How much longer a lock lasts than the refresh it guards (ms): event-loop delays, a late store write. */
const LOCK_MARGIN_MS = 2_000;
/** The longest delay setTimeout keeps. */
const MAX_TIMER_MS = 2_147_483_647;

const stepMs = (timeout: number | false): number => (typeof timeout === "number" && Number.isFinite(timeout) && timeout > 0 ? timeout : UNBOUNDED_STEP_MS);

/**
 * How long a refresh may take while it holds the lock, and how long the lock lasts. Holding it, a
 * refresh reads the store, asks the provider at most twice (discovery when not cached, then the
 * grant) and writes the store: each waits at most its timeout, one that is off counting as
 * UNBOUNDED_STEP_MS, and one deadline over all of them enforces the sum. The lock lasts longer
 * still (the lock call's own answer may come a store timeout after the store took it), so no
 * other instance can take it and present the same refresh token while this refresh may use it.
 */
function refreshTiming(resolved: ResolvedConfig, settings: ResolvedProviderTokens): { deadlineMs: number; lockTtlMs: number } {
  const store = stepMs(resolved.storeTimeout);
  const provider = stepMs(resolved.providerTimeout);
  const deadlineMs = Math.min(2 * store + 2 * provider, MAX_TIMER_MS);
  return { deadlineMs, lockTtlMs: Math.max(settings.lockTtlMs, store + deadlineMs + LOCK_MARGIN_MS) };
}

/** One deadline over everything a refresh does while it holds the lock. */
interface Deadline {
  /** Aborts when the deadline passes: cancels the grant request. */
  signal: AbortSignal;
  /** `promise`, or a rejection as soon as the deadline passes (the work itself may go on). */
  within<T>(promise: Promise<T>): Promise<T>;
  clear(): void;
}

function startDeadline(ms: number, what: string): Deadline {
  const controller = new AbortController();
  const passedError = new Error(`latch: ${what} took longer than ${ms} ms and was abandoned, before its lock could expire.`);
  const passed = new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(passedError), { once: true }));
  passed.catch(() => undefined);
  const timer = setTimeout(() => controller.abort(passedError), ms);
  return { signal: controller.signal, within: (promise) => Promise.race([promise, passed]), clear: () => clearTimeout(timer) };
}

/** How often a caller waiting for another instance's refresh looks at the store (ms). */
const POLL_MS = 100;

/** What waiting for another instance's refresh came to. */
type Waited =
  /** The holder wrote new tokens (or the tokens were deleted: null). */
  | { kind: "written"; tokens: StoredProviderTokens | null }
  /** The holder let go of the lock without writing, and the lock is now the waiter's. */
  | { kind: "free"; lock: ProviderTokenLock }
  /** Neither happened within `waitMs`: the latest read. */
  | { kind: "timeout"; tokens: StoredProviderTokens };

/**
 * Waits up to `waitMs` in all for the holder of the lock: for the tokens it writes, or for the
 * lock to come free when it gives up without writing. The wait ends on time unless a store call
 * is slow (each is bounded by the store timeout).
 */
async function awaitOtherRefresh(settings: ResolvedProviderTokens, userId: string, providerId: string, seen: StoredProviderTokens, lockTtlMs: number): Promise<Waited> {
  const until = Date.now() + settings.waitMs;
  let latest = seen;
  while (Date.now() < until) {
    await sleep(Math.min(POLL_MS, until - Date.now()));
    const read = await settings.store.get(userId, providerId);
    if (!read || read.version !== seen.version) return { kind: "written", tokens: read };
    latest = read;
    const lock = await settings.store.lock(userId, providerId, lockTtlMs);
    if (lock) return { kind: "free", lock };
  }
  return { kind: "timeout", tokens: latest };
}

/** Lets the lock go without holding up the answer: a lock that is not released expires by itself. */
function releaseLock(resolved: ResolvedConfig, providerId: string, lock: ProviderTokenLock): void {
  Promise.resolve()
    .then(() => lock.release())
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      resolved.logger.warn(`provider-token-lock-release: the refresh lock of "${providerId}" was not released (${reason}); it expires by itself.`);
    });
}

async function refreshOnce(
  settings: ResolvedProviderTokens,
  provider: InternalOAuthProvider,
  userId: string,
  seen: StoredProviderTokens,
  resolved: ResolvedConfig,
): Promise<AccessTokenResult> {
  const timing = refreshTiming(resolved, settings);
  let lock = await settings.store.lock(userId, provider.id, timing.lockTtlMs);
  let otherGaveUp = false;
  if (!lock) {
    // Another instance refreshes: wait for what it writes, or for it to give up.
    const waited = await awaitOtherRefresh(settings, userId, provider.id, seen, timing.lockTtlMs);
    if (waited.kind === "written") return waited.tokens ? result(waited.tokens) : { error: "NoTokens" };
    if (waited.kind === "timeout") return stillValid(waited.tokens) ? result(waited.tokens) : { error: "RefreshUnavailable" };
    lock = waited.lock;
    otherGaveUp = true;
  }
  try {
    return await refreshHoldingLock(settings, provider, userId, resolved, timing.deadlineMs, otherGaveUp);
  } finally {
    releaseLock(resolved, provider.id, lock);
  }
}

async function refreshHoldingLock(
  settings: ResolvedProviderTokens,
  provider: InternalOAuthProvider,
  userId: string,
  resolved: ResolvedConfig,
  deadlineMs: number,
  otherGaveUp: boolean,
): Promise<AccessTokenResult> {
  const { store } = settings;
  const logError = (error: Error): void => resolved.logger.error(error);
  const deadline = startDeadline(deadlineMs, `refreshing the "${provider.id}" access token`);
  try {
    // Someone may have refreshed between our read and the lock.
    const current = await deadline.within(store.get(userId, provider.id));
    if (!current) return { error: "NoTokens" };
    if (current.error || fresh(current, settings.refreshMargin)) return result(current);
    // Another instance has just asked the provider in vain: asking again now would fail the same way.
    if (otherGaveUp && stillValid(current)) return result(current);
    if (!current.refreshToken) return stillValid(current) ? result(current) : { error: "RefreshTokenError" };
    let next: ProviderTokens | null;
    try {
      next = await deadline.within(requestRefresh(provider, current, current.refreshToken, resolved.providerTimeout, deadline.signal));
    } catch (error) {
      logError(new Error(`latch: refreshing the "${provider.id}" access token failed; the provider did not answer usably.`, { cause: error }));
      return stillValid(current) ? result(current) : { error: "RefreshUnavailable" };
    }
    if (!next) {
      // The refresh token is dead: nothing left for the lock to guard.
      await store.put(userId, provider.id, { ...current, error: "RefreshTokenError" }, current.version).catch((error: unknown) => {
        logError(new Error(`latch: the "${provider.id}" provider refused the refresh token for good, and the provider-token store did not record it.`, { cause: error }));
      });
      await emitAudit(resolved, { type: "token-refresh-failed", kind: "provider", userId, provider: provider.id, error: "RefreshTokenError" });
      return { error: "RefreshTokenError" };
    }
    let written: number | null;
    try {
      written = await deadline.within(store.put(userId, provider.id, next, current.version));
    } catch (error) {
      // The provider has rotated the refresh token: the one still stored may be dead.
      logError(
        new Error(
          `latch: the "${provider.id}" provider issued new tokens for user ${userId}, but writing them to the provider-token store failed. This answer carries the new access token; unless the write landed after all, the store still holds the previous refresh token, which a provider that rotates refresh tokens refuses at the next refresh (the user then signs in again).`,
          { cause: error },
        ),
      );
      return result(next);
    }
    if (written === null) {
      // Another writer won: this refresh token is spent either way, the lock guards nothing more.
      const winner = await store.get(userId, provider.id);
      return winner ? result(winner) : { error: "NoTokens" };
    }
    await emitAudit(resolved, { type: "token-refreshed", kind: "provider", userId, provider: provider.id });
    return result(next);
  } finally {
    deadline.clear();
  }
}

// In-process single flight: concurrent callers for one user and provider share one refresh.
const inFlight = new WeakMap<ResolvedConfig, Map<string, Promise<AccessTokenResult>>>();

/**
 * A valid access token of `userId` at `provider`, refreshed when near expiry. Never throws for
 * a store or provider failure: the answer says what went wrong. A provider that is down or slow
 * costs at most `providerTimeout` per request: the answer is then the still-valid token, or
 * `RefreshUnavailable`, and the next call tries again.
 */
export async function getProviderAccessToken(resolved: ResolvedConfig, settings: ResolvedProviderTokens, provider: InternalOAuthProvider, userId: string): Promise<AccessTokenResult> {
  let stored: StoredProviderTokens | null;
  try {
    stored = await settings.store.get(userId, provider.id);
  } catch (error) {
    resolved.logger.error(new Error("latch: the provider-token store could not be read.", { cause: error }));
    return { error: "RefreshUnavailable" };
  }
  if (!stored) return { error: "NoTokens" };
  if (stored.error || fresh(stored, settings.refreshMargin)) return result(stored);
  let flights = inFlight.get(resolved);
  if (!flights) {
    flights = new Map();
    inFlight.set(resolved, flights);
  }
  const key = `${provider.id}\0${userId}`;
  let flight = flights.get(key);
  if (!flight) {
    const seen = stored;
    flight = refreshOnce(settings, provider, userId, seen, resolved)
      .catch((error: unknown): AccessTokenResult => {
        resolved.logger.error(new Error("latch: refreshing a provider access token failed.", { cause: error }));
        return { error: "RefreshUnavailable" };
      })
      .then((answer) => {
        // This instance's sessions show the failure at once, not after the status cache expires.
        if ("error" in answer && answer.error === "RefreshTokenError") forgetHealthy(resolved, userId);
        return answer;
      })
      .finally(() => flights.delete(key));
    flights.set(key, flight);
  }
  return flight;
}
