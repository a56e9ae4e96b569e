import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Auth } from "../index.js";
import { resolveConfig } from "./config.js";
import { handleRequest } from "./handle-request.js";
import NextAuth from "../next/index.js";
import GitHub from "../providers/github.js";
import type { AuthConfig } from "../types.js";

const SECRET = "handle-request-test-secret-0123456789abcdef";
const ORIGIN = "http://app.test";
const NO_STORE = "private, no-cache, no-store";
const GENERIC_MESSAGE = "There was a problem with the server configuration. Check the server logs for more information.";

// Variables that change how a config resolves; each test starts with all of them unset.
const ENV_KEYS = [
  "AUTH_URL",
  "NEXTAUTH_URL",
  "AUTH_TRUST_HOST",
  "AUTH_SECRET",
  "AUTH_SECRET_1",
  "AUTH_SECRET_2",
  "AUTH_SECRET_3",
  "NEXTAUTH_SECRET",
  "AUTH_GITHUB_ID",
  "AUTH_GITHUB_SECRET",
  "VERCEL",
  "CF_PAGES",
] as const;
const ENV_AT_LOAD = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

beforeEach(() => {
  for (const key of ENV_KEYS) vi.stubEnv(key, undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

interface Harness {
  config: AuthConfig;
  /** What latch logged as errors: details belong here, never in a response. */
  errors: Error[];
  call: (path: string, init?: RequestInit, origin?: string) => Promise<Response>;
}

/** A fresh config object per test: `Auth` resolves (and caches) a config on first use, reading the env then. */
function setup(overrides: Partial<AuthConfig> = {}): Harness {
  const errors: Error[] = [];
  const config: AuthConfig = {
    providers: [GitHub({ clientId: "id", clientSecret: "secret" })],
    secret: SECRET,
    trustHost: true,
    logger: { error: (error) => void errors.push(error), warn: () => undefined },
    ...overrides,
  };
  return { config, errors, call: (path, init, origin = ORIGIN) => Auth(new Request(`${origin}${path}`, init), config) };
}

interface SetCookie {
  value: string;
  attrs: Map<string, string>;
}

/** The response's cookies by name; values percent-decoded, attribute names lower-cased. */
function cookiesOf(response: Response): Map<string, SetCookie> {
  const out = new Map<string, SetCookie>();
  for (const header of response.headers.getSetCookie()) {
    const [pair = "", ...rest] = header.split(/;\s*/);
    const eq = pair.indexOf("=");
    const attrs = new Map<string, string>();
    for (const part of rest) {
      const i = part.indexOf("=");
      attrs.set((i === -1 ? part : part.slice(0, i)).toLowerCase(), i === -1 ? "" : part.slice(i + 1));
    }
    out.set(pair.slice(0, eq), { value: decodeURIComponent(pair.slice(eq + 1)), attrs });
  }
  return out;
}

async function jsonOf<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** A valid CSRF token and the `Cookie` header that carries its cookie, as a browser would get them. */
async function csrfPair(harness: Harness, path = "/api/auth/csrf", origin = ORIGIN): Promise<{ token: string; cookie: string }> {
  const response = await harness.call(path, undefined, origin);
  const { csrfToken } = await jsonOf<{ csrfToken: string }>(response);
  const header = response.headers.getSetCookie().find((c) => /^(__Host-)?authjs\.csrf-token=/.test(c));
  if (!header) throw new Error("GET /csrf set no CSRF cookie");
  return { token: csrfToken, cookie: header.split(";")[0]! };
}

function form(fields: Record<string, string>, extraHeaders: Record<string, string> = {}, cookie?: string): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}), ...extraHeaders },
    body: new URLSearchParams(fields).toString(),
  };
}

/** POST /signin/github the way the built-in page does: CSRF cookie plus token in the form. */
async function signInWithGitHub(
  harness: Harness,
  options: { query?: string; fields?: Record<string, string>; headers?: Record<string, string>; extraCookie?: string; origin?: string; basePath?: string } = {},
): Promise<Response> {
  const basePath = options.basePath ?? "/api/auth";
  const origin = options.origin ?? ORIGIN;
  const { token, cookie } = await csrfPair(harness, `${basePath}/csrf`, origin);
  const cookieHeader = options.extraCookie ? `${cookie}; ${options.extraCookie}` : cookie;
  return harness.call(`${basePath}/signin/github${options.query ?? ""}`, form({ csrfToken: token, ...options.fields }, options.headers, cookieHeader), origin);
}

/** `value` when it is the bare origin (with or without the root slash), else the value itself, for a readable failure. */
function originOnly(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.href === `${url.origin}/` ? url.origin : value;
  } catch {
    return value;
  }
}

function locationOf(response: Response): URL {
  const location = response.headers.get("location");
  if (!location) throw new Error(`status ${response.status} has no Location`);
  return new URL(location);
}

describe("GET /providers", () => {
  it("lists each provider with its id, name, type and URLs", async () => {
    const response = await setup().call("/api/auth/providers");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({
      github: {
        id: "github",
        name: "GitHub",
        type: "oauth",
        signinUrl: "http://app.test/api/auth/signin/github",
        callbackUrl: "http://app.test/api/auth/callback/github",
      },
    });
  });
});

