/**
 * Fault injection, identity-provider half: a real OpenID provider (oidc-provider) that goes down,
 * hangs or comes back, with latch's default per-request deadline (3.5 s). latch's back channel
 * reaches the provider through one TCP proxy per endpoint (discovery, token, userinfo, JWKS),
 * chosen by the provider's `fetch`, so one endpoint can be cut or stalled while the others and
 * the browser's front channel stay healthy. Every fault must end in an error redirect (never a
 * 500, never a hang) within the deadline plus a margin, and the same config must sign in again
 * once the provider is back: no restart.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getResolvedConfig } from "../../src/core/config.js";
import { getProviderAccessToken, saveSignInTokens } from "../../src/core/provider-tokens.js";
import { MemoryProviderTokenStore } from "../../src/provider-tokens/memory.js";
import OIDC from "../../src/providers/oidc.js";
import type { Account, AuthConfig } from "../../src/types.js";
import { EngineClient } from "../helpers/engine-client.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";

const ORIGIN = "http://127.0.0.1:3981";
const SECRET = "idp-faults-integration-secret-of-enough-length-0";
/** latch's default deadline per provider request. */
const DEADLINE_MS = 3500;
/** What the task allows: a clear answer in under 5 s with the default deadline. */
const LIMIT_MS = 5000;
const PROVIDER_IDS = ["idp", "idp-cold", "idp-jwks", "idp-userinfo"] as const;

type Endpoint = "discovery" | "token" | "userinfo" | "jwks";

let idp: LocalIdP;
let proxies: Record<Endpoint, TcpProxy>;
let config: AuthConfig;
const logged: Error[] = [];
let lastAccount: Account | undefined;
/** Measured durations, printed at the end for the record. */
const timings: Array<[string, number]> = [];

function endpointOf(pathname: string): Endpoint {
  if (pathname.startsWith("/.well-known/")) return "discovery";
  if (pathname === "/token") return "token";
  if (pathname === "/me") return "userinfo";
  if (pathname === "/jwks") return "jwks";
  throw new Error(`idp-faults: no proxy for ${pathname}`);
}

/** latch's back channel: every request to the IdP goes through the proxy of its endpoint. */
const throughProxies: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const endpoint = endpointOf(url.pathname);
  url.port = String(proxies[endpoint].port);
  const response = await fetch(url, init);
  if (endpoint !== "discovery") return response;
  // oidc-provider writes its endpoints with the host it was asked at (the proxy's): name the IdP.
  const document = (await response.text()).replaceAll(url.origin, idp.url);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(document, { status: response.status, statusText: response.statusText, headers });
};

beforeAll(async () => {
  idp = await startLocalIdP({
    clients: [{ client_id: "latch-faults", client_secret: "latch-faults-secret", redirect_uris: PROVIDER_IDS.map((id) => `${ORIGIN}/api/auth/callback/${id}`) }],
  });
  const target = { host: "127.0.0.1", port: Number(new URL(idp.url).port) };
  proxies = { discovery: await TcpProxy.open(target), token: await TcpProxy.open(target), userinfo: await TcpProxy.open(target), jwks: await TcpProxy.open(target) };
  const client = { issuer: idp.issuer, clientId: "latch-faults", clientSecret: "latch-faults-secret", fetch: throughProxies };
  config = {
    secret: SECRET,
    trustHost: true,
    logger: { error: (error) => logged.push(error), warn: () => undefined, debug: () => undefined },
    providerTokens: { store: MemoryProviderTokenStore() },
    providers: [
      OIDC({ id: "idp", name: "IdP", ...client }),
      // Never discovered before its test: discovery itself can be stalled.
      OIDC({ id: "idp-cold", name: "IdP (cold)", ...client }),
      // Its own metadata object, so its JWKS is not cached before its test.
      OIDC({ id: "idp-jwks", name: "IdP (JWKS)", ...client }),
      // The profile comes from the userinfo endpoint.
      OIDC({ id: "idp-userinfo", name: "IdP (userinfo)", idToken: false, ...client }),
    ],
    callbacks: {
      jwt({ token, account }) {
        if (account) lastAccount = account;
        return token;
      },
    },
  };
});

afterEach(async () => {
  for (const proxy of Object.values(proxies)) await proxy.heal();
});

afterAll(async () => {
  console.info(`idp-faults timings (ms): ${timings.map(([label, ms]) => `${label}=${ms}`).join(", ")}`);
  for (const proxy of Object.values(proxies ?? {})) await proxy.close();
  await idp?.close();
});

async function timed<T>(label: string, run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  const ms = Math.round(performance.now() - started);
  timings.push([label, ms]);
  return { value, ms };
}

