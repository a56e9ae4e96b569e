/**
 * A JWT session's absolute lifetime (`session.absoluteMaxAge`): how long it may last from its
 * sign-in (`auth_time`), however often it is used. `session.maxAge` is the idle lifetime, moved
 * forward at every renewal; this one never moves. The engine, the lean proxy and bearer tokens
 * all end a session here, so none of them renews one past its end.
 */
import type { SessionOptions } from "../../types.js";

/**
 * `session.absoluteMaxAge` checked: seconds, or `undefined` when unset.
 *
 * @throws TypeError when it is set but not a positive, finite number of seconds.
 * @example
 * ```ts
 * absoluteMaxAgeOf({ absoluteMaxAge: 12 * 60 * 60 }); // 43200
 * ```
 */
export function absoluteMaxAgeOf(session: SessionOptions | undefined): number | undefined {
  const value: unknown = session?.absoluteMaxAge;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`latch: session.absoluteMaxAge must be a positive number of seconds, not ${typeof value === "number" ? String(value) : (JSON.stringify(value) ?? typeof value)}.`);
  }
  return value;
}

/**
 * When a session began, in seconds: its `auth_time`. A token without one (next-auth wrote it, or
 * a custom codec) counts from when it was last issued (`iat`): never later, since a later start
 * would let it outlive a revocation cut-off the store applies by sign-in time.
 *
 * @example
 * ```ts
 * sessionStart({ iat: 1767225600 }); // 1767225600
 * ```
 */
export function sessionStart(token: { auth_time?: unknown; iat?: unknown }, nowSeconds: number = Math.floor(Date.now() / 1000)): number {
  if (typeof token.auth_time === "number") return token.auth_time;
  return typeof token.iat === "number" && Number.isFinite(token.iat) ? Math.min(token.iat, nowSeconds) : nowSeconds;
}

/**
 * When a session that began at `authTime` must end (seconds since the epoch); `undefined`
 * without an absolute lifetime or a numeric sign-in time.
 *
 * @example
 * ```ts
 * sessionEnd(token.auth_time, resolved.absoluteMaxAge); // e.g. 1767225600
 * ```
 */
export function sessionEnd(authTime: unknown, absoluteMaxAge: number | undefined): number | undefined {
  return absoluteMaxAge !== undefined && typeof authTime === "number" ? authTime + absoluteMaxAge : undefined;
}

/**
 * Seconds a token or cookie written now may live: `maxAge`, cut at the session's `end`.
 *
 * @example
 * ```ts
 * lifetimeUntil(2592000, sessionEnd(token.auth_time, absoluteMaxAge)); // ≤ 30 days
 * ```
 */
export function lifetimeUntil(maxAge: number, end: number | undefined, nowSeconds: number = Date.now() / 1000): number {
  return end === undefined ? maxAge : Math.max(0, Math.min(maxAge, end - nowSeconds));
}
