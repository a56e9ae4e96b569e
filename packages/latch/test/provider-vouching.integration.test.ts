/**
 * Which providers vouch for an address, and what an unvouched one leads to: a GitHub public
 * address GitHub lists as unverified is not vouched for (so the victim's email link unlinks the
 * squatter's GitHub), and Apple's and Discord's own flags vouch. Real requests through the
 * engine, the SQLite adapter and the GitHub stand-in, as in signin-hijack.integration.test.ts.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { resolveProviders, type InternalOAuthProvider } from "../src/core/providers.js";
import Apple from "../src/providers/apple.js";
import Discord from "../src/providers/discord.js";
import Email from "../src/providers/email.js";
import GitHub from "../src/providers/github.js";
import Kakao from "../src/providers/kakao.js";
import Patreon from "../src/providers/patreon.js";
import type { AuthConfig } from "../src/types.js";
import { startGitHubStandIn, type GitHubStandIn } from "./fixtures/github-standin.js";
import { EngineClient } from "./helpers/engine-client.js";
import { emailSignIn, gitHubSignIn } from "./helpers/sign-in-flows.js";

const ORIGIN = "https://app.test";
const SECRET = "provider-vouching-secret-of-enough-length-0123456789abcdef";

let github: GitHubStandIn;

beforeAll(async () => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  github = await startGitHubStandIn({
    callbackUrl: `${ORIGIN}/api/auth/callback/github`,
    users: [
      // A squatter whose GitHub profile shows the victim's address publicly, which GitHub itself
      // lists as unverified (/user/emails): an Enterprise Managed User created since August 2024,
      // or a GitHub Enterprise Server without email verification.
      { id: 42, login: "ada", name: "Ada", email: "Ada@Example.test", emails: [{ email: "ada@example.test", primary: true, verified: true, visibility: "public" }] },
      { id: 777, login: "squatter", name: "Squatter", email: "victim@example.test", emails: [{ email: "victim@example.test", primary: true, verified: false, visibility: "public" }] },
    ],
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await github?.close();
});


function setup() {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const links: string[] = [];
  const config: AuthConfig = {
    secret: SECRET,
    adapter: SQLiteAdapter(db),
    session: { strategy: "database" },
    providers: [
      Email({ sendVerificationRequest: ({ url }) => void links.push(url) }),
      GitHub({ clientId: github.clientId, clientSecret: github.clientSecret, enterprise: { baseUrl: github.url } }),
    ],
    logger: { error: () => undefined, warn: () => undefined },
  };
  const rows = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];
  return { links, rows, client: () => new EngineClient(ORIGIN, config) };
}

function resolvedOAuth(provider: Parameters<typeof resolveProviders>[0][number]): InternalOAuthProvider {
  const [resolved] = resolveProviders([provider], {}, { error: () => undefined, warn: () => undefined, debug: () => undefined });
  return resolved as InternalOAuthProvider;
}

describe("GitHub vouches for a public address only when GitHub lists it as verified", () => {
  it("stores the squatter's user unverified, and the victim's email link then unlinks the squatter's GitHub", async () => {
    const { links, rows, client } = setup();
    await gitHubSignIn(client(), github, "squatter");
    // GitHub's own /user/emails says verified: false for this address.
    expect(rows<{ email: string; verified: number }>("SELECT email, emailVerified IS NOT NULL AS verified FROM users")).toEqual([{ email: "victim@example.test", verified: 0 }]);

    await emailSignIn(client(), links, "victim@example.test");
    // The victim now owns the user, so the squatter's GitHub must no longer sign in to it.
    expect(rows("SELECT provider FROM accounts WHERE provider = 'github'")).toEqual([]);
  });

  it("a public address /user/emails lists as verified (in any case) is vouched for", async () => {
    const { rows, client } = setup();
    await gitHubSignIn(client(), github, "ada");
    expect(rows<{ verified: number }>("SELECT emailVerified IS NOT NULL AS verified FROM users")).toEqual([{ verified: 1 }]);
  });
});

describe("providers that say an address is verified in their own words vouch for it", () => {
  it("Apple's email_verified as the string \"true\" (documented by Apple, handled by its profile()) vouches", () => {
    const apple = resolvedOAuth(Apple({ clientId: "id", clientSecret: "secret" }));
    expect(apple.vouchedEmail({ sub: "001", email: "ada@example.test", email_verified: "true" })).toBe("ada@example.test");
    expect(apple.vouchedEmail({ sub: "001", email: "ada@example.test", email_verified: "false" })).toBeUndefined();
    expect(apple.vouchedEmail({ sub: "001", email: "ada@example.test" })).toBeUndefined();
  });

  it("Discord's verified: true (which its profile() reads) vouches", () => {
    const discord = resolvedOAuth(Discord({ clientId: "id", clientSecret: "secret" }));
    expect(discord.vouchedEmail({ id: "1", username: "ada", email: "ada@example.test", verified: true })).toBe("ada@example.test");
    expect(discord.vouchedEmail({ id: "1", username: "ada", email: "ada@example.test", verified: false })).toBeUndefined();
  });

  it("Patreon and Kakao keep the address inside the profile, and vouch for it there by their own flags", () => {
    const patreon = resolvedOAuth(Patreon({ clientId: "id", clientSecret: "secret" }));
    const member = (attributes: Record<string, unknown>) => ({ data: { id: "7", attributes } });
    expect(patreon.vouchedEmail(member({ email: "ada@example.test", is_email_verified: true }))).toBe("ada@example.test");
    expect(patreon.vouchedEmail(member({ email: "ada@example.test", is_email_verified: false }))).toBeUndefined();
    expect(patreon.vouchedEmail(member({ email: "ada@example.test" }))).toBeUndefined();
    const kakao = resolvedOAuth(Kakao({ clientId: "id", clientSecret: "secret" }));
    const account = (kakao_account: Record<string, unknown>) => ({ id: 9, kakao_account });
    expect(kakao.vouchedEmail(account({ email: "ada@example.test", is_email_verified: true, is_email_valid: true }))).toBe("ada@example.test");
    // Checked once, but Kakao no longer deems it valid (the address was since given to someone else).
    expect(kakao.vouchedEmail(account({ email: "ada@example.test", is_email_verified: true, is_email_valid: false }))).toBeUndefined();
    expect(kakao.vouchedEmail(account({ email: "ada@example.test", is_email_valid: true }))).toBeUndefined();
    expect(kakao.vouchedEmail({ id: 9 })).toBeUndefined();
  });

  it("a custom provider's emailVerified may name the address it vouches for; true vouches for the profile's email, nothing else does", () => {
    const nested = resolvedOAuth({ id: "corp", name: "Corp", type: "oauth", clientId: "id", clientSecret: "secret", authorization: "https://corp.test/authorize", token: "https://corp.test/token", userinfo: "https://corp.test/me", emailVerified: (profile) => String(profile.mail) });
    expect(nested.vouchedEmail({ id: "1", mail: "ada@corp.test", email: "other@corp.test" })).toBe("ada@corp.test");
    const flag = resolvedOAuth({ id: "corp", name: "Corp", type: "oauth", clientId: "id", clientSecret: "secret", authorization: "https://corp.test/authorize", token: "https://corp.test/token", userinfo: "https://corp.test/me", emailVerified: () => true });
    expect(flag.vouchedEmail({ id: "1", email: "ada@corp.test" })).toBe("ada@corp.test");
    expect(flag.vouchedEmail({ id: "1" })).toBeUndefined();
    expect(flag.vouchedEmail({ id: "1", email: "" })).toBeUndefined();
  });
});
