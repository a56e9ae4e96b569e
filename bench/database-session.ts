/**
 * Latency of reading a database session — `adapter.getSessionAndUser(token)`, the one query (or
 * round trip) behind an auth() call with `session: { strategy: "database" }` — on SQLite,
 * PostgreSQL and Redis, each holding 1,000,000 sessions of 100,000 users, with latch's JWT session
 * decode alongside for comparison. Reads are sequential (one at a time, as one auth() call makes
 * them) for random existing tokens, timed one by one with process.hrtime.bigint(), in rounds that
 * rotate the order so drift hits every store alike.
 *
 * The stores are loaded fresh at every run (bulk SQL and pipelines, well under a minute) and
 * removed at the end: the SQLite temp dir, the PostgreSQL schema `latch_bench`, the Redis keys
 * under `latch_bench:` — also when the run fails or is interrupted (database-session/exit.ts).
 * A store that cannot be reached gets `{ error }` in the report and the others go on. The whole
 * run stays under ~2.5 minutes. `npm run bench` (bench/index.ts) runs it with the other
 * benchmarks; run alone (`node --import tsx bench/database-session.ts`) it prints its own JSON.
 */
import { randomInt } from "node:crypto";
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { createSessionCodec } from "../packages/latch/src/jwt.js";
import type { JWT } from "../packages/latch/src/types.js";
import { describeError, SESSIONS, sessionToken, USERS, userOf, userProfile, uuidOf } from "./database-session/dataset.js";
import { openPostgres, openRedis, openSQLite, type Store } from "./database-session/stores.js";
import { round, summary, type Summary } from "./stats.js";

const WARMUP_READS = 2_000;
const READS_PER_ROUND = 4_000;
const ROUNDS = 5;
const MIN_ROUNDS = 3;
/** Past this (from the start, loads included), no round starts after the first MIN_ROUNDS. */
const DEADLINE_MS = 100_000;
/** The target for PostgreSQL. */
const TARGET_P99_MS = 2;
/** Distinct JWTs the decode comparison cycles through. */
const JWT_TOKENS = 512;

type StoreName = "sqlite" | "postgres" | "redis";
type TargetName = StoreName | "jwtDecode";

/** Something to read: the input for session `i`, the read itself, and whether it got session `i` back. */
interface Target {
  input(i: number): string;
  read(input: string): Promise<unknown>;
  check(i: number, input: string, result: unknown): boolean;
}

/** Latency figures of one target, in milliseconds; reads per second. */
export interface ReadFigures {
  reads: number;
  /** Per round, then the median and range over rounds. */
  readsPerSec: Summary;
  latencyMs: { p50: Summary; p99: Summary; max: Summary };
  /** Over every measured read of every round, pooled. */
  allReadsMs: { p50: number; p99: number; max: number; mean: number };
  /** Reads that did not return the session asked for (should be 0). */
  wrongResults: number;
}

/** A store that was loaded and measured, or why it was not. */
export type StoreReport =
  | (ReadFigures & { loadMs: number; tables: Record<string, unknown>; server: Record<string, unknown> })
  | { error: string; loadMs?: number; tables?: Record<string, unknown> };

/** What `benchDatabaseSession` measured, and how. */
export interface DatabaseSessionReport {
  sqlite: StoreReport;
  postgres: StoreReport & { targetP99Ms: number; meetsTarget?: boolean };
  redis: StoreReport;
  jwtDecode: (ReadFigures & { tokenLength: number }) | { error: string };
  setup: {
    sessions: number;
    users: number;
    reads: string;
    timer: string;
    warmupReads: number;
    readsPerRound: number;
    rounds: number;
    dataReuse: string;
    loading: string;
    /** The machine's 1-minute load average before and after the reads: other work skews the figures. */
    loadAverageBefore: number;
    loadAverageAfter: number;
  };
  /** Removing the stores' data at the end. */
  cleanupMs: number;
  durationMs: number;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

interface RoundSample {
  latencies: Float64Array;
  readsPerSec: number;
  wrong: number;
}

/** `count` sequential reads of random existing sessions; the inputs are made before the clock starts. */
async function readRound(target: Target, count: number): Promise<RoundSample> {
  const indices = Array.from({ length: count }, () => randomInt(1, SESSIONS + 1));
  const inputs = indices.map((i) => target.input(i));
  const latencies = new Float64Array(count);
  let wrong = 0;
  const began = process.hrtime.bigint();
  for (let k = 0; k < count; k++) {
    const input = inputs[k] as string;
    const start = process.hrtime.bigint();
    const result = await target.read(input);
    latencies[k] = Number(process.hrtime.bigint() - start) / 1e6;
    if (!target.check(indices[k] as number, input, result)) wrong++;
  }
  const wallMs = Number(process.hrtime.bigint() - began) / 1e6;
  return { latencies, readsPerSec: (count / wallMs) * 1000, wrong };
}

function figures(samples: RoundSample[]): ReadFigures {
  const perRound = samples.map((sample) => {
    const sorted = Float64Array.from(sample.latencies).sort();
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0 };
  });
  const all = new Float64Array(samples.reduce((n, sample) => n + sample.latencies.length, 0));
  let offset = 0;
  for (const sample of samples) {
    all.set(sample.latencies, offset);
    offset += sample.latencies.length;
  }
  all.sort();
  const mean = all.reduce((sum, value) => sum + value, 0) / Math.max(1, all.length);
  return {
    reads: all.length,
    readsPerSec: summary(samples.map((sample) => sample.readsPerSec)),
    latencyMs: {
      p50: summary(perRound.map((r) => r.p50), 3),
      p99: summary(perRound.map((r) => r.p99), 3),
      max: summary(perRound.map((r) => r.max), 3),
    },
    allReadsMs: { p50: round(percentile(all, 0.5), 3), p99: round(percentile(all, 0.99), 3), max: round(all[all.length - 1] ?? 0, 3), mean: round(mean, 3) },
    wrongResults: samples.reduce((n, sample) => n + sample.wrong, 0),
  };
}