/** Posts the sign-in form for `provider`; the response is the redirect to the IdP or to an error. */
async function startSignIn(client: EngineClient, provider: string): Promise<Response> {
  const csrfToken = await client.csrfToken();
  return (await client.fetch(`/api/auth/signin/${provider}`, { form: { csrfToken, callbackUrl: "/dashboard" } })).response;
}

/** Starts a sign-in and logs in at the IdP (front channel, no proxy); returns latch's callback URL. */
async function reachCallback(client: EngineClient, provider: string): Promise<string> {
  const start = await startSignIn(client, provider);
  expect(start.status).toBe(302);
  const authorization = start.headers.get("location") ?? "";
  expect(new URL(authorization).origin).toBe(idp.url);
  return loginThroughIdP(authorization, "alice");
}

/** A complete sign-in with the shared config: the provider works (again). */
async function expectSignIn(provider: string): Promise<void> {
  const client = new EngineClient(ORIGIN, config);
  const { response } = await client.fetch(await reachCallback(client, provider));
  expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
  expect(await client.session()).toMatchObject({ user: { email: "alice@example.test" } });
}

/** The fail-closed contract: a redirect to this site's error URL, no session. */
async function expectErrorRedirect(client: EngineClient, response: Response, target: string): Promise<void> {
  expect(response.status).toBe(302);
  expect(response.headers.get("location")).toBe(`${ORIGIN}${target}`);
  expect(await client.session()).toBeNull();
}

/** The message chain of the last logged error. */
function loggedReason(): string {
  const parts: string[] = [];
  let current: unknown = logged.at(-1);
  while (current instanceof Error && parts.length < 10) {
    parts.push(`${current.name}: ${current.message}`);
    current = current.cause;
  }
  return parts.join(" <- ");
}

describe("the IdP is down or slow when the sign-in starts (discovery)", () => {
  it("down: the sign-in page with an error at once; after the IdP is back the same config signs in", async () => {
    for (const proxy of Object.values(proxies)) await proxy.stop();
    const client = new EngineClient(ORIGIN, config);
    const { value: response, ms } = await timed("discovery refused", () => startSignIn(client, "idp"));
    await expectErrorRedirect(client, response, "/api/auth/signin?error=Configuration");
    expect(ms).toBeLessThan(1000);
    expect(loggedReason()).toMatch(/ProviderUnreachable: The provider "idp" could not be reached \(GET http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration\)/);
    for (const name of ["authjs.pkce.code_verifier", "authjs.state", "authjs.nonce"]) expect(client.jar.has(name)).toBe(false);
    const page = await client.fetch(response.headers.get("location") ?? "");
    expect(page.response.status).toBe(200);
    expect(await page.response.text()).toContain('role="alert"');

    for (const proxy of Object.values(proxies)) await proxy.start();
    await expectSignIn("idp");
  });

  it("hanging: two sign-ins give up at the deadline, and the next one after recovery works", async () => {
    proxies.discovery.pause();
    const clients = [new EngineClient(ORIGIN, config), new EngineClient(ORIGIN, config)];
    const { value: responses, ms } = await timed("discovery hanging (2 concurrent)", () => Promise.all(clients.map((client) => startSignIn(client, "idp-cold"))));
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    expect(ms).toBeLessThan(LIMIT_MS);
    for (const [i, response] of responses.entries()) await expectErrorRedirect(clients[i] as EngineClient, response, "/api/auth/signin?error=Configuration");
    expect(loggedReason()).toMatch(/did not answer within 3500 ms \(GET .*\/\.well-known\/openid-configuration\)/);

    proxies.discovery.resume();
    await expectSignIn("idp-cold");
  });
});

