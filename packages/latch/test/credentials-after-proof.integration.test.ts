/**
 * Pre-account hijacking through a password (GHSA-qq9h-g4jm-xgf3): a squatter signs up with a
 * victim's address and a password; the owner later proves the address with an email link, which
 * ends the user's sessions, marks the address verified, and lets the app delete the password
 * (`events.signIn` with `emailVerifiedNow`, as docs/providers.md shows). A password sign-in that
 * read the password before the proof, and finishes after it, gets no session: no cookie, and with
 * database sessions no row left behind. A password sign-in of a user proven long before goes on.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Adapter, AdapterUser } from "../src/adapters/types.js";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { createPasswordHasher } from "../src/password.js";
import Credentials from "../src/providers/credentials.js";
import Email from "../src/providers/email.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { emailSignIn } from "./helpers/sign-in-flows.js";

const APP = "https://app.test";
const SECRET = "credentials-after-proof-secret-of-enough-length-0123456789";
const VICTIM = "victim@example.test";
// A cheap hasher keeps the suite fast (tests only).
const passwords = createPasswordHasher({ logN: 12, unsafeLowCost: true });

beforeAll(() => vi.stubEnv("AUTH_URL", APP));
afterAll(() => vi.unstubAllEnvs());

/**
 * Waits into the next second: a JWT session that begins there outlives the proof's revocation
 * cut-off (the end of the proof's second), so only the sign-in's own check can refuse it.
 */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));

type Strategy = "database" | "jwt";

/**
 * An app with email links and passwords (its own password column, deleted when the owner proves
 * the address). `duringPasswordCheck` runs once, inside the next authorize(), after it read the
 * stored hash and before it compares it: where a slow hash leaves time for the owner's proof.
 */
function passwordApp(strategy: Strategy, wrapAdapter: (adapter: Adapter) => Adapter = (adapter) => adapter) {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const adapter = wrapAdapter(SQLiteAdapter(db));
  const links: string[] = [];
  const passwordHashes = new Map<string, string>();
  const hooks: { duringPasswordCheck?: (() => Promise<void>) | undefined } = {};
  const config: AuthConfig = {
    secret: SECRET,
    adapter,
    session: { strategy },
    ...(strategy === "jwt" ? { revocation: MemoryRevocationStore() } : {}),
    logger: { error: () => undefined, warn: () => undefined },
    events: {
      signIn: ({ user, emailVerifiedNow }) => {
        if (emailVerifiedNow && user.id) passwordHashes.delete(user.id);
      },
    },
    providers: [
      Email({ sendVerificationRequest: ({ url }) => void links.push(url) }),
      Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" } },
        async authorize({ email, password }) {
          const user = await adapter.getUserByEmail!(String(email));
          const stored = user ? passwordHashes.get(user.id) : undefined;
          const hook = hooks.duringPasswordCheck;
          hooks.duringPasswordCheck = undefined;
          if (hook) await hook();
          return (await passwords.verify(String(password), stored)) && user ? user : null;
        },
      }),
    ],
  };
  const sessionRows = (userId: string) => (db.prepare(`SELECT count(*) AS n FROM sessions WHERE "userId" = ?`).get(userId) as { n: number }).n;
  return { adapter, links, passwordHashes, hooks, sessionRows, client: () => new EngineClient(APP, config) };
}

async function passwordSignIn(client: EngineClient, email: string, password: string) {
  const csrfToken = await client.csrfToken();
  return client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email, password, callbackUrl: `${APP}/dashboard` } });
}

const hasSessionCookie = (client: EngineClient) => [...client.jar.keys()].some((name) => name.includes("session-token"));

/** The squatter's sign-up: the victim's address, unverified, and a password. */
async function squat(app: ReturnType<typeof passwordApp>): Promise<AdapterUser> {
  const user = await app.adapter.createUser!({ id: crypto.randomUUID(), email: VICTIM, emailVerified: null, name: "Squatter", image: null });
  app.passwordHashes.set(user.id, await passwords.hash("squatter-password"));
  return user;
}

