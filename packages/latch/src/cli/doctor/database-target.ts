import { isAbsolute, resolve } from "node:path";
import type { EnvMap } from "./types.js";

/**
 * The database whose schema doctor checks. `explicit` when named by --database: then problems are
 * errors; a database found through the environment may belong to another adapter, so some are
 * only warnings.
 */
export type DatabaseTarget =
  | { kind: "sqlite"; file: string; shown: string; explicit: boolean; from: string }
  | { kind: "postgres"; url: string; shown: string; explicit: boolean; from: string };

/** A connection URL with its password replaced, fit to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "(an invalid URL)";
  }
}

function sqlite(path: string, dir: string, explicit: boolean, from: string): DatabaseTarget {
  return { kind: "sqlite", file: isAbsolute(path) ? path : resolve(dir, path), shown: path, explicit, from };
}

function fromSpec(spec: string, dir: string, explicit: boolean, from: string): DatabaseTarget | string {
  if (/^postgres(ql)?:\/\//.test(spec)) return { kind: "postgres", url: spec, shown: redactUrl(spec), explicit, from };
  const prefixed = /^(sqlite|file):(.+)$/.exec(spec);
  if (prefixed?.[2]) return sqlite(prefixed[2].replace(/^\/\/(?=\/)/, ""), dir, explicit, from);
  if (/\.(db|sqlite|sqlite3)$/i.test(spec)) return sqlite(spec, dir, explicit, from);
  return `${from} is neither sqlite:<file> nor a postgres:// URL.`;
}

/**
 * Picks the database to check: `--database` (`sqlite:<file>`, `postgres://…`), else
 * LATCH_DB_FILE (a SQLite file, as the example app uses), else DATABASE_URL. A string is a usage
 * problem to report; `undefined` means there is nothing to check.
 *
 * @example
 * ```ts
 * resolveDatabaseTarget("sqlite:.data/latch.db", {}, "/app"); // { kind: "sqlite", file: "/app/.data/latch.db", … }
 * ```
 */
export function resolveDatabaseTarget(option: string | undefined, env: EnvMap, dir: string): DatabaseTarget | string | undefined {
  if (option !== undefined) return fromSpec(option, dir, true, "--database");
  if (env.LATCH_DB_FILE) return sqlite(env.LATCH_DB_FILE, dir, false, "LATCH_DB_FILE");
  if (env.DATABASE_URL) {
    const target = fromSpec(env.DATABASE_URL, dir, false, "DATABASE_URL");
    // Some other database (MySQL, a Prisma proxy URL): not latch's business.
    return typeof target === "string" ? undefined : target;
  }
  return undefined;
}
