/**
 * `@auth/pg-adapter` (Auth.js's own) as an oracle, on tables made from ITS schema.sql:
 * - it runs the shared conformance suite, as proof that the suite asks for Auth.js's semantics;
 * - latch's PostgresAdapter and it share one database, in both directions, so an app can switch.
 */
import AuthPostgresAdapter from "@auth/pg-adapter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, PostgresAdapter } from "../../src/adapters/postgres.js";
import type { Adapter } from "../../src/adapters/types.js";
import { LATCH_METHODS, runAdapterConformance } from "../adapter-conformance.js";
import { requirePostgres, type PostgresNamespace } from "../helpers/services.js";

/**
 * The schema Auth.js's docs tell users to run for `@auth/pg-adapter` (nextauthjs/next-auth,
 * packages/adapter-pg/schema.sql, commit 0dfa804d; the npm package does not ship it). Kept
 * verbatim apart from the psql directive: it is the shape of the databases latch must accept.
 */
const AUTHJS_PG_SCHEMA = `
CREATE TABLE users
(
  id SERIAL,
  name VARCHAR(255),
  email VARCHAR(255) UNIQUE,
  "emailVerified" TIMESTAMPTZ,
  image TEXT,
  PRIMARY KEY (id)
);
CREATE TABLE accounts
(
  id SERIAL,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  type VARCHAR(255) NOT NULL,
  provider VARCHAR(255) NOT NULL,
  "providerAccountId" VARCHAR(255) NOT NULL,
  refresh_token TEXT,
  access_token TEXT,
  expires_at BIGINT,
  id_token TEXT,
  scope TEXT,
  session_state TEXT,
  token_type TEXT,
  PRIMARY KEY (id),
  UNIQUE (provider, "providerAccountId")
);
CREATE TABLE sessions
(
  id SERIAL,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  expires TIMESTAMPTZ NOT NULL,
  "sessionToken" VARCHAR(255) UNIQUE NOT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE verification_token
(
  identifier TEXT NOT NULL,
  expires TIMESTAMPTZ NOT NULL,
  token TEXT NOT NULL,
  PRIMARY KEY (identifier, token)
);
`;

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600 * 1000);

async function freshAuthjsDatabase(): Promise<PostgresNamespace> {
  const ns = await requirePostgres();
  await ns.pool.query(AUTHJS_PG_SCHEMA);
  return ns;
}

const AUTHJS_METHODS = ["createUser", "getUser", "getUserByEmail", "getUserByAccount", "linkAccount", "createSession", "getSessionAndUser", "createVerificationToken", "useVerificationToken"] as const;

/** `@auth/pg-adapter` typed as latch's interface: the point of the exercise is that it fits. */
function authjsAdapter(ns: PostgresNamespace): Required<Pick<Adapter, (typeof AUTHJS_METHODS)[number]>> {
  const adapter: Adapter = AuthPostgresAdapter(ns.pool);
  const missing = AUTHJS_METHODS.filter((method) => typeof adapter[method] !== "function");
  if (missing.length > 0) throw new Error(`@auth/pg-adapter no longer has ${missing.join(", ")}`);
  return adapter as Required<Pick<Adapter, (typeof AUTHJS_METHODS)[number]>>;
}

/** The methods of Auth.js's interface that @auth/pg-adapter 1.11.3 does not implement. */
const LACKING = ["getAccount", "createAuthenticator", "getAuthenticator", "listAuthenticatorsByUserId", "updateAuthenticatorCounter"] as const;

/** Serial ids come back from @auth/pg-adapter as numbers, though its own `AdapterUser.id` is a string. */
function stringIds(value: unknown): unknown {
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, (key === "id" || key === "userId") && typeof field === "number" ? String(field) : stringIds(field)]),
  );
}

/**
 * @auth/pg-adapter as the suite sees it: every method it has is its own, with ids read as
 * strings; the five it lacks, and latch's additions to the interface (`LATCH_METHODS`), are
 * latch's, on the same tables (migratePostgres adds `authenticators` beside Auth.js's four).
 */
function authjsUnderTheSuite(authjs: Adapter, latch: Adapter): Adapter {
  const adapter: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(authjs)) {
    if (typeof method === "function") adapter[name] = async (...args: unknown[]) => stringIds(await (method as (...a: unknown[]) => unknown).apply(authjs, args));
  }
  for (const name of [...LACKING, ...LATCH_METHODS]) adapter[name] = latch[name]?.bind(latch);
  return adapter;
}

runAdapterConformance("@auth/pg-adapter", async () => {
  const ns = await freshAuthjsDatabase();
  await migratePostgres(ns.pool);
  return {
    adapter: authjsUnderTheSuite(AuthPostgresAdapter(ns.pool), PostgresAdapter(ns.pool)),
    reset: async () => void (await ns.pool.query("TRUNCATE users, accounts, sessions, verification_token, authenticators RESTART IDENTITY CASCADE")),
    close: () => ns.drop(),
  };
}, { authenticatorsOnUnlink: "kept" });

