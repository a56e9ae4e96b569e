/**
 * The provider catalogue end to end, through the real engine, against hand-written stand-ins of
 * the services (test/fixtures/provider-standins.ts; the services themselves cannot be reached
 * from here). Every provider's traffic goes through the stand-ins' `fetch`, which only knows the
 * services' real URLs: a sign-in that completes proves the provider calls the right ones.
 *
 * Per provider: the authorization redirect (real endpoint, client, redirect URI, scope, PKCE
 * S256, state, nonce for OIDC, the service's own parameters), the callback (token request with
 * the client authentication the service requires, ID-token signature against the service's
 * JWKS, profile calls) and the user it yields, and `AUTH_<ID>_*` environment inference.
 */
import { readdirSync } from "node:fs";
import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../src/core/config.js";
import { stableUserId } from "../src/core/stable-id.js";
import { decode } from "../src/jwt.js";
import GitLab from "../src/providers/gitlab.js";
import Google from "../src/providers/google.js";
import OAuth from "../src/providers/oauth.js";
import Okta from "../src/providers/okta.js";
import type { Account, AuthConfig, JWT, Profile } from "../src/types.js";
import { CASES, type BaseOptions, type CatalogueCase, type SignInExpectation } from "./fixtures/provider-catalogue-cases.js";
import { startProviderStandIns, type CallbackStep, type ProviderStandIns, type RecordedRequest } from "./fixtures/provider-standins.js";
import { SERVICES } from "./fixtures/provider-standins/index.js";
import { EngineClient, type SetCookie } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3997";
const SECRET = "provider-catalogue-secret-of-enough-length-0123";
const SESSION_COOKIE = "authjs.session-token";
const PROVIDERS_DIR = new URL("../src/providers/", import.meta.url);
// Generic building blocks, not services.
const GENERIC = new Set(["oauth", "oidc"]);

let standIns: ProviderStandIns;

beforeAll(async () => {
  standIns = await startProviderStandIns({ services: SERVICES, origin: ORIGIN });
});

afterAll(async () => {
  await standIns?.close();
});

function baseOptions(c: CatalogueCase, extra: BaseOptions = {}): BaseOptions {
  return { ...standIns.client(c.id), fetch: standIns.fetch, ...(c.issuer ? { issuer: c.issuer } : {}), ...c.options, ...extra };
}

function configFor(c: CatalogueCase, options: BaseOptions, captured: { account?: Account; profile?: Profile }, overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    providers: [c.provider(options)],
    callbacks: {
      jwt({ token, account, profile }) {
        if (account) Object.assign(captured, { account, profile });
        return token;
      },
    },
    ...c.config,
    ...overrides,
  };
}

/** The cookies a browser sends with a cross-site POST (Apple's form_post): SameSite=None only. */
function crossSiteCookieHeader(client: EngineClient, set: SetCookie[]): string {
  const none = new Set(set.filter((c) => String(c.attributes.samesite).toLowerCase() === "none").map((c) => c.name));
  return [...client.jar].filter(([name]) => none.has(name)).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; ");
}

interface SignInResult {
  authorization: URL;
  /** What the service's authorization endpoint sent the browser on to. */
  step: CallbackStep;
  location: string | null;
  session: { user?: { name?: unknown; email?: unknown; image?: unknown } } | null;
  token: JWT | null;
  account: Account | undefined;
  calls: RecordedRequest[];
}

/** Plays a browser through one sign-in: POST /signin/<id>, the service, the callback. */
async function signIn(c: CatalogueCase, run: SignInExpectation, overrides: Partial<AuthConfig> = {}): Promise<SignInResult> {
  const captured: { account?: Account; profile?: Profile } = {};
  return signInWith(c, run, configFor(c, baseOptions(c, run.options), captured, overrides), captured);
}

