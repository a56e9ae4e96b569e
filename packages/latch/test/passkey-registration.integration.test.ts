/**
 * What a passkey registration stores, and what it refuses before storing anything: credential ids
 * longer than every adapter holds (WebAuthn refuses over 1023 bytes; latch stops at 189, whose
 * base64 fits the 255 characters of accounts."providerAccountId" in Auth.js's SQL schemas),
 * transports that are not a list of known names (ignored, not stored), and all or nothing: a
 * registration that fails half-way leaves no user, account or passkey behind, so the address can
 * start an account again.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migratePostgres, PostgresAdapter } from "../src/adapters/postgres.js";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import type { Adapter } from "../src/adapters/types.js";
import Passkey from "../src/providers/passkey.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { requirePostgres } from "./helpers/services.js";
import { passkeyOptions, passkeySignIn, postPasskeyCredential, registerPasskey } from "./helpers/sign-in-flows.js";
import { StandinAuthenticator, type Bend } from "./helpers/standin-authenticator.js";

const ORIGIN = "https://app.test";
const SECRET = "passkey-registration-test-secret-of-enough-length-0123456789";
const REFUSED = `${ORIGIN}/api/auth/signin?error=WebAuthnVerificationError`;
const DONE = `${ORIGIN}/dashboard`;
const SESSION_COOKIE = "__Secure-authjs.session-token";

beforeAll(() => vi.stubEnv("AUTH_URL", ORIGIN));
afterAll(() => vi.unstubAllEnvs());

function setup(adapterOf: (adapter: Adapter) => Adapter = (adapter) => adapter) {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const errors: Error[] = [];
  const createdUsers: string[] = [];
  const config: AuthConfig = {
    secret: SECRET,
    adapter: adapterOf(SQLiteAdapter(db)),
    providers: [Passkey({})],
    events: { createUser: ({ user }) => void createdUsers.push(user.email ?? "") },
    logger: { error: (error) => void errors.push(error), warn: () => undefined },
  };
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { db, errors, createdUsers, count, client: () => new EngineClient(ORIGIN, config) };
}

/** Registers a new account for `email` with `device`, bending the ceremony; the redirect. */
async function registerWith(client: EngineClient, device: StandinAuthenticator, email: string, bend: Bend) {
  const options = (await passkeyOptions(client, "register", { email })).options!;
  const { response } = await postPasskeyCredential(client, "register", device.register(options, bend));
  return response.headers.get("location");
}

describe("credential ids", () => {
  it("refuses an id over WebAuthn's 1023 bytes before storing anything", async () => {
    const { count, client, errors } = setup();
    expect(await registerWith(client(), new StandinAuthenticator(ORIGIN), "long-id@example.com", { credentialIdBytes: 2000 })).toBe(REFUSED);
    expect([count("users"), count("accounts"), count("authenticators")]).toEqual([0, 0, 0]);
    expect(errors.at(-1)?.message).toMatch(/credential id is 2000 bytes long; latch stores ids of at most 189 bytes/);
  });

  it("keeps ids up to 189 bytes (255 characters stored) on every adapter, and refuses 190", async () => {
    const { db, count, client } = setup();
    const device = new StandinAuthenticator(ORIGIN);
    expect(await registerWith(client(), device, "id-190@example.com", { credentialIdBytes: 190 })).toBe(REFUSED);
    expect(count("users")).toBe(0);
    expect(await registerWith(client(), device, "id-189@example.com", { credentialIdBytes: 189 })).toBe(DONE);
    const stored = db.prepare('SELECT "providerAccountId" AS id FROM accounts').get() as { id: string };
    expect(stored.id).toHaveLength(252);
    expect((await passkeySignIn(client(), device)).response.headers.get("location")).toBe(DONE);
  });

  it("PostgreSQL (providerAccountId VARCHAR(255)): a 189-byte id registers and signs in; a 200-byte one is refused as a passkey error, and the address can start again", async () => {
    const ns = await requirePostgres();
    try {
      await migratePostgres(ns.pool);
      const config: AuthConfig = { secret: SECRET, adapter: PostgresAdapter(ns.pool), providers: [Passkey({})], logger: { error: () => undefined, warn: () => undefined } };
      const client = () => new EngineClient(ORIGIN, config);
      const device = new StandinAuthenticator(ORIGIN);
      expect(await registerWith(client(), device, "orphan@example.com", { credentialIdBytes: 200 })).toBe(REFUSED);
      expect((await ns.pool.query("SELECT id FROM users")).rows).toHaveLength(0);
      expect(await registerWith(client(), device, "orphan@example.com", { credentialIdBytes: 189 })).toBe(DONE);
      expect((await passkeySignIn(client(), device)).response.headers.get("location")).toBe(DONE);
    } finally {
      await ns.drop();
    }
  });
});

