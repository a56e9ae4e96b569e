import { describe, expect, it } from "vitest";
import { MissingSecret, UntrustedHost } from "../errors.js";
import GitHub from "../providers/github.js";
import OIDC from "../providers/oidc.js";
import type { AuthConfig, LoggerInstance } from "../types.js";
import { createRequestContext, resolveConfig, resolveOrigin, type Env, type ResolvedConfig } from "./config.js";
import type { InternalOAuthProvider } from "./providers.js";

function oauthProviders(resolved: ResolvedConfig): InternalOAuthProvider[] {
  return resolved.providers.filter((p): p is InternalOAuthProvider => p.type !== "credentials");
}

const SECRET = "config-test-secret-0123456789abcdef01234";

interface Captured {
  warnings: string[];
  errors: Error[];
}

/** A config with a logger that records instead of printing. */
function configWith(overrides: Partial<AuthConfig> = {}, captured: Captured = { warnings: [], errors: [] }): AuthConfig {
  const logger: Partial<LoggerInstance> = {
    warn: (code) => void captured.warnings.push(code),
    error: (error) => void captured.errors.push(error),
  };
  return { providers: [], logger, ...overrides };
}

describe("resolveConfig: secrets", () => {
  it("reads AUTH_SECRET", () => {
    expect(resolveConfig(configWith(), { AUTH_SECRET: "env-secret" }).secrets).toEqual(["env-secret"]);
  });

  it("orders AUTH_SECRET_3, _2, _1, then AUTH_SECRET: the highest number is the newest", () => {
    const env: Env = { AUTH_SECRET: "s0", AUTH_SECRET_1: "s1", AUTH_SECRET_2: "s2", AUTH_SECRET_3: "s3" };
    expect(resolveConfig(configWith(), env).secrets).toEqual(["s3", "s2", "s1", "s0"]);
  });

  it("skips numbers that are not set or empty", () => {
    expect(resolveConfig(configWith(), { AUTH_SECRET: "s0", AUTH_SECRET_2: "s2", AUTH_SECRET_1: "" }).secrets).toEqual(["s2", "s0"]);
  });

  it("falls back to NEXTAUTH_SECRET", () => {
    expect(resolveConfig(configWith(), { NEXTAUTH_SECRET: "legacy" }).secrets).toEqual(["legacy"]);
    expect(resolveConfig(configWith(), { NEXTAUTH_SECRET: "legacy", AUTH_SECRET: "new" }).secrets).toEqual(["new"]);
  });

  it("lets config.secret win over every env secret", () => {
    const env: Env = { AUTH_SECRET: "s0", AUTH_SECRET_1: "s1", AUTH_SECRET_3: "s3" };
    expect(resolveConfig(configWith({ secret: "from-config" }), env).secrets).toEqual(["from-config"]);
  });

  it("keeps the order of a config.secret array and drops empty entries", () => {
    expect(resolveConfig(configWith({ secret: ["new", "", "old"] }), {}).secrets).toEqual(["new", "old"]);
  });

  it("resolves to no secret without throwing, so builds work without one", () => {
    expect(resolveConfig(configWith(), {}).secrets).toEqual([]);
  });
});

describe("resolveConfig: AUTH_URL and basePath", () => {
  it("defaults basePath to /api/auth and has no env origin", () => {
    const resolved = resolveConfig(configWith(), {});
    expect(resolved.basePath).toBe("/api/auth");
    expect(resolved.envOrigin).toBeUndefined();
  });

  it("takes the origin of AUTH_URL and keeps /api/auth when it has no path", () => {
    const resolved = resolveConfig(configWith(), { AUTH_URL: "https://app.test" });
    expect(resolved.envOrigin).toBe("https://app.test");
    expect(resolved.basePath).toBe("/api/auth");
  });

  it("takes basePath from the path of AUTH_URL, without a trailing slash", () => {
    expect(resolveConfig(configWith(), { AUTH_URL: "https://app.test:8443/custom/auth" })).toMatchObject({
      envOrigin: "https://app.test:8443",
      basePath: "/custom/auth",
    });
    expect(resolveConfig(configWith(), { AUTH_URL: "https://app.test/custom/auth/" }).basePath).toBe("/custom/auth");
  });

  it("drops the query and fragment of AUTH_URL from the origin", () => {
    expect(resolveConfig(configWith(), { AUTH_URL: "https://app.test/api/auth?x=1#y" }).envOrigin).toBe("https://app.test");
  });

  it("reads NEXTAUTH_URL when AUTH_URL is unset", () => {
    expect(resolveConfig(configWith(), { NEXTAUTH_URL: "https://legacy.test/auth" })).toMatchObject({ envOrigin: "https://legacy.test", basePath: "/auth" });
  });

  it("lets config.basePath win over the path of AUTH_URL", () => {
    expect(resolveConfig(configWith({ basePath: "/mine" }), { AUTH_URL: "https://app.test/theirs" }).basePath).toBe("/mine");
  });

  it("normalizes config.basePath", () => {
    expect(resolveConfig(configWith({ basePath: "auth/" }), {}).basePath).toBe("/auth");
    expect(resolveConfig(configWith({ basePath: "//a//b/" }), {}).basePath).toBe("/a/b");
    expect(resolveConfig(configWith({ basePath: "/" }), {}).basePath).toBe("/");
  });

  it("ignores an invalid AUTH_URL with a warning", () => {
    const captured: Captured = { warnings: [], errors: [] };
    const resolved = resolveConfig(configWith({}, captured), { AUTH_URL: "not a url" });
    expect(resolved.envOrigin).toBeUndefined();
    expect(resolved.basePath).toBe("/api/auth");
    expect(captured.warnings.some((w) => w.includes("AUTH_URL"))).toBe(true);
  });
});

