/**
 * Pre-account hijacking through account linking, and the per-account credentials limit behind an
 * app's own form: real requests through the engine, the SQLite adapter, the GitHub stand-in and
 * the stand-in WebAuthn authenticator (security.md: GHSA-qq9h, GHSA-g38m; ASVS 6.3.1).
 */
import { loginThroughIdP, startLocalIdP } from "@latch/local-idp";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Credentials from "../src/providers/credentials.js";
import Email from "../src/providers/email.js";
import GitHub from "../src/providers/github.js";
import OIDC from "../src/providers/oidc.js";
import Passkey from "../src/providers/passkey.js";
import type { AuthConfig } from "../src/types.js";
import { startGitHubStandIn, type GitHubStandIn } from "./fixtures/github-standin.js";
import { EngineClient } from "./helpers/engine-client.js";
import { emailSignIn, gitHubSignIn, passkeySignIn, registerPasskey } from "./helpers/sign-in-flows.js";
import { StandinAuthenticator } from "./helpers/standin-authenticator.js";

const ORIGIN = "https://app.test";
const SECRET = "review-signin-paths-secret-of-enough-length-0123456789";

let github: GitHubStandIn;

beforeAll(async () => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  github = await startGitHubStandIn({
    callbackUrl: `${ORIGIN}/api/auth/callback/github`,
    users: [
      // The attacker's own GitHub account, with the attacker's own verified address.
      { id: 666, login: "mallory", name: "Mallory", email: null, emails: [{ email: "mallory@evil.test", primary: true, verified: true, visibility: "private" }] },
      // A legitimate user, whose verified GitHub address is the one they also use for magic links.
      { id: 1001, login: "gina", name: "Gina", email: null, emails: [{ email: "gina@example.test", primary: true, verified: true, visibility: "private" }] },
      // A squatter's account at a provider that, in these tests, does not vouch for addresses.
      { id: 777, login: "squatter", name: "Squatter", email: null, emails: [{ email: "victim@example.test", primary: true, verified: true, visibility: "private" }] },
    ],
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await github?.close();
});

function setup(options: { email?: boolean; vouch?: boolean } = {}) {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const adapter = SQLiteAdapter(db);
  const links: string[] = [];
  const config: AuthConfig = {
    secret: SECRET,
    adapter,
    session: { strategy: "database" },
    providers: [
      Passkey({}),
      ...(options.email === false ? [] : [Email({ sendVerificationRequest: ({ url }) => void links.push(url) })]),
      GitHub({ clientId: github.clientId, clientSecret: github.clientSecret, enterprise: { baseUrl: github.url }, ...(options.vouch === false ? { emailVerified: () => false } : {}) }),
    ],
    logger: { error: () => undefined, warn: () => undefined },
  };
  const rows = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];
  return { db, adapter, config, links, rows, client: () => new EngineClient(ORIGIN, config) };
}

const location = (response: Response) => response.headers.get("location");

interface SessionJson {
  user?: { email?: string | null; name?: string | null };
}

describe("pre-account hijacking: an account linked to a user whose address nobody proved", () => {
  it("a squatter who signed up with a passkey under the victim's address cannot link their GitHub; after the victim's email proof, the squatter's GitHub signs in to a user of its own", async () => {
    const { links, rows, client } = setup();

    // The attacker creates a user with the victim's address: a passkey proves nothing about it.
    const attacker = client();
    const registered = await registerPasskey(attacker, new StandinAuthenticator(ORIGIN), "victim@example.test");
    expect(location(registered.response)).toBe(`${ORIGIN}/dashboard`);
    // Signed in, they try to link their own GitHub account to it: refused until the address is proven.
    const linked = await gitHubSignIn(attacker, github, "mallory");
    expect(location(linked.response)).toBe(`${ORIGIN}/api/auth/signin?error=OAuthAccountNotLinked`);
    expect(rows("SELECT provider FROM accounts WHERE provider = 'github'")).toHaveLength(0);

    // The victim signs in with a link sent to the address, and takes the user over.
    const victim = client();
    await emailSignIn(victim, links, "victim@example.test");
    expect(((await victim.session()) as SessionJson).user?.email).toBe("victim@example.test");

    // The attacker's GitHub now signs in to a new user with the attacker's own address.
    const later = client();
    await gitHubSignIn(later, github, "mallory");
    expect(((await later.session()) as SessionJson | null)?.user?.email).toBe("mallory@evil.test");
    expect(rows<{ email: string }>("SELECT email FROM users ORDER BY email")).toEqual([{ email: "mallory@evil.test" }, { email: "victim@example.test" }]);
  });

  it("once the address is proven by an email link, the same user links GitHub", async () => {
    const { links, rows, client } = setup();
    const owner = client();
    await registerPasskey(owner, new StandinAuthenticator(ORIGIN), "gina@example.test");
    await emailSignIn(owner, links, "gina@example.test");
    const linked = await gitHubSignIn(owner, github, "gina");
    expect(location(linked.response)).toBe(`${ORIGIN}/dashboard`);
    expect(rows<{ n: number }>("SELECT COUNT(*) AS n FROM users")).toEqual([{ n: 1 }]);
    expect(rows("SELECT provider FROM accounts WHERE provider = 'github'")).toHaveLength(1);
  });

  it("without an email provider nobody can take such a user over, so linking works as before", async () => {
    const { rows, client } = setup({ email: false });
    const owner = client();
    await registerPasskey(owner, new StandinAuthenticator(ORIGIN), "gina@example.test");
    const linked = await gitHubSignIn(owner, github, "gina");
    expect(location(linked.response)).toBe(`${ORIGIN}/dashboard`);
    expect(rows("SELECT provider FROM accounts WHERE provider = 'github'")).toHaveLength(1);
  });
});

