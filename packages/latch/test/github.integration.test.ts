/**
 * The GitHub provider end to end against the GitHub stand-in (github.com cannot be reached from
 * here; the stand-in speaks its protocol, quirks included: token errors with HTTP 200, private
 * emails only through /user/emails, RFC 9207 `iss`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import GitHub from "../src/providers/github.js";
import type { Account, AuthConfig } from "../src/types.js";
import { startGitHubStandIn, type GitHubStandIn } from "./fixtures/github-standin.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3998";
let github: GitHubStandIn;
let config: AuthConfig;
const accounts: Account[] = [];

beforeAll(async () => {
  github = await startGitHubStandIn({
    callbackUrl: `${ORIGIN}/api/auth/callback/github`,
    users: [
      {
        id: 583231,
        login: "octocat",
        name: "The Octocat",
        email: null,
        emails: [
          { email: "old@example.test", primary: false, verified: false, visibility: null },
          { email: "octocat@example.test", primary: true, verified: true, visibility: "private" },
        ],
      },
      { id: 42, login: "hubot", name: null, email: "hubot@example.test", emails: [{ email: "hubot@example.test", primary: true, verified: true, visibility: "public" }] },
      {
        id: 7,
        login: "unverified",
        name: "Un Verified",
        email: null,
        emails: [{ email: "unverified@example.test", primary: true, verified: false, visibility: "private" }],
      },
    ],
  });
  config = {
    secret: "github-integration-secret-of-enough-length-42",
    trustHost: true,
    providers: [GitHub({ clientId: github.clientId, clientSecret: github.clientSecret, enterprise: { baseUrl: github.url } })],
    callbacks: {
      jwt({ token, account }) {
        if (account) {
          accounts.push(account);
          token.provider = account.provider;
        }
        return token;
      },
    },
  };
});

afterAll(async () => {
  await github?.close();
});

async function authorize(client: EngineClient): Promise<URL> {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/signin/github", { form: { csrfToken, callbackUrl: "/profile" } });
  const location = new URL(response.headers.get("location") ?? "");
  expect(location.href.startsWith(`${github.url}/login/oauth/authorize`)).toBe(true);
  return location;
}

async function approve(authorization: URL): Promise<URL> {
  const response = await fetch(authorization, { redirect: "manual" });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location") ?? "");
}

describe("GitHub sign-in", () => {
  it("asks for read:user user:email with PKCE and state, and signs in with the primary verified email", async () => {
    github.setNextUser("octocat");
    const client = new EngineClient(ORIGIN, config);
    const authorization = await authorize(client);
    expect(authorization.searchParams.get("scope")).toBe("read:user user:email");
    expect(authorization.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorization.searchParams.get("state")).toBeTruthy();
    expect(authorization.searchParams.has("nonce")).toBe(false);
    const callback = await approve(authorization);
    expect(callback.searchParams.get("iss")).toBe(github.issuer);
    const { response } = await client.fetch(callback.href);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/profile`);
    const session = (await client.session()) as { user: { name: string; email: string; image: string | null } };
    expect(session.user).toMatchObject({ name: "The Octocat", email: "octocat@example.test" });
    expect(accounts.at(-1)).toMatchObject({ provider: "github", type: "oauth", providerAccountId: "583231" });
    // GitHub needs a User-Agent; the private email came from /user/emails.
    const apiCalls = github.requests.filter((r) => r.path.startsWith("/api/v3/"));
    expect(apiCalls.map((r) => r.path)).toEqual(expect.arrayContaining(["/api/v3/user", "/api/v3/user/emails"]));
    for (const call of apiCalls) expect(call.headers["user-agent"]).toBeTruthy();
    const tokenCall = github.requests.find((r) => r.path === "/login/oauth/access_token");
    expect(tokenCall?.headers.authorization?.startsWith("Basic ")).toBe(true);
  });

  it("uses the public email and falls back to the login as name", async () => {
    github.setNextUser("hubot");
    const client = new EngineClient(ORIGIN, config);
    const callback = await approve(await authorize(client));
    await client.fetch(callback.href);
    const session = (await client.session()) as { user: { name: string; email: string } };
    expect(session.user).toMatchObject({ name: "hubot", email: "hubot@example.test" });
    expect(accounts.at(-1)?.providerAccountId).toBe("42");
  });

  it("never takes an unverified address", async () => {
    github.setNextUser("unverified");
    const client = new EngineClient(ORIGIN, config);
    const callback = await approve(await authorize(client));
    await client.fetch(callback.href);
    const session = (await client.session()) as { user: { name: string; email: string | null } };
    expect(session.user.name).toBe("Un Verified");
    expect(session.user.email).toBeNull();
  });

  it("turns GitHub's HTTP-200 token error into a sign-in error, without a session", async () => {
    github.setNextUser("octocat");
    const client = new EngineClient(ORIGIN, config);
    const callback = await approve(await authorize(client));
    callback.searchParams.set("code", "not-a-real-code");
    const { response } = await client.fetch(callback.href);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.pathname).toBe("/api/auth/signin");
    expect(location.searchParams.get("error")).toBe("OAuthCallbackError");
    expect(await client.session()).toBeNull();
  });

  it("refuses a wrong client secret", async () => {
    github.setNextUser("octocat");
    const wrong: AuthConfig = { ...config, providers: [GitHub({ clientId: github.clientId, clientSecret: "wrong", enterprise: { baseUrl: github.url } })] };
    const client = new EngineClient(ORIGIN, wrong);
    const callback = await approve(await authorize(client));
    const { response } = await client.fetch(callback.href);
    expect(new URL(response.headers.get("location") ?? "").searchParams.get("error")).toBe("OAuthCallbackError");
    expect(await client.session()).toBeNull();
  });

  it("refuses an authorization response whose iss is not GitHub's", async () => {
    github.setNextUser("octocat");
    const client = new EngineClient(ORIGIN, config);
    const callback = await approve(await authorize(client));
    callback.searchParams.set("iss", "https://evil.test/login/oauth");
    const { response } = await client.fetch(callback.href);
    expect(new URL(response.headers.get("location") ?? "").searchParams.get("error")).toBe("Configuration");
    expect(await client.session()).toBeNull();
  });

  it("reads client id and secret from AUTH_GITHUB_ID / AUTH_GITHUB_SECRET", async () => {
    const saved = { id: process.env.AUTH_GITHUB_ID, secret: process.env.AUTH_GITHUB_SECRET };
    process.env.AUTH_GITHUB_ID = github.clientId;
    process.env.AUTH_GITHUB_SECRET = github.clientSecret;
    try {
      github.setNextUser("hubot");
      const fromEnv: AuthConfig = { ...config, providers: [GitHub({ enterprise: { baseUrl: github.url } })] };
      const client = new EngineClient(ORIGIN, fromEnv);
      const authorization = await authorize(client);
      expect(authorization.searchParams.get("client_id")).toBe(github.clientId);
      await client.fetch((await approve(authorization)).href);
      expect(((await client.session()) as { user: { email: string } }).user.email).toBe("hubot@example.test");
    } finally {
      if (saved.id === undefined) delete process.env.AUTH_GITHUB_ID;
      else process.env.AUTH_GITHUB_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AUTH_GITHUB_SECRET;
      else process.env.AUTH_GITHUB_SECRET = saved.secret;
    }
  });

  it("points at github.com by default", () => {
    const provider = GitHub({ clientId: "a", clientSecret: "b" });
    expect(provider.issuer).toBe("https://github.com/login/oauth");
    expect(provider.token).toBe("https://github.com/login/oauth/access_token");
    expect(provider.userinfo).toMatchObject({ url: "https://api.github.com/user" });
  });
});