describe("resolveConfig: trustHost", () => {
  it.each(["false", "FALSE", " false ", "0", "no", "off"])("AUTH_TRUST_HOST=%j means false, even outside production", (value) => {
    expect(resolveConfig(configWith(), { AUTH_TRUST_HOST: value, NODE_ENV: "development" }).trustHost).toBe(false);
  });

  it.each(["true", "1", "TRUE", "yes"])("AUTH_TRUST_HOST=%j means true, even in production", (value) => {
    expect(resolveConfig(configWith(), { AUTH_TRUST_HOST: value, NODE_ENV: "production" }).trustHost).toBe(true);
  });

  it("is false in production without AUTH_URL", () => {
    expect(resolveConfig(configWith(), { NODE_ENV: "production" }).trustHost).toBe(false);
  });

  it("treats an empty AUTH_TRUST_HOST as unset", () => {
    expect(resolveConfig(configWith(), { NODE_ENV: "production", AUTH_TRUST_HOST: "" }).trustHost).toBe(false);
  });

  it("is true in production when AUTH_URL is set (the origin does not come from headers)", () => {
    expect(resolveConfig(configWith(), { NODE_ENV: "production", AUTH_URL: "https://app.test" }).trustHost).toBe(true);
  });

  it("is true on Vercel and Cloudflare Pages", () => {
    expect(resolveConfig(configWith(), { NODE_ENV: "production", VERCEL: "1" }).trustHost).toBe(true);
    expect(resolveConfig(configWith(), { NODE_ENV: "production", CF_PAGES: "1" }).trustHost).toBe(true);
  });

  it.each([{ NODE_ENV: "development" }, { NODE_ENV: "test" }, {}])("is true outside production: %j", (env) => {
    expect(resolveConfig(configWith(), env).trustHost).toBe(true);
  });

  it("lets config.trustHost win over the environment", () => {
    expect(resolveConfig(configWith({ trustHost: false }), { AUTH_TRUST_HOST: "true", NODE_ENV: "development" }).trustHost).toBe(false);
    expect(resolveConfig(configWith({ trustHost: true }), { AUTH_TRUST_HOST: "false", NODE_ENV: "production" }).trustHost).toBe(true);
  });
});