describe("the per-account credentials limit behind the app's own form (no declared fields)", () => {
  function formConfig(): AuthConfig {
    return {
      secret: SECRET,
      providers: [
        Credentials({
          authorize: (credentials) => {
            const account = credentials.email ?? credentials.username;
            return account === "alice@example.test" && credentials.password === "correct horse" ? { id: "alice", email: "alice@example.test" } : null;
          },
        }),
      ],
      logger: { error: () => undefined, warn: () => undefined },
    };
  }

  async function guesses(client: EngineClient, field: string, account: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const csrfToken = await client.csrfToken();
      const { response } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, [field]: account, password: `guess-${i}` } });
      statuses.push(response.status);
    }
    return statuses;
  }

  it("a successful sign-in that sent several identifiers takes back only its own attempt: a known login cannot clear a target's count", async () => {
    const config: AuthConfig = {
      secret: SECRET,
      providers: [
        Credentials({
          authorize: ({ username, password }) => (username === "mallory" && password === "mallory's own" ? { id: "mallory", email: "mallory@evil.test" } : null),
        }),
      ],
      logger: { error: () => undefined, warn: () => undefined },
    };
    const client = new EngineClient(ORIGIN, config);
    expect(await guesses(client, "username", "alice", 9)).toEqual(Array.from({ length: 9 }, () => 303));
    // The attacker signs in as themselves, naming the target in a second field.
    const csrfToken = await client.csrfToken();
    const own = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, username: "mallory", email: "alice", password: "mallory's own" } });
    expect(location(own.response)).toBe(`${ORIGIN}/`);
    // The target's count still holds the nine guesses: one more is answered, the next refused.
    expect(await guesses(client, "username", "alice", 2)).toEqual([303, 429]);
  });

  it("a success takes back only its own attempt: signing in to a look-alike account of one's own (alicé@) leaves the guesses at alice@ counted", async () => {
    // Where sign-up is open, anyone may own "alicé@example.test", which folds as alice@'s name.
    const config: AuthConfig = {
      secret: SECRET,
      providers: [
        Credentials({
          credentials: { email: { type: "email" }, password: { type: "password" } },
          authorize: ({ email, password }) => (email === "alic\u00e9@example.test" && password === "mallory's own" ? { id: "mallory", email: "alic\u00e9@example.test" } : null),
        }),
      ],
      logger: { error: () => undefined, warn: () => undefined },
    };
    const client = new EngineClient(ORIGIN, config);
    expect(await guesses(client, "email", "alice@example.test", 9)).toEqual(Array.from({ length: 9 }, () => 303));
    const csrfToken = await client.csrfToken();
    const own = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: "alic\u00e9@example.test", password: "mallory's own" } });
    expect(location(own.response)).toBe(`${ORIGIN}/`);
    // Nine guesses still count against the folded name: one more is answered, the next refused.
    expect(await guesses(client, "email", "alice@example.test", 2)).toEqual([303, 429]);
  });

  it.each(["email", "username"])("counts the submitted %s: the 11th guess at one account is refused with 429, spelled in any case", async (field) => {
    const client = new EngineClient(ORIGIN, formConfig());
    const statuses = await guesses(client, field, "alice@example.test", 10);
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 303));
    expect(await guesses(client, field, "ALICE@example.test", 1)).toEqual([429]);
    // Another account goes on.
    expect(await guesses(client, field, "bob@example.test", 1)).toEqual([303]);
  });
});

