/**
 * What a session shows about the user's provider tokens, kept apart from the refresh code so the
 * session path (and the proxy bundle) does not pull in the OAuth client.
 */
import type { Session } from "../types.js";
import type { ResolvedConfig } from "./config.js";

/**
 * Users whose tokens were seen without a refresh failure, and until when (ms) that answer is
 * trusted, per config. Only the good answer is kept: a failure is asked again on every read, so
 * a new sign-in on another instance clears it at once; a failure found on another instance shows
 * here within `statusTtlMs`. Bounded: the oldest entries go first.
 */
const healthy = new WeakMap<ResolvedConfig, Map<string, number>>();
const HEALTHY_MAX = 10_000;

function healthyUsers(resolved: ResolvedConfig): Map<string, number> {
  let users = healthy.get(resolved);
  if (!users) {
    users = new Map();
    healthy.set(resolved, users);
  }
  return users;
}

/**
 * What a session shows about its provider tokens: `"RefreshTokenError"` when a provider refused
 * to refresh the user's tokens for good (revoked grant), so the app can ask them to sign in
 * again. Costs one store read per OAuth provider and user every `statusTtlMs` per process; a store
 * that fails shows nothing (the session itself is not at stake) and is logged.
 */
export async function providerTokenError(resolved: ResolvedConfig, userId: string): Promise<"RefreshTokenError" | undefined> {
  const settings = resolved.providerTokens;
  if (!settings) return undefined;
  const users = healthyUsers(resolved);
  const until = users.get(userId);
  if (until !== undefined && until > Date.now()) return undefined;
  const providers = resolved.providers.filter((p) => p.type === "oauth" || p.type === "oidc");
  let failed: boolean;
  try {
    const stored = await Promise.all(providers.map((p) => settings.store.get(userId, p.id)));
    failed = stored.some((tokens) => tokens?.error === "RefreshTokenError");
  } catch (error) {
    resolved.logger.error(new Error("latch: the provider-token store could not be read; the session shows no refresh error.", { cause: error }));
    return undefined;
  }
  users.delete(userId);
  if (failed) return "RefreshTokenError";
  if (users.size >= HEALTHY_MAX) {
    const oldest = users.keys().next();
    if (!oldest.done) users.delete(oldest.value);
  }
  users.set(userId, Date.now() + settings.statusTtlMs);
  return undefined;
}

/** Drops the cached good answer for `userId`, so this instance's next read asks the store. */
export function forgetHealthy(resolved: ResolvedConfig, userId: string): void {
  healthy.get(resolved)?.delete(userId);
}

/** Sets `session.error` when the user's provider tokens failed to refresh for good. */
export async function markProviderTokenError(resolved: ResolvedConfig, userId: string | undefined, session: Session): Promise<void> {
  if (!resolved.providerTokens || typeof userId !== "string") return;
  const error = await providerTokenError(resolved, userId);
  if (error) session.error = error;
}
