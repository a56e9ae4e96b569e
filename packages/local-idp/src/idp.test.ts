import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "./index.js";

const REDIRECT_URI = "http://127.0.0.1:3999/api/auth/callback/oidc";
const CONFIDENTIAL: oauth.Client = { client_id: "latch-test" };
const SECRET = "latch-test-secret";
const POST_CLIENT: oauth.Client = { client_id: "latch-post", token_endpoint_auth_method: "client_secret_post" };
const PUBLIC_CLIENT: oauth.Client = { client_id: "latch-public", token_endpoint_auth_method: "none" };
// The IdP is plain HTTP on loopback; oauth4webapi refuses http: unless told otherwise.
const insecure = { [oauth.allowInsecureRequests]: true } as const;

let idp: LocalIdP;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  idp = await startLocalIdP({
    clients: [
      { client_id: CONFIDENTIAL.client_id, client_secret: SECRET, redirect_uris: [REDIRECT_URI] },
      { client_id: POST_CLIENT.client_id, client_secret: SECRET, redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "client_secret_post" },
      { client_id: PUBLIC_CLIENT.client_id, redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" },
    ],
    accounts: { carol: { name: "Carol Pinned", email: "carol@pinned.test" } },
  });
  const issuer = new URL(idp.issuer);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
});

afterAll(async () => {
  await idp.close();
});

async function authorizationUrl(client: oauth.Client, extra: Record<string, string> = {}) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint ?? "");
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: "openid profile email",
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    ...extra,
  }).toString();
  return { url, codeVerifier, state };
}

async function signIn(client: oauth.Client, auth: oauth.ClientAuth, login?: string) {
  const { url, codeVerifier, state } = await authorizationUrl(client);
  const callbackUrl = new URL(await loginThroughIdP(url.href, login));
  const params = oauth.validateAuthResponse(as, client, callbackUrl, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, codeVerifier, insecure);
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

describe("discovery", () => {
  it("advertises the loopback issuer, RFC 9207 iss and S256-only PKCE", async () => {
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    const metadata: unknown = await response.json();
    expect(metadata).toMatchObject({
      issuer: idp.issuer,
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ["S256"],
      scopes_supported: expect.arrayContaining(["openid", "profile", "email", "offline_access"]) as unknown,
    });
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(idp.url).toBe(idp.issuer);
  });
});

describe("authorization endpoint", () => {
  it("refuses a request without PKCE, redirecting an error with iss", async () => {
    const { url } = await authorizationUrl(CONFIDENTIAL);
    url.searchParams.delete("code_challenge");
    url.searchParams.delete("code_challenge_method");
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("Location") ?? "");
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("error_description")).toMatch(/PKCE/);
    expect(location.searchParams.get("iss")).toBe(idp.issuer);
  });

  it("refuses the plain PKCE method", async () => {
    const { url } = await authorizationUrl(CONFIDENTIAL, { code_challenge_method: "plain" });
    const location = new URL(await loginThroughIdP(url.href));
    expect(location.searchParams.get("error")).toBe("invalid_request");
  });

  it("renders an error page, not a redirect, for an unregistered redirect_uri", async () => {
    const { url } = await authorizationUrl(CONFIDENTIAL, { redirect_uri: "http://127.0.0.1:3999/elsewhere" });
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("Location")).toBeNull();
    await expect(loginThroughIdP(url.href)).rejects.toThrow(/unexpected 400/);
  });

  it("serves a self-contained login page with a prefilled Username field", async () => {
    const { url } = await authorizationUrl(CONFIDENTIAL);
    const first = await fetch(url, { redirect: "manual" });
    const cookies = first.headers.getSetCookie().map((cookie) => cookie.split(";")[0]).join("; ");
    const page = await fetch(new URL(first.headers.get("Location") ?? "", url), { headers: { Cookie: cookies } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(html).toMatch(/<label for="login">Username<\/label>/);
    expect(html).toMatch(/<input id="login" name="login" type="text" value="alice"/);
    expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(html).not.toMatch(/https?:\/\//);
  });
});

describe("code flow", () => {
  it("returns code, state and iss, and an ID token with profile and email claims", async () => {
    const { url, state } = await authorizationUrl(CONFIDENTIAL);
    const callbackUrl = new URL(await loginThroughIdP(url.href));
    expect(callbackUrl.origin + callbackUrl.pathname).toBe(REDIRECT_URI);
    expect(callbackUrl.searchParams.get("state")).toBe(state);
    expect(callbackUrl.searchParams.get("iss")).toBe(idp.issuer);
    expect(callbackUrl.searchParams.get("code")).toBeTruthy();

    const tokens = await signIn(CONFIDENTIAL, oauth.ClientSecretBasic(SECRET));
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: CONFIDENTIAL.client_id,
      sub: "alice",
      name: "Alice",
      email: "alice@example.test",
      email_verified: true,
      picture: `${idp.issuer}/avatar/alice.png`,
    });
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.refresh_token).toBeTruthy();
  });

  it("signs in any login name, and honours pinned account claims", async () => {
    const bob = oauth.getValidatedIdTokenClaims(await signIn(CONFIDENTIAL, oauth.ClientSecretBasic(SECRET), "bob"));
    expect(bob).toMatchObject({ sub: "bob", name: "Bob", email: "bob@example.test" });
    const carol = oauth.getValidatedIdTokenClaims(await signIn(CONFIDENTIAL, oauth.ClientSecretBasic(SECRET), "carol"));
    expect(carol).toMatchObject({ sub: "carol", name: "Carol Pinned", email: "carol@pinned.test" });
  });

  it("supports client_secret_post and public clients", async () => {
    const post = await signIn(POST_CLIENT, oauth.ClientSecretPost(SECRET));
    expect(oauth.getValidatedIdTokenClaims(post)?.sub).toBe("alice");
    const pub = await signIn(PUBLIC_CLIENT, oauth.None());
    expect(oauth.getValidatedIdTokenClaims(pub)?.sub).toBe("alice");
  });

  it("refuses a second use of the same code", async () => {
    const { url, codeVerifier, state } = await authorizationUrl(CONFIDENTIAL);
    const params = oauth.validateAuthResponse(as, CONFIDENTIAL, new URL(await loginThroughIdP(url.href)), state);
    const auth = oauth.ClientSecretBasic(SECRET);
    const redeem = () => oauth.authorizationCodeGrantRequest(as, CONFIDENTIAL, auth, params, REDIRECT_URI, codeVerifier, insecure);
    await oauth.processAuthorizationCodeResponse(as, CONFIDENTIAL, await redeem());
    await expect(oauth.processAuthorizationCodeResponse(as, CONFIDENTIAL, await redeem())).rejects.toMatchObject({
      error: "invalid_grant",
    });
  });

  it("serves userinfo and the avatar from the same server", async () => {
    const tokens = await signIn(CONFIDENTIAL, oauth.ClientSecretBasic(SECRET));
    const sub = oauth.getValidatedIdTokenClaims(tokens)?.sub ?? "";
    const userinfo = await oauth.processUserInfoResponse(
      as,
      CONFIDENTIAL,
      sub,
      await oauth.userInfoRequest(as, CONFIDENTIAL, tokens.access_token, insecure),
    );
    expect(userinfo).toMatchObject({ sub: "alice", name: "Alice", email: "alice@example.test" });
    const avatar = await fetch(`${idp.issuer}/avatar/alice.png`);
    expect(avatar.headers.get("Content-Type")).toBe("image/png");
    expect(new Uint8Array(await avatar.arrayBuffer()).subarray(1, 4)).toEqual(new TextEncoder().encode("PNG"));
  });
});