/** Reading through a store's adapter: right when the session and its user are the ones loaded for `i`. */
function storeTarget(store: Store): Target {
  return {
    input: sessionToken,
    read: async (token) => store.adapter.getSessionAndUser(token),
    check(i, token, result) {
      const found = result as Awaited<ReturnType<Store["adapter"]["getSessionAndUser"]>>;
      return found !== null && found.session.sessionToken === token && found.user.id === store.userIdOf(i) && found.session.expires.getTime() > Date.now();
    },
  };
}

/** latch's JWT session decode over JWT_TOKENS tokens of the same users, for comparison. */
async function jwtTarget(loadedAt: number): Promise<{ target: Target; tokenLength: number }> {
  const codec = createSessionCodec("bench-secret-bench-secret-bench-secret-0123", "authjs.session-token");
  const tokens: { token: string; sub: string }[] = [];
  for (let k = 0; k < JWT_TOKENS; k++) {
    const n = userOf(randomInt(1, SESSIONS + 1));
    const profile = userProfile(n, loadedAt);
    const payload: JWT = { sub: uuidOf("user", n), name: profile.name, email: profile.email, picture: profile.image };
    tokens.push({ token: await codec.encode(payload, 30 * 24 * 3600), sub: payload.sub as string });
  }
  const at = (i: number) => tokens[i % JWT_TOKENS] as { token: string; sub: string };
  return {
    target: {
      input: (i) => at(i).token,
      read: (token) => codec.decode(token),
      check: (i, _token, result) => (result as JWT | null)?.sub === at(i).sub,
    },
    tokenLength: at(0).token.length,
  };
}

/** Fails unless a known token gives its session and user and an unknown one gives null. */
async function sanityCheck(name: string, store: Store): Promise<void> {
  const target = storeTarget(store);
  for (const i of [1, USERS, SESSIONS, randomInt(1, SESSIONS + 1)]) {
    const token = sessionToken(i);
    if (!target.check(i, token, await target.read(token))) throw new Error(`${name}: getSessionAndUser did not return session ${i} and its user as loaded; not benchmarking`);
  }
  if ((await store.adapter.getSessionAndUser(sessionToken(0))) !== null) throw new Error(`${name}: getSessionAndUser found a session for a token never loaded; not benchmarking`);
}

/**
 * Loads the three stores, reads sessions from each (and decodes JWTs) in rotating rounds, and
 * removes every store's data, even on failure.
 *
 * @example
 * ```ts
 * const { postgres } = await benchDatabaseSession();
 * ```
 */
