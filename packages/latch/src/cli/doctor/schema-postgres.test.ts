import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { POSTGRES_SCHEMA_VERSION, migratePostgres } from "../../adapters/postgres.js";
import { postgresUrl, requirePostgres } from "../../../test/helpers/services.js";
import { postgresTables, postgresUniqueKeys, checkPostgresSchema } from "./schema-postgres.js";

function urlFor(schema: string): string {
  const url = new URL(postgresUrl());
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.href;
}

function target(url: string, explicit = true) {
  return { url, shown: url, explicit, from: explicit ? "--database" : "DATABASE_URL" };
}

function codes(findings: Array<{ severity: string; code: string }>): string[] {
  return findings.map((f) => `${f.severity}:${f.code}`);
}

describe("checkPostgresSchema", () => {
  it("reads the table names from latch's schema", () => {
    expect(postgresTables()).toEqual(["users", "accounts", "sessions", "verification_token", "authenticators"]);
  });

  it("finds a schema that is not migrated, then migrated, then behind", async () => {
    const namespace = await requirePostgres();
    try {
      const url = urlFor(namespace.schema);
      const [before] = await checkPostgresSchema(pg.Client, target(url), 3000);
      expect(before).toMatchObject({ code: "schema-not-migrated", severity: "error" });
      expect(before?.fix).toContain("npx latch migrate postgres <url>");
      const implicit = await checkPostgresSchema(pg.Client, target(url, false), 3000);
      expect(implicit[0]).toMatchObject({ code: "schema-not-migrated", severity: "warn" });
      expect(implicit[0]?.fix).toContain('"$DATABASE_URL"');

      await migratePostgres(namespace.pool);
      expect(codes(await checkPostgresSchema(pg.Client, target(url), 3000))).toEqual(["ok:schema-ok"]);
      expect(codes(await checkPostgresSchema(pg.Client, target(url), 3000, POSTGRES_SCHEMA_VERSION + 1))).toEqual(["error:schema-behind"]);
      await namespace.pool.query("DROP TABLE authenticators");
      expect(codes(await checkPostgresSchema(pg.Client, target(url), 3000))).toEqual(["error:schema-drift"]);
    } finally {
      await namespace.drop();
    }
  });

  it("reads the unique keys from latch's schema", () => {
    expect(postgresUniqueKeys()).toEqual([
      { table: "users", columns: ["email"] },
      { table: "accounts", columns: ["provider", "providerAccountId"] },
      { table: "sessions", columns: ["sessionToken"] },
    ]);
  });

  // Tables made from @auth/pg-adapter's documentation, migrated by a latch that did not add them.
  it("finds tables that lack a unique key the adapter relies on", async () => {
    const namespace = await requirePostgres();
    try {
      const url = urlFor(namespace.schema);
      await migratePostgres(namespace.pool);
      await namespace.pool.query(`ALTER TABLE users DROP CONSTRAINT users_email_key; ALTER TABLE sessions DROP CONSTRAINT "sessions_sessionToken_key"`);
      // A unique index on the same columns under another name, columns in another order, counts.
      await namespace.pool.query(`ALTER TABLE accounts DROP CONSTRAINT "accounts_provider_providerAccountId_key"; CREATE UNIQUE INDEX accounts_by_provider ON accounts ("providerAccountId", provider)`);
      const [finding] = await checkPostgresSchema(pg.Client, target(url), 3000);
      expect(finding).toMatchObject({ code: "schema-drift", severity: "error" });
      expect(finding?.message).toContain("no unique index on users (email), sessions (sessionToken)");
      expect(finding?.fix).toContain("npx latch migrate postgres");
      await migratePostgres(namespace.pool);
      expect(codes(await checkPostgresSchema(pg.Client, target(url), 3000))).toEqual(["ok:schema-ok"]);
    } finally {
      await namespace.drop();
    }
  });

  it("reports an unreachable server without throwing", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const findings = await checkPostgresSchema(pg.Client, target(`postgres://u:pw@127.0.0.1:${port}/app`), 1000);
    expect(codes(findings)).toEqual(["error:database-unreachable"]);
  });
});