describe.each(["database", "jwt"] as const)("a password sign-in under way while the owner proves the address (%s sessions)", (strategy) => {
  it("gets no session: the password it read before the proof signs nobody in after it", async () => {
    const app = passwordApp(strategy);
    const squatterUser = await squat(app);
    const victim = app.client();
    app.hooks.duringPasswordCheck = async () => {
      expect((await emailSignIn(victim, app.links, VICTIM)).response.headers.get("location")).toBe(`${APP}/`);
      expect(app.passwordHashes.has(squatterUser.id)).toBe(false);
      if (strategy === "jwt") await nextSecond();
    };

    const squatter = app.client();
    const { response } = await passwordSignIn(squatter, VICTIM, "squatter-password");

    expect(response.headers.get("location")).toBe(`${APP}/api/auth/signin?error=CredentialsSignin&code=credentials`);
    expect(hasSessionCookie(squatter)).toBe(false);
    expect(await squatter.session()).toBeNull();
    // The owner's session is the user's only one: the refused sign-in left no row behind.
    expect(await victim.session()).toMatchObject({ user: { email: VICTIM } });
    if (strategy === "database") expect(app.sessionRows(squatterUser.id)).toBe(1);
  });

  it("is refused too with an adapter that stores whole seconds (the proof's time rounded down)", async () => {
    const app = passwordApp(strategy, (adapter) => ({
      ...adapter,
      getUser: async (id) => {
        const user = await adapter.getUser!(id);
        const verified = user?.emailVerified;
        return user && verified ? { ...user, emailVerified: new Date(Math.floor(verified.getTime() / 1000) * 1000) } : user;
      },
    }));
    await squat(app);
    const victim = app.client();
    app.hooks.duringPasswordCheck = async () => {
      await emailSignIn(victim, app.links, VICTIM);
      if (strategy === "jwt") await nextSecond();
    };

    const squatter = app.client();
    await passwordSignIn(squatter, VICTIM, "squatter-password");
    expect(hasSessionCookie(squatter)).toBe(false);
    expect(await squatter.session()).toBeNull();
  });

  it("a password sign-in that ends between the proof ending the user's sessions and marking the address verified loses its session too", async () => {
    let during: (() => Promise<void>) | undefined;
    const app = passwordApp(strategy, (adapter) => ({
      ...adapter,
      // The proof marks the address verified here, after its first pass over the user's sessions.
      updateUser: async (user) => {
        const run = during;
        during = undefined;
        if (run && user.emailVerified) await run();
        return adapter.updateUser!(user);
      },
    }));
    const squatterUser = await squat(app);
    const squatter = app.client();
    during = async () => {
      // Past the first pass's JWT cut-off (the end of its second).
      if (strategy === "jwt") await nextSecond();
      const { response } = await passwordSignIn(squatter, VICTIM, "squatter-password");
      // It got through: the address did not read verified yet.
      expect(response.headers.get("location")).toBe(`${APP}/dashboard`);
    };

    const victim = app.client();
    expect((await emailSignIn(victim, app.links, VICTIM)).response.headers.get("location")).toBe(`${APP}/`);
    expect(during).toBeUndefined();
    expect(await squatter.session()).toBeNull();
    expect(await victim.session()).toMatchObject({ user: { email: VICTIM } });
    if (strategy === "database") expect(app.sessionRows(squatterUser.id)).toBe(1);
  });

  it("still signs in a user whose address was proven before, with their password", async () => {
    const app = passwordApp(strategy);
    const owner = await app.adapter.createUser!({ id: crypto.randomUUID(), email: VICTIM, emailVerified: new Date(Date.now() - 60_000), name: "Owner", image: null });
    app.passwordHashes.set(owner.id, await passwords.hash("owner-password"));

    const client = app.client();
    const { response } = await passwordSignIn(client, VICTIM, "owner-password");
    expect(response.headers.get("location")).toBe(`${APP}/dashboard`);
    expect(await client.session()).toMatchObject({ user: { email: VICTIM } });
  });
});
