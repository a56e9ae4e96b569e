/**
 * OpenID Connect services whose real protocol differs from the textbook one, played by small
 * hand-written servers on 127.0.0.1 that answer for the services' real URLs (a provider's
 * `fetch` rewrites `https://<host>/<path>` to the local server). The engine runs for real:
 * POST /signin/<id>, the service's authorization endpoint, the callback.
 *
 * - LinkedIn ("Sign In with LinkedIn using OpenID Connect"): a confidential web app's token
 *   request that carries `code_verifier` is refused with 401 `invalid_client`, and the ID token
 *   never carries a `nonce`. The provider therefore uses `checks: ["state"]`, as in Auth.js.
 * - Microsoft Entra ID multi-tenant (`common`, `organizations`): the discovery document's issuer
 *   is the template `https://login.microsoftonline.com/{tenantid}/v2.0`; each ID token carries
 *   its user's tenant, and its `iss` must be exactly that tenant's issuer (`tid`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { discoveryIssuerOf, tenantIssuerOf } from "../src/core/oauth/microsoft-tenant.js";
import LinkedIn from "../src/providers/linkedin.js";
import MicrosoftEntraId from "../src/providers/microsoft-entra-id.js";
import type { Account, AuthConfig, Provider } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3996";
const SECRET = "provider-service-quirks-secret-0123456789abcdef";

interface MockRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}
interface MockReply {
  status?: number;
  json?: unknown;
  headers?: Record<string, string>;
}
type Route = (request: MockRequest) => Promise<MockReply> | MockReply;

/** One HTTP server on 127.0.0.1 answering for real `https://` URLs, routed by `METHOD https://host/path`. */
async function startMockServices(routes: Record<string, Route>) {
  const requests: MockRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const url = new URL(`https:/${req.url ?? "/"}`);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
        const request: MockRequest = { method: req.method ?? "GET", url, headers, body: Buffer.concat(chunks).toString("utf8") };
        requests.push(request);
        const route = routes[`${request.method} ${url.origin}${url.pathname}`];
        const reply: MockReply = route ? await route(request) : { status: 404, json: { error: "not_found" } };
        res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
        res.end(reply.json === undefined ? "" : JSON.stringify(reply.json));
      })().catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fetcher: typeof fetch = (input, init) => {
    const original = new URL(input instanceof Request ? input.url : input);
    if (original.protocol !== "https:") throw new TypeError(`not a service URL: ${original.href}`);
    const target = `${base}/${original.host}${original.pathname}${original.search}`;
    return globalThis.fetch(input instanceof Request ? new Request(target, input) : target, init);
  };
  return {
    fetch: fetcher,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function rsaSigner(kid: string): Promise<{ key: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { key: privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

/** Plays the browser: POST /signin/<id>, follow the service's redirect, GET the callback. */
async function signIn(config: AuthConfig, id: string, fetcher: typeof fetch) {
  const client = new EngineClient(ORIGIN, config);
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch(`/api/auth/signin/${id}`, { form: { csrfToken, callbackUrl: "/welcome" } });
  const authorizeLocation = response.headers.get("location") ?? "";
  let callbackLocation: string | null = null;
  if (authorizeLocation.startsWith("https://")) {
    const answer = await fetcher(authorizeLocation, { redirect: "manual" });
    const back = answer.headers.get("location");
    if (back) callbackLocation = (await client.fetch(back)).response.headers.get("location");
  }
  return { authorizeLocation, callbackLocation, session: (await client.session()) as { user?: Record<string, unknown> } | null };
}

/** The `error` latch redirected with (to its sign-in or error page), or null. */
function errorOf(location: string | null): string | null {
  return location === null ? null : new URL(location, ORIGIN).searchParams.get("error");
}

function captureAccount(captured: { account?: Account }): AuthConfig["callbacks"] {
  return {
    jwt({ token, account }) {
      if (account) captured.account = account;
      return token;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// LinkedIn
// ---------------------------------------------------------------------------------------------

const LINKEDIN_CLIENT = { clientId: "78linkedinclient", clientSecret: "WPL_AP1.secret.abc==" };

/**
 * LinkedIn as it answers a confidential web app (see the test descriptions for the sources).
 * `refusesCodeVerifier`: the token endpoint answers 401 invalid_client when `code_verifier` is sent.
 * `echoesNonce`: false is what LinkedIn does; true only isolates the PKCE quirk.
 */
async function startLinkedIn(quirks: { refusesCodeVerifier: boolean; echoesNonce: boolean }) {
  const signer = await rsaSigner("linkedin-key-1");
  const codes = new Map<string, { nonce: string | null; redirectUri: string }>();
  const services = await startMockServices({
    "GET https://www.linkedin.com/oauth/.well-known/openid-configuration": () => ({
      json: {
        issuer: "https://www.linkedin.com/oauth",
        authorization_endpoint: "https://www.linkedin.com/oauth/v2/authorization",
        token_endpoint: "https://www.linkedin.com/oauth/v2/accessToken",
        userinfo_endpoint: "https://api.linkedin.com/v2/userinfo",
        jwks_uri: "https://www.linkedin.com/oauth/openid/jwks",
        response_types_supported: ["code"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "profile", "email"],
        claims_supported: ["iss", "aud", "iat", "exp", "sub", "name", "given_name", "family_name", "picture", "email", "email_verified", "locale"],
      },
    }),
    "GET https://www.linkedin.com/oauth/openid/jwks": () => ({ json: { keys: [signer.jwk] } }),
    "GET https://www.linkedin.com/oauth/v2/authorization": ({ url }) => {
      const redirectUri = url.searchParams.get("redirect_uri") ?? "";
      const code = `AQT${Math.random().toString(36).slice(2)}`;
      codes.set(code, { nonce: url.searchParams.get("nonce"), redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      return { status: 302, headers: { location: back.href } };
    },
    "POST https://www.linkedin.com/oauth/v2/accessToken": async ({ body }) => {
      const form = new URLSearchParams(body);
      if (form.get("client_id") !== LINKEDIN_CLIENT.clientId || form.get("client_secret") !== LINKEDIN_CLIENT.clientSecret) {
        return { status: 401, json: { error: "invalid_client", error_description: "Client authentication failed" } };
      }
      // A web (confidential) app is not a PKCE app: LinkedIn refuses the verifier.
      if (quirks.refusesCodeVerifier && form.has("code_verifier")) {
        return { status: 401, json: { error: "invalid_client", error_description: "Client authentication failed" } };
      }
      const grant = codes.get(form.get("code") ?? "");
      if (!grant || grant.redirectUri !== form.get("redirect_uri")) return { status: 400, json: { error: "invalid_request", error_description: "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code." } };
      const claims: Record<string, unknown> = {
        sub: "782bbtaQ",
        name: "Reid Example",
        given_name: "Reid",
        family_name: "Example",
        picture: "https://media.licdn.com/dms/image/C5603AQH/profile-displayphoto-shrink_100_100/0/1",
        email: "reid@linkedin.example",
        email_verified: true,
        locale: "en_US",
      };
      if (quirks.echoesNonce && grant.nonce) claims.nonce = grant.nonce;
      const idToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: "linkedin-key-1", typ: "JWT" })
        .setIssuer("https://www.linkedin.com/oauth")
        .setAudience(LINKEDIN_CLIENT.clientId)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(signer.key);
      return { json: { access_token: "AQV-linkedin-access", expires_in: 5183999, scope: "email,openid,profile", token_type: "Bearer", id_token: idToken } };
    },
  });
  return services;
}

describe("LinkedIn against LinkedIn's real OpenID Connect behaviour", () => {
  it("does not send a PKCE code_verifier: LinkedIn refuses a web app's token request that carries one (401 invalid_client)", async () => {
    const linkedin = await startLinkedIn({ refusesCodeVerifier: true, echoesNonce: true });
    try {
      const captured: { account?: Account } = {};
      const config: AuthConfig = { secret: SECRET, trustHost: true, providers: [LinkedIn({ ...LINKEDIN_CLIENT, fetch: linkedin.fetch })], callbacks: captureAccount(captured) };
      const result = await signIn(config, "linkedin", linkedin.fetch);
      expect(result.callbackLocation).toBe(`${ORIGIN}/welcome`);
      expect(captured.account).toMatchObject({ provider: "linkedin", providerAccountId: "782bbtaQ" });
      const tokenRequest = linkedin.requests.find((r) => r.url.pathname === "/oauth/v2/accessToken");
      expect(new URLSearchParams(tokenRequest?.body).has("code_verifier")).toBe(false);
    } finally {
      await linkedin.close();
    }
  });

  it("accepts LinkedIn's ID token, which carries no nonce claim", async () => {
    const linkedin = await startLinkedIn({ refusesCodeVerifier: false, echoesNonce: false });
    try {
      const captured: { account?: Account } = {};
      const config: AuthConfig = { secret: SECRET, trustHost: true, providers: [LinkedIn({ ...LINKEDIN_CLIENT, fetch: linkedin.fetch })], callbacks: captureAccount(captured) };
      const result = await signIn(config, "linkedin", linkedin.fetch);
      expect(result.callbackLocation).toBe(`${ORIGIN}/welcome`);
      expect(result.session?.user).toMatchObject({ name: "Reid Example", email: "reid@linkedin.example" });
      expect(captured.account).toMatchObject({ provider: "linkedin", providerAccountId: "782bbtaQ" });
    } finally {
      await linkedin.close();
    }
  });

  it("honours `checks: [\"state\"]` written by the app, as a migrating Auth.js LinkedIn app has it", async () => {
    const linkedin = await startLinkedIn({ refusesCodeVerifier: true, echoesNonce: false });
    try {
      const provider = LinkedIn({ ...LINKEDIN_CLIENT, fetch: linkedin.fetch, checks: ["state"] });
      const config: AuthConfig = { secret: SECRET, trustHost: true, providers: [provider] };
      const result = await signIn(config, "linkedin", linkedin.fetch);
      const authorize = new URL(result.authorizeLocation);
      expect(authorize.searchParams.has("code_challenge")).toBe(false);
      expect(authorize.searchParams.has("nonce")).toBe(false);
      expect(result.callbackLocation).toBe(`${ORIGIN}/welcome`);
    } finally {
      await linkedin.close();
    }
  });

  it("still sends state, and refuses a callback whose state is not the one it sent: state is LinkedIn's only check", async () => {
    const linkedin = await startLinkedIn({ refusesCodeVerifier: true, echoesNonce: false });
    try {
      const config: AuthConfig = { secret: SECRET, trustHost: true, providers: [LinkedIn({ ...LINKEDIN_CLIENT, fetch: linkedin.fetch })], logger: { error: () => undefined } };
      const client = new EngineClient(ORIGIN, config);
      const csrfToken = await client.csrfToken();
      const { response } = await client.fetch("/api/auth/signin/linkedin", { form: { csrfToken, callbackUrl: "/welcome" } });
      const authorize = new URL(response.headers.get("location") ?? "");
      expect(authorize.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
      const answer = await linkedin.fetch(authorize.href, { redirect: "manual" });
      const back = new URL(answer.headers.get("location") ?? "");
      back.searchParams.set("state", "forged-state-of-the-attackers-own-flow");
      const callback = await client.fetch(back.href);
      expect(callback.response.headers.get("location")).toBe(`${ORIGIN}/api/auth/error?error=Configuration`);
      expect(await client.session()).toBeNull();
      expect(linkedin.requests.some((r) => r.url.pathname === "/oauth/v2/accessToken")).toBe(false);
    } finally {
      await linkedin.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Microsoft Entra ID, multi-tenant
// ---------------------------------------------------------------------------------------------

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ENTRA_CLIENT = { clientId: "11111111-2222-3333-4444-555555555555", clientSecret: "entra~secret.value" };

/** The metadata Microsoft publishes for `tenant` (`common`, `organizations` or a tenant id). */
function entraMetadata(tenant: string): Record<string, unknown> {
  const base = `https://login.microsoftonline.com/${tenant}`;
  const multi = tenant === "common" || tenant === "organizations" || tenant === "consumers";
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: multi ? "https://login.microsoftonline.com/{tenantid}/v2.0" : `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "cloud_instance_name", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "email"],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: multi ? null : "WW",
    cloud_instance_name: "microsoftonline.com",
  };
}

/** What the Entra stand-in puts into the next ID tokens: by default a user of TENANT, `iss` of TENANT. */
interface EntraTokenPlan {
  tid: string | undefined;
  iss: string;
}

const DEFAULT_PLAN: EntraTokenPlan = { tid: TENANT, iss: `https://login.microsoftonline.com/${TENANT}/v2.0` };

/** A tenant whose own discovery document (wrongly) names the multi-tenant template. */
const TEMPLATE_NAMING_TENANT = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";

async function startEntra() {
  const signer = await rsaSigner("entra-key-1");
  const codes = new Map<string, { nonce: string | null; redirectUri: string }>();
  const routes: Record<string, Route> = {};
  const plan: EntraTokenPlan = { ...DEFAULT_PLAN };
  for (const tenant of ["common", "organizations", TENANT, TEMPLATE_NAMING_TENANT]) {
    const base = `https://login.microsoftonline.com/${tenant}`;
    routes[`GET ${base}/v2.0/.well-known/openid-configuration`] = () => ({
      json: tenant === TEMPLATE_NAMING_TENANT ? { ...entraMetadata(tenant), issuer: "https://login.microsoftonline.com/{tenantid}/v2.0" } : entraMetadata(tenant),
    });
    routes[`GET ${base}/discovery/v2.0/keys`] = () => ({ json: { keys: [signer.jwk] } });
    routes[`GET ${base}/oauth2/v2.0/authorize`] = ({ url }) => {
      const redirectUri = url.searchParams.get("redirect_uri") ?? "";
      const code = `0.AAAA${Math.random().toString(36).slice(2)}`;
      codes.set(code, { nonce: url.searchParams.get("nonce"), redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      back.searchParams.set("session_state", "00a1b2c3-0000-0000-0000-000000000000");
      return { status: 302, headers: { location: back.href } };
    };
    routes[`POST ${base}/oauth2/v2.0/token`] = async ({ body, headers }) => {
      const form = new URLSearchParams(body);
      const basic = /^Basic (.+)$/.exec(headers.get("authorization") ?? "")?.[1];
      const [id, secret] = basic ? Buffer.from(basic, "base64").toString().split(":").map((s) => decodeURIComponent(s.replace(/\+/g, " "))) : [form.get("client_id"), form.get("client_secret")];
      if (id !== ENTRA_CLIENT.clientId || secret !== ENTRA_CLIENT.clientSecret) return { status: 401, json: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." } };
      const grant = codes.get(form.get("code") ?? "");
      if (!grant || grant.redirectUri !== form.get("redirect_uri")) return { status: 400, json: { error: "invalid_grant", error_description: "AADSTS70000" } };
      const idToken = await new SignJWT({
        sub: "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        oid: "00000000-0000-0000-66f3-3332eca7ea81",
        ...(plan.tid !== undefined ? { tid: plan.tid } : {}),
        ver: "2.0",
        name: "Megan Bowen",
        preferred_username: "meganb@contoso.example",
        email: "meganb@contoso.example",
        ...(grant.nonce ? { nonce: grant.nonce } : {}),
      })
        .setProtectedHeader({ alg: "RS256", kid: "entra-key-1", typ: "JWT" })
        // The user's own tenant, whichever endpoint (common, organizations) issued the token.
        .setIssuer(plan.iss)
        .setAudience(ENTRA_CLIENT.clientId)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(signer.key);
      return { json: { token_type: "Bearer", scope: "openid profile email User.Read", expires_in: 4611, ext_expires_in: 4611, access_token: "eyJ0eXAi-entra-access", id_token: idToken } };
    };
  }
  const services = await startMockServices(routes);
  return {
    ...services,
    /** Makes the next ID tokens carry `next` (until `reset`). */
    plan: (next: Partial<EntraTokenPlan>) => Object.assign(plan, next),
    reset: () => Object.assign(plan, DEFAULT_PLAN),
  };
}

describe("Microsoft Entra ID, multi-tenant", () => {
  let entra: Awaited<ReturnType<typeof startEntra>>;
  beforeAll(async () => {
    entra = await startEntra();
  });
  afterAll(async () => {
    await entra?.close();
  });
  afterEach(() => {
    entra.reset();
  });

  function entraConfig(issuer: string | undefined, captured: { account?: Account } = {}): AuthConfig {
    const provider: Provider = MicrosoftEntraId({ ...ENTRA_CLIENT, ...(issuer !== undefined ? { issuer } : {}), profilePhotoSize: false, fetch: entra.fetch });
    return { secret: SECRET, trustHost: true, providers: [provider], callbacks: captureAccount(captured), logger: { error: () => undefined } };
  }

  it.each(["common", "organizations"])("signs in a user of any tenant through the `%s` issuer, whose discovery issuer is the {tenantid} template", async (tenant) => {
    const captured: { account?: Account } = {};
    const result = await signIn(entraConfig(`https://login.microsoftonline.com/${tenant}/v2.0`, captured), "microsoft-entra-id", entra.fetch);
    expect(result.authorizeLocation.startsWith(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize?`)).toBe(true);
    expect(result.callbackLocation).toBe(`${ORIGIN}/welcome`);
    expect(captured.account).toMatchObject({ provider: "microsoft-entra-id", providerAccountId: "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ" });
    expect(result.session?.user).toMatchObject({ name: "Megan Bowen", email: "meganb@contoso.example" });
  });

  it("defaults to the `common` issuer when none is configured, as Auth.js's provider does", async () => {
    const saved = process.env.AUTH_MICROSOFT_ENTRA_ID_ISSUER;
    delete process.env.AUTH_MICROSOFT_ENTRA_ID_ISSUER;
    try {
      expect(MicrosoftEntraId().issuer).toBe("https://login.microsoftonline.com/common/v2.0");
      const result = await signIn(entraConfig(undefined), "microsoft-entra-id", entra.fetch);
      expect(result.authorizeLocation.startsWith("https://login.microsoftonline.com/common/oauth2/v2.0/authorize?")).toBe(true);
      expect(result.callbackLocation).toBe(`${ORIGIN}/welcome`);
    } finally {
      if (saved !== undefined) process.env.AUTH_MICROSOFT_ENTRA_ID_ISSUER = saved;
    }
  });

  it("takes the default issuer from AUTH_MICROSOFT_ENTRA_ID_ISSUER first, and the app's `issuer` over both", () => {
    const saved = process.env.AUTH_MICROSOFT_ENTRA_ID_ISSUER;
    process.env.AUTH_MICROSOFT_ENTRA_ID_ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
    try {
      expect(MicrosoftEntraId().issuer).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
      expect(MicrosoftEntraId({ issuer: undefined }).issuer).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
      expect(MicrosoftEntraId({ issuer: "https://login.microsoftonline.com/organizations/v2.0" }).issuer).toBe("https://login.microsoftonline.com/organizations/v2.0");
    } finally {
      if (saved === undefined) delete process.env.AUTH_MICROSOFT_ENTRA_ID_ISSUER;
      else process.env.AUTH_MICROSOFT_ENTRA_ID_ISSUER = saved;
    }
  });

  it("refuses an ID token whose `iss` names another tenant than its `tid`", async () => {
    entra.plan({ tid: TENANT, iss: `https://login.microsoftonline.com/${TEMPLATE_NAMING_TENANT}/v2.0` });
    const captured: { account?: Account } = {};
    const result = await signIn(entraConfig("https://login.microsoftonline.com/common/v2.0", captured), "microsoft-entra-id", entra.fetch);
    expect(errorOf(result.callbackLocation)).toBe("OAuthCallbackError");
    expect(result.session).toBeNull();
    expect(captured.account).toBeUndefined();
  });

  it.each([
    ["has no `tid`", { tid: undefined, iss: "https://login.microsoftonline.com/{tenantid}/v2.0" }],
    ["has a `tid` that is no tenant id", { tid: "common", iss: "https://login.microsoftonline.com/common/v2.0" }],
    ["carries the template itself as `iss`", { tid: TENANT, iss: "https://login.microsoftonline.com/{tenantid}/v2.0" }],
  ])("refuses an ID token of the multi-tenant issuer that %s", async (_, plan) => {
    entra.plan(plan);
    const result = await signIn(entraConfig("https://login.microsoftonline.com/common/v2.0"), "microsoft-entra-id", entra.fetch);
    expect(errorOf(result.callbackLocation)).toBe("OAuthCallbackError");
    expect(result.session).toBeNull();
  });

  it("keeps a single-tenant issuer exact: a user of another tenant is refused", async () => {
    entra.plan({ tid: TEMPLATE_NAMING_TENANT, iss: `https://login.microsoftonline.com/${TEMPLATE_NAMING_TENANT}/v2.0` });
    const result = await signIn(entraConfig(`https://login.microsoftonline.com/${TENANT}/v2.0`), "microsoft-entra-id", entra.fetch);
    expect(result.authorizeLocation.startsWith(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize?`)).toBe(true);
    expect(errorOf(result.callbackLocation)).toBe("OAuthCallbackError");
    expect(result.session).toBeNull();
  });

  it("accepts the {tenantid} template only in the discovery document of a multi-tenant issuer", async () => {
    const result = await signIn(entraConfig(`https://login.microsoftonline.com/${TEMPLATE_NAMING_TENANT}/v2.0`), "microsoft-entra-id", entra.fetch);
    expect(errorOf(result.authorizeLocation)).toBe("Configuration");
    expect(entra.requests.some((r) => r.url.pathname === `/${TEMPLATE_NAMING_TENANT}/oauth2/v2.0/authorize`)).toBe(false);
    expect(result.session).toBeNull();
  });
});

describe("which discovery issuers Microsoft's multi-tenant issuers accept", () => {
  const template = "https://login.microsoftonline.com/{tenantid}/v2.0";
  const personal = "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0";

  it.each([
    ["https://login.microsoftonline.com/common/v2.0", template, template],
    ["https://login.microsoftonline.com/organizations/v2.0", template, template],
    ["https://login.microsoftonline.com/consumers/v2.0", template, template],
    ["https://login.microsoftonline.com/consumers/v2.0", personal, personal],
    // Anything else keeps the configured issuer, which oauth4webapi then compares exactly.
    ["https://login.microsoftonline.com/common/v2.0", personal, "https://login.microsoftonline.com/common/v2.0"],
    [`https://login.microsoftonline.com/${TENANT}/v2.0`, template, `https://login.microsoftonline.com/${TENANT}/v2.0`],
    ["https://login.microsoftonline.us/common/v2.0", template, "https://login.microsoftonline.us/common/v2.0"],
    ["https://id.acme.example/common/v2.0", template, "https://id.acme.example/common/v2.0"],
  ])("configured %s, document naming %s: expects %s", (configured, named, expected) => {
    expect(discoveryIssuerOf(new URL(configured), { issuer: named }).href).toBe(new URL(expected).href);
  });

  it("fills the template only with a well-formed tenant id", () => {
    expect(tenantIssuerOf({ tid: TENANT })).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(tenantIssuerOf({ tid: "common" })).toBeUndefined();
    expect(tenantIssuerOf({ tid: `${TENANT}/../evil` })).toBeUndefined();
    expect(tenantIssuerOf({})).toBeUndefined();
  });
});
