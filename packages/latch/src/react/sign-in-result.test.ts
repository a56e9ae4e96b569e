import { describe, expect, it } from "vitest";
import { signInResult } from "./sign-in-result.js";

const base = "http://app.test/login";

describe("signInResult", () => {
  it("a refused password: ok as next-auth has it, the error and code from the URL, no url", () => {
    const body = { url: "http://app.test/api/auth/signin?error=CredentialsSignin&code=credentials" };
    expect(signInResult(200, body, base)).toEqual({ error: "CredentialsSignin", code: "credentials", status: 200, ok: true, url: null });
  });

  it("a throttled attempt: 429, not ok, RateLimited", () => {
    const body = { url: "http://app.test/api/auth/signin?error=RateLimited" };
    expect(signInResult(429, body, base)).toEqual({ error: "RateLimited", code: undefined, status: 429, ok: false, url: null });
  });

  it("a success: the URL to go to", () => {
    expect(signInResult(200, { url: "http://app.test/dashboard" }, base)).toEqual({
      error: undefined,
      code: undefined,
      status: 200,
      ok: true,
      url: "http://app.test/dashboard",
    });
  });

  it("resolves a relative URL against the page", () => {
    expect(signInResult(200, { url: "/after" }, base).url).toBe("http://app.test/after");
  });

  it("an answer without a URL: the JSON error, or Configuration for a failed status", () => {
    expect(signInResult(413, { error: "PayloadTooLarge", message: "…" }, base)).toMatchObject({ error: "PayloadTooLarge", ok: false, url: null });
    expect(signInResult(500, null, base)).toMatchObject({ error: "Configuration", ok: false, status: 500 });
  });
});