/** The same, with a config the caller keeps (so several sign-ins share one resolved config). */
async function signInWith(c: CatalogueCase, run: SignInExpectation, config: AuthConfig, captured: { account?: Account; profile?: Profile } = {}): Promise<SignInResult> {
  standIns.useUser(c.id, run.user ?? 0);
  const client = new EngineClient(ORIGIN, config);
  const csrfToken = await client.csrfToken();
  const { response, cookies } = await client.fetch(`/api/auth/signin/${c.id}`, { form: { csrfToken, callbackUrl: "/welcome" } });
  expect(response.status).toBe(302);
  const authorization = new URL(response.headers.get("location") ?? "");
  const step = await standIns.approve(authorization.href);
  const before = standIns.requests.length;
  const callback =
    step.method === "GET"
      ? await client.fetch(step.url)
      : await client.fetch(step.url, { form: step.form, headers: { cookie: crossSiteCookieHeader(client, cookies) } });
  const calls = standIns.requests.slice(before);
  const sessionToken = client.jar.get(SESSION_COOKIE);
  return {
    authorization,
    step,
    location: callback.response.headers.get("location"),
    session: (await client.session()) as SignInResult["session"],
    token: sessionToken ? await decode({ token: sessionToken, secret: SECRET, salt: SESSION_COOKIE }) : null,
    account: captured.account,
    calls,
  };
}

async function expectSignedIn(c: CatalogueCase, run: SignInExpectation, result: SignInResult): Promise<void> {
  expect(result.location, `callback of ${c.id} redirected to ${result.location}`).toBe(`${ORIGIN}/welcome`);
  expect(result.session?.user).toEqual(run.expect);
  expect(result.account).toMatchObject({ provider: c.id, type: c.oidc ? "oidc" : "oauth", providerAccountId: run.accountId });
  // Without a database the user id derives from the service's stable account id, never the email.
  expect(result.token?.sub).toBe(await stableUserId(c.id, run.accountId));
  if (run.calls) expect(result.calls.map((r) => `${r.method} ${r.url}`)).toEqual(run.calls);
}

describe.each(CASES)("$id", (c) => {
  it("redirects to the real authorization endpoint with the client, its checks (PKCE, state, nonce) and the service's parameters", async () => {
    const { authorization } = await signIn(c, c);
    const params = authorization.searchParams;
    expect(`${authorization.origin}${authorization.pathname}`).toBe(c.authorize);
    expect(params.get("client_id")).toBe(standIns.client(c.id).clientId);
    expect(params.get("redirect_uri")).toBe(`${ORIGIN}/api/auth/callback/${c.id}`);
    expect(params.get("response_type")).toBe("code");
    expect(params.get("scope")).toBe(c.scope);
    if (c.checks?.includes("pkce") ?? true) {
      expect(params.get("code_challenge_method")).toBe("S256");
      expect(params.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    } else {
      expect(params.has("code_challenge")).toBe(false);
      expect(params.has("code_challenge_method")).toBe(false);
    }
    // State whatever the provider's checks say.
    expect(params.get("state")).toMatch(/^[\w-]{20,}$/);
    if (c.checks?.includes("nonce") ?? c.oidc) expect(params.get("nonce")).toMatch(/^[\w-]{20,}$/);
    else expect(params.has("nonce")).toBe(false);
    for (const [name, value] of Object.entries(c.params ?? {})) expect(params.get(name), name).toBe(value);
    if (c.oidc) {
      // The endpoints came from the discovery document at the real issuer.
      const issuer = (c.issuer ?? c.provider({}).issuer ?? "").replace(/\/$/, "");
      expect(standIns.requests.some((r) => r.method === "GET" && r.url === `${issuer}/.well-known/openid-configuration`)).toBe(true);
    }
  });

  it("signs in with the profile mapped from the service's stable account id", async () => {
    const result = await signIn(c, c);
    await expectSignedIn(c, c, result);
    c.check?.(result.calls);
  });

  for (const [index, variant] of (c.variants ?? []).entries()) {
    it(`maps variant ${index + 1}: ${JSON.stringify(variant.expect)}`, async () => {
      await expectSignedIn(c, variant, await signIn(c, variant));
    });
  }

  it("takes AUTH_<ID>_ID, _SECRET and _ISSUER from the environment", () => {
    const key = c.id.toUpperCase().replace(/-/g, "_");
    const envIssuer = c.issuer ?? "https://issuer-from-env.example";
    const env = { AUTH_SECRET: SECRET, [`AUTH_${key}_ID`]: `${c.id}-env-id`, [`AUTH_${key}_SECRET`]: `${c.id}-env-secret`, [`AUTH_${key}_ISSUER`]: envIssuer };
    const ownIssuer = c.provider({}).issuer;
    // A provider with a default issuer (Entra ID) reads AUTH_<ID>_ISSUER from process.env when created, as Auth.js does.
    const saved = process.env[`AUTH_${key}_ISSUER`];
    process.env[`AUTH_${key}_ISSUER`] = envIssuer;
    let resolved: ReturnType<typeof resolveConfig>;
    try {
      resolved = resolveConfig({ providers: [c.provider({})] }, env);
    } finally {
      if (saved === undefined) delete process.env[`AUTH_${key}_ISSUER`];
      else process.env[`AUTH_${key}_ISSUER`] = saved;
    }
    const provider = resolved.providers[0];
    if (provider?.type !== "oauth" && provider?.type !== "oidc") throw new Error(`${c.id} did not resolve to an OAuth provider`);
    expect(provider).toMatchObject({ id: c.id, clientId: `${c.id}-env-id`, clientSecret: `${c.id}-env-secret` });
    // Tenant-based services take the issuer from the environment; the others keep their own.
    expect(provider.issuer).toBe(c.issuer ? envIssuer : (ownIssuer ?? envIssuer));
    if (c.issuer) expect(ownIssuer).toBe(c.defaultIssuer);
  });
});

describe("the catalogue", () => {
  // merge.ts is a helper, index.ts the `latch/providers` types module: neither is a provider.
  const files = readdirSync(PROVIDERS_DIR).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "merge.ts" && f !== "index.ts");

  it("has at least 25 service providers with distinct ids, each file's default export building its own id", async () => {
    const ids: string[] = [];
    for (const file of files) {
      const module = (await import(new URL(file, PROVIDERS_DIR).href)) as { default: unknown };
      expect(typeof module.default, file).toBe("function");
      const config = (module.default as (options: object) => { id: string; name: string; type: string; style?: { bg?: string; text?: string } })({});
      expect(config.id, file).toBe(basename(file, ".ts"));
      // Email, credentials and the generic OAuth/OIDC factories are not services of the catalogue.
      if ((config.type !== "oauth" && config.type !== "oidc") || GENERIC.has(config.id)) continue;
      expect(config.name).toBeTruthy();
      expect(config.style?.bg && config.style.text, `${file} has style colours`).toBeTruthy();
      ids.push(config.id);
    }
    expect(ids.length).toBeGreaterThanOrEqual(25);
    expect(new Set(ids).size).toBe(ids.length);
    // Every OAuth provider of the catalogue is exercised above.
    expect(CASES.map((c) => c.id).sort()).toEqual(ids.sort());
  });
});

