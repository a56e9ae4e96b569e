/**
 * `X-Auth-Return-Redirect` against next-auth v5 (@auth/core, the dev-dependency oracle): the same
 * requests through both engines, next-auth's answer checked first.
 */
import { Auth as AuthJs, type AuthConfig as AuthJsConfig } from "@auth/core";
import AuthJsGitHub from "@auth/core/providers/github";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Auth } from "../src/index.js";
import GitHub from "../src/providers/github.js";
import type { AuthConfig } from "../src/types.js";

const SECRET = "return-redirect-secret-0123456789abcdef0123456789";
const ORIGIN = "http://app.test";

beforeEach(() => {
  for (const key of ["AUTH_URL", "NEXTAUTH_URL", "AUTH_TRUST_HOST", "AUTH_SECRET", "NEXTAUTH_SECRET", "AUTH_GITHUB_ID", "AUTH_GITHUB_SECRET", "VERCEL", "CF_PAGES"]) {
    vi.stubEnv(key, undefined);
  }
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const quiet = { error: () => undefined, warn: () => undefined, debug: () => undefined };

function latchConfig(extra: Partial<AuthConfig> = {}): AuthConfig {
  return { providers: [GitHub({ clientId: "id", clientSecret: "secret" })], secret: SECRET, trustHost: true, logger: quiet, ...extra };
}

/** The same app under next-auth v5's engine. */
function authJsConfig(extra: Partial<AuthJsConfig> = {}): AuthJsConfig {
  return { providers: [AuthJsGitHub({ clientId: "id", clientSecret: "secret" })], secret: SECRET, trustHost: true, basePath: "/api/auth", logger: quiet, ...extra };
}

/** A POST /signout with a valid CSRF pair, as a page of the app sends it. */
async function signOutRequest(engine: (request: Request) => Promise<Response>, headers: Record<string, string>): Promise<Response> {
  const csrf = await engine(new Request(`${ORIGIN}/api/auth/csrf`));
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  return engine(
    new Request(`${ORIGIN}/api/auth/signout`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...headers },
      body: new URLSearchParams({ csrfToken, callbackUrl: "/bye" }).toString(),
    }),
  );
}

describe("X-Auth-Return-Redirect", () => {
  it.each(["true", "yes", ""])("turns a redirect into 200 {url} whatever its value (%j), as next-auth does: it tests the header's presence", async (value) => {
    const config = authJsConfig();
    const oracle = await signOutRequest((request) => AuthJs(request, config), { "x-auth-return-redirect": value });
    expect(oracle.status).toBe(200);
    expect(await oracle.json()).toEqual({ url: `${ORIGIN}/bye` });

    const latch = latchConfig();
    const response = await signOutRequest((request) => Auth(request, latch), { "x-auth-return-redirect": value });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ url: `${ORIGIN}/bye` });
  });

  it("names the refusal beside the URL (a sign-out without a CSRF cookie), so latch/react does not report a sign-out that did not happen", async () => {
    const config = latchConfig();
    const refused = await Auth(
      new Request(`${ORIGIN}/api/auth/signout`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
        body: new URLSearchParams({ csrfToken: "forged", callbackUrl: "/bye" }).toString(),
      }),
      config,
    );
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({ url: `${ORIGIN}/api/auth/signin?error=MissingCSRF`, error: "MissingCSRF" });
    // A sign-out that happened carries no error (the first test: exactly {url}).
    expect(await (await signOutRequest((request) => Auth(request, config), { "x-auth-return-redirect": "1" })).json()).toEqual({ url: `${ORIGIN}/bye` });
  });
});
