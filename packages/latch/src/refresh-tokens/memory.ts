import { retryWindowMs } from "./retry-window.js";
import type { RefreshFamily, RefreshTokenRecord, RefreshTokenStore, RotateOptions, RotateResult } from "./types.js";

/** Options of the in-memory refresh-token store. */
export interface MemoryRefreshTokenOptions {
  /**
   * The most families kept at once. Default 10 000. When full, families that have ended are
   * dropped first, then the oldest ones: their tokens stop working and their users sign in again.
   */
  maxFamilies?: number | undefined;
}

/**
 * How many used tokens a family remembers for reuse detection: a family rotated more often than
 * this forgets its oldest used tokens, which are then refused as unknown ("invalid") instead of
 * revoking the family. Bounds the memory one busy family can take.
 */
const MAX_USED_PER_FAMILY = 1000;

/**
 * How many successors retries may retire in one family. These are never forgotten (a retired
 * successor must count as reused, however many rotations come after), so their number is
 * bounded instead: a retry beyond it counts as a reuse. A client that loses this many answers,
 * or someone replaying its tokens, has no business going on.
 */
const MAX_RETIRED_PER_FAMILY = 100;

interface StoredFamily {
  /** The family as given, claims serialized: what is handed back is always a fresh copy. */
  family: Omit<RefreshFamily, "claims" | "expiresAt">;
  claims: string;
  expiresAt: number;
  revoked: boolean;
  /** The family's token hashes, oldest first: the used ones, then the current one. */
  tokens: string[];
  /** Successors retries retired, kept apart from `tokens` so that trimming never forgets them. */
  retired: string[];
}

interface StoredToken {
  familyId: string;
  expiresAt: number;
  used: boolean;
  /** When it was used (ms). */
  usedAt?: number | undefined;
  /** The token its use made current; unset on a token that was retired by a retry. */
  successor?: string | undefined;
}

/**
 * Refresh tokens in this process's memory — for tests and development only. Families are lost on
 * restart and are not shared between processes or instances, so a token issued by one instance is
 * unknown to the others: use a shared store (Redis, PostgreSQL, SQLite on one machine) anywhere
 * else. Memory stays bounded: at most `maxFamilies` families, each remembering at most its last
 * 1000 used tokens. This process's clock decides expiry; claims are copied as JSON, as the other
 * stores do.
 *
 * @example
 * ```ts
 * import { MemoryRefreshTokenStore } from "latch/refresh-tokens/memory";
 * NextAuth({ providers, bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } } });
 * ```
 */
