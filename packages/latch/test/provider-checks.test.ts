/**
 * A provider's `checks` (Auth.js's option): which of PKCE, state and nonce protect its
 * authorization-code flow. latch uses PKCE S256 + state (+ nonce for OpenID Connect) unless the
 * provider says otherwise, and keeps `state` whatever it says.
 */
import { describe, expect, it } from "vitest";
import { createRequestContext, resolveConfig } from "../src/core/config.js";
import { authorizationUrl } from "../src/core/oauth/authorization-url.js";
import { resolveChecks, type InternalOAuthProvider } from "../src/core/providers.js";
import LinkedIn from "../src/providers/linkedin.js";
import OAuth from "../src/providers/oauth.js";
import type { LoggerInstance, OAuthCheck } from "../src/types.js";

const SECRET = "provider-checks-test-secret-0123456789abcdef";

function recordingLogger(): LoggerInstance & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, error: () => undefined, warn: (message) => warnings.push(message), debug: () => undefined };
}

/** The authorization request latch sends for a plain OAuth 2 provider with these `checks`. */
async function authorizeWith(checks: OAuthCheck[] | undefined): Promise<{ url: URL; cookies: string[] }> {
  const acme = OAuth({
    id: "acme",
    name: "Acme",
    clientId: "acme-id",
    clientSecret: "acme-secret",
    authorization: "https://acme.test/oauth/authorize",
    token: "https://acme.test/oauth/token",
    userinfo: "https://acme.test/api/me",
    ...(checks ? { checks } : {}),
  });
  const resolved = resolveConfig({ secret: SECRET, trustHost: true, providers: [acme], logger: { error: () => undefined, warn: () => undefined } }, {});
  const ctx = createRequestContext(resolved, new Headers({ host: "app.test" }));
  const { url, cookies } = await authorizationUrl(ctx, resolved.providers[0] as InternalOAuthProvider, {});
  return { url: new URL(url), cookies: cookies.map((c) => c.name) };
}

describe("resolveChecks", () => {
  it.each([
    ["oidc", undefined, { pkce: true, state: true, nonce: true }],
    ["oauth", undefined, { pkce: true, state: true, nonce: false }],
    ["oidc", ["state"], { pkce: false, state: true, nonce: false }],
    ["oidc", ["pkce"], { pkce: true, state: true, nonce: false }],
    ["oidc", ["nonce", "state"], { pkce: false, state: true, nonce: true }],
    ["oauth", ["pkce", "state"], { pkce: true, state: true, nonce: false }],
  ] as const)("a %s provider with checks %j uses %j", (type, checks, expected) => {
    const logger = recordingLogger();
    expect(resolveChecks("acme", type, checks, logger)).toEqual(expected);
    expect(logger.warnings).toEqual([]);
  });

  it.each([[["none"]], [[]]] as const)("keeps state for checks %j, with a warning: a flow without any check is open to login CSRF", (checks) => {
    const logger = recordingLogger();
    expect(resolveChecks("acme", "oidc", checks, logger)).toEqual({ pkce: false, state: true, nonce: false });
    expect(logger.warnings).toEqual([expect.stringMatching(/^provider-checks-state-kept: provider "acme" .*still sends and checks `state`/)]);
  });

  it("warns about a check it does not know, and ignores it", () => {
    const logger = recordingLogger();
    expect(resolveChecks("acme", "oauth", ["state", "PKCE" as OAuthCheck], logger)).toEqual({ pkce: false, state: true, nonce: false });
    expect(logger.warnings).toEqual([expect.stringMatching(/^provider-checks-unknown: provider "acme" lists unknown checks "PKCE"/)]);
  });

  it("applies the default checks when `checks` is not an array", () => {
    const logger = recordingLogger();
    expect(resolveChecks("acme", "oidc", "state" as unknown as OAuthCheck[], logger)).toEqual({ pkce: true, state: true, nonce: true });
    expect(logger.warnings).toEqual([expect.stringMatching(/^provider-checks-invalid: /)]);
  });

  it("LinkedIn uses state only, as in Auth.js", () => {
    const [linkedin] = resolveConfig({ secret: SECRET, providers: [LinkedIn({ clientId: "id", clientSecret: "secret" })] }, {}).providers;
    expect(linkedin).toMatchObject({ id: "linkedin", checks: { pkce: false, state: true, nonce: false } });
  });
});

describe("the authorization request follows the checks", () => {
  it("sends PKCE S256 and state by default, each with its cookie", async () => {
    const { url, cookies } = await authorizeWith(undefined);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(cookies.sort()).toEqual(["authjs.pkce.code_verifier", "authjs.state"]);
  });

  it.each([[["state"]], [["none"]]] as const)("with checks %j sends state alone, and no PKCE challenge or cookie", async (checks) => {
    const { url, cookies } = await authorizeWith([...checks]);
    expect(url.searchParams.has("code_challenge")).toBe(false);
    expect(url.searchParams.has("code_challenge_method")).toBe(false);
    expect(url.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(cookies).toEqual(["authjs.state"]);
  });

  it("sends a nonce when the checks ask for one", async () => {
    const { url, cookies } = await authorizeWith(["pkce", "nonce"]);
    expect(url.searchParams.get("nonce")).toMatch(/^[\w-]{20,}$/);
    expect(cookies.sort()).toEqual(["authjs.nonce", "authjs.pkce.code_verifier", "authjs.state"]);
  });
});
