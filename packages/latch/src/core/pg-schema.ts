import type { Pool } from "pg";

/** Two sessions creating the same table (or adding the same column) at once: one of them fails with a duplicate catalog entry. */
function isConcurrentCreate(error: unknown): boolean {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
  return code === "23505" || code === "42P07" || code === "42701";
}

/**
 * Creates a store's tables on first use, once per store: concurrent callers share one attempt, a
 * race with another instance creating them at the same moment is retried once, and a failure
 * (database down) is forgotten so the next call tries again.
 */
export function lazySchema(client: Pick<Pool, "query">, sql: string): () => Promise<unknown> {
  let ready: Promise<unknown> | undefined;
  return () => {
    ready ??= client
      .query(sql)
      .catch((error: unknown) => {
        if (isConcurrentCreate(error)) return client.query(sql);
        throw error;
      })
      .catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
    return ready;
  };
}