describe("the IdP fails during the callback", () => {
  it("token endpoint down: the error page at once, and a new sign-in once it is back", async () => {
    const client = new EngineClient(ORIGIN, config);
    const callback = await reachCallback(client, "idp");
    await proxies.token.stop();
    const { value, ms } = await timed("token refused", () => client.fetch(callback));
    await expectErrorRedirect(client, value.response, "/api/auth/error?error=Configuration");
    expect(ms).toBeLessThan(1000);
    expect(loggedReason()).toMatch(/could not be reached \(POST .*\/token\)/);
    await proxies.token.start();
    await expectSignIn("idp");
  });

  it("token endpoint hanging: the same error page at the deadline", async () => {
    const client = new EngineClient(ORIGIN, config);
    const callback = await reachCallback(client, "idp");
    proxies.token.pause();
    const { value, ms } = await timed("token hanging", () => client.fetch(callback));
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    expect(ms).toBeLessThan(LIMIT_MS);
    await expectErrorRedirect(client, value.response, "/api/auth/error?error=Configuration");
    expect(loggedReason()).toMatch(/did not answer within 3500 ms \(POST .*\/token\)/);
    proxies.token.resume();
    await expectSignIn("idp");
  });

  it("JWKS down, then hanging: the error page each time; the keys are fetched once it is back", async () => {
    const down = new EngineClient(ORIGIN, config);
    const first = await reachCallback(down, "idp-jwks");
    await proxies.jwks.stop();
    const refused = await timed("jwks refused", () => down.fetch(first));
    await expectErrorRedirect(down, refused.value.response, "/api/auth/error?error=Configuration");
    expect(refused.ms).toBeLessThan(1000);
    await proxies.jwks.start();

    const hanging = new EngineClient(ORIGIN, config);
    const second = await reachCallback(hanging, "idp-jwks");
    proxies.jwks.pause();
    const { value, ms } = await timed("jwks hanging", () => hanging.fetch(second));
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    expect(ms).toBeLessThan(LIMIT_MS);
    await expectErrorRedirect(hanging, value.response, "/api/auth/error?error=Configuration");
    expect(loggedReason()).toMatch(/did not answer within 3500 ms \(GET .*\/jwks\)/);
    proxies.jwks.resume();
    await expectSignIn("idp-jwks");
  });

  it("userinfo hanging: the error page at the deadline; then the profile is read again", async () => {
    const client = new EngineClient(ORIGIN, config);
    const callback = await reachCallback(client, "idp-userinfo");
    proxies.userinfo.pause();
    const { value, ms } = await timed("userinfo hanging", () => client.fetch(callback));
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    expect(ms).toBeLessThan(LIMIT_MS);
    await expectErrorRedirect(client, value.response, "/api/auth/error?error=Configuration");
    expect(loggedReason()).toMatch(/did not answer within 3500 ms \(GET .*\/me\)/);
    proxies.userinfo.resume();
    await expectSignIn("idp-userinfo");
  });
});

describe("the IdP fails while getAccessToken refreshes", () => {
  /** Signs in, then stores the sign-in's tokens for `userId` as if they expire at `expiresAt`. */
  async function storedTokens(userId: string, expiresAt: number): Promise<Account> {
    await expectSignIn("idp");
    const account = lastAccount;
    if (!account?.refresh_token) throw new Error("the sign-in yielded no refresh token");
    const settings = getResolvedConfig(config).providerTokens;
    if (!settings) throw new Error("providerTokens is not configured");
    await saveSignInTokens(settings, userId, "idp", { ...account, expires_at: expiresAt });
    return account;
  }

  function accessToken(userId: string): ReturnType<typeof getProviderAccessToken> {
    const resolved = getResolvedConfig(config);
    const provider = resolved.providers.find((p) => p.id === "idp");
    if (!resolved.providerTokens || provider?.type !== "oidc") throw new Error("no provider tokens or no OIDC provider");
    return getProviderAccessToken(resolved, resolved.providerTokens, provider, userId);
  }

  it("an expired token: RefreshUnavailable at the deadline (hanging) or at once (down); a fresh token once the IdP is back", async () => {
    const account = await storedTokens("user-expired", Math.floor(Date.now() / 1000) - 10);
    proxies.token.pause();
    const hanging = await timed("refresh hanging", () => accessToken("user-expired"));
    expect(hanging.value).toEqual({ error: "RefreshUnavailable" });
    expect(hanging.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    expect(hanging.ms).toBeLessThan(LIMIT_MS);
    await proxies.token.stop();
    const down = await timed("refresh refused", () => accessToken("user-expired"));
    expect(down.value).toEqual({ error: "RefreshUnavailable" });
    expect(down.ms).toBeLessThan(1000);

    await proxies.token.heal();
    const back = await accessToken("user-expired");
    expect(back).toMatchObject({ accessToken: expect.any(String) as string });
    expect("accessToken" in back && back.accessToken).not.toBe(account.access_token);
    expect(await accessToken("user-expired")).toEqual(back);
  });

  it("a token that is still valid: that token at the deadline, refreshed on a later call", async () => {
    const account = await storedTokens("user-valid", Math.floor(Date.now() / 1000) + 30);
    proxies.token.pause();
    const { value, ms } = await timed("refresh hanging, token still valid", () => accessToken("user-valid"));
    expect(value).toMatchObject({ accessToken: account.access_token });
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    expect(ms).toBeLessThan(LIMIT_MS);
    proxies.token.resume();
    const later = await accessToken("user-valid");
    expect("accessToken" in later && later.accessToken).not.toBe(account.access_token);
  });
});
