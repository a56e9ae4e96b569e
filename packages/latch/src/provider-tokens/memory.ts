import type { ProviderTokenLock, ProviderTokens, ProviderTokenStore, StoredProviderTokens } from "./types.js";
import { checkPut, checkTtl } from "../core/provider-token-rows.js";

interface HeldLock {
  /** Who holds it: the lock object handed out, so only that object can release it. */
  holder: ProviderTokenLock;
  expiresAt: number;
}

/**
 * Provider tokens in this process's memory — for tests and development only. Tokens are lost on
 * restart and are not shared between processes or instances, and neither are the refresh locks:
 * two instances would each refresh on their own (and a provider that rotates refresh tokens would
 * then revoke the grant). Use a shared store (Redis, PostgreSQL, SQLite on one machine) anywhere
 * else. A record stays until it is deleted or overwritten; a lock ends when released or when its
 * time is up, by this process's clock. Tokens are copied in and out, as the other stores do.
 *
 * @example
 * ```ts
 * import { MemoryProviderTokenStore } from "latch/provider-tokens/memory";
 * NextAuth({ providers: [Google], providerTokens: { store: MemoryProviderTokenStore() } });
 * ```
 */
export function MemoryProviderTokenStore(): ProviderTokenStore {
  // JSON of [userId, provider]: no separator a user id or provider id could contain.
  const keyOf = (userId: string, provider: string) => JSON.stringify([userId, provider]);
  const records = new Map<string, StoredProviderTokens>();
  const locks = new Map<string, HeldLock>();

  return {
    async get(userId, provider) {
      const stored = records.get(keyOf(userId, provider));
      return stored === undefined ? null : { ...stored };
    },

    async put(userId, provider, tokens, expectedVersion, options = {}) {
      checkPut(tokens, expectedVersion);
      const key = keyOf(userId, provider);
      const current = records.get(key);
      if (options.force !== true && (current?.version ?? null) !== expectedVersion) return null;
      const version = (current?.version ?? 0) + 1;
      records.set(key, { ...copyOf(tokens), version });
      return version;
    },

    async delete(userId, provider) {
      records.delete(keyOf(userId, provider));
    },

    async lock(userId, provider, ttlMs) {
      checkTtl(ttlMs);
      const key = keyOf(userId, provider);
      const now = Date.now();
      const held = locks.get(key);
      if (held !== undefined && held.expiresAt > now) return null;
      const lock: ProviderTokenLock = {
        async release() {
          if (locks.get(key)?.holder === lock) locks.delete(key);
        },
      };
      locks.set(key, { holder: lock, expiresAt: now + Math.ceil(ttlMs) });
      return lock;
    },
  };
}

/** The tokens with only the fields that are set. */
function copyOf(tokens: ProviderTokens): ProviderTokens {
  const copy: ProviderTokens = { accessToken: tokens.accessToken };
  if (tokens.refreshToken !== undefined) copy.refreshToken = tokens.refreshToken;
  if (tokens.expiresAt !== undefined) copy.expiresAt = tokens.expiresAt;
  if (tokens.scope !== undefined) copy.scope = tokens.scope;
  if (tokens.tokenType !== undefined) copy.tokenType = tokens.tokenType;
  if (tokens.error !== undefined) copy.error = tokens.error;
  return copy;
}
