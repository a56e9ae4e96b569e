import { describe, expect, it } from "vitest";
import OAuth from "../../providers/oauth.js";
import type { OAuthConfig } from "../../types.js";
import { createRequestContext, resolveConfig } from "../config.js";
import type { InternalOAuthProvider } from "../providers.js";
import { authorizationUrl } from "./authorization-url.js";

const SECRET = "authorization-url-test-secret-0123456789abcdef";

/** The authorization URL latch sends the browser to for a provider with this `authorization`. */
async function authorizeWith(authorization: OAuthConfig["authorization"], extraParams: Record<string, string> = {}): Promise<URL> {
  const acme = OAuth({
    id: "acme",
    name: "Acme",
    clientId: "acme-id",
    clientSecret: "acme-secret",
    authorization,
    token: "https://acme.test/oauth/token",
    userinfo: "https://acme.test/api/me",
  });
  const resolved = resolveConfig({ secret: SECRET, trustHost: true, providers: [acme], logger: { error: () => undefined } }, {});
  const ctx = createRequestContext(resolved, new Headers({ host: "app.test" }));
  const { url } = await authorizationUrl(ctx, resolved.providers[0] as InternalOAuthProvider, extraParams);
  return new URL(url);
}

describe("the scope of the authorization request (as next-auth v5 picks it)", () => {
  it.each([
    ["a URL string", "https://acme.test/oauth/authorize?scope=identify+email"],
    ["an endpoint's url", { url: "https://acme.test/oauth/authorize?scope=identify+email" }],
    ["an endpoint's url beside other params", { url: "https://acme.test/oauth/authorize?scope=identify+email", params: { prompt: "consent" } }],
  ])("keeps the scope written into the authorization URL's query (%s) instead of the default", async (_, authorization) => {
    const location = await authorizeWith(authorization);
    expect(location.origin + location.pathname).toBe("https://acme.test/oauth/authorize");
    expect(location.searchParams.getAll("scope")).toEqual(["identify email"]);
  });

  it("lets `authorization.params.scope` win over the URL's own, as next-auth sets params over the query", async () => {
    const location = await authorizeWith({ url: "https://acme.test/oauth/authorize?scope=identify", params: { scope: "identify email guilds" } });
    expect(location.searchParams.getAll("scope")).toEqual(["identify email guilds"]);
  });

  it("asks for `openid profile email` when neither the params nor the URL name a scope, keeping the URL's other parameters", async () => {
    const location = await authorizeWith("https://acme.test/oauth/authorize?audience=api");
    expect(location.searchParams.getAll("scope")).toEqual(["openid profile email"]);
    expect(location.searchParams.get("audience")).toBe("api");
  });

  it("keeps an empty scope the app asked for on purpose", async () => {
    const location = await authorizeWith({ url: "https://acme.test/oauth/authorize", params: { scope: "" } });
    expect(location.searchParams.getAll("scope")).toEqual([""]);
  });

  it("lets a scope passed to signIn() replace the URL's own", async () => {
    const location = await authorizeWith("https://acme.test/oauth/authorize?scope=identify", { scope: "identify email" });
    expect(location.searchParams.getAll("scope")).toEqual(["identify email"]);
  });
});