describe("@auth/pg-adapter and latch's PostgresAdapter on the same tables", () => {
  let ns: PostgresNamespace | undefined;
  let authjs: ReturnType<typeof authjsAdapter>;
  let latch: Required<Adapter>;

  beforeAll(async () => {
    ns = await freshAuthjsDatabase();
    authjs = authjsAdapter(ns);
    latch = PostgresAdapter(ns.pool) as Required<Adapter>;
  });
  // Guarded: when beforeAll failed, its error (what is missing, how to start it) is the one to read.
  afterAll(async () => ns?.drop());

  it("knows where @auth/pg-adapter stops: numeric ids, no getAccount, no WebAuthn", async () => {
    const adapter: Adapter = AuthPostgresAdapter(ns!.pool);
    expect([...LACKING, ...LATCH_METHODS].filter((name) => typeof adapter[name] === "function")).toEqual([]);
    const user = await authjs.createUser({ id: "", email: "numeric@example.com", emailVerified: null });
    expect(typeof user.id).toBe("number");
  });

  it("unlinks an OAuth account on Auth.js's four tables alone, before any migration adds authenticators", async () => {
    const user = await authjs.createUser({ id: "", email: "four-tables@example.com", emailVerified: null });
    await authjs.linkAccount({ userId: String(user.id), type: "oauth", provider: "github", providerAccountId: "gh-four-tables" });
    expect(await latch.unlinkAccount({ provider: "github", providerAccountId: "gh-four-tables" })).toMatchObject({ provider: "github", providerAccountId: "gh-four-tables", userId: String(user.id) });
    expect(await latch.getUserByAccount({ provider: "github", providerAccountId: "gh-four-tables" })).toBeNull();
  });

  it("migrates a database Auth.js created, without touching its rows", async () => {
    const before = await authjs.createUser({ id: "", name: "Old", email: "old@example.com", emailVerified: null, image: null });
    await migratePostgres(ns!.pool);
    await migratePostgres(ns!.pool);
    expect(await latch.getUser(String(before.id))).toEqual({ ...before, id: String(before.id) });
  });

  it("reads what @auth/pg-adapter wrote", async () => {
    const user = await authjs.createUser({ id: "", name: "From Auth.js", email: "authjs@example.com", emailVerified: new Date("2024-01-02T03:04:05.000Z"), image: null });
    await authjs.linkAccount({ userId: user.id, type: "oauth", provider: "github", providerAccountId: "gh-authjs", access_token: "at", expires_at: 1_900_000_000 });
    const expires = inAWeek();
    await authjs.createSession({ sessionToken: "authjs-session", userId: user.id, expires });
    await authjs.createVerificationToken({ identifier: "authjs@example.com", token: "authjs-token", expires });

    const expected = { ...user, id: String(user.id) };
    expect(await latch.getUserByEmail("authjs@example.com")).toEqual(expected);
    expect(await latch.getUserByAccount({ provider: "github", providerAccountId: "gh-authjs" })).toEqual(expected);
    expect(await latch.getAccount("gh-authjs", "github")).toMatchObject({ userId: expected.id, access_token: "at", expires_at: 1_900_000_000 });
    expect(await latch.getSessionAndUser("authjs-session")).toEqual({ session: { sessionToken: "authjs-session", userId: expected.id, expires }, user: expected });
    expect(await latch.useVerificationToken({ identifier: "authjs@example.com", token: "authjs-token" })).toEqual({ identifier: "authjs@example.com", token: "authjs-token", expires });
  });

  it("writes what @auth/pg-adapter reads", async () => {
    const user = await latch.createUser({ id: "uuid-from-core", name: "From latch", email: "latch@example.com", emailVerified: null, image: "https://img/latch" });
    await latch.linkAccount({ userId: user.id, type: "oidc", provider: "google", providerAccountId: "g-latch", id_token: "idt" });
    const expires = inAWeek();
    await latch.createSession({ sessionToken: "latch-session", userId: user.id, expires });
    await latch.createVerificationToken({ identifier: "latch@example.com", token: "latch-token", expires });

    // @auth/pg-adapter hands the SERIAL id back as a number; latch as a string.
    const asAuthjsSees = { ...user, id: Number(user.id) };
    expect(await authjs.getUser(user.id)).toEqual(asAuthjsSees);
    expect(await authjs.getUserByAccount({ provider: "google", providerAccountId: "g-latch" })).toEqual(asAuthjsSees);
    expect(await authjs.getSessionAndUser("latch-session")).toMatchObject({ session: { sessionToken: "latch-session", userId: Number(user.id), expires }, user: asAuthjsSees });
    expect(await authjs.useVerificationToken({ identifier: "latch@example.com", token: "latch-token" })).toEqual({ identifier: "latch@example.com", token: "latch-token", expires });
  });
});