export function MemoryRefreshTokenStore(options: MemoryRefreshTokenOptions = {}): RefreshTokenStore {
  const maxFamilies = options.maxFamilies ?? 10_000;
  if (!Number.isSafeInteger(maxFamilies) || maxFamilies < 1) throw new RangeError(`latch: maxFamilies must be a positive integer, got ${maxFamilies}`);
  // Insertion order is creation order: the oldest families come first.
  const families = new Map<string, StoredFamily>();
  const tokens = new Map<string, StoredToken>();
  // No family ends before this: a sweep before then would find nothing to drop.
  let earliestEnd = Infinity;

  const drop = (id: string, stored: StoredFamily): void => {
    for (const hash of [...stored.tokens, ...stored.retired]) tokens.delete(hash);
    families.delete(id);
  };

  const makeRoom = (now: number): void => {
    if (now >= earliestEnd) {
      earliestEnd = Infinity;
      for (const [id, stored] of families) {
        if (stored.expiresAt <= now) drop(id, stored);
        else earliestEnd = Math.min(earliestEnd, stored.expiresAt);
      }
    }
    for (const [id, stored] of families) {
      if (families.size < maxFamilies) break;
      drop(id, stored);
    }
  };

  const copyOf = (stored: StoredFamily): RefreshFamily => ({
    ...stored.family,
    claims: JSON.parse(stored.claims) as Record<string, unknown>,
    expiresAt: new Date(stored.expiresAt),
  });

  return {
    async createFamily(family, first) {
      const expiresAt = timeOf(family.expiresAt, "family expiry");
      const firstExpiresAt = timeOf(first.expiresAt, "token expiry");
      const now = Date.now();
      if (families.has(family.id)) throw new Error("latch: a refresh-token family with this id already exists");
      if (tokens.has(first.tokenHash)) throw new Error("latch: a refresh token with this hash already exists");
      if (families.size >= maxFamilies) makeRoom(now);
      const { id, userId, sid, sessionToken, authTime } = family;
      families.set(id, {
        family: { id, userId, ...(sid === undefined ? {} : { sid }), ...(sessionToken === undefined ? {} : { sessionToken }), ...(authTime === undefined ? {} : { authTime }) },
        claims: JSON.stringify(family.claims),
        expiresAt,
        revoked: false,
        tokens: [first.tokenHash],
        retired: [],
      });
      tokens.set(first.tokenHash, { familyId: id, expiresAt: firstExpiresAt, used: false });
      earliestEnd = Math.min(earliestEnd, expiresAt);
    },

    async rotate(tokenHash, next: RefreshTokenRecord, options?: RotateOptions): Promise<RotateResult> {
      const nextExpiresAt = timeOf(next.expiresAt, "token expiry");
      const now = Date.now();
      const token = tokens.get(tokenHash);
      if (token === undefined) return { status: "invalid" };
      const stored = families.get(token.familyId);
      if (stored === undefined || stored.revoked || stored.expiresAt <= now) return { status: "invalid" };
      let retired: StoredToken | undefined;
      if (token.used) {
        retired = stored.retired.length < MAX_RETIRED_PER_FAMILY ? retriedSuccessor(token, now, options) : undefined;
        if (retired === undefined) {
          stored.revoked = true;
          return { status: "reused", family: copyOf(stored) };
        }
      } else if (token.expiresAt <= now) return { status: "invalid" };
      if (tokens.has(next.tokenHash)) throw new Error("latch: a refresh token with this hash already exists");
      if (retired && token.successor !== undefined) {
        retired.used = true;
        retired.usedAt = now;
        const retiredHash = token.successor;
        stored.tokens = stored.tokens.filter((hash) => hash !== retiredHash);
        stored.retired.push(retiredHash);
      } else {
        token.used = true;
        token.usedAt = now;
      }
      token.successor = next.tokenHash;
      tokens.set(next.tokenHash, { familyId: token.familyId, expiresAt: nextExpiresAt, used: false });
      stored.tokens.push(next.tokenHash);
      // Forget the oldest used tokens beyond the limit (the last entry is the current token).
      while (stored.tokens.length > MAX_USED_PER_FAMILY + 1) {
        const oldest = stored.tokens.shift();
        if (oldest !== undefined) tokens.delete(oldest);
      }
      return retired ? { status: "rotated", family: copyOf(stored), retried: true } : { status: "rotated", family: copyOf(stored) };
    },

    async peek(tokenHash, options) {
      const now = Date.now();
      const token = tokens.get(tokenHash);
      const stored = token && families.get(token.familyId);
      if (!token || !stored || stored.revoked || stored.expiresAt <= now) return null;
      if (token.used ? retriedSuccessor(token, now, options) === undefined : token.expiresAt <= now) return null;
      return copyOf(stored);
    },

    async revokeFamily(familyId) {
      const stored = families.get(familyId);
      if (stored !== undefined) stored.revoked = true;
    },
  };

  /** The unused successor a retry of the used `token` would retire, if it is within the window. */
  function retriedSuccessor(token: StoredToken, now: number, options: RotateOptions | undefined): StoredToken | undefined {
    const window = retryWindowMs(options);
    // A clock stepped back since the use is no retry either: the window has two ends.
    const since = token.usedAt === undefined ? -1 : now - token.usedAt;
    if (window === 0 || token.successor === undefined || since < 0 || since > window) return undefined;
    const successor = tokens.get(token.successor);
    return successor && !successor.used && successor.expiresAt > now ? successor : undefined;
  }
}

/** A date's time in ms, refusing an invalid date (which would otherwise never expire). */
function timeOf(date: Date, what: string): number {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new RangeError(`latch: invalid ${what}`);
  return time;
}