describe("refresh tokens", () => {
  it("rotates on every use and refuses the previous refresh token", async () => {
    const auth = oauth.ClientSecretBasic(SECRET);
    const first = await signIn(CONFIDENTIAL, auth);
    const oldRefreshToken = first.refresh_token ?? "";
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      CONFIDENTIAL,
      await oauth.refreshTokenGrantRequest(as, CONFIDENTIAL, auth, oldRefreshToken, insecure),
    );
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(oldRefreshToken);
    expect(oauth.getValidatedIdTokenClaims(refreshed)).toMatchObject({ sub: "alice", name: "Alice" });

    await expect(
      oauth.processRefreshTokenResponse(
        as,
        CONFIDENTIAL,
        await oauth.refreshTokenGrantRequest(as, CONFIDENTIAL, auth, oldRefreshToken, insecure),
      ),
    ).rejects.toMatchObject({ error: "invalid_grant" });
  });
});

describe("isolation", () => {
  it("gives each IdP its own port, keys and storage", async () => {
    const other = await startLocalIdP({ clients: [{ client_id: "x", redirect_uris: [REDIRECT_URI] }] });
    try {
      expect(other.issuer).not.toBe(idp.issuer);
      const [a, b] = await Promise.all([
        fetch(`${idp.issuer}/jwks`).then((r) => r.json() as Promise<{ keys: Array<{ kid: string }> }>),
        fetch(`${other.issuer}/jwks`).then((r) => r.json() as Promise<{ keys: Array<{ kid: string }> }>),
      ]);
      expect(a.keys[0]?.kid).not.toBe(b.keys[0]?.kid);
    } finally {
      await other.close();
    }
  });
});
