import type { Pool } from "pg";

const codeOf = (error: unknown): unknown => (typeof error === "object" && error !== null && "code" in error ? error.code : undefined);

/** Two sessions creating the same table (or adding the same column) at once: one of them fails with a duplicate catalog entry. */
function isConcurrentCreate(error: unknown): boolean {
  const code = codeOf(error);
  return code === "23505" || code === "42P07" || code === "42701";
}

/** The role may not create tables or alter them (PostgreSQL's insufficient_privilege). */
const isNotAllowed = (error: unknown): boolean => codeOf(error) === "42501";

const NOT_COLUMNS = new Set(["PRIMARY", "CONSTRAINT", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE"]);

/**
 * The tables a schema script creates and the columns it gives them (`CREATE TABLE IF NOT EXISTS`
 * bodies, and `ALTER TABLE … ADD COLUMN IF NOT EXISTS`), as statements that read none of their
 * rows: they fail unless every table and column is there.
 */
export function schemaProbe(sql: string): string {
  const tables = new Map<string, Set<string>>();
  for (const match of sql.matchAll(/CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*?)\n\)/g)) {
    const [, table = "", body = ""] = match;
    const columns = body
      .split("\n")
      .map((line) => /^\s*(\w+)\s/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined && !NOT_COLUMNS.has(name));
    tables.set(table, new Set(columns));
  }
  for (const [, table = "", column = ""] of sql.matchAll(/ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+)/g)) tables.get(table)?.add(column);
  return [...tables].map(([table, columns]) => `SELECT ${[...columns].join(", ")} FROM ${table} LIMIT 0`).join(";\n") || "SELECT 1";
}

/**
 * Creates a store's tables on first use, once per store: concurrent callers share one attempt, a
 * race with another instance creating them at the same moment is retried once, and a failure
 * (database down) is forgotten so the next call tries again. A role that may not create tables
 * (the tables applied by migrations, as docs/sessions-and-adapters.md says) goes on when every
 * table and column the script makes is already there, and otherwise gets an error that names
 * the script to apply.
 */
export function lazySchema(client: Pick<Pool, "query">, sql: string, name: string): () => Promise<unknown> {
  let ready: Promise<unknown> | undefined;
  const applied = async (denied: unknown): Promise<unknown> => {
    try {
      return await client.query(schemaProbe(sql));
    } catch (error) {
      if (isNotAllowed(error)) {
        throw new Error(
          `latch: the database role may not use latch's tables (${error instanceof Error ? error.message : String(error)}). Grant it SELECT, INSERT, UPDATE and DELETE on the tables ${name} creates.`,
          { cause: error },
        );
      }
      throw new Error(
        `latch: the database role may not create or alter latch's tables (${denied instanceof Error ? denied.message : String(denied)}), and they are missing or out of date (${error instanceof Error ? error.message : String(error)}). Apply ${name} (exported by its store's module) with a role that may.`,
        { cause: error },
      );
    }
  };
  return () => {
    ready ??= client
      .query(sql)
      .catch((error: unknown) => {
        if (isConcurrentCreate(error)) return client.query(sql);
        throw error;
      })
      .catch((error: unknown) => {
        if (isNotAllowed(error)) return applied(error);
        throw error;
      })
      .catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
    return ready;
  };
}
