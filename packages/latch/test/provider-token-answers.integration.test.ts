/**
 * What latch makes of a provider's token answers when it refreshes (and, for the lifetime, at
 * sign-in) — against a stand-in GitHub that speaks GitHub's protocol with its quirks: errors with
 * HTTP 200, single-use refresh tokens. Each test states the answer `getAccessToken` gives and what
 * the store keeps, since a refresh token lost or kept wrongly costs the user their grant.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getProviderAccessToken } from "../src/core/provider-tokens.js";
import { stableUserId } from "../src/core/stable-id.js";
import { MemoryProviderTokenStore } from "../src/provider-tokens/memory.js";
import type { ProviderTokenStore } from "../src/provider-tokens/types.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { gitHubAppConfig, gitHubAppInstance, gitHubError, gitHubTokens, rotatingRefreshTokens, startStandInGitHub, type StandInGitHub } from "./helpers/standin-github.js";

const ORIGIN = "http://127.0.0.1:3972";
const now = () => Math.floor(Date.now() / 1000);

let github: StandInGitHub;
let users = 0;
const newUser = () => `answers-user-${process.pid}-${++users}`;
const logged: Error[] = [];
const logger = { error: (error: Error) => void logged.push(error), warn: () => undefined };
/** Every logged message with its causes, for assertions on what an operator is told. */
const loggedText = () => logged.map((error) => `${error.message} / ${error.cause instanceof Error ? error.cause.message : ""}`).join("\n");

beforeAll(async () => {
  github = await startStandInGitHub();
});

afterAll(async () => {
  await github?.close();
});

beforeEach(() => {
  github.presented.length = 0;
  logged.length = 0;
});

/** A user of an app on the stand-in GitHub whose access token has expired; the app and the store. */
async function expiredUser(refreshToken: string, store: ProviderTokenStore = MemoryProviderTokenStore(), scope?: string) {
  const app = gitHubAppInstance(github, store, { logger });
  const user = newUser();
  await store.put(user, "github", { accessToken: "ghu-expired", refreshToken, expiresAt: now() - 10, tokenType: "bearer", ...(scope === undefined ? {} : { scope }) }, null);
  const refresh = () => getProviderAccessToken(app.resolved, app.settings, app.provider, user);
  return { store, user, refresh };
}

describe("GitHub's token-endpoint errors, which come with HTTP 200", () => {
  it("answers RefreshTokenError to bad_refresh_token, records it, and does not present the dead refresh token again", async () => {
    github.onRefresh = () => gitHubError("bad_refresh_token", "The refresh token passed is incorrect or expired.");
    const { store, user, refresh } = await expiredUser("ghr-revoked");
    expect(await refresh(), "a refused refresh token is refused for good, not 'try again later'").toEqual({ error: "RefreshTokenError" });
    expect((await store.get(user, "github"))?.error, "recorded, so that session.error says so").toBe("RefreshTokenError");
    expect(await refresh()).toEqual({ error: "RefreshTokenError" });
    expect(github.presented).toEqual(["ghr-revoked"]);
  });

  it("answers RefreshUnavailable to an error that says nothing about the refresh token, keeping the tokens, and logs GitHub's error code", async () => {
    github.onRefresh = () => gitHubError("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.");
    const { store, user, refresh } = await expiredUser("ghr-fine");
    expect(await refresh()).toEqual({ error: "RefreshUnavailable" });
    expect(await store.get(user, "github")).toMatchObject({ refreshToken: "ghr-fine", version: 1 });
    expect(await store.get(user, "github")).not.toHaveProperty("error");
    expect(loggedText()).toContain('error "incorrect_client_credentials"');
  });

  it("control: the stand-in answers a refresh as GitHub does, and latch keeps the rotated refresh token", async () => {
    github.onRefresh = rotatingRefreshTokens();
    const { store, user, refresh } = await expiredUser("ghr-a");
    expect(await refresh()).toEqual({ accessToken: "ghu-from-ghr-a", expiresAt: expect.any(Number) as number, tokenType: "bearer", scope: "" });
    expect(await store.get(user, "github")).toMatchObject({ accessToken: "ghu-from-ghr-a", refreshToken: "ghr-a.next", version: 2 });
  });
});