describe("what the stand-ins catch", () => {
  const quiet: Partial<AuthConfig> = { logger: { error: () => undefined } };
  const byId = (id: string): CatalogueCase => {
    const found = CASES.find((c) => c.id === id);
    if (!found) throw new Error(`no case ${id}`);
    return found;
  };

  it("refuses a client that authenticates with another method than the service requires", async () => {
    const google = byId("google");
    const wrongMethod: CatalogueCase = { ...google, provider: (options) => Google({ ...options, client: { token_endpoint_auth_method: "client_secret_post" } }) };
    const result = await signIn(wrongMethod, google, quiet);
    expect(new URL(result.location ?? "").searchParams.get("error")).toBe("OAuthCallbackError");
    expect(result.session).toBeNull();
    expect(result.calls.map((r) => `${r.method} ${r.url}`)).toEqual(["POST https://oauth2.googleapis.com/token"]);
  });

  it("answers nothing but the services' real URLs", async () => {
    const gitlab = byId("gitlab");
    const elsewhere: CatalogueCase = { ...gitlab, provider: (options) => GitLab({ ...options, token: "https://gitlab.example.com/oauth/token" }) };
    const result = await signIn(elsewhere, gitlab, quiet);
    expect(new URL(result.location ?? "").searchParams.get("error")).toBe("Configuration");
    expect(result.calls).toEqual([]);
    await expect(standIns.fetch("https://gitlab.example.com/oauth/token")).rejects.toThrow(/no stand-in answers for https:\/\/gitlab\.example\.com/);
  });

  it("fetches an issuer's JWKS once per provider, not on every sign-in", async () => {
    const google = byId("google");
    const config = configFor(google, baseOptions(google), {});
    const first = await signInWith(google, google, config);
    const second = await signInWith(google, google, config);
    expect(first.calls.map((r) => `${r.method} ${r.url}`)).toEqual(["POST https://oauth2.googleapis.com/token", "GET https://www.googleapis.com/oauth2/v3/certs"]);
    expect(second.calls.map((r) => `${r.method} ${r.url}`)).toEqual(["POST https://oauth2.googleapis.com/token"]);
    expect(second.session?.user).toEqual(google.expect);
  });

  it("reads a plain OAuth 2 profile endpoint's JSON (no `sub`) with the generic provider", async () => {
    const discord = byId("discord");
    const plain: CatalogueCase = {
      ...discord,
      provider: (options) =>
        OAuth({
          ...options,
          id: "discord",
          name: "Discord (generic)",
          authorization: { url: "https://discord.com/oauth2/authorize", params: { scope: "identify email" } },
          token: "https://discord.com/api/oauth2/token",
          userinfo: "https://discord.com/api/users/@me",
          profile: (profile) => ({ id: String(profile.id), name: typeof profile.global_name === "string" ? profile.global_name : null, email: profile.email ?? null, image: null }),
        }),
    };
    const result = await signIn(plain, discord, quiet);
    expect(result.location).toBe(`${ORIGIN}/welcome`);
    expect(result.account).toMatchObject({ provider: "discord", type: "oauth", providerAccountId: discord.accountId });
    expect(result.calls.map((r) => `${r.method} ${r.url}`)).toEqual(discord.calls);
  });

  it("Apple: without cookie settings of the app's, the check cookies come along with the cross-site form_post (SameSite=None)", async () => {
    const apple = byId("apple");
    const result = await signIn(apple, apple, { logger: { error: () => undefined, warn: () => undefined }, cookies: {} });
    expect(result.step.method).toBe("POST");
    expect(result.location).toBe(`${ORIGIN}/welcome`);
    expect(result.session?.user).toEqual(apple.expect);
  });

  it("a cross-site POST to the callback without the check cookies is refused", async () => {
    const apple = byId("apple");
    const config = configFor(apple, baseOptions(apple), {}, { logger: { error: () => undefined, warn: () => undefined } });
    const client = new EngineClient(ORIGIN, config);
    const csrfToken = await client.csrfToken();
    const { response } = await client.fetch(`/api/auth/signin/${apple.id}`, { form: { csrfToken, callbackUrl: "/welcome" } });
    const step = await standIns.approve(response.headers.get("location") ?? "");
    if (step.method !== "POST") throw new Error("Apple answers with form_post");
    // What a browser sends when the check cookies are SameSite=Lax: nothing.
    const callback = await client.fetch(step.url, { form: step.form, headers: { cookie: "" } });
    expect(callback.response.headers.get("location")).toBe(`${ORIGIN}/api/auth/error?error=Configuration`);
    expect(await client.session()).toBeNull();
  });

  it("Apple posts the name once, in the `user` field of the first callback: the first session has it, the email comes from the ID token", async () => {
    const apple = byId("apple");
    const first = await signIn(apple, { ...apple, user: 1, accountId: "001234.0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d.0042" });
    expect(first.step.method === "POST" && JSON.parse(first.step.form.user ?? "null")).toEqual({ name: { firstName: "Ada", lastName: "Lovelace" }, email: "ada@icloud.example" });
    expect(first.session?.user).toEqual({ name: "Ada Lovelace", email: "ada@icloud.example", image: null });
    const again = await signIn(apple, { ...apple, user: 1 });
    expect(again.step.method === "POST" && again.step.form.user).toBeUndefined();
    expect(again.session?.user).toEqual({ name: null, email: "ada@icloud.example", image: null });
  });

  it("signs in with an issuer taken from AUTH_OKTA_ISSUER", async () => {
    const okta = byId("okta");
    const saved = process.env.AUTH_OKTA_ISSUER;
    process.env.AUTH_OKTA_ISSUER = okta.issuer;
    try {
      const fromEnv: CatalogueCase = { ...okta, provider: ({ issuer: _issuer, ...options }) => Okta(options) };
      expect(fromEnv.provider(baseOptions(okta)).issuer).toBeUndefined();
      await expectSignedIn(fromEnv, okta, await signIn(fromEnv, okta));
    } finally {
      if (saved === undefined) delete process.env.AUTH_OKTA_ISSUER;
      else process.env.AUTH_OKTA_ISSUER = saved;
    }
  });
});
