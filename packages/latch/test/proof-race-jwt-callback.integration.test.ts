/**
 * The still-linked check of a sign-in (startSession's `confirm`) is its last step before the
 * cookie is minted, after the app's jwt callback — often a network call. Were the callback after
 * the check, an email proof landing during it would not be refused: the squatter's cookie would
 * be minted after the proof revoked the user's sessions, and outlive the revocation (kept until
 * the proof's time + maxAge, while the cookie lives from its minting): once the store forgets,
 * the cookie would sign the squatter in to the owner's verified account.
 *
 * The engine, the SQLite adapter, the GitHub stand-in and the memory revocation store are real;
 * only the clock is moved (Date alone is faked, timers and sockets run for real).
 */
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Email from "../src/providers/email.js";
import GitHub from "../src/providers/github.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { AuthConfig } from "../src/types.js";
import { startGitHubStandIn, type GitHubStandIn } from "./fixtures/github-standin.js";
import { EngineClient } from "./helpers/engine-client.js";
import { emailSignIn, gitHubSignIn } from "./helpers/sign-in-flows.js";

const ORIGIN = "https://app.test";
const SECRET = "jwt-race-secret-of-enough-length-0123456789abcdef";
const VICTIM = "victim@example.test";
const DAY = 24 * 60 * 60 * 1000;

let github: GitHubStandIn;

beforeAll(async () => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  github = await startGitHubStandIn({
    callbackUrl: `${ORIGIN}/api/auth/callback/github`,
    users: [{ id: 777, login: "squatter", name: "Squatter", email: VICTIM, emails: [{ email: VICTIM, primary: true, verified: true, visibility: "public" }] }],
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await github?.close();
});

afterEach(() => vi.useRealTimers());

const location = (response: Response) => response.headers.get("location");

describe("an email proof landing while the squatter's jwt callback runs", () => {
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
    // Before f103219: refused (the check ran after the callback and found the account unlinked).
    // Now: a cookie, minted after the revocation; refused for now...
    expect(await again.session()).toBeNull();

    // ...but 30 days and 20 s after the proof the revocation is gone, and the cookie minted 10 s
    // after it is not yet expired: the squatter is signed in to the owner's account again.
    vi.setSystemTime(proofAt + 30 * DAY + 20_000);
    for (const cookie of kept) again.jar.set(cookie.name, cookie.value);
    const later = (await again.session()) as { user?: { email?: string } } | null;
    expect(later?.user?.email ?? null, `sign-in answered ${location(raced.response)}`).toBeNull();
  });
});
