import { AdapterError } from "../errors.js";
import type { Adapter } from "../adapters/types.js";
import type { RateLimitStore } from "../rate-limit/types.js";
import type { RefreshTokenStore } from "../refresh-tokens/types.js";
import type { ProviderTokenStore } from "../provider-tokens/types.js";
import type { RevocationStore } from "../revocation/types.js";

/** How long latch waits for any store call by default (adapter, revocation, rate-limit, provider-token and refresh-token stores). */
export const DEFAULT_STORE_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AdapterError(`${what} did not answer within ${ms} ms; the request goes on without it.`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Wraps every method of a store so that a hung database cannot hang a request: after `ms` the
 * call rejects with `AdapterError`, and the caller's error handling (no session, cookie kept;
 * error page at sign-in) takes over. The driver's own query is not cancelled — configure its
 * timeouts too.
 */
function limitMethods<T extends object>(target: T, ms: number, label: string): T {
  const limited: Record<string, unknown> = {};
  for (const key of Object.keys(target) as Array<keyof T & string>) {
    const value = target[key];
    if (typeof value !== "function") continue;
    limited[key] = (...args: unknown[]) => withTimeout(Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)), ms, `${label}.${key}`);
  }
  // Class-based adapters keep their methods on the prototype.
  let proto: object | null = Object.getPrototypeOf(target) as object | null;
  while (proto && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === "constructor" || key in limited) continue;
      const value: unknown = (target as Record<string, unknown>)[key];
      if (typeof value !== "function") continue;
      limited[key] = (...args: unknown[]) => withTimeout(Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)), ms, `${label}.${key}`);
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return limited as T;
}

/** The adapter with every call bounded in time (`false` turns the bound off). */
export function limitAdapter(adapter: Adapter | undefined, ms: number | false): Adapter | undefined {
  return adapter && ms !== false ? limitMethods(adapter, ms, "adapter") : adapter;
}

/** The revocation store with every call bounded in time. */
export function limitRevocation(store: RevocationStore | undefined, ms: number | false): RevocationStore | undefined {
  return store && ms !== false ? limitMethods(store, ms, "revocation store") : store;
}

/** The rate-limit store with every call bounded in time. */
export function limitRateLimit(store: RateLimitStore, ms: number | false): RateLimitStore {
  return ms !== false ? limitMethods(store, ms, "rate-limit store") : store;
}

/** The refresh-token store with every call bounded in time. */
export function limitRefreshTokens(store: RefreshTokenStore, ms: number | false): RefreshTokenStore {
  return ms !== false ? limitMethods(store, ms, "refresh-token store") : store;
}

/** The provider-token store with every call bounded in time, releasing a lock included. */
export function limitProviderTokens(store: ProviderTokenStore, ms: number | false): ProviderTokenStore {
  if (ms === false) return store;
  const limited = limitMethods(store, ms, "provider-token store");
  return {
    ...limited,
    async lock(userId, provider, ttlMs) {
      const held = await limited.lock(userId, provider, ttlMs);
      if (!held) return null;
      return { release: () => withTimeout(callOf(() => held.release()), ms, "provider-token store lock.release") };
    },
  };
}

/** The promise `call` returns, or its synchronous throw as a rejection. */
function callOf<T>(call: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
