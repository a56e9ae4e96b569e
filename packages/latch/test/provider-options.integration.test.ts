/**
 * Catalogue providers configured the way an Auth.js v5 app configures them, through the real
 * engine, against the catalogue's stand-ins of the services (test/fixtures/provider-standins.ts:
 * one HTTP server on 127.0.0.1 answering for the real URLs): options merged over a provider's
 * defaults, and the cookies of a provider that posts its callback cross-site (Apple's form_post).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Apple from "../src/providers/apple.js";
import Facebook from "../src/providers/facebook.js";
import Google from "../src/providers/google.js";
import LinkedIn from "../src/providers/linkedin.js";
import { mergeProvider } from "../src/providers/merge.js";
import Twitch from "../src/providers/twitch.js";
import Salesforce from "../src/providers/salesforce.js";
import type { Account, AuthConfig, OAuthConfig, Provider } from "../src/types.js";
import { startProviderStandIns, type ProviderStandIns } from "./fixtures/provider-standins.js";
import { SERVICES } from "./fixtures/provider-standins/index.js";
import { EngineClient, type SetCookie } from "./helpers/engine-client.js";

// Apple only redirects to https origins; the stand-ins register `<origin>/api/auth/callback/<id>`.
const ORIGIN = "https://app.latch-test.example";
const SECRET = "provider-options-secret-0123456789abcdef-0123";

let standIns: ProviderStandIns;

beforeAll(async () => {
  standIns = await startProviderStandIns({ services: SERVICES, origin: ORIGIN });
});

afterAll(async () => {
  await standIns?.close();
});

/** What a browser sends with a cross-site top-level POST: only the SameSite=None (and Secure) cookies. */
function crossSiteCookies(client: EngineClient, set: SetCookie[]): string {
  const sent = new Set(set.filter((c) => String(c.attributes.samesite).toLowerCase() === "none" && c.attributes.secure === true).map((c) => c.name));
  return [...client.jar].filter(([name]) => sent.has(name)).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; ");
}

async function signIn(provider: Provider, id: string, captured: { account?: Account } = {}, extra: Partial<AuthConfig> = {}) {
  const config: AuthConfig = {
    secret: SECRET,
    trustHost: true,
    providers: [provider],
    logger: { error: () => undefined },
    callbacks: {
      jwt({ token, account }) {
        if (account) captured.account = account;
        return token;
      },
    },
    ...extra,
  };
  const client = new EngineClient(ORIGIN, config);
  const csrfToken = await client.csrfToken();
  const { response, cookies } = await client.fetch(`/api/auth/signin/${id}`, { form: { csrfToken, callbackUrl: "/welcome" } });
  const location = response.headers.get("location") ?? "";
  if (!location.startsWith("https://") || location.startsWith(ORIGIN)) return { signInLocation: location, cookies, callbackLocation: null, session: null };
  const step = await standIns.approve(location);
  const callback =
    step.method === "GET" ? await client.fetch(step.url) : await client.fetch(step.url, { form: step.form, headers: { cookie: crossSiteCookies(client, cookies) } });
  return { signInLocation: location, cookies, callbackLocation: callback.response.headers.get("location"), session: (await client.session()) as { user?: Record<string, unknown> } | null };
}

/** The check cookies and the callback-URL cookie of a sign-in's Set-Cookie headers. */
function flowCookies(set: SetCookie[]): SetCookie[] {
  return set.filter((c) => /authjs\.(state|nonce|pkce\.code_verifier|callback-url)$/.test(c.name));
}

describe("a provider that posts its callback cross-site (response_mode=form_post, Apple)", () => {
  it("sets the check cookies and the callback-URL cookie SameSite=None; Secure, so Apple's form_post callback carries them", async () => {
    const provider = Apple({ ...standIns.client("apple"), fetch: standIns.fetch });
    const result = await signIn(provider, "apple");
    const cookies = flowCookies(result.cookies);
    expect(cookies.map((c) => c.name).sort()).toEqual(["__Secure-authjs.callback-url", "__Secure-authjs.nonce", "__Secure-authjs.pkce.code_verifier", "__Secure-authjs.state"]);
    for (const cookie of cookies) {
      expect(String(cookie.attributes.samesite).toLowerCase(), cookie.name).toBe("none");
      expect(cookie.attributes.secure, cookie.name).toBe(true);
      expect(cookie.attributes.httponly, cookie.name).toBe(true);
    }
    // Only the cookies a browser sends with a cross-site POST reached the callback.
    expect(result.callbackLocation).toBe(`${ORIGIN}/welcome`);
    expect(typeof result.session?.user?.email).toBe("string");
  });

  it("does the same for a form_post the app asks for at sign-in (authorization params)", async () => {
    const provider = Google({ ...standIns.client("google"), fetch: standIns.fetch });
    const client = new EngineClient(ORIGIN, { secret: SECRET, trustHost: true, providers: [provider] });
    const csrfToken = await client.csrfToken();
    const { response, cookies } = await client.fetch("/api/auth/signin/google?response_mode=form_post", { form: { csrfToken, callbackUrl: "/welcome" } });
    expect(new URL(response.headers.get("location") ?? "").searchParams.get("response_mode")).toBe("form_post");
    for (const cookie of flowCookies(cookies)) expect(String(cookie.attributes.samesite).toLowerCase(), cookie.name).toBe("none");
  });

  it("keeps SameSite=Lax for every provider whose callback is a redirect", async () => {
    const provider = Google({ ...standIns.client("google"), fetch: standIns.fetch });
    const result = await signIn(provider, "google");
    const cookies = flowCookies(result.cookies);
    expect(cookies).toHaveLength(4);
    for (const cookie of cookies) expect(String(cookie.attributes.samesite).toLowerCase(), cookie.name).toBe("lax");
    expect(result.callbackLocation).toBe(`${ORIGIN}/welcome`);
  });

  it("says what is needed when the app runs over plain http, where browsers drop Secure cookies", async () => {
    const warnings: string[] = [];
    const provider = Apple({ ...standIns.client("apple"), fetch: standIns.fetch });
    const config: AuthConfig = { secret: SECRET, trustHost: true, providers: [provider], logger: { warn: (message) => warnings.push(message) } };
    const client = new EngineClient("http://app.latch-test.example", config);
    const csrfToken = await client.csrfToken();
    const { cookies } = await client.fetch("/api/auth/signin/apple", { form: { csrfToken, callbackUrl: "/welcome" } });
    for (const cookie of flowCookies(cookies)) expect(cookie.attributes.secure, cookie.name).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^form-post-needs-https: provider "apple" .*Serve the app over https and set AUTH_URL/);
  });
});

