/**
 * Replacements of one address's app-made code take turns in a READ COMMITTED transaction of
 * their own, whatever the server's default isolation: under REPEATABLE READ the snapshot would be
 * taken before the advisory lock is granted, and every concurrent code would stay live.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, PostgresAdapter } from "../src/adapters/postgres.js";
import { postgresUrl, requirePostgres, type PostgresNamespace } from "./helpers/services.js";

let ns: PostgresNamespace;
let rrPool: pg.Pool;

beforeAll(async () => {
  ns = await requirePostgres();
  await migratePostgres(ns.pool);
  rrPool = new pg.Pool({ connectionString: postgresUrl(), options: `-c search_path=${ns.schema} -c default_transaction_isolation=repeatable\\ read`, max: 10 });
});
afterAll(async () => {
  await rrPool?.end();
  await ns?.drop();
});

describe("PostgreSQL replaceVerificationToken under the server's isolation level", () => {
  it("concurrent replacements leave one live code also when the pool's default isolation is REPEATABLE READ", async () => {
    const check = await rrPool.query<{ level: string }>("SELECT current_setting('default_transaction_isolation') AS level");
    expect(check.rows[0]!.level).toBe("repeatable read");
    const adapter = PostgresAdapter(rrPool);
    const identifier = "rr-victim@example.com";
    const expires = new Date(Date.now() + 600_000);
    const results = await Promise.allSettled(Array.from({ length: 6 }, async (_, i) => adapter.replaceVerificationToken!({ identifier, token: `code-hash-${i}`, expires })));
    // Every send succeeds…
    expect(results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => String(r.reason))).toEqual([]);
    // …and exactly one code is live (as under READ COMMITTED).
    const { rows } = await ns.pool.query<{ n: string }>("SELECT count(*) AS n FROM verification_token WHERE identifier = $1", [identifier]);
    expect(Number(rows[0]!.n)).toBe(1);
  });
});
