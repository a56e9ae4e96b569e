/**
 * A squatter's sign-in racing the address owner's email proof (pre-account hijacking,
 * security.md: GHSA-qq9h-g4jm-xgf3): the proof unlinks the squatter's accounts and ends the
 * user's sessions; a sign-in through such an account that looked the user up before the unlink
 * must not get a session after the sessions were ended. Real requests through the engine, the
 * SQLite adapter, the GitHub stand-in and the stand-in WebAuthn authenticator. The race is forced
 * by holding the squatter's lookup open (the adapter's answer is read, then the proof runs, then
 * the answer is returned) — the interleaving a slow database produces.
 */
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Adapter } from "../src/adapters/types.js";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { MemoryProviderTokenStore } from "../src/provider-tokens/memory.js";
import Email from "../src/providers/email.js";
import GitHub from "../src/providers/github.js";
import Passkey from "../src/providers/passkey.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { AuthConfig } from "../src/types.js";
import { startGitHubStandIn, type GitHubStandIn } from "./fixtures/github-standin.js";
import { EngineClient } from "./helpers/engine-client.js";
import { emailSignIn, gitHubSignIn, passkeySignIn, registerPasskey } from "./helpers/sign-in-flows.js";
import { StandinAuthenticator } from "./helpers/standin-authenticator.js";

const ORIGIN = "https://app.test";
const SECRET = "proof-race-secret-of-enough-length-0123456789abcdef";
const VICTIM = "victim@example.test";

let github: GitHubStandIn;

beforeAll(async () => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  github = await startGitHubStandIn({
    callbackUrl: `${ORIGIN}/api/auth/callback/github`,
    // The squatter's GitHub account carries the victim's address; this app's GitHub does not vouch
    // for addresses (emailVerified: () => false), so the user it creates is stored unverified.
    users: [{ id: 777, login: "squatter", name: "Squatter", email: VICTIM, emails: [{ email: VICTIM, primary: true, verified: true, visibility: "public" }] }],
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await github?.close();
});

type Hook = () => Promise<void>;
type Held = "getUserByAccount" | "getAccount" | "getUser" | "getAuthenticator";

/**
 * The SQLite adapter with one lookup that can be held open: `arm(method, nth, hook)` makes the
 * nth next call of `method` read its answer, run `hook`, then return the answer read before (a
 * slow reply); with `order: "before-read"`, run `hook` first and then read (a slow request).
 */
function racingAdapter(db: Database.Database) {
  const inner = SQLiteAdapter(db);
  const armed: { method?: Held; remaining: number; hook?: Hook; order?: "after-read" | "before-read" } = { remaining: 0 };
  const calls: Record<Held, number> = { getUserByAccount: 0, getAccount: 0, getUser: 0, getAuthenticator: 0 };
  const hold = async <T>(method: Held, read: () => Promise<T>): Promise<T> => {
    calls[method]++;
    if (armed.method !== method || --armed.remaining !== 0) return read();
    const { hook, order } = armed;
    delete armed.method;
    if (order === "before-read") {
      await hook!();
      return read();
    }
    const answer = await read();
    await hook!();
    return answer;
  };
  const adapter: Adapter = {
    ...inner,
    getUserByAccount: (account) => hold("getUserByAccount", async () => inner.getUserByAccount!(account)),
    getAccount: (providerAccountId, provider) => hold("getAccount", async () => inner.getAccount!(providerAccountId, provider)),
    getUser: (id) => hold("getUser", async () => inner.getUser!(id)),
    getAuthenticator: (credentialID) => hold("getAuthenticator", async () => inner.getAuthenticator!(credentialID)),
  };
  const arm = (method: Held, nth: number, hook: Hook, order: "after-read" | "before-read" = "after-read") => Object.assign(armed, { method, remaining: nth, hook, order });
  return { adapter, arm, calls };
}

function setup(strategy: "database" | "jwt") {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const { adapter, arm, calls } = racingAdapter(db);
  const links: string[] = [];
  const tokens = MemoryProviderTokenStore();
  const config: AuthConfig = {
    secret: SECRET,
    adapter,
    session: { strategy },
    ...(strategy === "jwt" ? { revocation: MemoryRevocationStore() } : {}),
    providerTokens: { store: tokens },
    providers: [
      Passkey({}),
      Email({ sendVerificationRequest: ({ url }) => void links.push(url) }),
      GitHub({ clientId: github.clientId, clientSecret: github.clientSecret, enterprise: { baseUrl: github.url }, emailVerified: () => false }),
    ],
    logger: { error: () => undefined, warn: () => undefined },
  };
  const rows = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];
  return { arm, calls, config, links, rows, tokens, client: () => new EngineClient(ORIGIN, config) };
}

const location = (response: Response) => response.headers.get("location");

interface SessionJson {
  user?: { email?: string | null; name?: string | null };
}

