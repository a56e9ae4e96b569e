import { describe, expect, it } from "vitest";
import { checkAuthUrl, isLoopback } from "./auth-url.js";
import type { AuthRoute } from "./routes.js";
import type { EnvMap } from "./types.js";

const route: AuthRoute = { file: "app/api/auth/[...nextauth]/route.ts", basePath: "/api/auth" };

function run(env: EnvMap, production: boolean, routes: AuthRoute[] = [route], basePath?: string) {
  const result = checkAuthUrl(env, {}, { production, routes, basePath });
  return { codes: result.findings.map((f) => `${f.severity}:${f.code}`), site: result.site, findings: result.findings };
}

describe("checkAuthUrl", () => {
  it("accepts a missing AUTH_URL in development", () => {
    expect(run({}, false).codes).toEqual(["ok:auth-url-missing", "ok:route-ok"]);
  });

  it("errors in production without AUTH_URL: latch refuses untrusted hosts there", () => {
    expect(run({}, true).codes).toEqual(["error:auth-url-missing", "ok:route-ok"]);
    expect(run({ AUTH_TRUST_HOST: "false" }, true).findings[0]?.message).toContain("AUTH_TRUST_HOST is false");
  });

  it("warns about AUTH_TRUST_HOST=true without AUTH_URL in production, and explains the risk", () => {
    const { codes, findings } = run({ AUTH_TRUST_HOST: "true" }, true);
    expect(codes).toEqual(["warn:trust-host-risk", "ok:route-ok"]);
    expect(findings[0]?.message).toContain("X-Forwarded-Host");
    expect(findings[0]?.fix).toContain("Set AUTH_URL");
  });

  it("trusts Vercel's and Cloudflare Pages' host headers as latch does", () => {
    expect(run({ VERCEL: "1" }, true).codes[0]).toBe("ok:trust-host-platform");
    expect(run({ CF_PAGES: "1" }, true).codes[0]).toBe("ok:trust-host-platform");
  });

  it("errors on plain http in production, except on this machine", () => {
    expect(run({ AUTH_URL: "http://app.example.com" }, true).codes).toEqual(["error:auth-url-insecure", "ok:auth-url-ok", "ok:route-ok"]);
    expect(run({ AUTH_URL: "http://127.0.0.1:3000" }, true).codes).toEqual(["warn:auth-url-insecure", "ok:auth-url-ok", "ok:route-ok"]);
    expect(run({ AUTH_URL: "http://app.example.com" }, false).codes).toEqual(["ok:auth-url-ok", "ok:route-ok"]);
    expect(run({ AUTH_URL: "https://app.example.com" }, true).codes).toEqual(["ok:auth-url-ok", "ok:route-ok"]);
  });

  it("errors on an AUTH_URL that is not an http(s) URL", () => {
    expect(run({ AUTH_URL: "app.example.com" }, false).codes).toEqual(["error:auth-url-invalid", "ok:auth-url-missing", "ok:route-ok"]);
    expect(run({ AUTH_URL: "ftp://app.example.com" }, true).codes).toContain("error:auth-url-invalid");
  });

  it("reads NEXTAUTH_URL, and warns when it disagrees with AUTH_URL", () => {
    expect(run({ NEXTAUTH_URL: "https://app.example.com" }, true).codes).toEqual(["ok:auth-url-ok", "ok:route-ok"]);
    expect(run({ AUTH_URL: "https://a.example", NEXTAUTH_URL: "https://b.example" }, true).codes[0]).toBe("warn:auth-url-conflict");
  });

  it("takes the base path from AUTH_URL's path and checks it against the route", () => {
    expect(run({ AUTH_URL: "https://app.example.com/api/auth/" }, true).site).toEqual({ origin: "https://app.example.com", basePath: "/api/auth", basePathFrom: "AUTH_URL" });
    const mismatch = run({ AUTH_URL: "https://app.example.com/auth" }, true);
    expect(mismatch.codes).toContain("error:base-path-mismatch");
    expect(mismatch.findings.find((f) => f.code === "base-path-mismatch")?.fix).toContain("https://app.example.com/api/auth");
  });

  it("only warns when the default base path differs from the route: the config may set basePath", () => {
    const custom: AuthRoute = { file: "app/auth/[...nextauth]/route.ts", basePath: "/auth" };
    expect(run({}, false, [custom]).codes).toContain("warn:base-path-mismatch");
    expect(run({}, false, [custom], "/auth").codes).toContain("ok:route-ok");
    expect(run({}, false, [route], "/auth").codes).toContain("error:base-path-mismatch");
  });

  it("warns when no route serves auth handlers", () => {
    expect(run({}, false, []).codes).toContain("warn:route-not-found");
  });
});

describe("isLoopback", () => {
  it("knows this machine's names", () => {
    for (const host of ["localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1"]) expect(isLoopback(host), host).toBe(true);
    for (const host of ["example.com", "10.0.0.1", "localhost.example.com", "128.0.0.1"]) expect(isLoopback(host), host).toBe(false);
  });
});
