/**
 * The data set every store of the database-session benchmark holds: the same users and session
 * tokens, derived from their index so that any reader can pick "a random existing token" without
 * keeping a million strings around. PostgreSQL computes the same values in SQL (see postgres.ts).
 */
import { createHash } from "node:crypto";

/** Session rows (or keys) per store. */
export const SESSIONS = 1_000_000;
/** Users, each with SESSIONS / USERS sessions. */
export const USERS = 100_000;
/** The PostgreSQL schema the benchmark creates and drops; nothing outside it is touched. */
export const SCHEMA = "latch_bench";
/** The Redis key prefix the benchmark writes and deletes; nothing outside it is touched. */
export const PREFIX = "latch_bench:";
/** Held (PostgreSQL advisory lock, Redis key) while a run owns the schema or the prefix. */
export const LOCK_NAME = "latch_bench";
export const REDIS_LOCK_KEY = `${PREFIX}lock`;

export const POSTGRES_URL = process.env["LATCH_BENCH_POSTGRES_URL"] ?? process.env["LATCH_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env["LATCH_BENCH_REDIS_URL"] ?? process.env["LATCH_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";

/** Sessions expire between ~18 and 30 days after the load (as PostgreSQL computes them too). */
const SESSION_DAYS_SECONDS = 30 * 24 * 3600;

/**
 * The token of session `i` (1 ≤ i ≤ SESSIONS): 64 hex characters like latch's default
 * `randomHex(32)`. In SQL: `encode(sha256(convert_to('latch-bench:' || i, 'UTF8')), 'hex')`.
 */
export function sessionToken(i: number): string {
  return createHash("sha256").update(`latch-bench:${i}`).digest("hex");
}

/** The user (1 ≤ n ≤ USERS) session `i` belongs to. In SQL: `(i % USERS) + 1`. */
export function userOf(i: number): number {
  return (i % USERS) + 1;
}

/** When session `i` expires, for a load that started at `loadedAt` (ms). */
export function expiresOf(i: number, loadedAt: number): number {
  return loadedAt + (SESSION_DAYS_SECONDS - (i % SESSION_DAYS_SECONDS)) * 1000;
}

/** A stable UUID-shaped id for stores with text ids (SQLite, Redis), as `crypto.randomUUID()` gives. */
export function uuidOf(kind: string, n: number): string {
  const hex = createHash("sha256").update(`latch-bench:${kind}:${n}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The profile of user `n`; a third have an unverified email. */
export function userProfile(n: number, loadedAt: number): { name: string; email: string; emailVerified: number | null; image: string } {
  return {
    name: `Bench User ${n}`,
    email: `user${n}@bench.example`,
    emailVerified: n % 3 === 0 ? null : loadedAt - n * 60_000,
    image: `https://avatars.example.com/u/${n}`,
  };
}

/** The indices of the sessions of user `n`, ascending. */
export function sessionsOf(n: number): number[] {
  const first = n === 1 ? USERS : n - 1;
  const found: number[] = [];
  for (let i = first; i <= SESSIONS; i += USERS) found.push(i);
  return found;
}

/** The message of an error, with its cause's when there is one (node-postgres and node-redis nest them). */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describeError).join("; ");
  if (error instanceof Error) {
    const own = error.message || ("code" in error ? String(error.code) : error.name);
    return error.cause === undefined ? own : `${own} (${describeError(error.cause)})`;
  }
  return String(error);
}