describe("a lifetime that is not a whole number of seconds", () => {
  it.each([
    { case: "a fractional expires_in", expiresIn: 3599.5 },
    { case: "a numeric-string expires_in", expiresIn: "3599.5" },
  ])("keeps the rotated refresh token when the refresh answer has $case, with expiresAt in whole seconds", async ({ expiresIn }) => {
    github.onRefresh = rotatingRefreshTokens({ expiresIn });
    const { store, user, refresh } = await expiredUser("ghr-frac");
    const before = now();
    const answer = await refresh();
    const stored = await store.get(user, "github");
    expect({ answer, refreshToken: stored?.refreshToken }).toMatchObject({ answer: { accessToken: "ghu-from-ghr-frac" }, refreshToken: "ghr-frac.next" });
    expect(Number.isSafeInteger(stored?.expiresAt), `expiresAt ${stored?.expiresAt}`).toBe(true);
    expect(stored?.expiresAt).toBeGreaterThanOrEqual(before + 3599);
    expect(stored?.expiresAt).toBeLessThanOrEqual(now() + 3600);
  });

  it("completes a sign-in whose token answer has a fractional expires_in, storing expiresAt in whole seconds", async () => {
    github.onCode = () => ({ body: gitHubTokens("ghu-signin", "ghr-signin", { expires_in: 28799.5, scope: "read:user" }) });
    const store = MemoryProviderTokenStore();
    let accountExpiresAt: unknown;
    const jwt: NonNullable<AuthConfig["callbacks"]>["jwt"] = ({ token, account }) => {
      if (account) accountExpiresAt = account.expires_at;
      return token;
    };
    const client = new EngineClient(ORIGIN, gitHubAppConfig(github, store, { logger, callbacks: { jwt } }));
    const csrfToken = await client.csrfToken();
    const start = await client.fetch("/api/auth/signin/github", { form: { csrfToken, callbackUrl: "/" } });
    const state = new URL(start.response.headers.get("location") ?? "").searchParams.get("state") ?? "";
    const before = now();
    const callback = await client.fetch(`/api/auth/callback/github?code=the-code&state=${encodeURIComponent(state)}`);
    expect(callback.response.headers.get("location"), `the callback redirects to the app, not to the error page; logged: ${loggedText()}`).toBe(`${ORIGIN}/`);
    expect(await client.session()).not.toBeNull();
    // Without a database, the user id derives from the GitHub account (the stand-in's user 4242).
    const stored = await store.get(await stableUserId("github", "4242"), "github");
    expect(stored).toMatchObject({ accessToken: "ghu-signin", refreshToken: "ghr-signin", scope: "read:user" });
    expect(Number.isSafeInteger(stored?.expiresAt), `expiresAt ${stored?.expiresAt}`).toBe(true);
    expect(stored?.expiresAt).toBeGreaterThanOrEqual(before + 28799);
    expect(accountExpiresAt, "the account's expires_at, as callbacks and adapters see it").toBe(stored?.expiresAt);
  });

  it("answers with the new access token, and logs that the new tokens were not stored, when the store refuses the write after GitHub rotated", async () => {
    github.onRefresh = rotatingRefreshTokens();
    const inner = MemoryProviderTokenStore();
    const refusing: ProviderTokenStore = {
      get: (userId, provider) => inner.get(userId, provider),
      put: async (userId, provider, tokens, expected, options) => {
        if (tokens.accessToken.startsWith("ghu-from-")) throw new Error("the database refused the write");
        return inner.put(userId, provider, tokens, expected, options);
      },
      delete: (userId, provider) => inner.delete(userId, provider),
      lock: (userId, provider, ttlMs) => inner.lock(userId, provider, ttlMs),
    };
    const { refresh } = await expiredUser("ghr-unkept", refusing);
    expect(await refresh(), "the access token GitHub issued works: hand it out").toMatchObject({ accessToken: "ghu-from-ghr-unkept" });
    expect(loggedText()).toMatch(/issued new tokens for user .*, but writing them to the provider-token store failed/);
    expect(loggedText()).toContain("the database refused the write");
  });
});

describe("a refresh answer that leaves out the scope", () => {
  it("keeps the scope granted before (RFC 6749 §5.1: left out means unchanged)", async () => {
    github.onRefresh = rotatingRefreshTokens({ omitScope: true });
    const { store, user, refresh } = await expiredUser("ghr-scope", MemoryProviderTokenStore(), "repo read:user");
    expect(await refresh()).toMatchObject({ accessToken: "ghu-from-ghr-scope", scope: "repo read:user" });
    expect((await store.get(user, "github"))?.scope).toBe("repo read:user");
  });

  it("control: takes the scope of an answer that has one, even an empty one (GitHub Apps have no scopes)", async () => {
    github.onRefresh = rotatingRefreshTokens();
    const { refresh } = await expiredUser("ghr-scope2", MemoryProviderTokenStore(), "repo read:user");
    expect(await refresh()).toMatchObject({ accessToken: "ghu-from-ghr-scope2", scope: "" });
  });
});
