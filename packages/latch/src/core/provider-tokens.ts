/**
 * Provider access tokens that refresh themselves — once, everywhere. The tokens a provider issued
 * at sign-in live in a `ProviderTokenStore` on the server, never in the session cookie. Asking for
 * an access token near its expiry refreshes it with the refresh token; concurrent callers in one
 * process share one refresh, and across instances a short lock in the store lets one instance
 * refresh while the others wait and read what it wrote. A rotated refresh token is written with
 * compare-and-set, so two refreshes can never both persist (the provider would see the loser's
 * reuse of a rotated token and revoke the grant).
 */
import { emitAudit } from "./audit.js";
import * as oauth from "oauth4webapi";
import type { ProviderTokenStore, ProviderTokens, StoredProviderTokens } from "../provider-tokens/types.js";
import type { TokenSet } from "../types.js";
import type { ResolvedConfig } from "./config.js";
import { forgetHealthy } from "./provider-token-status.js";
import { clientAuthOf, clientOf, getAuthorizationServer, httpOptions } from "./oauth/server.js";
import type { InternalOAuthProvider } from "./providers.js";

/** Provider-token settings after defaults. */
export interface ResolvedProviderTokens {
  store: ProviderTokenStore;
  /** Refresh when fewer than this many seconds are left. */
  refreshMargin: number;
  /** How long a refresh may hold the lock (ms); it expires on its own if the holder dies. */
  lockTtlMs: number;
  /** How long a caller waits for another instance's refresh before giving up (ms). */
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

/** The tokens of a sign-in, as stored. */
export function tokensOf(tokens: TokenSet | Record<string, unknown>): ProviderTokens | null {
  const accessToken = tokens.access_token;
  if (typeof accessToken !== "string" || accessToken === "") return null;
  const out: ProviderTokens = { accessToken };
  if (typeof tokens.refresh_token === "string" && tokens.refresh_token !== "") out.refreshToken = tokens.refresh_token;
  if (typeof tokens.expires_at === "number") out.expiresAt = tokens.expires_at;
  else if (typeof tokens.expires_in === "number") out.expiresAt = Math.floor(Date.now() / 1000) + tokens.expires_in;
  if (typeof tokens.scope === "string") out.scope = tokens.scope;
  if (typeof tokens.token_type === "string") out.tokenType = tokens.token_type;
  return out;
}

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

/**
 * Asks the provider for new tokens; `null` when it refused the refresh token for good. Each
 * request (discovery when not cached, then the grant) waits at most `timeout` ms.
 */
async function requestRefresh(provider: InternalOAuthProvider, refreshToken: string, timeout: number | false): Promise<ProviderTokens | null> {
  const as = await getAuthorizationServer(provider, timeout);
  const client = clientOf(provider);
  const response = await oauth.refreshTokenGrantRequest(as, client, clientAuthOf(provider), refreshToken, httpOptions(provider, as.token_endpoint, timeout));
  let answer: oauth.TokenEndpointResponse;
  try {
    answer = await oauth.processRefreshTokenResponse(as, client, response);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError && (error.error === "invalid_grant" || error.error === "unauthorized_client")) return null;
    throw error;
  }
  const next = tokensOf({ ...answer });
  if (!next) throw new Error("The provider's refresh answer has no access token.");
  // A provider that does not rotate keeps the refresh token it had.
  next.refreshToken ??= refreshToken;
  return next;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for the holder of the lock to write fresher tokens; the latest read when the wait runs out. */
async function awaitOtherRefresh(settings: ResolvedProviderTokens, userId: string, providerId: string, seen: StoredProviderTokens): Promise<StoredProviderTokens | null> {
  const deadline = Date.now() + settings.waitMs;
  let latest: StoredProviderTokens | null = seen;
  while (Date.now() < deadline) {
    await sleep(50);
    latest = await settings.store.get(userId, providerId);
    if (!latest || latest.version !== seen.version) return latest;
  }
  return latest;
}

async function refreshOnce(
  settings: ResolvedProviderTokens,
  provider: InternalOAuthProvider,
  userId: string,
  seen: StoredProviderTokens,
  resolved: ResolvedConfig,
): Promise<AccessTokenResult> {
  const { store } = settings;
  const timeout = resolved.providerTimeout;
  const logError = (error: Error): void => resolved.logger.error(error);
  for (let attempt = 0; attempt < 3; attempt++) {
    const lock = await store.lock(userId, provider.id, settings.lockTtlMs);
    if (!lock) {
      // Another instance refreshes: wait for what it writes.
      const after = await awaitOtherRefresh(settings, userId, provider.id, seen);
      if (!after) return { error: "NoTokens" };
      if (after.version !== seen.version) return result(after);
      continue;
    }
    try {
      // Someone may have refreshed between our read and the lock.
      const current = await store.get(userId, provider.id);
      if (!current) return { error: "NoTokens" };
      if (current.error || fresh(current, settings.refreshMargin)) return result(current);
      if (!current.refreshToken) return stillValid(current) ? result(current) : { error: "RefreshTokenError" };
      let next: ProviderTokens | null;
      try {
        next = await requestRefresh(provider, current.refreshToken, timeout);
      } catch (error) {
        logError(new Error(`latch: refreshing the "${provider.id}" access token failed; the provider did not answer usably.`, { cause: error }));
        return stillValid(current) ? result(current) : { error: "RefreshUnavailable" };
      }
      if (!next) {
        await store.put(userId, provider.id, { ...current, error: "RefreshTokenError" }, current.version);
        await emitAudit(resolved, { type: "token-refresh-failed", kind: "provider", userId, provider: provider.id, error: "RefreshTokenError" });
        return { error: "RefreshTokenError" };
      }
      const written = await store.put(userId, provider.id, next, current.version);
      if (written === null) {
        const winner = await store.get(userId, provider.id);
        return winner ? result(winner) : { error: "NoTokens" };
      }
      await emitAudit(resolved, { type: "token-refreshed", kind: "provider", userId, provider: provider.id });
      return result(next);
    } finally {
      await lock.release().catch(() => undefined);
    }
  }
  return { error: "RefreshUnavailable" };
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