export async function benchDatabaseSession(): Promise<DatabaseSessionReport> {
  const began = performance.now();
  const loadedAt = Date.now();
  const stores = new Map<StoreName, Store>();
  const errors = new Map<TargetName, string>();
  const samples = new Map<TargetName, RoundSample[]>();
  const targets = new Map<TargetName, Target>();
  const openers: Record<StoreName, (loadedAt: number) => Promise<Store>> = { sqlite: openSQLite, postgres: openPostgres, redis: openRedis };
  let jwtTokenLength = 0;
  let loadAverageBefore: number;
  let rounds = 0;
  let cleanupMs: number;
  let loadAverageAfter: number;
  try {
    const attempt = async (name: StoreName): Promise<void> => {
      process.stderr.write(`bench: database-session: loading ${name} (${SESSIONS} sessions, ${USERS} users)\n`);
      try {
        const store = await openers[name](loadedAt);
        stores.set(name, store);
        process.stderr.write(`bench: database-session: ${name} loaded in ${(store.loadMs / 1000).toFixed(1)} s\n`);
        await sanityCheck(name, store);
        targets.set(name, storeTarget(store));
      } catch (error) {
        errors.set(name, describeError(error));
        process.stderr.write(`bench: database-session: ${name}: ${describeError(error)}\n`);
        await stores.get(name)?.close().catch(() => undefined);
        stores.delete(name);
      }
    };
    // PostgreSQL loads in its own server process while this one feeds Redis; SQLite's load runs
    // in this thread and would stall both, so it comes after.
    await Promise.all([attempt("postgres"), attempt("redis")]);
    await attempt("sqlite");
    try {
      const jwt = await jwtTarget(loadedAt);
      targets.set("jwtDecode", jwt.target);
      jwtTokenLength = jwt.tokenLength;
    } catch (error) {
      errors.set("jwtDecode", describeError(error));
    }

    const names = [...targets.keys()];
    for (const name of names) samples.set(name, []);
    const fail = (name: TargetName, error: unknown): void => {
      errors.set(name, `reads failed: ${describeError(error)}`);
      targets.delete(name);
    };
    process.stderr.write(`bench: database-session: warming up, then up to ${ROUNDS} rounds of ${READS_PER_ROUND} reads per store\n`);
    loadAverageBefore = round(loadavg()[0] ?? 0, 2);
    for (const name of names) {
      const target = targets.get(name);
      if (target) await readRound(target, WARMUP_READS).catch((error: unknown) => fail(name, error));
    }
    for (let r = 0; r < ROUNDS && (r < MIN_ROUNDS || performance.now() - began < DEADLINE_MS); r++) {
      // Rotate the order every round so no store always runs right after the same other one.
      for (let j = 0; j < names.length; j++) {
        const name = names[(r + j) % names.length] as TargetName;
        const target = targets.get(name);
        if (!target) continue;
        try {
          samples.get(name)?.push(await readRound(target, READS_PER_ROUND));
        } catch (error) {
          fail(name, error);
        }
      }
      rounds++;
    }
    loadAverageAfter = round(loadavg()[0] ?? 0, 2);
  } finally {
    const removing = performance.now();
    process.stderr.write(`bench: database-session: removing the data of ${[...stores.keys()].join(", ") || "no store"}\n`);
    await Promise.all(
      [...stores].map(([name, store]) =>
        store.close().catch((error: unknown) => {
          process.stderr.write(`bench: database-session: ${name}: cleanup failed: ${describeError(error)}\n`);
        }),
      ),
    );
    cleanupMs = Math.round(performance.now() - removing);
  }

  const storeReport = (name: StoreName): StoreReport => {
    const store = stores.get(name);
    const error = errors.get(name);
    if (error !== undefined || !store) return { error: error ?? "not measured", ...(store ? { loadMs: store.loadMs, tables: store.tables } : {}) };
    return { ...figures(samples.get(name) ?? []), loadMs: store.loadMs, tables: store.tables, server: store.server };
  };
  const postgres = storeReport("postgres");
  const jwtError = errors.get("jwtDecode");
  return {
    sqlite: storeReport("sqlite"),
    postgres: "error" in postgres ? { ...postgres, targetP99Ms: TARGET_P99_MS } : { ...postgres, targetP99Ms: TARGET_P99_MS, meetsTarget: postgres.allReadsMs.p99 < TARGET_P99_MS },
    redis: storeReport("redis"),
    jwtDecode: jwtError !== undefined ? { error: jwtError } : { ...figures(samples.get("jwtDecode") ?? []), tokenLength: jwtTokenLength },
    setup: {
      sessions: SESSIONS,
      users: USERS,
      reads: "sequential, one getSessionAndUser(token) awaited at a time, for tokens drawn uniformly from all loaded sessions; each result checked",
      timer: "process.hrtime.bigint() around each awaited call; meetsTarget compares allReadsMs.p99 (every measured read pooled) with targetP99Ms",
      warmupReads: WARMUP_READS,
      readsPerRound: READS_PER_ROUND,
      rounds,
      dataReuse: "none: every run loads the stores afresh and removes them at the end",
      loading: "PostgreSQL and Redis concurrently, then SQLite; loadMs is each store's own wall time",
      loadAverageBefore,
      loadAverageAfter,
    },
    cleanupMs,
    durationMs: Math.round(performance.now() - began),
  };
}

/**
 * A short table of the figures, for people (stderr); the JSON is the record.
 *
 * @example
 * ```ts
 * process.stderr.write(formatDatabaseSessionTable(report));
 * ```
 */
export function formatDatabaseSessionTable(report: DatabaseSessionReport): string {
  const rows = (["sqlite", "postgres", "redis", "jwtDecode"] as const).map((key) => {
    const entry = report[key];
    if ("error" in entry) return `${key.padEnd(9)} error: ${entry.error}`;
    const { allReadsMs: all, readsPerSec: rps } = entry;
    const target = key === "postgres" && "meetsTarget" in report.postgres ? `  (target p99 < ${report.postgres.targetP99Ms} ms: ${report.postgres.meetsTarget ? "met" : "NOT met"})` : "";
    return `${key.padEnd(9)} p50 ${all.p50.toFixed(3)} ms  p99 ${all.p99.toFixed(3)} ms  max ${all.max.toFixed(3)} ms  ${String(rps.median).padStart(6)} reads/s (${rps.min}–${rps.max})${target}`;
  });
  return `database session reads, sequential, ${report.setup.sessions} sessions of ${report.setup.users} users, ${report.setup.rounds} rounds of ${report.setup.readsPerRound}:\n${rows.join("\n")}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await benchDatabaseSession();
  process.stderr.write(formatDatabaseSessionTable(report));
  process.stdout.write(`${JSON.stringify({ node: process.version, databaseSession: report }, null, 2)}\n`);
}
