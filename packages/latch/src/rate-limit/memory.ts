import type { RateLimitHit, RateLimitStore } from "./types.js";

/** Options of the in-memory rate-limit store. */
export interface MemoryRateLimitOptions {
  /**
   * The most keys kept at once. Default 10 000. When full, expired windows are dropped first,
   * then windows hit only once, then the oldest ones: memory stays bounded whatever the number of
   * distinct keys, at the price of forgetting some counts under a flood of them.
   */
  maxKeys?: number | undefined;
}

/**
 * Rate limiting in this process's memory: a bounded map from key to its current window. Counts
 * are not shared between processes, instances or restarts, so with more than one instance (or a
 * serverless deployment) each one counts on its own and an attacker gets the limit once per
 * instance: use it for development and single-process servers, and a shared store (Redis,
 * PostgreSQL, SQLite on one machine) anywhere else.
 *
 * @example
 * ```ts
 * import { MemoryRateLimitStore } from "latch/rate-limit/memory";
 * NextAuth({ providers, rateLimit: { store: MemoryRateLimitStore({ maxKeys: 50_000 }) } });
 * ```
 */
export function MemoryRateLimitStore(options: MemoryRateLimitOptions = {}): RateLimitStore {
  const maxKeys = options.maxKeys ?? 10_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new RangeError(`latch: maxKeys must be a positive integer, got ${maxKeys}`);
  // Insertion order is window-start order: a key is moved to the end whenever a new window starts.
  const windows = new Map<string, { count: number; resetAt: number }>();
  // No window ends before this: a sweep before then would find nothing to drop.
  let earliestEnd = Infinity;

  const makeRoom = (now: number): void => {
    if (now >= earliestEnd) {
      earliestEnd = Infinity;
      for (const [key, window] of windows) {
        if (window.resetAt <= now) windows.delete(key);
        else earliestEnd = Math.min(earliestEnd, window.resetAt);
      }
    }
    if (windows.size < maxKeys) return;
    // Single hits go first, a tenth of the store at a time (one pass pays for many inserts): a
    // flood of throw-away keys pushes out its own kind, not a count that has been climbing (the
    // guesses at one account). Only when every key has been hit more than once do the oldest go.
    const target = Math.floor(maxKeys * 0.9);
    for (const [key, window] of windows) {
      if (windows.size <= target) break;
      if (window.count <= 1) windows.delete(key);
    }
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  };

  return {
    async hit(key, windowMs): Promise<RateLimitHit> {
      if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`latch: rate-limit window must be a positive number of milliseconds, got ${windowMs}`);
      const now = Date.now();
      const current = windows.get(key);
      if (current !== undefined && current.resetAt > now) {
        current.count += 1;
        return { count: current.count, resetAt: new Date(current.resetAt) };
      }
      windows.delete(key);
      if (windows.size >= maxKeys) makeRoom(now);
      const resetAt = now + Math.ceil(windowMs);
      windows.set(key, { count: 1, resetAt });
      earliestEnd = Math.min(earliestEnd, resetAt);
      return { count: 1, resetAt: new Date(resetAt) };
    },
    async reset(key) {
      windows.delete(key);
    },
    async undo(key) {
      const current = windows.get(key);
      if (current !== undefined && current.resetAt > Date.now() && current.count > 0) current.count -= 1;
    },
  };
}
