/**
 * The email proof's defence against a squatter's account (unlink the unproven passkey and OAuth
 * accounts, end the squatter's sessions) runs for a user whose `emailVerified` is missing, not
 * only `null`: an adapter that stores no null property (Auth.js's Neo4j adapter, a graph store)
 * returns an unverified user without it. Modelled by wrapping the SQLite adapter to drop nulls.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Adapter, AdapterUser } from "../src/adapters/types.js";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Email from "../src/providers/email.js";
import Passkey from "../src/providers/passkey.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { StandinAuthenticator } from "./helpers/standin-authenticator.js";
import { emailSignIn, passkeySignIn, registerPasskey } from "./helpers/sign-in-flows.js";

const ORIGIN = "https://app.test";
const SECRET = "email-proof-nulls-secret-of-enough-length-0123456789ab";

beforeAll(() => vi.stubEnv("AUTH_URL", ORIGIN));
afterAll(() => vi.unstubAllEnvs());

/** Like a graph store: a property that is null is not stored, so it is absent when read back. */
function dropNulls(user: AdapterUser | null): AdapterUser | null {
  if (!user) return user;
  return Object.fromEntries(Object.entries(user).filter(([, value]) => value !== null)) as unknown as AdapterUser;
}

function nullDroppingAdapter(inner: Adapter): Adapter {
  return {
    ...inner,
    getUser: async (id) => dropNulls((await inner.getUser!(id)) ?? null),
    getUserByEmail: async (email) => dropNulls((await inner.getUserByEmail!(email)) ?? null),
    getUserByAccount: async (account) => dropNulls((await inner.getUserByAccount!(account)) ?? null),
    createUser: async (user) => dropNulls(await inner.createUser!(user))!,
    updateUser: async (user) => dropNulls(await inner.updateUser!(user))!,
  };
}

describe("email proof with an adapter that returns emailVerified: undefined for an unverified user", () => {
  it("still unlinks the squatter's passkey: the squatter cannot sign in to the proven account", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const links: string[] = [];
    const config: AuthConfig = {
      secret: SECRET,
      adapter: nullDroppingAdapter(SQLiteAdapter(db)),
      providers: [Passkey({}), Email({ sendVerificationRequest: ({ url }) => void links.push(url) })],
      session: { strategy: "database" },
      logger: { error: () => undefined, warn: () => undefined },
    };

    // The squatter signs up with a passkey under the victim's address (stored unverified).
    const device = new StandinAuthenticator(ORIGIN, 0);
    const squatter = new EngineClient(ORIGIN, config);
    await registerPasskey(squatter, device, "victim@example.com");
    expect(((await squatter.session()) as { user?: { email?: string } }).user?.email).toBe("victim@example.com");

    // The victim proves the address with an email link.
    const owner = new EngineClient(ORIGIN, config);
    await emailSignIn(owner, links, "victim@example.com");
    expect(((await owner.session()) as { user?: { email?: string } }).user?.email).toBe("victim@example.com");

    // The squatter's earlier session must be gone, and the passkey must no longer sign in.
    expect.soft(await squatter.session()).toBeNull();
    const later = new EngineClient(ORIGIN, config);
    await passkeySignIn(later, device);
    expect.soft(await later.session()).toBeNull();
  });
});
