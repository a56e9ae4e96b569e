/**
 * Which providers vouch for an address, and what an unvouched one leads to: a GitHub public
 * address GitHub lists as unverified is not vouched for (so the victim's email link unlinks the
 * squatter's GitHub, and allowDangerousEmailAccountLinking does not link it to the victim), an
 * OpenID `email` with `email_verified: false` is not either, and Apple's and Discord's own flags
 * vouch. Real requests through the engine, the SQLite adapter, the GitHub stand-in and a real
 * OpenID provider, as in signin-hijack.integration.test.ts.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { resolveProviders, type InternalOAuthProvider } from "../src/core/providers.js";
import Apple from "../src/providers/apple.js";
import Discord from "../src/providers/discord.js";
import Email from "../src/providers/email.js";
import GitHub from "../src/providers/github.js";
import Kakao from "../src/providers/kakao.js";
import OIDC from "../src/providers/oidc.js";
import Patreon from "../src/providers/patreon.js";
import type { AuthConfig } from "../src/types.js";
import { startGitHubStandIn, type GitHubStandIn } from "./fixtures/github-standin.js";
import { EngineClient } from "./helpers/engine-client.js";
import { emailSignIn, gitHubSignIn } from "./helpers/sign-in-flows.js";

const ORIGIN = "https://app.test";
const SECRET = "provider-vouching-secret-of-enough-length-0123456789abcdef";

let github: GitHubStandIn;
let idp: LocalIdP;

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
  idp = await startLocalIdP({
    clients: [{ client_id: "provider-vouching", client_secret: "provider-vouching-secret", redirect_uris: [`${ORIGIN}/api/auth/callback/corp`] }],
    // A self-registered account at the OpenID provider (Keycloak, Authentik…) that typed the
    // victim's address and never confirmed it. Every other login name gets a verified
    // `<login>@example.test`.
    accounts: { mallory: { email: "victim@example.test", email_verified: false } },
  });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await github?.close();
  await idp?.close();
});

/** An app with email links, GitHub and an OpenID provider ("corp"); `linkByEmail` sets allowDangerousEmailAccountLinking on both. */
function setup({ linkByEmail = false } = {}) {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const links: string[] = [];
  const config: AuthConfig = {
    secret: SECRET,
    adapter: SQLiteAdapter(db),
    session: { strategy: "database" },
    providers: [
      Email({ sendVerificationRequest: ({ url }) => void links.push(url) }),
      GitHub({ clientId: github.clientId, clientSecret: github.clientSecret, enterprise: { baseUrl: github.url }, allowDangerousEmailAccountLinking: linkByEmail }),
      OIDC({ id: "corp", name: "Corp", issuer: idp.issuer, clientId: "provider-vouching", clientSecret: "provider-vouching-secret", allowDangerousEmailAccountLinking: linkByEmail }),
    ],
    logger: { error: () => undefined, warn: () => undefined },
  };
  const rows = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];
  return { links, rows, client: () => new EngineClient(ORIGIN, config) };
}

/** Signs in at the OpenID provider as `login`; the callback's response. */
async function corpSignIn(client: EngineClient, login: string): Promise<Response> {
  const csrfToken = await client.csrfToken();
  const start = await client.fetch("/api/auth/signin/corp", { form: { csrfToken, callbackUrl: `${ORIGIN}/dashboard` } });
  const { response } = await client.fetch(await loginThroughIdP(start.response.headers.get("location") ?? "", login));
  return response;
}

async function sessionEmail(client: EngineClient): Promise<string | null> {
  const session = (await client.session()) as { user?: { email?: string | null } } | null;
  return session?.user?.email ?? null;
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

describe("allowDangerousEmailAccountLinking links only by an address the provider vouches for", () => {
  const NOT_LINKED = `${ORIGIN}/api/auth/signin?error=OAuthAccountNotLinked`;

  it("does not link a GitHub account whose public address GitHub lists as unverified to the verified user who owns that address", async () => {
    const { links, rows, client } = setup({ linkByEmail: true });
    // The victim owns victim@example.test and proved it with an email link.
    await emailSignIn(client(), links, "victim@example.test");
    const [victim] = rows<{ id: string; verified: number }>("SELECT id, emailVerified IS NOT NULL AS verified FROM users");
    expect(victim?.verified).toBe(1);

    // The squatter's GitHub profile merely displays the address.
    const squatter = client();
    const { response } = await gitHubSignIn(squatter, github, "squatter");
    expect(response.headers.get("location")).toBe(NOT_LINKED);
    expect(await sessionEmail(squatter), "the squatter is signed in as the victim").toBeNull();
    expect(rows("SELECT userId FROM accounts WHERE provider = 'github'"), "the squatter's GitHub is linked to the victim's user").toEqual([]);
  });

  it("does not link an OpenID account whose email_verified is false to the verified user who owns that address", async () => {
    const { links, rows, client } = setup({ linkByEmail: true });
    await emailSignIn(client(), links, "victim@example.test");

    const mallory = client();
    expect((await corpSignIn(mallory, "mallory")).headers.get("location")).toBe(NOT_LINKED);
    expect(await sessionEmail(mallory), "mallory is signed in as the victim").toBeNull();
    expect(rows("SELECT userId FROM accounts WHERE provider = 'corp'")).toEqual([]);
  });

  it("still links a GitHub account whose address GitHub lists as verified, and an OpenID account whose email_verified is true", async () => {
    const { links, rows, client } = setup({ linkByEmail: true });
    await emailSignIn(client(), links, "ada@example.test");
    await emailSignIn(client(), links, "victim@example.test");
    const users = new Map(rows<{ id: string; email: string }>("SELECT id, email FROM users").map((user) => [user.email, user.id]));

    const ada = client();
    const { response } = await gitHubSignIn(ada, github, "ada");
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(await sessionEmail(ada)).toBe("ada@example.test");
    // The IdP's login "victim" has the address victim@example.test, verified.
    const victim = client();
    expect((await corpSignIn(victim, "victim")).headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(await sessionEmail(victim)).toBe("victim@example.test");

    expect(rows("SELECT provider, userId FROM accounts WHERE provider <> 'email' ORDER BY provider")).toEqual([
      { provider: "corp", userId: users.get("victim@example.test") },
      { provider: "github", userId: users.get("ada@example.test") },
    ]);
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