describe("options merged over a provider's defaults as Auth.js merges them", () => {
  it("an option set to undefined keeps the default (Salesforce({ issuer: process.env.SALESFORCE_ISSUER }) with the variable unset)", async () => {
    const captured: { account?: Account } = {};
    const provider = Salesforce({ ...standIns.client("salesforce"), fetch: standIns.fetch, issuer: process.env.LATCH_TEST_UNSET_SALESFORCE_ISSUER });
    const result = await signIn(provider, "salesforce", captured);
    expect(result.signInLocation.startsWith("https://login.salesforce.com/services/oauth2/authorize?")).toBe(true);
    expect(result.callbackLocation).toBe(`${ORIGIN}/welcome`);
    expect(captured.account).toMatchObject({ provider: "salesforce", providerAccountId: "https://login.salesforce.com/id/00D5g000004ABCDEAA/0055g00000XYZabAAA" });
  });

  it("a partial `client` override keeps the provider's token_endpoint_auth_method (Facebook needs client_secret_post)", async () => {
    const captured: { account?: Account } = {};
    const provider = Facebook({ ...standIns.client("facebook"), fetch: standIns.fetch, client: { id_token_signed_response_alg: "RS256" } });
    const result = await signIn(provider, "facebook", captured);
    expect(result.callbackLocation).toBe(`${ORIGIN}/welcome`);
    expect(captured.account).toMatchObject({ provider: "facebook", providerAccountId: "10224323215612345" });
  });

  it("a partial `style` keeps the provider's other colours", () => {
    expect(Facebook({ style: { logo: "/facebook.svg" } }).style).toEqual({ bg: "#006aff", text: "#fff", logo: "/facebook.svg" });
  });

  it("nested authorization params merge key by key (Twitch's `claims` keeps its id_token claims when the app adds userinfo ones)", () => {
    const authorization = Twitch({ authorization: { params: { claims: { userinfo: { picture: null } } } } }).authorization;
    expect(authorization).toEqual({
      params: {
        scope: "openid user:read:email",
        claims: { id_token: { email: null, email_verified: null, picture: null, preferred_username: null }, userinfo: { picture: null } },
      },
    });
  });

  it("params over a default endpoint written as a URL string keep that URL; a string replaces the default endpoint", () => {
    const defaults: OAuthConfig = { id: "acme", name: "Acme", type: "oauth", authorization: "https://acme.test/authorize?scope=read", token: { url: "https://acme.test/token", params: { audience: "api" } } };
    expect(mergeProvider(defaults, {}).authorization).toBe("https://acme.test/authorize?scope=read");
    expect(mergeProvider(defaults, { authorization: { params: { prompt: "login" } } }).authorization).toEqual({ url: "https://acme.test/authorize?scope=read", params: { prompt: "login" } });
    expect(mergeProvider(defaults, { token: "https://acme.test/v2/token" }).token).toBe("https://acme.test/v2/token");
    expect(Twitch({ authorization: "https://id.twitch.tv/oauth2/authorize?force_verify=true" }).authorization).toBe("https://id.twitch.tv/oauth2/authorize?force_verify=true");
  });

  it("arrays and functions replace the default", () => {
    expect(LinkedIn({ checks: ["pkce", "state"] }).checks).toEqual(["pkce", "state"]);
    const profile = () => ({ id: "x" });
    expect(LinkedIn({ profile }).profile).toBe(profile);
  });

  it("undefined nested options keep the default too", () => {
    expect(Facebook({ client: { token_endpoint_auth_method: undefined } }).client).toEqual({ token_endpoint_auth_method: "client_secret_post" });
  });
});
