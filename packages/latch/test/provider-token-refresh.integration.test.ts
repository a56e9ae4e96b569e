/**
 * Provider access tokens that refresh themselves, once, everywhere — against the real local
 * OpenID provider (oidc-provider) with refresh-token rotation: reusing a rotated refresh token
 * makes it revoke the grant, so a second refresh anywhere would show.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getResolvedConfig, resolveConfig, type ResolvedConfig } from "../src/core/config.js";
import { getProviderAccessToken, saveSignInTokens, type ResolvedProviderTokens } from "../src/core/provider-tokens.js";
import type { InternalOAuthProvider } from "../src/core/providers.js";
import { RedisProviderTokenStore } from "../src/provider-tokens/redis.js";
import type { ProviderTokenStore } from "../src/provider-tokens/types.js";
import OIDC from "../src/providers/oidc.js";
import type { Account, AuthConfig } from "../src/types.js";
import { decode } from "../src/jwt.js";
import { EngineClient } from "./helpers/engine-client.js";
import { requireRedis, type RedisNamespace } from "./helpers/services.js";

const ORIGIN = "http://127.0.0.1:3994";
const SECRET = "provider-token-refresh-secret-of-enough-length-01";
const ACCESS_TOKEN_TTL = 3;

let idp: LocalIdP;
let redis: RedisNamespace;
/** Refresh-token grants the provider answered, successful or not. */
const refreshGrants: Array<{ ok: boolean }> = [];

beforeAll(async () => {
  idp = await startLocalIdP({
    clients: [{ client_id: "latch-pt", client_secret: "latch-pt-secret", redirect_uris: [`${ORIGIN}/api/auth/callback/local`] }],
    ttl: { AccessToken: ACCESS_TOKEN_TTL },
  });
  idp.provider.on("grant.success", (ctx) => {
    if (ctx.oidc.params?.grant_type === "refresh_token") refreshGrants.push({ ok: true });
  });
  idp.provider.on("grant.error", (ctx) => {
    if (ctx.oidc.params?.grant_type === "refresh_token") refreshGrants.push({ ok: false });
  });
  redis = await requireRedis();
});

afterAll(async () => {
  await idp?.close();
  await redis?.drop();
});

function config(captured: { account?: Account }): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    logger: { error: () => undefined },
    providers: [OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: "latch-pt", clientSecret: "latch-pt-secret" })],
    callbacks: {
      jwt({ token, account }) {
        if (account) captured.account = account;
        return token;
      },
    },
  };
}

/** Signs `login` in through the IdP; returns the account (with its tokens) the sign-in produced. */
async function signIn(login: string): Promise<{ account: Account; userId: string }> {
  const captured: { account?: Account } = {};
  const client = new EngineClient(ORIGIN, config(captured));
  const csrfToken = await client.csrfToken();
  const start = await client.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/" } });
  await client.fetch(await loginThroughIdP(start.response.headers.get("location") ?? "", login));
  const session = (await client.session()) as { user?: { email?: string } } | null;
  if (!captured.account || !session) throw new Error("sign-in failed");
  return { account: captured.account, userId: `user-of-${login}` };
}

/** An app instance: its own resolved config (own caches, own in-process single flight), the shared store. */
function instance(store: ProviderTokenStore): { resolved: ResolvedConfig; provider: InternalOAuthProvider; settings: ResolvedProviderTokens } {
  const resolved = resolveConfig(config({}), {});
  const provider = resolved.providers[0];
  if (provider?.type !== "oidc") throw new Error("no OIDC provider");
  return { resolved, provider, settings: { store, refreshMargin: 1, lockTtlMs: 10_000, waitMs: 5_000, statusTtlMs: 5_000 } };
}

async function userinfoStatus(accessToken: string): Promise<number> {
  const response = await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  return response.status;
}