describe("GET /csrf", () => {
  it("returns {csrfToken} and sets the CSRF cookie `token|hash`", async () => {
    const response = await setup().call("/api/auth/csrf");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toContain("no-store");
    const { csrfToken } = await jsonOf<{ csrfToken: string }>(response);
    expect(csrfToken).toMatch(/^[0-9a-f]{64}$/);
    const cookie = cookiesOf(response).get("authjs.csrf-token");
    expect(cookie?.value).toMatch(new RegExp(`^${csrfToken}\\|[0-9a-f]{64}$`));
    expect(cookie?.attrs.has("httponly")).toBe(true);
    expect(cookie?.attrs.get("samesite")).toBe("Lax");
    expect(cookie?.attrs.get("path")).toBe("/");
    expect(cookie?.attrs.has("secure")).toBe(false);
  });

  it("returns the same token and sets no cookie when the request has a valid one", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const response = await harness.call("/api/auth/csrf", { headers: { cookie } });
    expect(await jsonOf<{ csrfToken: string }>(response)).toEqual({ csrfToken: token });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("mints a new token when the cookie was signed with another secret", async () => {
    const { token, cookie } = await csrfPair(setup({ secret: "another-secret-entirely-0123456789abcdef" }));
    const response = await setup().call("/api/auth/csrf", { headers: { cookie } });
    const { csrfToken } = await jsonOf<{ csrfToken: string }>(response);
    expect(csrfToken).not.toBe(token);
    expect(cookiesOf(response).has("authjs.csrf-token")).toBe(true);
  });

  it("uses a __Host- cookie with Secure over https", async () => {
    const response = await setup().call("/api/auth/csrf", undefined, "https://app.test");
    const cookie = cookiesOf(response).get("__Host-authjs.csrf-token");
    expect(cookie).toBeDefined();
    expect(cookie?.attrs.has("secure")).toBe(true);
    expect(cookie?.attrs.get("path")).toBe("/");
    expect(cookie?.attrs.has("domain")).toBe(false);
  });
});

describe("no-store on every response", () => {
  const requests: Array<[string, string, RequestInit | undefined]> = [
    ["GET /providers", "/api/auth/providers", undefined],
    ["GET /csrf", "/api/auth/csrf", undefined],
    ["GET /session", "/api/auth/session", undefined],
    ["GET /signin", "/api/auth/signin", undefined],
    ["GET /signout", "/api/auth/signout", undefined],
    ["GET /error", "/api/auth/error?error=AccessDenied", undefined],
    ["GET /verify-request", "/api/auth/verify-request", undefined],
    ["unknown action", "/api/auth/nope", undefined],
    ["wrong method", "/api/auth/providers", { method: "PUT" }],
    ["POST /signin/github without CSRF", "/api/auth/signin/github", { method: "POST" }],
    ["POST /session without CSRF", "/api/auth/session", { method: "POST" }],
    ["unknown provider", "/api/auth/signin/nope", { method: "POST" }],
    ["GET /callback/github without checks", "/api/auth/callback/github?code=c&state=s", undefined],
  ];

  it.each(requests)("%s", async (_label, path, init) => {
    const response = await setup().call(path, init);
    expect(response.headers.get("cache-control")).toBe(NO_STORE);
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(response.headers.get("expires")).toBe("0");
  });

  it("on a 413", async () => {
    const response = await setup().call("/api/auth/session", { method: "POST", headers: { "content-type": "application/json" }, body: "x".repeat(70_000) });
    expect(response.status).toBe(413);
    expect(response.headers.get("cache-control")).toBe(NO_STORE);
  });

  it("on a configuration error", async () => {
    const response = await setup({ secret: undefined }).call("/api/auth/session");
    expect(response.status).toBe(500);
    expect(response.headers.get("cache-control")).toBe(NO_STORE);
  });

  it("on a successful sign-in redirect that sets cookies", async () => {
    const response = await signInWithGitHub(setup());
    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe(NO_STORE);
  });
});

describe("routing", () => {
  it.each([
    "/api/auth/nope",
    "/api/auth",
    "/api/auth/",
    "/elsewhere",
    "/api/authx/providers",
    "/API/AUTH/providers",
    "/api/auth/webauthn-options/github",
    "/api/auth/__proto__",
    "/api/auth/constructor",
    "/api/auth/toString",
    "/api/auth/hasOwnProperty/github",
    "/api/auth/callback",
    "/api/auth/providers/github",
    "/api/auth/csrf/github",
  ])("answers the unknown route %s with a 404 JSON error", async (path) => {
    const response = await setup().call(path);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await jsonOf<{ error: string }>(response)).toMatchObject({ error: "UnknownAction" });
  });

  it("accepts a trailing slash", async () => {
    expect((await setup().call("/api/auth/providers/")).status).toBe(200);
  });

  const allowed: Array<[string, string[]]> = [
    ["/api/auth/providers", ["GET"]],
    ["/api/auth/csrf", ["GET"]],
    ["/api/auth/session", ["GET", "POST"]],
    ["/api/auth/signin", ["GET"]],
    ["/api/auth/signout", ["GET", "POST"]],
    ["/api/auth/error", ["GET"]],
    ["/api/auth/verify-request", ["GET"]],
    ["/api/auth/signin/github", ["POST"]],
    ["/api/auth/callback/github", ["GET", "POST"]],
  ];
  const cases = allowed.flatMap(([path, methods]) => ["PUT", "DELETE", "PATCH"].map((method): [string, string, string[]] => [method, path, methods]));

  it.each(cases)("answers %s %s with 405 and Allow: %j", async (method, path, methods) => {
    const response = await setup().call(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")?.split(/,\s*/).sort()).toEqual([...methods].sort());
    expect(await jsonOf<{ error: string }>(response)).toMatchObject({ error: "MethodNotAllowed" });
  });

  it.each<[string, string, string[]]>([
    ["GET", "/api/auth/signin/github", ["POST"]],
    ["POST", "/api/auth/providers", ["GET"]],
    ["POST", "/api/auth/csrf", ["GET"]],
    ["POST", "/api/auth/error", ["GET"]],
    ["POST", "/api/auth/signin", ["GET"]],
    ["OPTIONS", "/api/auth/session", ["GET", "POST"]],
  ])("answers %s %s with 405 and Allow: %j", async (method, path, methods) => {
    const response = await setup().call(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")?.split(/,\s*/).sort()).toEqual(methods);
  });

  it.each<[string, string]>([
    ["POST", "/api/auth/signin/nope"],
    ["GET", "/api/auth/callback/nope"],
    ["POST", "/api/auth/callback/nope"],
    ["POST", "/api/auth/signin/GitHub"],
    ["POST", "/api/auth/signin/github%2F..%2F..%2Fsession"],
  ])("answers %s %s (unknown provider) with a 404", async (method, path) => {
    const response = await setup().call(path, { method });
    expect(response.status).toBe(404);
  });

  it("does not start a sign-in for a provider path with extra segments", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const response = await harness.call("/api/auth/signin/github/extra", form({ csrfToken: token }, {}, cookie));
    expect(response.status).toBe(404);
    expect(cookiesOf(response).has("authjs.state")).toBe(false);
    expect((await harness.call("/api/auth/callback/github/extra?code=c&state=s")).status).toBe(404);
  });

  it("answers an unknown provider with 404 even with a valid CSRF token", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const response = await harness.call("/api/auth/signin/nope", form({ csrfToken: token }, {}, cookie));
    expect(response.status).toBe(404);
    expect(cookiesOf(response).has("authjs.state")).toBe(false);
  });
});

