/**
 * Rows next-auth wrote (stored under the cookie's token itself) are moved to their hashed key on
 * first use, "and nobody is signed out" (docs/migrating-from-next-auth.md). Two requests of one
 * page load move the same row at once: whatever order their reads and writes land in, both keep
 * the session, and so does the next request.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, PostgresAdapter } from "../src/adapters/postgres.js";
import type { Adapter } from "../src/adapters/types.js";
import { storedSessionKey } from "../src/core/session/database-session.js";
import Credentials from "../src/providers/credentials.js";
import type { AuthConfig } from "../src/types.js";
import { AUTHJS_PG_DOCUMENTED_SCHEMA } from "./fixtures/authjs-pg-documented-schema.js";
import { EngineClient } from "./helpers/engine-client.js";
import { requirePostgres, type PostgresNamespace } from "./helpers/services.js";

const ORIGIN = "http://127.0.0.1:3971";
const SECRET = "legacy-rekey-race-secret-of-enough-length-0123456789";
const DAY = 24 * 3600 * 1000;

function configWith(adapter: Adapter): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    adapter,
    session: { strategy: "database" },
    providers: [Credentials({ credentials: {}, authorize: () => null })],
    logger: { error: () => undefined, warn: () => undefined, debug: () => undefined },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A user with a session row as next-auth wrote it: under the raw token (its generateSessionToken). */
async function legacySession(pool: PostgresNamespace["pool"]): Promise<{ base: Required<Adapter>; raw: string; key: string }> {
  const base = PostgresAdapter(pool) as Required<Adapter>;
  const user = await base.createUser({ id: "", email: `race-${randomUUID()}@example.test`, emailVerified: null });
  const raw = randomUUID();
  await pool.query(`INSERT INTO sessions ("userId", expires, "sessionToken") VALUES ($1, $2, $3)`, [Number(user.id), new Date(Date.now() + DAY), raw]);
  return { base, raw, key: await storedSessionKey(raw) };
}

async function signedIn(adapter: Adapter, raw: string): Promise<boolean> {
  const client = new EngineClient(ORIGIN, configWith(adapter));
  client.jar.set("authjs.session-token", raw);
  return (await client.session()) !== null;
}

/**
 * Both requests find the raw row before either creates the hashed one; the second create lands
 * after the first request deleted the raw row.
 */
async function bothCreate(pool: PostgresNamespace["pool"]): Promise<{ first: boolean; second: boolean; later: boolean }> {
  const { base, raw } = await legacySession(pool);
  let rawHits = 0;
  let creates = 0;
  const bothFound = deferred();
  const rawDeleted = deferred();
  const adapter: Adapter = {
    ...base,
    async getSessionAndUser(token) {
      const found = await base.getSessionAndUser(token);
      if (token === raw && found && ++rawHits === 2) bothFound.resolve();
      return found;
    },
    async createSession(session) {
      const n = ++creates;
      await bothFound.promise;
      if (n === 2) await rawDeleted.promise;
      return base.createSession(session);
    },
    async deleteSession(token) {
      const deleted = (await base.deleteSession(token)) ?? null;
      if (token === raw) rawDeleted.resolve();
      return deleted;
    },
  };
  const [first, second] = await Promise.all([signedIn(adapter, raw), signedIn(adapter, raw)]);
  return { first, second, later: await signedIn(base, raw) };
}

/**
 * Both requests find the raw row; the second goes on only once the first has moved it (created
 * the hashed row, deleted the raw one).
 */
async function secondAfterMove(pool: PostgresNamespace["pool"]): Promise<{ first: boolean; second: boolean; later: boolean }> {
  const { base, raw } = await legacySession(pool);
  const moved = deferred();
  const first: Adapter = {
    ...base,
    async deleteSession(token) {
      const deleted = (await base.deleteSession(token)) ?? null;
      if (token === raw) moved.resolve();
      return deleted;
    },
  };
  let secondFound = false;
  const second: Adapter = {
    ...base,
    async getSessionAndUser(token) {
      const found = await base.getSessionAndUser(token);
      if (token === raw && found && !secondFound) {
        secondFound = true;
        await moved.promise;
      }
      return found;
    },
  };
  const reads = Promise.all([signedIn(first, raw), signedIn(second, raw)]);
  return { first: (await reads)[0], second: (await reads)[1], later: await signedIn(base, raw) };
}

/**
 * The second request misses the hashed row, then looks for the raw one only once the first has
 * moved it.
 */
async function lookupAcrossMove(pool: PostgresNamespace["pool"]): Promise<{ first: boolean; second: boolean; later: boolean }> {
  const { base, raw, key } = await legacySession(pool);
  const secondMissedHashed = deferred();
  const moved = deferred();
  const first: Adapter = {
    ...base,
    async createSession(session) {
      await secondMissedHashed.promise;
      return base.createSession(session);
    },
    async deleteSession(token) {
      const deleted = (await base.deleteSession(token)) ?? null;
      if (token === raw) moved.resolve();
      return deleted;
    },
  };
  const second: Adapter = {
    ...base,
    async getSessionAndUser(token) {
      if (token === raw) await moved.promise;
      const found = await base.getSessionAndUser(token);
      if (token === key && !found) secondMissedHashed.resolve();
      return found;
    },
  };
  const [a, b] = await Promise.all([signedIn(first, raw), signedIn(second, raw)]);
  return { first: a, second: b, later: await signedIn(base, raw) };
}

describe("moving a next-auth session row, two requests at once", () => {
  let unique: PostgresNamespace | undefined;
  let documented: PostgresNamespace | undefined;
  let bare: PostgresNamespace | undefined;
  beforeAll(async () => {
    [unique, documented, bare] = [await requirePostgres(), await requirePostgres(), await requirePostgres()];
    await migratePostgres(unique.pool);
    // @auth/pg-adapter's documented tables, then migrated: migratePostgres adds the unique keys.
    await documented.pool.query(AUTHJS_PG_DOCUMENTED_SCHEMA);
    await migratePostgres(documented.pool);
    // The same tables, never migrated: no unique key on sessions("sessionToken").
    await bare.pool.query(AUTHJS_PG_DOCUMENTED_SCHEMA);
  });
  afterAll(async () => Promise.all([unique?.drop(), documented?.drop(), bare?.drop()]));

  it("both creating the hashed row: both keep the session (latch's tables)", async () => {
    expect(await bothCreate(unique!.pool)).toEqual({ first: true, second: true, later: true });
  });

  it("both creating the hashed row: both keep the session (@auth/pg-adapter's documented tables, migrated)", async () => {
    expect(await bothCreate(documented!.pool)).toEqual({ first: true, second: true, later: true });
  });

  it("the second moving after the first moved: it uses the moved row, creating no copy to delete (a store without a unique key)", async () => {
    expect(await secondAfterMove(bare!.pool)).toEqual({ first: true, second: true, later: true });
    expect(await secondAfterMove(unique!.pool)).toEqual({ first: true, second: true, later: true });
  });

  it("the second looking for the raw row after the first moved it: it finds the moved row, and keeps its cookie", async () => {
    expect(await lookupAcrossMove(unique!.pool)).toEqual({ first: true, second: true, later: true });
  });
});
