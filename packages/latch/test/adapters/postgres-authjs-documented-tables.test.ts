/**
 * PostgresAdapter on the tables @auth/pg-adapter's documentation describes: no foreign keys, no
 * UNIQUE constraints. `migratePostgres` must add the unique keys the adapter relies on, and
 * `deleteUser` must not rely on cascades.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, PostgresAdapter } from "../../src/adapters/postgres.js";
import type { Adapter } from "../../src/adapters/types.js";
import { runAdapterConformance } from "../adapter-conformance.js";
import { AUTHJS_PG_DOCUMENTED_SCHEMA } from "../fixtures/authjs-pg-documented-schema.js";
import { requirePostgres, type PostgresNamespace } from "../helpers/services.js";

const DAY = 24 * 3600 * 1000;

runAdapterConformance("PostgresAdapter on @auth/pg-adapter's documented tables", async () => {
  const ns = await requirePostgres();
  await ns.pool.query(AUTHJS_PG_DOCUMENTED_SCHEMA);
  await migratePostgres(ns.pool);
  return {
    adapter: PostgresAdapter(ns.pool),
    reset: async () => void (await ns.pool.query("TRUNCATE users, accounts, sessions, verification_token, authenticators RESTART IDENTITY")),
    close: () => ns.drop(),
  };
});

describe("migratePostgres on @auth/pg-adapter's documented tables", () => {
  let ns: PostgresNamespace | undefined;
  beforeAll(async () => {
    ns = await requirePostgres();
    await ns.pool.query(AUTHJS_PG_DOCUMENTED_SCHEMA);
    await migratePostgres(ns.pool);
  });
  afterAll(async () => ns?.drop());

  const count = async (sql: string, params: unknown[]) => Number((await ns!.pool.query<{ n: string }>(sql, params)).rows[0]?.n);

  it("deleteUser deletes the user's sessions, accounts and authenticators (no cascades here)", async () => {
    const adapter = PostgresAdapter(ns!.pool) as Required<Adapter>;
    const user = await adapter.createUser({ id: "", email: `del-${randomUUID()}@example.test`, emailVerified: null });
    await adapter.createSession({ sessionToken: `h1.${randomUUID()}`, userId: user.id, expires: new Date(Date.now() + DAY) });
    await adapter.linkAccount({ userId: user.id, type: "oidc", provider: "example", providerAccountId: randomUUID() });
    await adapter.createAuthenticator({ credentialID: randomUUID(), userId: user.id, providerAccountId: "p", credentialPublicKey: "pk", counter: 0, credentialBackedUp: false, credentialDeviceType: "singleDevice" });
    expect(await adapter.deleteUser(user.id)).toEqual(user);
    for (const table of ["sessions", "accounts", "authenticators"]) {
      expect(await count(`SELECT count(*) AS n FROM ${table} WHERE "userId" = $1`, [Number(user.id)]), table).toBe(0);
    }
  });

  it("createUser with an email already in use rejects", async () => {
    const adapter = PostgresAdapter(ns!.pool) as Required<Adapter>;
    const email = `dup-${randomUUID()}@example.test`;
    await adapter.createUser({ id: "", email, emailVerified: null });
    await expect(Promise.resolve(adapter.createUser({ id: "", email, emailVerified: null }))).rejects.toThrow();
  });

  it("adds each unique key once: again on a migrated database, and not beside the constraints of latch's own tables", async () => {
    const uniqueIndexes = async (schema: string) =>
      (await ns!.pool.query<{ name: string }>("SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND indexdef LIKE 'CREATE UNIQUE%' ORDER BY 1", [schema])).rows.map((row) => row.name);
    const expected = ["accounts_pkey", "accounts_provider_providerAccountId_key", "authenticators_credentialID_key", "authenticators_pkey", "latch_migrations_pkey", "sessions_pkey", "sessions_sessionToken_key", "users_email_key", "users_pkey", "verification_token_pkey"];
    await migratePostgres(ns!.pool);
    expect(await uniqueIndexes(ns!.schema)).toEqual(expected);
    const own = await requirePostgres();
    try {
      await migratePostgres(own.pool);
      expect(await uniqueIndexes(own.schema)).toEqual(expected);
    } finally {
      await own.drop();
    }
  });

  it("deleteUser works on Auth.js's four tables alone, before authenticators exist", async () => {
    const four = await requirePostgres();
    try {
      await four.pool.query(AUTHJS_PG_DOCUMENTED_SCHEMA);
      const adapter = PostgresAdapter(four.pool) as Required<Adapter>;
      const user = await adapter.createUser({ id: "", email: "four@example.test", emailVerified: null });
      await adapter.createSession({ sessionToken: "four-session", userId: user.id, expires: new Date(Date.now() + DAY) });
      expect(await adapter.deleteUser(user.id)).toEqual(user);
      expect(await adapter.getSessionAndUser("four-session")).toBeNull();
      expect(Number((await four.pool.query<{ n: string }>("SELECT count(*) AS n FROM sessions")).rows[0]?.n)).toBe(0);
    } finally {
      await four.drop();
    }
  });
});

describe("migratePostgres on documented tables that already hold duplicates", () => {
  let ns: PostgresNamespace | undefined;
  beforeAll(async () => {
    ns = await requirePostgres();
    await ns.pool.query(AUTHJS_PG_DOCUMENTED_SCHEMA);
  });
  afterAll(async () => ns?.drop());

  it("fails naming the duplicated values, and changes nothing", async () => {
    await ns!.pool.query(`INSERT INTO users (email) VALUES ('twice@example.test'), ('twice@example.test'), ('once@example.test')`);
    await expect(migratePostgres(ns!.pool)).rejects.toThrow(/users holds rows that share their email: "twice@example.test" \(2 rows\)\. .*merge or delete the duplicate rows/);
    expect((await ns!.pool.query("SELECT to_regclass('authenticators') AS t")).rows).toEqual([{ t: null }]);

    await ns!.pool.query(`DELETE FROM users WHERE id = 2`);
    await ns!.pool.query(`INSERT INTO sessions ("userId", expires, "sessionToken") VALUES (1, now(), 'h1.same'), (1, now(), 'h1.same')`);
    const failure = await migratePostgres(ns!.pool).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Session tokens are counted, never shown: next-auth's rows hold the cookie's token itself.
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/sessions holds rows that share their sessionToken: 1 duplicated value\(s\), not shown\./);
    expect((failure as Error).message).not.toContain("h1.same");

    await ns!.pool.query(`DELETE FROM sessions WHERE id = 2`);
    await migratePostgres(ns!.pool);
  });
});