describe("CSRF enforcement", () => {
  const missingCsrf = "http://app.test/api/auth/signin?error=MissingCSRF";

  it("redirects POST /signin/github without a token or cookie to the sign-in page with MissingCSRF", async () => {
    const response = await setup().call("/api/auth/signin/github", form({}));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(missingCsrf);
    const cookies = cookiesOf(response);
    expect(cookies.has("authjs.state")).toBe(false);
    expect(cookies.has("authjs.pkce.code_verifier")).toBe(false);
  });

  it("redirects POST /signin/github with a wrong token", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const wrong = token.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    const response = await harness.call("/api/auth/signin/github", form({ csrfToken: wrong }, {}, cookie));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(missingCsrf);
  });

  it("redirects POST /signin/github with the right token but no cookie", async () => {
    const harness = setup();
    const { token } = await csrfPair(harness);
    const response = await harness.call("/api/auth/signin/github", form({ csrfToken: token }));
    expect(response.headers.get("location")).toBe(missingCsrf);
  });

  it("redirects POST /signin/github when the token is only in the query string", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const response = await harness.call(`/api/auth/signin/github?csrfToken=${token}`, form({}, {}, cookie));
    expect(response.headers.get("location")).toBe(missingCsrf);
  });

  it("answers with 200 {url} (and a refusal's error type) instead of a redirect with X-Auth-Return-Redirect: 1", async () => {
    const response = await setup().call("/api/auth/signin/github", form({}, { "x-auth-return-redirect": "1" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ url: missingCsrf, error: "MissingCSRF" });
  });

  it("redirects POST /signout without CSRF and leaves the session cookie alone", async () => {
    const response = await setup().call("/api/auth/signout", form({}, {}, "authjs.session-token=abc"));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(missingCsrf);
    expect(cookiesOf(response).has("authjs.session-token")).toBe(false);
  });

  it("answers POST /session without CSRF with 400 and the body null", async () => {
    const response = await setup().call("/api/auth/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: { name: "x" } }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe("null");
  });

  it("accepts POST /session with the token in a JSON body", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const response = await harness.call("/api/auth/session", {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ csrfToken: token, data: {} }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("null");
  });

  it("signs out with a valid token: clears the session cookie and redirects to the origin", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const response = await harness.call("/api/auth/signout", form({ csrfToken: token }, {}, `${cookie}; authjs.session-token=stale`));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("http://app.test/");
    expect(cookiesOf(response).get("authjs.session-token")?.attrs.get("max-age")).toBe("0");
  });

  it("redirects a sign-out to the origin, not to a foreign callbackUrl", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const response = await harness.call("/api/auth/signout", form({ csrfToken: token, callbackUrl: "https://evil.test/" }, {}, cookie));
    expect(locationOf(response).origin).toBe(ORIGIN);
  });
});