describe("getAccessToken across two instances", () => {
  it("refreshes once for 20 concurrent callers on 2 instances after expiry; all get a working token; the grant stays valid", async () => {
    const store = RedisProviderTokenStore(redis.client, { prefix: `${redis.prefix}pt:` });
    const { account, userId } = await signIn("alice");
    expect(typeof account.refresh_token).toBe("string");
    const a = instance(store);
    const b = instance(store);
    await saveSignInTokens(a.settings, userId, "local", account);

    // Before expiry: the stored token, no refresh.
    const early = await getProviderAccessToken(a.resolved, a.settings, a.provider, userId);
    expect(early).toMatchObject({ accessToken: account.access_token });
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL * 1000 + 200));
    expect(await userinfoStatus(String(account.access_token)), "the first token has expired at the provider").toBe(401);

    refreshGrants.length = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const app = i % 2 === 0 ? a : b;
        return getProviderAccessToken(app.resolved, app.settings, app.provider, userId);
      }),
    );
    expect(refreshGrants, "refresh requests that reached the provider").toEqual([{ ok: true }]);
    const tokens = new Set(results.map((r) => ("accessToken" in r ? r.accessToken : r.error)));
    expect(tokens.size).toBe(1);
    const [token] = [...tokens];
    expect(token).not.toBe(account.access_token);
    expect(await userinfoStatus(String(token))).toBe(200);

    // The grant is intact: the rotated refresh token the store kept refreshes again.
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL * 1000 + 200));
    const again = await getProviderAccessToken(b.resolved, b.settings, b.provider, userId);
    expect("accessToken" in again && (await userinfoStatus(again.accessToken))).toBe(200);
    expect(refreshGrants).toEqual([{ ok: true }, { ok: true }]);
  });

  it("control: without a lock shared by the instances, each refreshes — the provider sees two refreshes and a reuse", async () => {
    const shared = RedisProviderTokenStore(redis.client, { prefix: `${redis.prefix}pt-unlocked:` });
    // Every instance believes it holds the lock.
    const unlocked: ProviderTokenStore = {
      get: (userId, provider) => shared.get(userId, provider),
      put: (userId, provider, tokens, expected, options) => shared.put(userId, provider, tokens, expected, options),
      delete: (userId, provider) => shared.delete(userId, provider),
      lock: () => Promise.resolve({ release: () => Promise.resolve() }),
    };
    const { account, userId } = await signIn("carol");
    const a = instance(unlocked);
    const b = instance(unlocked);
    await saveSignInTokens(a.settings, userId, "local", account);
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL * 1000 + 200));
    refreshGrants.length = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => getProviderAccessToken((i % 2 ? b : a).resolved, (i % 2 ? b : a).settings, (i % 2 ? b : a).provider, userId)));
    expect(refreshGrants.length).toBe(2);
    expect(refreshGrants.filter((grant) => !grant.ok).length, "the loser presented a rotated refresh token").toBe(1);
  });

  it("reports RefreshTokenError when the provider revoked the grant, and keeps reporting it without asking again", async () => {
    const store = RedisProviderTokenStore(redis.client, { prefix: `${redis.prefix}pt-revoked:` });
    const { account, userId } = await signIn("bob");
    const a = instance(store);
    await saveSignInTokens(a.settings, userId, "local", account);
    // Revoke the grant at the provider (RFC 7009 with the refresh token).
    const revoked = await fetch(`${idp.issuer}/token/revocation`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from("latch-pt:latch-pt-secret").toString("base64")}` },
      body: new URLSearchParams({ token: String(account.refresh_token), token_type_hint: "refresh_token" }),
    });
    expect(revoked.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL * 1000 + 200));
    refreshGrants.length = 0;
    expect(await getProviderAccessToken(a.resolved, a.settings, a.provider, userId)).toEqual({ error: "RefreshTokenError" });
    expect(await getProviderAccessToken(a.resolved, a.settings, a.provider, userId)).toEqual({ error: "RefreshTokenError" });
    expect(refreshGrants).toEqual([{ ok: false }]);
    // A new sign-in replaces the failed tokens.
    const fresh = await signIn("bob");
    await saveSignInTokens(a.settings, userId, "local", fresh.account);
    expect(await getProviderAccessToken(a.resolved, a.settings, a.provider, userId)).toMatchObject({ accessToken: fresh.account.access_token });
  });

  it("a sign-in with providerTokens configured stores the tokens server-side, not in the session cookie", async () => {
    const store = RedisProviderTokenStore(redis.client, { prefix: `${redis.prefix}pt-signin:` });
    const captured: { account?: Account } = {};
    const cfg: AuthConfig = { ...config(captured), providerTokens: { store, refreshMargin: 1 } };
    const client = new EngineClient(ORIGIN, cfg);
    const csrfToken = await client.csrfToken();
    const start = await client.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/" } });
    await client.fetch(await loginThroughIdP(start.response.headers.get("location") ?? "", "dave"));
    const sessionCookie = client.jar.get("authjs.session-token") ?? "";
    const claims = await decode({ token: sessionCookie, secret: SECRET, salt: "authjs.session-token" });
    const userId = String(claims?.sub);
    const stored = await store.get(userId, "local");
    expect(stored).toMatchObject({ accessToken: captured.account?.access_token, refreshToken: captured.account?.refresh_token, version: 1 });
    expect(JSON.stringify(claims)).not.toContain(String(captured.account?.access_token));
    expect(sessionCookie.length, "the session cookie stays small").toBeLessThan(1024);
    const resolved = resolveConfig(cfg, {});
    const provider = resolved.providers[0];
    if (provider?.type !== "oidc" || !resolved.providerTokens) throw new Error("not configured");
    expect(await getProviderAccessToken(resolved, resolved.providerTokens, provider, userId)).toMatchObject({ accessToken: captured.account?.access_token });
  });

  it("shows a revoked grant on the session as RefreshTokenError: at once on the instance that saw it, within seconds on another, and not after a new sign-in", async () => {
    const store = RedisProviderTokenStore(redis.client, { prefix: `${redis.prefix}pt-session-error:` });
    const cfgA: AuthConfig = { ...config({}), providerTokens: { store, refreshMargin: 1 } };
    const cfgB: AuthConfig = { ...config({}), providerTokens: { store, refreshMargin: 1 } };
    const onA = new EngineClient(ORIGIN, cfgA);
    const csrfToken = await onA.csrfToken();
    const start = await onA.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/" } });
    await onA.fetch(await loginThroughIdP(start.response.headers.get("location") ?? "", "erin"));
    const onB = new EngineClient(ORIGIN, cfgB);
    for (const [name, value] of onA.jar) onB.jar.set(name, value);
    const claims = await decode({ token: onA.jar.get("authjs.session-token") ?? "", secret: SECRET, salt: "authjs.session-token" });
    const userId = String(claims?.sub);
    const stored = await store.get(userId, "local");
    expect(await onA.session()).not.toHaveProperty("error");
    expect(await onB.session()).not.toHaveProperty("error");

    const revoked = await fetch(`${idp.issuer}/token/revocation`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from("latch-pt:latch-pt-secret").toString("base64")}` },
      body: new URLSearchParams({ token: String(stored?.refreshToken), token_type_hint: "refresh_token" }),
    });
    expect(revoked.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL * 1000 + 200));
    const a = getResolvedConfig(cfgA);
    const provider = a.providers[0];
    if (provider?.type !== "oidc" || !a.providerTokens) throw new Error("not configured");
    expect(await getProviderAccessToken(a, a.providerTokens, provider, userId)).toEqual({ error: "RefreshTokenError" });

    expect(await onA.session(), "the instance that saw the refusal").toMatchObject({ error: "RefreshTokenError", user: { email: "erin@example.test" } });
    const seenAt = Date.now();
    let onBSession = (await onB.session()) as { error?: string } | null;
    while (onBSession?.error === undefined && Date.now() - seenAt < 7_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      onBSession = (await onB.session()) as { error?: string } | null;
    }
    expect(onBSession, "another instance, after its cached good answer runs out").toMatchObject({ error: "RefreshTokenError" });

    // Signing in again (on A) replaces the tokens; neither instance shows the error any more.
    const again = await onA.fetch("/api/auth/signin/local", { form: { csrfToken: await onA.csrfToken(), callbackUrl: "/" } });
    await onA.fetch(await loginThroughIdP(again.response.headers.get("location") ?? "", "erin"));
    for (const [name, value] of onA.jar) onB.jar.set(name, value);
    expect(await onA.session()).not.toHaveProperty("error");
    expect(await onB.session()).not.toHaveProperty("error");
  });

  it("a provider-token store that fails does not cost the session: it shows no error and the failure is logged", async () => {
    const errors: Error[] = [];
    // Writes work (the sign-in keeps its tokens); reads fail, as when the store goes down after.
    const working = RedisProviderTokenStore(redis.client, { prefix: `${redis.prefix}pt-broken:` });
    const broken: ProviderTokenStore = { ...working, get: () => Promise.reject(new Error("store down")) };
    const cfg: AuthConfig = { ...config({}), logger: { error: (error: Error) => errors.push(error) }, providerTokens: { store: broken } };
    const client = new EngineClient(ORIGIN, cfg);
    const start = await client.fetch("/api/auth/signin/local", { form: { csrfToken: await client.csrfToken(), callbackUrl: "/" } });
    await client.fetch(await loginThroughIdP(start.response.headers.get("location") ?? "", "frank"));
    const session = await client.session();
    expect(session).toMatchObject({ user: { email: "frank@example.test" } });
    expect(session).not.toHaveProperty("error");
    expect(errors.map((error) => error.message).join("\n")).toContain("provider-token store could not be read");
  });

  it("answers NoTokens for a user without tokens from this provider", async () => {
    const store = RedisProviderTokenStore(redis.client, { prefix: `${redis.prefix}pt-none:` });
    const a = instance(store);
    expect(await getProviderAccessToken(a.resolved, a.settings, a.provider, "nobody")).toEqual({ error: "NoTokens" });
  });
});