describe("resolveConfig: provider env inference", () => {
  it("fills GitHub's client id and secret from AUTH_GITHUB_ID / AUTH_GITHUB_SECRET", () => {
    const resolved = resolveConfig(configWith({ providers: [GitHub] }), { AUTH_GITHUB_ID: "gh-id", AUTH_GITHUB_SECRET: "gh-secret" });
    expect(resolved.providers).toHaveLength(1);
    expect(resolved.providers[0]).toMatchObject({ id: "github", clientId: "gh-id", clientSecret: "gh-secret", issuer: "https://github.com/login/oauth" });
  });

  it("accepts the factory called with no options too", () => {
    const resolved = resolveConfig(configWith({ providers: [GitHub()] }), { AUTH_GITHUB_ID: "gh-id", AUTH_GITHUB_SECRET: "gh-secret" });
    expect(resolved.providers[0]).toMatchObject({ clientId: "gh-id", clientSecret: "gh-secret" });
  });

  it("lets options in the config win over the env", () => {
    const resolved = resolveConfig(configWith({ providers: [GitHub({ clientId: "cfg-id", clientSecret: "cfg-secret" })] }), {
      AUTH_GITHUB_ID: "env-id",
      AUTH_GITHUB_SECRET: "env-secret",
    });
    expect(resolved.providers[0]).toMatchObject({ clientId: "cfg-id", clientSecret: "cfg-secret" });
  });

  it("maps a dashed id to underscores: my-idp → AUTH_MY_IDP_ID / _SECRET / _ISSUER", () => {
    const resolved = resolveConfig(configWith({ providers: [OIDC({ id: "my-idp", name: "My IdP" })] }), {
      AUTH_MY_IDP_ID: "idp-client",
      AUTH_MY_IDP_SECRET: "idp-secret",
      AUTH_MY_IDP_ISSUER: "https://idp.test",
    });
    expect(resolved.providers[0]).toMatchObject({
      id: "my-idp",
      type: "oidc",
      clientId: "idp-client",
      clientSecret: "idp-secret",
      issuer: "https://idp.test",
    });
  });

  it("does not read variables of another spelling of the id", () => {
    const resolved = resolveConfig(configWith({ providers: [OIDC({ id: "my-idp" })] }), {
      "AUTH_MY-IDP_ID": "dashed",
      AUTH_MYIDP_ID: "squashed",
      AUTH_OIDC_ID: "generic",
    });
    expect(oauthProviders(resolved)[0]?.clientId).toBe("");
  });

  it("applies the check policy: PKCE and state always, nonce for OIDC only", () => {
    const resolved = resolveConfig(configWith({ providers: [GitHub, OIDC({ id: "idp", issuer: "https://idp.test" })] }), {});
    expect(oauthProviders(resolved).map((p) => p.checks)).toEqual([
      { pkce: true, state: true, nonce: false },
      { pkce: true, state: true, nonce: true },
    ]);
  });

  it("keeps the first of two providers with the same id, with a warning", () => {
    const captured: Captured = { warnings: [], errors: [] };
    const resolved = resolveConfig(configWith({ providers: [GitHub({ clientId: "first" }), GitHub({ clientId: "second" })] }, captured), {});
    expect(oauthProviders(resolved).map((p) => p.clientId)).toEqual(["first"]);
    expect(captured.warnings.some((w) => w.includes("github"))).toBe(true);
  });
});

describe("resolveConfig: other defaults", () => {
  it("defaults session and jwt maxAge to 30 days, jwt following session", () => {
    expect(resolveConfig(configWith(), {})).toMatchObject({ sessionMaxAge: 2_592_000, jwtMaxAge: 2_592_000 });
    expect(resolveConfig(configWith({ session: { maxAge: 60 } }), {})).toMatchObject({ sessionMaxAge: 60, jwtMaxAge: 60 });
    expect(resolveConfig(configWith({ session: { maxAge: 60 }, jwt: { maxAge: 30 } }), {})).toMatchObject({ sessionMaxAge: 60, jwtMaxAge: 30 });
  });
});

