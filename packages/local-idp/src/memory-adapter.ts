import type { Adapter, AdapterFactory, AdapterPayload } from "oidc-provider";

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds; Infinity when oidc-provider gave no lifetime. */
  expiresAt: number;
}

/**
 * An oidc-provider storage adapter that keeps everything in Maps owned by one
 * IdP. oidc-provider's own quick-start adapter shares one size-capped store
 * across every Provider in the process (and warns on each start); tests start
 * many IdPs and must not see each other's codes, sessions or grants.
 *
 * @example
 * new Provider(issuer, { adapter: createMemoryAdapter(), ... });
 */
export function createMemoryAdapter(): AdapterFactory {
  const entries = new Map<string, Entry>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();

  function live(key: string | undefined): AdapterPayload | undefined {
    if (key === undefined) return undefined;
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  return (model: string): Adapter => {
    const keyFor = (id: string): string => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyFor(id);
        entries.set(key, { payload: structuredClone(payload), expiresAt: expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000 });
        if (typeof payload.uid === "string") byUid.set(payload.uid, key);
        if (typeof payload.userCode === "string") byUserCode.set(payload.userCode, key);
        if (typeof payload.grantId === "string") {
          const members = byGrant.get(payload.grantId) ?? new Set<string>();
          members.add(key);
          byGrant.set(payload.grantId, members);
        }
      },
      async find(id) {
        return live(keyFor(id));
      },
      async findByUid(uid) {
        return live(byUid.get(uid));
      },
      async findByUserCode(userCode) {
        return live(byUserCode.get(userCode));
      },
      async consume(id) {
        const payload = live(keyFor(id));
        // oidc-provider detects reuse of a code or rotated refresh token by this timestamp.
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(keyFor(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
        byGrant.delete(grantId);
      },
    };
  };
}