/** Waits until the clock is past the end of this second: a JWT minted now has a later auth_time than a cut-off set now. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));

describe.each(["database", "jwt"] as const)("an email proof racing the squatter's sign-in (%s sessions)", (strategy) => {
  it("a GitHub sign-in that found the user before the proof unlinked its account gets no session, and leaves no tokens", async () => {
    const { arm, links, rows, tokens, client } = setup(strategy);
    // The squatter signs up with GitHub under the victim's address (stored unverified).
    const squatter = client();
    expect(location((await gitHubSignIn(squatter, github, "squatter")).response)).toBe(`${ORIGIN}/dashboard`);
    const userId = rows<{ id: string }>("SELECT id FROM users")[0]!.id;
    expect(await tokens.get(userId, "github")).not.toBeNull();

    // Signing in again: the callback's second lookup (loginWithAdapter's) finds the link; the
    // victim proves the address before it returns, and the session is made in a later second.
    const victim = client();
    arm("getUserByAccount", 2, async () => {
      expect(location((await emailSignIn(victim, links, VICTIM)).response)).toBe(`${ORIGIN}/`);
      await nextSecond();
    });
    const again = client();
    const raced = await gitHubSignIn(again, github, "squatter");

    expect(location(raced.response)).toBe(`${ORIGIN}/api/auth/signin?error=OAuthAccountNotLinked`);
    expect(raced.cookies.map((cookie) => cookie.name)).not.toContain("authjs.session-token");
    expect(await again.session()).toBeNull();
    // Nothing of the squatter survives on the victim's user: no link, no tokens, no session.
    expect(rows("SELECT provider FROM accounts WHERE provider = 'github'")).toEqual([]);
    expect(await tokens.get(userId, "github")).toBeNull();
    expect(await squatter.session()).toBeNull();
    if (strategy === "database") expect(rows<{ n: number }>("SELECT COUNT(*) AS n FROM sessions")).toEqual([{ n: 1 }]);
    expect(((await victim.session()) as SessionJson).user?.email).toBe(VICTIM);
  });

  it("a passkey sign-in that found its account before the proof unlinked it gets no session", async () => {
    const { arm, links, rows, client } = setup(strategy);
    const device = new StandinAuthenticator(ORIGIN);
    const squatter = client();
    expect(location((await registerPasskey(squatter, device, VICTIM)).response)).toBe(`${ORIGIN}/dashboard`);

    const victim = client();
    arm("getAccount", 1, async () => {
      expect(location((await emailSignIn(victim, links, VICTIM)).response)).toBe(`${ORIGIN}/`);
      await nextSecond();
    });
    const again = client();
    const raced = await passkeySignIn(again, device);

    expect(location(raced.response)).toBe(`${ORIGIN}/api/auth/signin?error=WebAuthnVerificationError`);
    expect(raced.cookies.map((cookie) => cookie.name)).not.toContain("authjs.session-token");
    expect(await again.session()).toBeNull();
    expect(rows("SELECT provider FROM accounts WHERE provider = 'passkey'")).toEqual([]);
    if (strategy === "database") expect(rows<{ n: number }>("SELECT COUNT(*) AS n FROM sessions")).toEqual([{ n: 1 }]);
    expect(((await victim.session()) as SessionJson).user?.email).toBe(VICTIM);
  });
});

describe.each(["database", "jwt"] as const)("an email proof racing a link made by the squatter's live session (%s sessions)", (strategy) => {
  it("a passkey the squatter adds while the proof runs is unlinked, and the squatter gets no session", async () => {
    const { arm, links, rows, client } = setup(strategy);
    const squatter = client();
    await registerPasskey(squatter, new StandinAuthenticator(ORIGIN), VICTIM);
    expect(await squatter.session()).not.toBeNull();

    // The squatter's session was found live; the proof runs before the new passkey is linked.
    const victim = client();
    arm("getAuthenticator", 1, async () => {
      expect(location((await emailSignIn(victim, links, VICTIM)).response)).toBe(`${ORIGIN}/`);
      await nextSecond();
    });
    const added = await registerPasskey(squatter, new StandinAuthenticator(ORIGIN));

    expect(location(added.response)).toBe(`${ORIGIN}/api/auth/signin?error=WebAuthnVerificationError`);
    expect(rows("SELECT provider FROM accounts WHERE provider = 'passkey'")).toEqual([]);
    expect(await squatter.session()).toBeNull();
    expect(((await victim.session()) as SessionJson).user?.email).toBe(VICTIM);
  });
});

describe("an email proof racing a GitHub link made by the squatter's live JWT session", () => {
  it("the session was found live, the user read once verified: the link is undone and the squatter gets no session", async () => {
    const { arm, links, rows, client } = setup("jwt");
    const squatter = client();
    await registerPasskey(squatter, new StandinAuthenticator(ORIGIN), VICTIM);
    // The signed-in user is looked up in two reads: the session (live), then the user — after the proof.
    const victim = client();
    const linked = await gitHubSignIn(squatter, github, "squatter", () =>
      arm(
        "getUser",
        1,
        async () => {
          expect(location((await emailSignIn(victim, links, VICTIM)).response)).toBe(`${ORIGIN}/`);
          await nextSecond();
        },
        "before-read",
      ),
    );

    expect(location(linked.response)).toBe(`${ORIGIN}/api/auth/signin?error=OAuthAccountNotLinked`);
    expect(rows("SELECT provider FROM accounts WHERE provider = 'github'")).toEqual([]);
    expect(await squatter.session()).toBeNull();
    expect(((await victim.session()) as SessionJson).user?.email).toBe(VICTIM);
  });
});

describe("the accounts' tokens after an email proof", () => {
  it("the proof deletes the provider tokens the squatter's GitHub sign-in stored for the user: the app cannot act on the squatter's account as the victim", async () => {
    const { links, rows, tokens, client } = setup("database");
    await gitHubSignIn(client(), github, "squatter");
    const userId = rows<{ id: string }>("SELECT id FROM users")[0]!.id;
    expect(await tokens.get(userId, "github")).not.toBeNull();
    await emailSignIn(client(), links, VICTIM);
    expect(await tokens.get(userId, "github")).toBeNull();
  });

  it("without an email provider no proof can come: a passkey sign-in looks its account up once", async () => {
    const count = async (email: boolean) => {
      const { calls, config } = setup("database");
      if (!email) config.providers = config.providers.filter((provider) => typeof provider === "function" || provider.type !== "email");
      const device = new StandinAuthenticator(ORIGIN);
      await registerPasskey(new EngineClient(ORIGIN, config), device, VICTIM);
      const before = calls.getAccount;
      expect(location((await passkeySignIn(new EngineClient(ORIGIN, config), device)).response)).toBe(`${ORIGIN}/dashboard`);
      return calls.getAccount - before;
    };
    expect(await count(false)).toBe(1);
    expect(await count(true)).toBe(2);
  });
});

/**
 * The still-linked check is the last step before the cookie, after the app's jwt callback (often
 * a network call). Were it before the callback, a proof landing during the callback would not be
 * refused: the cookie would be minted after the revocation and outlive it (kept until the proof's
 * time + maxAge). Only Date is faked; timers and sockets run for real.
 */
