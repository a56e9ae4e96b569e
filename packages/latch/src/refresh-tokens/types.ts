/**
 * Refresh tokens for clients outside the browser (mobile apps, CLIs): each use rotates the token,
 * and presenting a token that was already used revokes its whole family — the legitimate client
 * and a thief can never both keep going (RFC 9700 §4.14.2). A store keeps token hashes only,
 * never tokens, and does each rotation in one atomic step, so concurrent uses of one token leave
 * exactly one live successor (without a retry window, the others count as reuse).
 *
 * @example
 * ```ts
 * import { RedisRefreshTokenStore } from "latch/refresh-tokens/redis";
 * NextAuth({ providers, bearer: { refreshTokens: { store: RedisRefreshTokenStore(redis) } } });
 * ```
 */
export interface RefreshTokenStore {
  /** Stores a new family and its first token. */
  createFamily(family: RefreshFamily, first: RefreshTokenRecord): Promise<void>;
  /**
   * Uses a refresh token, atomically:
   * - the family's current, unused, unexpired token of a live family → it is marked used,
   *   `next` becomes the current token → `{ status: "rotated", family }`;
   * - a token of a live family that was already used → the family is revoked →
   *   `{ status: "reused", family }`;
   * - anything else (unknown hash, expired token, revoked or expired family) → `{ status: "invalid" }`.
   *
   * With `options.retryWindow` (seconds), a token used at most that long ago (by the store's
   * clock; not in its future) whose successor is still unused and unexpired is a client retrying
   * a request whose answer it never got: the successor is retired (marked used, never the
   * successor of anything, so presenting it later counts as reuse), `next` becomes the current
   * token, and the answer is `{ status: "rotated", family, retried: true }`. The window counts
   * from the token's own use, so retries do not extend it. Concurrent retries of one token leave
   * one live successor; a store may fail closed and count one as a reuse (PostgreSQL, when three
   * or more race). A store written before this option ignores it: every second use is then a
   * reuse.
   */
  rotate(tokenHash: string, next: RefreshTokenRecord, options?: RotateOptions): Promise<RotateResult>;
  /**
   * The family of a token that `rotate` would rotate (current, unused, unexpired, its family
   * live), without using it; null for any other token. Optional: with it, latch checks the
   * session behind the token before it rotates, so a check that fails for a moment (the
   * revocation store, the adapter) leaves the token usable and the client's retry works. Without
   * it, such a failure uses the token up, and the retry counts as a reuse. `options` as for
   * `rotate`: with a `retryWindow`, a token `rotate` would retry peeks as its family too.
   */
  peek?(tokenHash: string, options?: RotateOptions): Promise<RefreshFamily | null>;
  /** Revokes a family: none of its tokens works any more. Unknown ids are ignored. */
  revokeFamily(familyId: string): Promise<void>;
}

/** One refresh token as stored: its SHA-256 (hex), never the token itself. */
export interface RefreshTokenRecord {
  tokenHash: string;
  /** When this token stops working if unused (idle lifetime). */
  expiresAt: Date;
}

/** A chain of refresh tokens begun by one sign-in. */
export interface RefreshFamily {
  /** Random, unique. */
  id: string;
  userId: string;
  /** The session the family belongs to: a JWT session's `sid`, or a hash naming a database session. */
  sid?: string | undefined;
  /** Database sessions: the key the session row is stored under (a hash of its token, never the token), so that reuse can delete the session. */
  sessionToken?: string | undefined;
  /** When the user signed in (seconds), for revocation cut-offs. */
  authTime?: number | undefined;
  /** Claims copied into every bearer token the family yields (name, email, picture, app claims). */
  claims: Record<string, unknown>;
  /** Absolute end of the family: rotation never extends it. */
  expiresAt: Date;
}

/** How `rotate` and `peek` treat a token that was already used. */
export interface RotateOptions {
  /**
   * Seconds after its use during which a token whose successor is still unused may be used
   * again, replacing that successor (a retry after a lost answer). 0 or unset: never.
   */
  retryWindow?: number | undefined;
}

/** What `rotate` found. `retried`: the token had been used, and its unused successor was replaced. */
export type RotateResult = { status: "rotated"; family: RefreshFamily; retried?: true | undefined } | { status: "reused"; family: RefreshFamily } | { status: "invalid" };