describe("POST /signin/github with a valid CSRF token", () => {
  it("redirects to GitHub with client_id, redirect_uri, scope and PKCE S256", async () => {
    const response = await signInWithGitHub(setup());
    expect(response.status).toBe(302);
    const location = locationOf(response);
    expect(`${location.origin}${location.pathname}`).toBe("https://github.com/login/oauth/authorize");
    const params = location.searchParams;
    expect(params.get("client_id")).toBe("id");
    expect(params.get("redirect_uri")).toBe("http://app.test/api/auth/callback/github");
    expect(params.get("scope")).toBe("read:user user:email");
    expect(params.get("response_type")).toBe("code");
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("state")).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(params.has("nonce")).toBe(false);
    expect(params.has("client_secret")).toBe(false);
  });

  it("sets the PKCE, state and callback-url cookies", async () => {
    const response = await signInWithGitHub(setup());
    const cookies = cookiesOf(response);
    for (const name of ["authjs.pkce.code_verifier", "authjs.state"]) {
      const cookie = cookies.get(name);
      expect(cookie, name).toBeDefined();
      expect(cookie?.attrs.get("max-age")).toBe("900");
      expect(cookie?.attrs.has("expires")).toBe(true);
      expect(cookie?.attrs.has("httponly")).toBe(true);
      expect(cookie?.attrs.get("samesite")).toBe("Lax");
      expect(cookie?.attrs.get("path")).toBe("/");
    }
    const callbackUrl = cookies.get("authjs.callback-url");
    expect(originOnly(callbackUrl?.value)).toBe(ORIGIN);
    expect(callbackUrl?.attrs.has("httponly")).toBe(true);
  });

  it("seals the check values: the cookies are JWEs that do not contain the state in clear", async () => {
    const response = await signInWithGitHub(setup());
    const state = locationOf(response).searchParams.get("state") ?? "";
    const cookies = cookiesOf(response);
    for (const name of ["authjs.pkce.code_verifier", "authjs.state"]) {
      const value = cookies.get(name)?.value ?? "";
      expect(value.split(".")).toHaveLength(5);
      expect(value).not.toContain(state);
    }
  });

  it("uses fresh state and PKCE values for every sign-in", async () => {
    const harness = setup();
    const first = locationOf(await signInWithGitHub(harness)).searchParams;
    const second = locationOf(await signInWithGitHub(harness)).searchParams;
    expect(second.get("state")).not.toBe(first.get("state"));
    expect(second.get("code_challenge")).not.toBe(first.get("code_challenge"));
  });

  it("keeps a same-origin callbackUrl from the body", async () => {
    const response = await signInWithGitHub(setup(), { fields: { callbackUrl: "/dashboard?tab=2" } });
    expect(cookiesOf(response).get("authjs.callback-url")?.value).toBe("http://app.test/dashboard?tab=2");
  });

  it.each(["https://evil.test", "//evil.test/x", "/\\evil.test", "javascript:alert(1)", "http://app.test@evil.test/"])(
    "replaces the foreign callbackUrl %j in the body by the origin",
    async (callbackUrl) => {
      const response = await signInWithGitHub(setup(), { fields: { callbackUrl } });
      expect(response.status).toBe(302);
      expect(originOnly(cookiesOf(response).get("authjs.callback-url")?.value)).toBe(ORIGIN);
    },
  );

  it("replaces a foreign callbackUrl in the query by the origin", async () => {
    const response = await signInWithGitHub(setup(), { query: "?callbackUrl=https%3A%2F%2Fevil.test" });
    expect(originOnly(cookiesOf(response).get("authjs.callback-url")?.value)).toBe(ORIGIN);
  });

  it("replaces a foreign callback-url cookie planted by an attacker by the origin", async () => {
    const response = await signInWithGitHub(setup(), { extraCookie: "authjs.callback-url=https%3A%2F%2Fevil.test%2F" });
    expect(originOnly(cookiesOf(response).get("authjs.callback-url")?.value)).toBe(ORIGIN);
  });

  it("forwards authorization params given in the query", async () => {
    const params = locationOf(await signInWithGitHub(setup(), { query: "?prompt=consent&login_hint=x" })).searchParams;
    expect(params.get("prompt")).toBe("consent");
    expect(params.get("login_hint")).toBe("x");
    expect(params.get("scope")).toBe("read:user user:email");
  });

  it("does not let the query override the protocol params", async () => {
    const query = new URLSearchParams({
      redirect_uri: "https://evil.test/cb",
      state: "attacker-state",
      code_challenge: "attacker-challenge",
      code_challenge_method: "plain",
      client_id: "attacker-client",
      response_type: "token",
      nonce: "attacker-nonce",
    });
    const params = locationOf(await signInWithGitHub(setup(), { query: `?${query.toString()}` })).searchParams;
    expect(params.get("redirect_uri")).toBe("http://app.test/api/auth/callback/github");
    expect(params.get("client_id")).toBe("id");
    expect(params.get("response_type")).toBe("code");
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("state")).not.toBe("attacker-state");
    expect(params.get("code_challenge")).not.toBe("attacker-challenge");
    expect(params.has("nonce")).toBe(false);
    for (const key of ["redirect_uri", "client_id", "response_type", "state", "code_challenge", "code_challenge_method"]) {
      expect(params.getAll(key), key).toHaveLength(1);
    }
  });

  it("does not forward latch's own callbackUrl and csrfToken to GitHub", async () => {
    const params = locationOf(await signInWithGitHub(setup(), { query: "?callbackUrl=%2Fx&csrfToken=abc" })).searchParams;
    expect(params.has("callbackUrl")).toBe(false);
    expect(params.has("csrfToken")).toBe(false);
  });

  it("accepts a JSON body", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const response = await harness.call("/api/auth/signin/github", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", cookie },
      body: JSON.stringify({ csrfToken: token, callbackUrl: "/after" }),
    });
    expect(locationOf(response).origin).toBe("https://github.com");
    expect(cookiesOf(response).get("authjs.callback-url")?.value).toBe("http://app.test/after");
  });

  it("answers 200 {url} with the cookies still set under X-Auth-Return-Redirect: 1", async () => {
    const response = await signInWithGitHub(setup(), { headers: { "x-auth-return-redirect": "1" } });
    expect(response.status).toBe(200);
    const { url } = await jsonOf<{ url: string }>(response);
    expect(url.startsWith("https://github.com/login/oauth/authorize?")).toBe(true);
    expect(cookiesOf(response).has("authjs.state")).toBe(true);
  });

  it("uses __Secure- cookies and an https redirect_uri over https", async () => {
    const response = await signInWithGitHub(setup(), { origin: "https://app.test" });
    expect(locationOf(response).searchParams.get("redirect_uri")).toBe("https://app.test/api/auth/callback/github");
    const cookies = cookiesOf(response);
    for (const name of ["__Secure-authjs.pkce.code_verifier", "__Secure-authjs.state", "__Secure-authjs.callback-url"]) {
      expect(cookies.get(name)?.attrs.has("secure"), name).toBe(true);
    }
  });
});