describe("addresses a provider vouches for are stored verified", () => {
  it("a GitHub user's passkey and other sessions survive their first sign-in by email link: GitHub vouched for the address", async () => {
    const { links, rows, client } = setup();
    const laptop = client();
    await gitHubSignIn(laptop, github, "gina");
    expect(rows<{ verified: number }>("SELECT emailVerified IS NOT NULL AS verified FROM users")).toEqual([{ verified: 1 }]);
    const phone = new StandinAuthenticator(ORIGIN);
    expect(location((await registerPasskey(laptop, phone)).response)).toBe(`${ORIGIN}/dashboard`);

    const office = client();
    await emailSignIn(office, links, "gina@example.test");
    expect(((await office.session()) as SessionJson).user?.email).toBe("gina@example.test");
    expect(rows<{ n: number }>("SELECT COUNT(*) AS n FROM users")).toEqual([{ n: 1 }]);
    // Not treated as a squatter: the passkey still signs in, the laptop is still signed in.
    expect(location((await passkeySignIn(client(), phone)).response)).toBe(`${ORIGIN}/dashboard`);
    expect(((await laptop.session()) as SessionJson | null)?.user?.email).toBe("gina@example.test");
  });

  it("a provider that does not vouch leaves the address unverified, and the email link then treats the user as a possible squatter's", async () => {
    const { links, rows, client } = setup({ vouch: false });
    const laptop = client();
    await gitHubSignIn(laptop, github, "gina");
    expect(rows<{ verified: number }>("SELECT emailVerified IS NOT NULL AS verified FROM users")).toEqual([{ verified: 0 }]);
    await emailSignIn(client(), links, "gina@example.test");
    expect(rows<{ verified: number }>("SELECT emailVerified IS NOT NULL AS verified FROM users")).toEqual([{ verified: 1 }]);
    // The laptop's session began before the address was proven: it is ended.
    expect(await laptop.session()).toBeNull();
  });

  it("a user stored unverified before is marked verified at their next sign-in with the vouching account", async () => {
    const { adapter, rows, client } = setup();
    await gitHubSignIn(client(), github, "gina");
    const [stored] = rows<{ id: string }>("SELECT id FROM users");
    await adapter.updateUser?.({ id: stored!.id, emailVerified: null });
    await gitHubSignIn(client(), github, "gina");
    expect(rows<{ verified: number }>("SELECT emailVerified IS NOT NULL AS verified FROM users")).toEqual([{ verified: 1 }]);
  });

  it("GitHub's vouching covers only the address it returned: the squatter's own GitHub never verifies the victim's address", async () => {
    const { rows, client } = setup({ email: false });
    const attacker = client();
    await registerPasskey(attacker, new StandinAuthenticator(ORIGIN), "victim@example.test");
    await gitHubSignIn(attacker, github, "mallory");
    expect(rows<{ email: string; verified: number }>("SELECT email, emailVerified IS NOT NULL AS verified FROM users")).toEqual([{ email: "victim@example.test", verified: 0 }]);
  });
});

describe("an OpenID provider vouches with the email_verified claim", () => {
  it("stores the address verified when email_verified is true, and unverified when it is false", async () => {
    const idp = await startLocalIdP({
      clients: [{ client_id: "hijack-test", client_secret: "hijack-test-secret", redirect_uris: [`${ORIGIN}/api/auth/callback/local`] }],
      accounts: { eve: { email: "eve@example.test", email_verified: false } },
    });
    try {
      const { config, rows } = setup();
      config.providers = [...config.providers, OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: "hijack-test", clientSecret: "hijack-test-secret" })];
      for (const login of ["alice", "eve"]) {
        const client = new EngineClient(ORIGIN, config);
        const csrfToken = await client.csrfToken();
        const start = await client.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: `${ORIGIN}/dashboard` } });
        const { response } = await client.fetch(await loginThroughIdP(location(start.response)!, login));
        expect(location(response)).toBe(`${ORIGIN}/dashboard`);
      }
      expect(rows<{ email: string; verified: number }>("SELECT email, emailVerified IS NOT NULL AS verified FROM users ORDER BY email")).toEqual([
        { email: "alice@example.test", verified: 1 },
        { email: "eve@example.test", verified: 0 },
      ]);
    } finally {
      await idp.close();
    }
  });
});

describe("an email link proving a user's address unlinks what nobody proved it with", () => {
  it("a squatter who signed up through a provider that does not vouch for the address loses the user once the victim proves it", async () => {
    const { links, rows, client } = setup({ vouch: false });
    await gitHubSignIn(client(), github, "squatter");
    expect(rows<{ email: string; verified: number }>("SELECT email, emailVerified IS NOT NULL AS verified FROM users")).toEqual([{ email: "victim@example.test", verified: 0 }]);

    const victim = client();
    await emailSignIn(victim, links, "victim@example.test");
    expect(((await victim.session()) as SessionJson).user?.email).toBe("victim@example.test");
    expect(rows("SELECT provider FROM accounts WHERE provider = 'github'")).toEqual([]);

    // The squatter's GitHub now makes a user of its own; the address is taken, so it has none.
    const later = client();
    const { response } = await gitHubSignIn(later, github, "squatter");
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=OAuthAccountNotLinked`);
    expect(await later.session()).toBeNull();
  });

  it("the owner links the provider again once signed in with the proven address", async () => {
    const { links, rows, client } = setup({ vouch: false });
    await gitHubSignIn(client(), github, "gina");
    const owner = client();
    await emailSignIn(owner, links, "gina@example.test");
    expect(rows("SELECT provider FROM accounts WHERE provider = 'github'")).toEqual([]);
    const relinked = await gitHubSignIn(owner, github, "gina");
    expect(location(relinked.response)).toBe(`${ORIGIN}/dashboard`);
    expect(rows<{ n: number }>("SELECT COUNT(*) AS n FROM users")).toEqual([{ n: 1 }]);
    expect(rows("SELECT provider FROM accounts WHERE provider = 'github'")).toHaveLength(1);
  });
});
