/**
 * A rate-limit store counts attempts in fixed windows, shared by every instance that uses it:
 * credentials sign-in counts attempts per account and per client address here, email sign-in the
 * links it sends, and passkey sign-in remembers the challenges already used.
 *
 * Counting is increment-then-compare: `hit` adds one and returns the new count in a single
 * atomic step, so parallel attempts can never all slip under the limit.
 *
 * @example
 * ```ts
 * import { RedisRateLimitStore } from "latch/rate-limit/redis";
 * NextAuth({ providers, rateLimit: { store: RedisRateLimitStore(redis) } });
 * ```
 */
export interface RateLimitStore {
  /**
   * Counts one attempt on `key`. The window starts at the first attempt and lasts `windowMs`;
   * once it has passed, the next hit starts a new window at 1. Returns the count including this
   * hit and when the current window ends.
   */
  hit(key: string, windowMs: number): Promise<RateLimitHit>;
  /** Forgets `key`. */
  reset(key: string): Promise<void>;
  /**
   * Takes one attempt back from `key`'s current window, never below zero: a successful sign-in
   * takes back its own attempt, so only failures count, and no one else's are cleared. Optional:
   * without it, successful sign-ins count too.
   */
  undo?(key: string): Promise<void>;
}

/** The state of a key after a hit. */
export interface RateLimitHit {
  /** Attempts in the current window, this one included. */
  count: number;
  /** When the current window ends. */
  resetAt: Date;
}
