/**
 * The PostgreSQL stores under a role that may read and write latch's tables but not create or
 * alter them: the tables were applied by the app's migrations, as docs/sessions-and-adapters.md
 * says to do. The stores must then work, and when a table or column is missing they must say
 * which schema to apply instead of failing every call with "permission denied".
 */
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresProviderTokenStore, postgresProviderTokenSchema } from "../src/provider-tokens/postgres.js";
import { PostgresRateLimitStore, postgresRateLimitSchema } from "../src/rate-limit/postgres.js";
import { PostgresRefreshTokenStore, postgresRefreshTokenSchema } from "../src/refresh-tokens/postgres.js";
import { PostgresRevocationStore, postgresRevocationSchema } from "../src/revocation/postgres.js";
import { postgresUrl, requirePostgres, type PostgresNamespace } from "./helpers/services.js";

const role = `latch_app_${randomBytes(4).toString("hex")}`;
let migrated: PostgresNamespace | undefined;
let empty: PostgresNamespace | undefined;
let outdated: PostgresNamespace | undefined;
const pools: pg.Pool[] = [];

/** A pool that logs in as the app's role, with `schema` as its search_path. */
function appPool(schema: string): pg.Pool {
  const url = new URL(postgresUrl());
  url.username = role;
  url.password = "";
  const pool = new pg.Pool({ connectionString: url.toString(), connectionTimeoutMillis: 3000, options: `-c search_path=${schema}` });
  pools.push(pool);
  return pool;
}

function namespaces(): { migrated: PostgresNamespace; empty: PostgresNamespace; outdated: PostgresNamespace } {
  if (!migrated || !empty || !outdated) throw new Error("the PostgreSQL schemas were not set up");
  return { migrated, empty, outdated };
}

beforeAll(async () => {
  [migrated, empty, outdated] = [await requirePostgres(), await requirePostgres(), await requirePostgres()];
  // The owner applies every store's schema in one namespace, and the refresh-token tables as they
  // were before their `successor` column in another.
  for (const schema of [postgresRateLimitSchema, postgresRevocationSchema, postgresProviderTokenSchema, postgresRefreshTokenSchema]) await migrated.pool.query(schema);
  await outdated.pool.query(`
    CREATE TABLE latch_refresh_families (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, sid TEXT, session_token TEXT, auth_time BIGINT, claims JSONB NOT NULL, expires_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ);
    CREATE TABLE latch_refresh_tokens (token_hash TEXT PRIMARY KEY, family_id TEXT NOT NULL REFERENCES latch_refresh_families (id) ON DELETE CASCADE, expires_at TIMESTAMPTZ NOT NULL, used_at TIMESTAMPTZ)`);
  await migrated.pool.query(`CREATE ROLE ${role} LOGIN`);
  for (const { schema } of [migrated, empty, outdated]) {
    await migrated.pool.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
  }
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  for (const { schema } of [migrated, empty, outdated].filter((namespace) => namespace !== undefined)) {
    await migrated?.pool.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${role}; REVOKE ALL ON SCHEMA ${schema} FROM ${role}`);
  }
  await migrated?.pool.query(`DROP ROLE IF EXISTS ${role}`);
  await Promise.all([migrated?.drop(), empty?.drop(), outdated?.drop()]);
});

describe("PostgreSQL stores under a role that may not create tables", () => {
  it("can no more create a table than the test says", async () => {
    const pool = appPool(namespaces().empty.schema);
    await expect(pool.query("CREATE TABLE IF NOT EXISTS latch_probe (id TEXT)")).rejects.toMatchObject({ code: "42501" });
  });

  it("work on tables the migrations applied", async () => {
    const pool = appPool(namespaces().migrated.schema);
    const limits = PostgresRateLimitStore(pool);
    expect((await limits.hit("ip:203.0.113.9", 60_000)).count).toBe(1);
    expect((await limits.hit("ip:203.0.113.9", 60_000)).count).toBe(2);

    const revocations = PostgresRevocationStore(pool);
    await revocations.revokeSession("sid-1", new Date(Date.now() + 60_000));
    expect(await revocations.isRevoked({ sid: "sid-1", userId: "user-1", authTime: 1 })).toBe(true);

    const providerTokens = PostgresProviderTokenStore(pool);
    expect(await providerTokens.put("user-1", "github", { accessToken: "gho_test" }, null)).toBe(1);
    expect(await providerTokens.get("user-1", "github")).toMatchObject({ accessToken: "gho_test", version: 1 });

    const refresh = PostgresRefreshTokenStore(pool);
    const family = { id: randomUUID(), userId: "user-1", claims: {}, expiresAt: new Date(Date.now() + 60_000) };
    const first = randomBytes(32).toString("hex");
    await refresh.createFamily(family, { tokenHash: first, expiresAt: new Date(Date.now() + 60_000) });
    const lost = randomBytes(32).toString("hex");
    expect((await refresh.rotate(first, { tokenHash: lost, expiresAt: new Date(Date.now() + 60_000) })).status).toBe("rotated");
    const retry = await refresh.rotate(first, { tokenHash: randomBytes(32).toString("hex"), expiresAt: new Date(Date.now() + 60_000) }, { retryWindow: 10 });
    expect(retry).toMatchObject({ status: "rotated", retried: true });
  });

  it.each([
    ["rate-limit", "postgresRateLimitSchema", (pool: pg.Pool) => PostgresRateLimitStore(pool).hit("ip:203.0.113.9", 60_000)],
    ["revocation", "postgresRevocationSchema", (pool: pg.Pool) => PostgresRevocationStore(pool).isRevoked({ sid: "sid-1", userId: "user-1", authTime: 1 })],
    ["provider-token", "postgresProviderTokenSchema", (pool: pg.Pool) => PostgresProviderTokenStore(pool).get("user-1", "github")],
    ["refresh-token", "postgresRefreshTokenSchema", (pool: pg.Pool) => PostgresRefreshTokenStore(pool).revokeFamily("family-1")],
  ])("say which schema to apply when the %s tables are missing", async (_store, schemaName, call) => {
    const pool = appPool(namespaces().empty.schema);
    const failure = await call(pool).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(`Apply ${schemaName}`);
    expect((failure as Error).message).toContain("does not exist");
  });

  it("say to grant the role its privileges when the tables are there but not granted", async () => {
    const { migrated } = namespaces();
    // The DBA's grant ran before a table was added (GRANT … ON ALL TABLES is not retroactive).
    await migrated.pool.query(`REVOKE ALL ON latch_provider_token_locks FROM ${role}`);
    try {
      const failure = await PostgresProviderTokenStore(appPool(migrated.schema))
        .get("user-1", "github")
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toContain("Grant it SELECT, INSERT, UPDATE and DELETE on the tables postgresProviderTokenSchema creates");
      expect((failure as Error).message).not.toContain("missing or out of date");
    } finally {
      await migrated.pool.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON latch_provider_token_locks TO ${role}`);
    }
  });

  it("say which schema to apply when the refresh-token tables predate a column, and work once it is applied", async () => {
    const { outdated } = namespaces();
    const pool = appPool(outdated.schema);
    const store = PostgresRefreshTokenStore(pool);
    await expect(store.revokeFamily("family-1")).rejects.toThrow(/column "successor" does not exist.*Apply postgresRefreshTokenSchema/);
    // The owner applies the script; the same store then works, without a restart.
    await outdated.pool.query(postgresRefreshTokenSchema);
    await outdated.pool.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${outdated.schema} TO ${role}`);
    await expect(store.revokeFamily("family-1")).resolves.toBeUndefined();
  });
});