const DAY = 24 * 60 * 60 * 1000;

describe("an email proof landing while the squatter's jwt callback runs", () => {
  afterEach(() => vi.useRealTimers());

  it("leaves the squatter no session, not even once the proof's revocation has expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    vi.setSystemTime(new Date("2027-01-04T10:00:00.200Z"));
    const db = new Database(":memory:");
    migrateSQLite(db);
    const links: string[] = [];
    let duringJwt: (() => Promise<void>) | undefined;
    const config: AuthConfig = {
      secret: SECRET,
      adapter: SQLiteAdapter(db),
      session: { strategy: "jwt" },
      revocation: MemoryRevocationStore(),
      providers: [
        Email({ sendVerificationRequest: ({ url }) => void links.push(url) }),
        // This app's GitHub does not vouch for addresses: the squatter's user is stored unverified.
        GitHub({ clientId: github.clientId, clientSecret: github.clientSecret, enterprise: { baseUrl: github.url }, emailVerified: () => false }),
      ],
      callbacks: {
        // The app's jwt callback at sign-in (say it asks an API for the user's roles): what happens
        // meanwhile is whatever `duringJwt` does.
        jwt: async ({ token, trigger, account }) => {
          if (trigger === "signIn" && account?.provider === "github" && duringJwt) {
            const hook = duringJwt;
            duringJwt = undefined;
            await hook();
          }
          return token;
        },
      },
      logger: { error: () => undefined, warn: () => undefined },
    };
    const client = () => new EngineClient(ORIGIN, config);

    // The squatter signs up with GitHub under the victim's address.
    expect(location((await gitHubSignIn(client(), github, "squatter")).response)).toBe(`${ORIGIN}/dashboard`);

    // Signing in again; while the app's jwt callback runs (10 s), the owner proves the address.
    const owner = client();
    let proofAt = 0;
    duringJwt = async () => {
      proofAt = Date.now();
      expect(location((await emailSignIn(owner, links, VICTIM)).response)).toBe(`${ORIGIN}/`);
      vi.setSystemTime(Date.now() + 10_000);
    };
    const again = client();
    const raced = await gitHubSignIn(again, github, "squatter");
    expect(proofAt).toBeGreaterThan(0);
    // The squatter keeps a copy of whatever session cookie it was given.
    const kept = raced.cookies.filter((c) => c.name.includes("session-token") && c.value !== "");
    // The check runs after the callback, finds the account unlinked, and refuses: no session now...
    expect(await again.session()).toBeNull();

    // ...nor once the proof's revocation is gone (30 days and 20 s on): had a cookie been minted
    // after the callback, 10 s after the revocation, it would not have expired yet.
    vi.setSystemTime(proofAt + 30 * DAY + 20_000);
    for (const cookie of kept) again.jar.set(cookie.name, cookie.value);
    const later = (await again.session()) as { user?: { email?: string } } | null;
    expect(later?.user?.email ?? null, `sign-in answered ${location(raced.response)}`).toBeNull();
  });
});
