/**
 * PostgresAdapter against a real PostgreSQL, each run in a schema of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, POSTGRES_SCHEMA_VERSION, PostgresAdapter } from "../../src/adapters/postgres.js";
import type { Adapter } from "../../src/adapters/types.js";
import { runAdapterConformance } from "../adapter-conformance.js";
import { requirePostgres, type PostgresNamespace } from "../helpers/services.js";

const TABLES = "users, accounts, sessions, verification_token, authenticators";
const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600 * 1000);

async function freshPostgresAdapter() {
  const ns = await requirePostgres();
  await migratePostgres(ns.pool);
  return {
    ns,
    adapter: PostgresAdapter(ns.pool),
    reset: async () => void (await ns.pool.query(`TRUNCATE ${TABLES} RESTART IDENTITY CASCADE`)),
    close: () => ns.drop(),
  };
}

runAdapterConformance("PostgresAdapter", freshPostgresAdapter);

describe("PostgresAdapter", () => {
  let ns: PostgresNamespace | undefined;
  let pool: PostgresNamespace["pool"];
  let schema: string;
  let adapter: Required<Adapter>;

  beforeAll(async () => {
    const fresh = await freshPostgresAdapter();
    ({ ns } = fresh);
    ({ pool, schema } = fresh.ns);
    adapter = fresh.adapter as Required<Adapter>;
  });
  // Guarded: when beforeAll failed, its error (what is missing, how to start it) is the one to read.
  afterAll(async () => ns?.drop());

  it("migrates twice without harm, recording the version once", async () => {
    const user = await adapter.createUser({ id: "", email: "twice@example.com", emailVerified: null });
    await migratePostgres(pool);
    await Promise.all([migratePostgres(pool), migratePostgres(pool)]);
    const { rows } = await pool.query<{ version: number }>("SELECT version FROM latch_migrations");
    expect(rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
    expect(await adapter.getUser(user.id)).toEqual(user);
  });

  it("creates Auth.js's tables in the pool's schema, with camelCase Auth.js columns", async () => {
    const { rows } = await pool.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position",
      [schema],
    );
    const columns = (table: string) => rows.filter((row) => row.table_name === table).map((row) => row.column_name);
    expect(columns("users")).toEqual(["id", "name", "email", "emailVerified", "image"]);
    expect(columns("sessions")).toEqual(["id", "userId", "expires", "sessionToken"]);
    expect(columns("verification_token")).toEqual(["identifier", "expires", "token"]);
    expect(columns("accounts")).toEqual(["id", "userId", "type", "provider", "providerAccountId", "refresh_token", "access_token", "expires_at", "id_token", "scope", "session_state", "token_type"]);
    expect(columns("authenticators")).toContain("credentialPublicKey");
  });

  it("returns string ids, revives dates and leaves absent OAuth tokens out", async () => {
    const verified = new Date("2024-05-06T07:08:09.123Z");
    const user = await adapter.createUser({ id: "ignored", name: "Ada", email: "ada@example.com", emailVerified: verified, image: null });
    expect(user).toEqual({ id: expect.stringMatching(/^[0-9]+$/) as string, name: "Ada", email: "ada@example.com", emailVerified: verified, image: null });
    await adapter.linkAccount({ userId: user.id, type: "oauth", provider: "github", providerAccountId: "42", access_token: "at", expires_at: 1_900_000_000 });
    expect(await adapter.getAccount("42", "github")).toEqual({ userId: user.id, type: "oauth", provider: "github", providerAccountId: "42", access_token: "at", expires_at: 1_900_000_000 });
    expect(await adapter.getUserByAccount({ provider: "github", providerAccountId: "42" })).toEqual(user);
  });

  it("answers null, not an error, for an id that cannot be a row", async () => {
    expect(await adapter.getUser("not-a-number")).toBeNull();
    expect(await adapter.getUser("99999999999999999999")).toBeNull();
    expect(await adapter.deleteUser("0")).toBeNull();
    expect(await adapter.listAuthenticatorsByUserId("abc")).toEqual([]);
  });

  it("updates only the fields given", async () => {
    const user = await adapter.createUser({ id: "", name: "Bo", email: "bo@example.com", emailVerified: null, image: "https://img/bo" });
    const when = new Date("2025-01-01T00:00:00.000Z");
    expect(await adapter.updateUser({ id: user.id, emailVerified: when })).toEqual({ ...user, emailVerified: when });
    expect(await adapter.updateUser({ id: user.id, image: null })).toEqual({ ...user, emailVerified: when, image: null });
    await expect(adapter.updateUser({ id: "123456", name: "nobody" })).rejects.toThrow(/no user/);
  });

  it("reads a session and its user in one query, and deletes the user with everything they own", async () => {
    const user = await adapter.createUser({ id: "", email: "cascade@example.com", emailVerified: null });
    const expires = inAWeek();
    await adapter.createSession({ sessionToken: "s-cascade", userId: user.id, expires });
    await adapter.linkAccount({ userId: user.id, type: "oidc", provider: "google", providerAccountId: "g1" });
    await adapter.createAuthenticator({ credentialID: "cred-1", userId: user.id, providerAccountId: "g1", credentialPublicKey: "pk", counter: 0, credentialBackedUp: false, credentialDeviceType: "singleDevice" });
    expect(await adapter.getSessionAndUser("s-cascade")).toEqual({ session: { sessionToken: "s-cascade", userId: user.id, expires }, user });
    expect(await adapter.deleteUser(user.id)).toEqual(user);
    expect(await adapter.getSessionAndUser("s-cascade")).toBeNull();
    expect(await adapter.getAccount("g1", "google")).toBeNull();
    expect(await adapter.getAuthenticator("cred-1")).toBeNull();
  });

  it("keeps a WebAuthn counter above 2^31", async () => {
    const user = await adapter.createUser({ id: "", email: "webauthn@example.com", emailVerified: null });
    await adapter.createAuthenticator({ credentialID: "cred-big", userId: user.id, providerAccountId: "cred-big", credentialPublicKey: "pk", counter: 1, credentialBackedUp: true, credentialDeviceType: "multiDevice", transports: "usb,nfc" });
    expect((await adapter.updateAuthenticatorCounter("cred-big", 4_000_000_000)).counter).toBe(4_000_000_000);
    expect(await adapter.listAuthenticatorsByUserId(user.id)).toEqual([
      { credentialID: "cred-big", userId: user.id, providerAccountId: "cred-big", credentialPublicKey: "pk", counter: 4_000_000_000, credentialBackedUp: true, credentialDeviceType: "multiDevice", transports: "usb,nfc" },
    ]);
  });

  it("uses a verification token once, only with its own identifier, among 20 concurrent uses", async () => {
    const expires = new Date(Date.now() + 60_000);
    await adapter.createVerificationToken({ identifier: "victim@example.com", token: "hashed-token", expires });
    expect(await adapter.useVerificationToken({ identifier: "attacker@example.com", token: "hashed-token" })).toBeNull();
    const results = await Promise.all(Array.from({ length: 20 }, async () => adapter.useVerificationToken({ identifier: "victim@example.com", token: "hashed-token" })));
    expect(results.filter((result) => result !== null)).toEqual([{ identifier: "victim@example.com", token: "hashed-token", expires }]);
    expect(await adapter.useVerificationToken({ identifier: "victim@example.com", token: "hashed-token" })).toBeNull();
  });
});