describe("a registration that fails half-way keeps nothing", () => {
  /** The SQLite adapter whose createAuthenticator fails while `failing.now` is set. */
  function failingAuthenticators() {
    const failing = { now: true };
    const env = setup((adapter) => ({
      ...adapter,
      createAuthenticator: (authenticator) => (failing.now ? Promise.reject(new Error("disk full")) : adapter.createAuthenticator!(authenticator)),
    }));
    return { ...env, failing };
  }

  it("a new account: no user is left to claim the address, the browser is sent back to sign in, and the address can start again", async () => {
    const { count, client, errors, createdUsers, failing } = failingAuthenticators();
    const device = new StandinAuthenticator(ORIGIN);
    const browser = client();
    expect(await registerWith(browser, device, "half@example.com", {})).toBe(REFUSED);
    expect([count("users"), count("accounts"), count("authenticators"), count("sessions")]).toEqual([0, 0, 0, 0]);
    expect(await browser.session()).toBeNull();
    expect(errors.at(-1)).toMatchObject({ name: "WebAuthnVerificationError", cause: { message: "disk full" } });
    // No event for a user who no longer exists.
    expect(createdUsers).toEqual([]);

    failing.now = false;
    expect(await registerWith(client(), device, "half@example.com", {})).toBe(DONE);
    expect(createdUsers).toEqual(["half@example.com"]);
  });

  it("a passkey added to a signed-in user: the account linked for it is removed, the user and their first passkey stay", async () => {
    const { count, client, failing } = failingAuthenticators();
    const browser = client();
    failing.now = false;
    await registerPasskey(browser, new StandinAuthenticator(ORIGIN), "keeper@example.com");
    failing.now = true;
    const options = (await passkeyOptions(browser, "register")).options!;
    const { response } = await postPasskeyCredential(browser, "register", new StandinAuthenticator(ORIGIN).register(options));
    expect(response.headers.get("location")).toBe(REFUSED);
    expect([count("users"), count("accounts"), count("authenticators")]).toEqual([1, 1, 1]);
    expect(browser.jar.has(SESSION_COOKIE)).toBe(true);
    expect(((await browser.session()) as { user?: { email?: string } }).user?.email).toBe("keeper@example.com");
  });
});

describe("transports sent by the browser", () => {
  async function registerWithTransports(transports: unknown) {
    const { db, errors, client } = setup();
    const browser = client();
    const options = (await passkeyOptions(browser, "register", { email: "transports@example.com" })).options!;
    const credential = new StandinAuthenticator(ORIGIN).register(options) as { response: Record<string, unknown> };
    credential.response.transports = transports;
    const { response } = await postPasskeyCredential(browser, "register", credential);
    const stored = (db.prepare("SELECT transports FROM authenticators").get() as { transports: string | null } | undefined)?.transports;
    return { location: response.headers.get("location"), stored, errors };
  }

  it("keeps only known transport names, each once", async () => {
    const { location, stored } = await registerWithTransports(["usb", { evil: 1 }, 5, "internal", "usb", "carrier-pigeon", "hybrid"]);
    expect(location).toBe(DONE);
    expect(stored).toBe("usb,internal,hybrid");
  });

  it.each([["a string", "internal"], ["an object", { 0: "usb" }], ["a list of nothing known", [1, null, "laser"]]])("ignores %s: the passkey is stored without transports, never an error page", async (_, transports) => {
    const { location, stored, errors } = await registerWithTransports(transports);
    expect(location).toBe(DONE);
    expect(stored).toBeNull();
    expect(errors).toEqual([]);
  });
});