describe("resolveOrigin", () => {
  const trusted = () => resolveConfig(configWith({ secret: SECRET }), { NODE_ENV: "development" });

  it("uses AUTH_URL and ignores X-Forwarded-Host and Host when it is set", () => {
    const resolved = resolveConfig(configWith({ secret: SECRET, trustHost: true }), { AUTH_URL: "https://app.test" });
    const headers = new Headers({ "x-forwarded-host": "evil.test", "x-forwarded-proto": "http", host: "evil.test" });
    expect(resolveOrigin(resolved, headers, "http://internal:3000/api/auth/session")).toBe("https://app.test");
  });

  it("uses X-Forwarded-Host and X-Forwarded-Proto when the host is trusted", () => {
    const headers = new Headers({ "x-forwarded-host": "public.test", "x-forwarded-proto": "https", host: "internal:3000" });
    expect(resolveOrigin(trusted(), headers, "http://internal:3000/api/auth/session")).toBe("https://public.test");
  });

  it("drops a default port the proxy spelled out, as a browser's Origin does", () => {
    expect(resolveOrigin(trusted(), new Headers({ "x-forwarded-host": "app.test:443", "x-forwarded-proto": "https" }), "http://internal/x")).toBe("https://app.test");
    expect(resolveOrigin(trusted(), new Headers({ host: "app.test:80" }), "http://internal/x")).toBe("http://app.test");
    expect(resolveOrigin(trusted(), new Headers({ "x-forwarded-host": "app.test:8443", "x-forwarded-proto": "https" }), "http://internal/x")).toBe("https://app.test:8443");
  });

  it("takes the first value of a comma-separated X-Forwarded-Host / -Proto", () => {
    const headers = new Headers({ "x-forwarded-host": "public.test, proxy.internal", "x-forwarded-proto": "https,http" });
    expect(resolveOrigin(trusted(), headers, "http://internal/x")).toBe("https://public.test");
  });

  it("uses Host with the request URL's protocol when there is no X-Forwarded-Host", () => {
    const headers = new Headers({ host: "app.test:3000" });
    expect(resolveOrigin(trusted(), headers, "https://whatever/x")).toBe("https://app.test:3000");
  });

  it("lower-cases the host", () => {
    expect(resolveOrigin(trusted(), new Headers({ host: "APP.Test" }), "http://x/")).toBe("http://app.test");
  });

  it("accepts a bracketed IPv6 host", () => {
    expect(resolveOrigin(trusted(), new Headers({ host: "[::1]:3000" }), "http://x/")).toBe("http://[::1]:3000");
  });

  it("ignores an X-Forwarded-Proto other than http or https", () => {
    const headers = new Headers({ host: "app.test", "x-forwarded-proto": "javascript" });
    expect(resolveOrigin(trusted(), headers, "https://app.test/x")).toBe("https://app.test");
  });

  it.each(["evil.test/x", "a b", "evil.test@app.test", "evil.test\\x", "evil.test?x", "evil.test#x", "<script>", ""])(
    "falls back to the request URL for the junk Host %j",
    (host) => {
      const headers = new Headers(host ? { host } : {});
      expect(resolveOrigin(trusted(), headers, "http://request.test:8080/api/auth/session")).toBe("http://request.test:8080");
    },
  );

  it.each(["evil.test/x", "a b"])("falls back to the request URL for the junk X-Forwarded-Host %j", (host) => {
    const headers = new Headers({ "x-forwarded-host": host });
    expect(resolveOrigin(trusted(), headers, "http://request.test/x")).toBe("http://request.test");
  });

  it.each(["app.test:99999", "app.test:65536", "1.2.3.4.5", "xn--", "[:::::]"])(
    "falls back to the request URL for the Host %j, which looks like a host but is not one",
    (host) => {
      const origin = resolveOrigin(trusted(), new Headers({ host }), "http://request.test/x");
      expect(() => new URL(origin)).not.toThrow();
      expect(origin).toBe("http://request.test");
    },
  );

  it("throws UntrustedHost when the host is not trusted and AUTH_URL is unset", () => {
    const resolved = resolveConfig(configWith({ secret: SECRET }), { NODE_ENV: "production" });
    expect(() => resolveOrigin(resolved, new Headers({ host: "app.test" }), "https://app.test/x")).toThrow(UntrustedHost);
  });

  it("throws UntrustedHost when there is neither a usable host nor a request URL", () => {
    expect(() => resolveOrigin(trusted(), new Headers({ host: "a b" }))).toThrow(UntrustedHost);
  });
});

describe("createRequestContext", () => {
  it("throws MissingSecret when no secret is configured", () => {
    const resolved = resolveConfig(configWith(), { NODE_ENV: "development" });
    expect(() => createRequestContext(resolved, new Headers(), "https://app.test/api/auth/session")).toThrow(MissingSecret);
  });

  it("uses secure cookie names over https", () => {
    const resolved = resolveConfig(configWith({ secret: SECRET }), { AUTH_URL: "https://app.test" });
    const ctx = createRequestContext(resolved, new Headers(), "http://internal/api/auth/session");
    expect(ctx).toMatchObject({ origin: "https://app.test", authUrl: "https://app.test/api/auth", secure: true });
    expect(ctx.cookies.sessionToken.name).toBe("__Secure-authjs.session-token");
    expect(ctx.cookies.csrfToken.name).toBe("__Host-authjs.csrf-token");
  });

  it("uses plain cookie names over http, unless useSecureCookies says otherwise", () => {
    const plain = createRequestContext(resolveConfig(configWith({ secret: SECRET }), { AUTH_URL: "http://localhost:3000" }), new Headers());
    expect(plain.secure).toBe(false);
    expect(plain.cookies.sessionToken.name).toBe("authjs.session-token");
    const forced = createRequestContext(resolveConfig(configWith({ secret: SECRET, useSecureCookies: true }), { AUTH_URL: "http://localhost:3000" }), new Headers());
    expect(forced.secure).toBe(true);
    expect(forced.cookies.sessionToken.name).toBe("__Secure-authjs.session-token");
  });

  it("builds authUrl from the origin and basePath, without a double slash for basePath /", () => {
    const root = createRequestContext(resolveConfig(configWith({ secret: SECRET, basePath: "/" }), { AUTH_URL: "https://app.test" }), new Headers());
    expect(root.authUrl).toBe("https://app.test");
    const nested = createRequestContext(resolveConfig(configWith({ secret: SECRET }), { AUTH_URL: "https://app.test/custom" }), new Headers());
    expect(nested.authUrl).toBe("https://app.test/custom");
  });
});