describe("pages", () => {
  it("GET /signin renders a CSRF-protected button per provider, with security headers", async () => {
    const response = await setup().call("/api/auth/signin");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await response.text();
    expect(html).toContain("Sign in with GitHub");
    expect(html).toContain('action="http://app.test/api/auth/signin/github"');
    const token = cookiesOf(response).get("authjs.csrf-token")?.value.split("|")[0] ?? "missing";
    expect(html).toContain(`name="csrfToken" value="${token}"`);
  });

  it.each([
    '"><script>alert(1)</script>',
    "/\"><script>alert(1)</script>",
    "javascript:alert(1)//\"><script>alert(1)</script>",
    "/x#\"'><script>alert(1)</script>",
    "https://evil.test/\"><script>alert(1)</script>",
  ])("escapes the callbackUrl %j and never echoes a foreign one", async (callbackUrl) => {
    const response = await setup().call(`/api/auth/signin?${new URLSearchParams({ callbackUrl, error: "<script>alert(2)</script>" }).toString()}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.toLowerCase()).not.toContain("<script");
    expect(html).not.toContain("evil.test");
  });

  it("puts the origin in the form when the callbackUrl is foreign", async () => {
    const html = await (await setup().call("/api/auth/signin?callbackUrl=https%3A%2F%2Fevil.test")).text();
    expect(html).toContain('name="callbackUrl" value="http://app.test"');
  });

  it("shows a known error's message, and never echoes an unknown error value", async () => {
    const known = await (await setup().call("/api/auth/signin?error=MissingCSRF")).text();
    expect(known).toContain('role="alert"');
    const unknown = await (await setup().call("/api/auth/signin?error=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")).text();
    expect(unknown).not.toContain("<img src=x");
    expect(unknown).not.toContain("onerror");
  });

  it("GET /signout renders a CSRF-protected form", async () => {
    const response = await setup().call("/api/auth/signout");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain('action="http://app.test/api/auth/signout"');
    expect(html).toMatch(/name="csrfToken" value="[0-9a-f]{64}"/);
  });

  it.each<[string, number]>([
    ["Configuration", 500],
    ["AccessDenied", 403],
    ["Verification", 403],
    ["OAuthCallbackError", 200],
    ["Whatever", 200],
    ["", 200],
  ])("GET /error?error=%s answers %i with an HTML page", async (error, status) => {
    const response = await setup().call(`/api/auth/error?error=${error}`);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("does not echo a malicious error value on the error page", async () => {
    const html = await (await setup().call("/api/auth/error?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).text();
    expect(html.toLowerCase()).not.toContain("<script");
  });

  it("GET /verify-request renders a page", async () => {
    const response = await setup().call("/api/auth/verify-request");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Check your email");
  });
});

describe("configuration errors", () => {
  it("answers a missing secret with a generic 500 JSON and logs the details", async () => {
    const harness = setup({ secret: undefined });
    const response = await harness.call("/api/auth/session");
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: "Configuration", message: GENERIC_MESSAGE });
    expect(text).not.toMatch(/secret/i);
    expect(text).not.toMatch(/\bat\s+\S+\s+\(/);
    expect(text).not.toContain("MissingSecret");
    expect(harness.errors.map((e) => e.name)).toContain("MissingSecret");
  });

  it("answers a missing secret on a page route with the 500 error page", async () => {
    const response = await setup({ secret: undefined }).call("/api/auth/signin");
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).not.toMatch(/secret/i);
  });

  it("reads AUTH_SECRET when the config has no secret", async () => {
    vi.stubEnv("AUTH_SECRET", "env-secret-0123456789abcdef0123456789abcd");
    expect((await setup({ secret: undefined }).call("/api/auth/csrf")).status).toBe(200);
  });

  it("never puts the secret in a response", async () => {
    const harness = setup();
    const responses = await Promise.all([
      harness.call("/api/auth/signin"),
      harness.call("/api/auth/csrf"),
      harness.call("/api/auth/providers"),
      harness.call("/api/auth/error?error=Configuration"),
      signInWithGitHub(harness),
    ]);
    for (const response of responses) {
      const everything = `${[...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n${await response.text()}`;
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain("client_secret");
    }
  });

  it("answers an untrusted host without AUTH_URL with a 500 configuration error", async () => {
    const harness = setup({ trustHost: false });
    const response = await harness.call("/api/auth/session");
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "Configuration", message: GENERIC_MESSAGE });
    expect(harness.errors.map((e) => e.name)).toContain("UntrustedHost");
  });

  it("answers an untrusted host on the sign-in page with the 500 error page", async () => {
    const response = await setup({ trustHost: false }).call("/api/auth/signin");
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toContain("text/html");
  });

  it("does not start a sign-in for an untrusted host", async () => {
    const response = await setup({ trustHost: false }).call("/api/auth/signin/github", form({}));
    expect(response.status).toBe(500);
    expect(cookiesOf(response).has("authjs.state")).toBe(false);
  });

  it("works with trustHost false when AUTH_URL is set, and builds URLs from it", async () => {
    vi.stubEnv("AUTH_URL", "https://public.test/api/auth");
    const response = await setup({ trustHost: false }).call("/api/auth/providers", { headers: { "x-forwarded-host": "evil.test" } });
    expect(response.status).toBe(200);
    const body = await jsonOf<Record<string, { signinUrl: string }>>(response);
    expect(body.github?.signinUrl).toBe("https://public.test/api/auth/signin/github");
  });

  it("ignores X-Forwarded-Host when AUTH_URL is set, even with trustHost", async () => {
    vi.stubEnv("AUTH_URL", "https://public.test");
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    expect(cookie.startsWith("__Host-authjs.csrf-token=")).toBe(true);
    const response = await harness.call("/api/auth/signin/github", form({ csrfToken: token }, { "x-forwarded-host": "evil.test", "x-forwarded-proto": "http", host: "evil.test" }, cookie));
    expect(locationOf(response).searchParams.get("redirect_uri")).toBe("https://public.test/api/auth/callback/github");
    expect(cookiesOf(response).has("__Secure-authjs.state")).toBe(true);
  });
});

describe("malformed input never yields a 5xx", () => {
  function expectClientOutcome(response: Response): void {
    expect(response.status, `status ${response.status}`).toBeLessThan(500);
  }

  it.each(["{bad json", "null", "[]", '"string"', "123", '{"csrfToken":{"$ne":null}}', '{"csrfToken":["x"]}', "{\"__proto__\":{\"verified\":true}}", "\u0000\u0001"])(
    "JSON body %j",
    async (body) => {
      const harness = setup();
      const { cookie } = await csrfPair(harness);
      for (const path of ["/api/auth/session", "/api/auth/signin/github", "/api/auth/signout", "/api/auth/callback/github"]) {
        const response = await harness.call(path, { method: "POST", headers: { "content-type": "application/json", cookie }, body });
        expectClientOutcome(response);
        expect(response.status === 400 || response.status === 302, `${path} → ${response.status}`).toBe(true);
      }
    },
  );

  it("a malformed form body", async () => {
    const response = await setup().call("/api/auth/signin/github", form({}, {}, undefined));
    expectClientOutcome(response);
    const weird = await setup().call("/api/auth/signin/github", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "%%%&&&===csrfToken=%E0%A4%A&csrfToken",
    });
    expect(weird.status).toBe(302);
  });

  it.each(["/api/auth/session", "/api/auth/signin/github", "/api/auth/signout", "/api/auth/callback/github"])("a body over 64 KiB on %s → 413", async (path) => {
    const json = await setup().call(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(70_000) }) });
    expect(json.status).toBe(413);
    const urlencoded = await setup().call(path, form({ pad: "x".repeat(70_000) }));
    expect(urlencoded.status).toBe(413);
  });

  it("a declared Content-Length over 64 KiB → 413", async () => {
    const response = await setup().call("/api/auth/session", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(10 * 1024 * 1024) },
      body: "{}",
    });
    expect(response.status).toBe(413);
  });

  it("a body of exactly 64 KiB is read", async () => {
    const harness = setup();
    const { token, cookie } = await csrfPair(harness);
    const prefix = JSON.stringify({ csrfToken: token, pad: "" });
    const body = `${prefix.slice(0, -2)}${"x".repeat(64 * 1024 - prefix.length)}"}`;
    expect(body.length).toBe(64 * 1024);
    const response = await harness.call("/api/auth/session", { method: "POST", headers: { "content-type": "application/json", cookie }, body });
    expect(response.status).toBe(200);
  });

  it("the 64 KiB limit counts bytes, not UTF-16 code units", async () => {
    // 30 000 × "€" is 30 000 code units but 90 000 bytes of UTF-8.
    const response = await setup().call("/api/auth/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pad: "€".repeat(30_000) }),
    });
    expect(response.status).toBe(413);
  });

  it("a streamed body without Content-Length is not read past the limit", async () => {
    const chunk = new Uint8Array(16 * 1024).fill(0x78);
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 64) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const init: RequestInit & { duplex: "half" } = { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" };
    const response = await setup().call("/api/auth/session", init);
    expect(response.status).toBe(413);
    // 64 KiB is 4 chunks; allow the stream's read-ahead, not the whole megabyte.
    expect(pulled).toBeLessThanOrEqual(8);
  });

  it("a body that stalls is cut off: 408 at the deadline, the stream cancelled, no hang", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"csrfToken":"'));
        // …and nothing more, ever: a slow-body client holding the request open.
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request(`${ORIGIN}/api/auth/session`, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit & { duplex: "half" });
    const started = Date.now();
    const response = await handleRequest(request, resolveConfig({ secret: SECRET, trustHost: true, providers: [GitHub({ clientId: "id", clientSecret: "secret" })] }), { bodyTimeoutMs: 300 });
    expect(response.status).toBe(408);
    expect(response.body).toMatchObject({ error: "RequestTimeout" });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(cancelled).toBe(true);
  });

  it.each<[string, string]>([
    ["an undecodable session cookie", "authjs.session-token=%%%"],
    ["a session cookie that is not a JWE", "authjs.session-token=not.a.jwe.at.all"],
    ["a JWE-shaped session cookie of garbage", `authjs.session-token=${["eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0", "", "AAAA", "BBBB", "CCCC"].join(".")}`],
    ["chunks of garbage", "authjs.session-token.0=abc; authjs.session-token.1=def; authjs.session-token.10=ghi"],
    ["a garbage CSRF cookie", "authjs.csrf-token=%%%|%%%; authjs.csrf-token=x"],
    ["garbage check cookies", "authjs.state=junk; authjs.pkce.code_verifier=junk; authjs.callback-url=%%%"],
  ])("%s", async (_label, cookie) => {
    const harness = setup();
    const session = await harness.call("/api/auth/session", { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.text()).toBe("null");
    for (const path of ["/api/auth/csrf", "/api/auth/signin", "/api/auth/providers", "/api/auth/signout"]) {
      expectClientOutcome(await harness.call(path, { headers: { cookie } }));
    }
    expectClientOutcome(await harness.call("/api/auth/callback/github?code=c&state=s", { headers: { cookie } }));
    expectClientOutcome(await harness.call("/api/auth/signin/github", form({}, {}, cookie)));
  });

  it("clears a session cookie it cannot decode", async () => {
    const response = await setup().call("/api/auth/session", { headers: { cookie: "authjs.session-token.0=abc; authjs.session-token.1=def" } });
    const cookies = cookiesOf(response);
    expect(cookies.get("authjs.session-token.0")?.attrs.get("max-age")).toBe("0");
    expect(cookies.get("authjs.session-token.1")?.attrs.get("max-age")).toBe("0");
  });

  it("10 KB of junk in the Cookie header", async () => {
    const alphabet = "!#$%&'()*+-./0123456789:<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~ ;=\"\\,";
    const junk = Array.from({ length: 10_240 }, (_, i) => alphabet[(i * 7919 + 13) % alphabet.length]).join("");
    const harness = setup();
    const session = await harness.call("/api/auth/session", { headers: { cookie: junk } });
    expect(session.status).toBe(200);
    expect(await session.text()).toBe("null");
    for (const path of ["/api/auth/csrf", "/api/auth/signin", "/api/auth/callback/github?code=c&state=s"]) {
      expectClientOutcome(await harness.call(path, { headers: { cookie: junk } }));
    }
    expectClientOutcome(await harness.call("/api/auth/signin/github", form({}, {}, junk)));
    expectClientOutcome(await harness.call("/api/auth/session", { method: "POST", headers: { cookie: junk } }));
  });

  it.each([
    "/api/auth/signin/%E0%A4%A",
    "/api/auth//session",
    "/api/auth/session/extra/segments",
    "/api/auth/session/extra",
    "/api/auth/%2e%2e/session",
    "/api/auth/session%00",
    "/api/auth/%E0%A4%A",
    "/api/auth/callback/%",
    "/api/auth/signin/%ZZ",
    `/api/auth/${"a".repeat(5000)}`,
  ])("the path %s → 4xx", async (path) => {
    for (const method of ["GET", "POST"]) {
      const response = await setup().call(path, { method });
      expect(response.status, `${method} → ${response.status}`).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
  });

  it("an OAuth callback without its check cookies → redirect to the error page", async () => {
    const response = await setup().call("/api/auth/callback/github?code=c&state=s");
    expect(response.status).toBe(302);
    const location = locationOf(response);
    expect(`${location.origin}${location.pathname}`).toBe("http://app.test/api/auth/error");
    expect(location.searchParams.get("error")).toBe("Configuration");
  });

  it.each(["evil.test/x", "a b", "app.test:99999", "1.2.3.4.5", "xn--"])("the Host header %j", async (host) => {
    for (const headers of [{ host }, { "x-forwarded-host": host }]) {
      const harness = setup();
      for (const path of ["/api/auth/signin", "/api/auth/csrf", "/api/auth/session", "/api/auth/providers"]) {
        const response = await harness.call(path, { headers });
        expect(response.status, `${path} with ${JSON.stringify(headers)} → ${response.status}`).toBeLessThan(500);
      }
    }
  });

  it("an unknown X-Forwarded-Proto keeps the request's protocol", async () => {
    const response = await setup().call("/api/auth/providers", { headers: { "x-forwarded-proto": "javascript", "x-forwarded-host": "public.test" } });
    const body = await jsonOf<Record<string, { signinUrl: string }>>(response);
    expect(body.github?.signinUrl).toBe("http://public.test/api/auth/signin/github");
  });
});

describe("basePath", () => {
  it("serves the routes under a custom basePath, and nothing under /api/auth", async () => {
    const harness = setup({ basePath: "/auth" });
    const providers = await harness.call("/auth/providers");
    expect(providers.status).toBe(200);
    const body = await jsonOf<Record<string, { signinUrl: string; callbackUrl: string }>>(providers);
    expect(body.github).toMatchObject({ signinUrl: "http://app.test/auth/signin/github", callbackUrl: "http://app.test/auth/callback/github" });
    expect((await harness.call("/api/auth/providers")).status).toBe(404);
  });

  it("uses the basePath in the redirect_uri and in the MissingCSRF redirect", async () => {
    const harness = setup({ basePath: "/auth" });
    const response = await signInWithGitHub(harness, { basePath: "/auth" });
    expect(locationOf(response).searchParams.get("redirect_uri")).toBe("http://app.test/auth/callback/github");
    const missing = await harness.call("/auth/signin/github", form({}));
    expect(missing.headers.get("location")).toBe("http://app.test/auth/signin?error=MissingCSRF");
  });

  it("takes the basePath from the path of AUTH_URL", async () => {
    vi.stubEnv("AUTH_URL", "https://public.test/custom/auth");
    const harness = setup();
    expect((await harness.call("/custom/auth/providers")).status).toBe(200);
    expect((await harness.call("/api/auth/providers")).status).toBe(404);
  });

  it("latch/next's route handlers serve the path Next.js gives them under next.config's basePath (without it); the bare engine does not", async () => {
    vi.stubEnv("AUTH_URL", "https://public.test/app/api/auth");
    const { handlers } = NextAuth({ secret: SECRET, providers: [GitHub({ clientId: "id", clientSecret: "secret" })] });
    for (const path of ["/app/api/auth/providers", "/api/auth/providers"]) {
      const response = await handlers.GET(new Request(`https://public.test${path}`));
      expect(response.status, path).toBe(200);
      const body = await jsonOf<Record<string, { signinUrl: string }>>(response);
      expect(body.github?.signinUrl, path).toBe("https://public.test/app/api/auth/signin/github");
    }
    for (const path of ["/api/providers", "/app/providers", "/api/auth-x/providers", "/ap/api/auth/providers/x/y"]) expect((await handlers.GET(new Request(`https://public.test${path}`))).status, path).toBe(404);
    // A server that hands latch every path (a custom server, Auth()) keeps its 404s: `latch doctor` reads them.
    expect((await setup().call("/api/auth/providers")).status).toBe(404);
  });
});

describe("environment isolation", () => {
  it("each test starts with the auth variables unset", () => {
    for (const key of ENV_KEYS) expect(process.env[key], key).toBeUndefined();
  });

  it("the variables come back after unstubbing", () => {
    vi.unstubAllEnvs();
    expect(Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]))).toEqual(ENV_AT_LOAD);
  });
});
