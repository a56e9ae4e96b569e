import { describe, expect, it } from "vitest";
import { callbackFinding, checkProviders, discoverProviders } from "./providers.js";
import type { EnvMap } from "./types.js";

function codes(env: EnvMap, production = false): string[] {
  return checkProviders(env, discoverProviders(env), { callbackBase: "https://app.example/api/auth", assumed: false, production }).map((f) => `${f.severity}:${f.code}`);
}

describe("discoverProviders", () => {
  it("finds providers from AUTH_<ID>_ID/_SECRET/_ISSUER, with built-in ids and issuers", () => {
    const found = discoverProviders({
      AUTH_GITHUB_ID: "id",
      AUTH_GITHUB_SECRET: "s",
      AUTH_GOOGLE_ID: "id",
      AUTH_MICROSOFT_ENTRA_ID_ID: "id",
      AUTH_MY_IDP_ISSUER: "https://id.example",
      AUTH_SECRET: "not a provider",
      AUTH_SECRET_1: "not a provider",
      AUTH_EMPTY_ID: "",
    });
    expect(found.map((p) => [p.id, p.issuer, p.issuerFrom])).toEqual([
      ["github", undefined, undefined],
      ["google", "https://accounts.google.com", "built-in"],
      ["microsoft-entra-id", "https://login.microsoftonline.com/common/v2.0", "built-in"],
      ["my-idp", "https://id.example", "env"],
    ]);
  });
});

describe("checkProviders", () => {
  it("is content with both halves of the credentials and prints the callback URL to register", () => {
    const findings = checkProviders({ AUTH_GITHUB_ID: "Iv1.abc", AUTH_GITHUB_SECRET: "0123456789abcdef" }, discoverProviders({ AUTH_GITHUB_ID: "Iv1.abc", AUTH_GITHUB_SECRET: "0123456789abcdef" }), {
      callbackBase: "https://app.example/api/auth",
      assumed: false,
      production: true,
    });
    expect(findings.map((f) => f.code)).toEqual(["provider-credentials-ok", "callback-url"]);
    expect(findings[1]?.message).toContain("register https://app.example/api/auth/callback/github");
    expect(findings[0]?.message).not.toContain("0123456789abcdef");
  });

  it("warns when one half is missing, naming the variable", () => {
    expect(codes({ AUTH_GITHUB_ID: "Iv1.abc" })).toEqual(["warn:provider-credentials-incomplete", "ok:callback-url"]);
    const [finding] = checkProviders({}, discoverProviders({ AUTH_LOCAL_SECRET: "x" }), { callbackBase: undefined, assumed: true, production: false });
    expect(finding?.message).toContain("AUTH_LOCAL_ID is not set");
  });

  it("warns about placeholder client secrets, missing tenant issuers and next-auth v4 names", () => {
    expect(codes({ AUTH_GITHUB_ID: "a", AUTH_GITHUB_SECRET: "changeme" })).toContain("warn:provider-secret-placeholder");
    expect(codes({ AUTH_KEYCLOAK_ID: "a", AUTH_KEYCLOAK_SECRET: "b" })).toContain("warn:provider-issuer-missing");
    expect(codes({ GITHUB_ID: "a", GITHUB_SECRET: "b" })).toEqual(["warn:provider-env-legacy", "ok:provider-none"]);
  });

  it("says so when no provider is configured through the env", () => {
    expect(codes({})).toEqual(["ok:provider-none"]);
  });
});

describe("callbackFinding", () => {
  it("flags a plain-http callback URL on a network host in production", () => {
    expect(callbackFinding("github", { callbackBase: "http://app.example/api/auth", assumed: false, production: true }).severity).toBe("warn");
    expect(callbackFinding("github", { callbackBase: "http://127.0.0.1:3000/api/auth", assumed: false, production: true }).severity).toBe("ok");
    expect(callbackFinding("github", { callbackBase: undefined, assumed: true, production: true }).severity).toBe("skip");
    expect(callbackFinding("github", { callbackBase: "http://localhost:3000/api/auth", assumed: true, production: false }).message).toContain("assumed");
  });
});
