/**
 * Attack suite: latch's OAuth callback against a hostile OpenID provider (test/helpers/malicious-op.ts)
 * that answers the token and userinfo endpoints with forged ID tokens and broken responses, and
 * error codes made to forge lines in the server log.
 * Every refusal must leave the browser without a session and end in a redirect to an error page
 * (or a 4xx), never a 5xx; each test also checks that the refusal happened for the reason it
 * targets, so that an earlier, unrelated failure cannot make it pass.
 *
 * Section references are to /shared/reference/security.md ("§1b OIDC Core §3.1.3.7(n)" is item n
 * of the ID-token validation list quoted there).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OAuth from "../../src/providers/oauth.js";
import OIDC from "../../src/providers/oidc.js";
import type { AuthConfig, Profile } from "../../src/types.js";
import { EngineClient, type SetCookie } from "../helpers/engine-client.js";
import { startMaliciousOP, type MaliciousOP, type ScriptedAnswer } from "../helpers/malicious-op.js";

const ORIGIN = "http://127.0.0.1:3997";
const SECRET = "malicious-op-attack-suite-secret-0123456789abcdef";
const CODE = "attacker-chosen-code";

let op: MaliciousOP;
let config: AuthConfig;
const logged: Error[] = [];
/** What the plain OAuth 2 provider's `userinfo.request` was given as ID-token claims. */
const oauthClaimsSeen: Array<Profile | undefined> = [];

beforeAll(async () => {
  op = await startMaliciousOP();
  const client = { clientId: op.clientId, clientSecret: op.clientSecret };
  config = {
    secret: SECRET,
    trustHost: true,
    logger: { error: (error) => logged.push(error), warn: () => undefined, debug: () => undefined },
    providers: [
      OIDC({ id: "evil", name: "Evil", issuer: op.issuer, ...client }),
      // Profile from the userinfo endpoint, so that its `sub` is compared with the ID token's.
      OIDC({ id: "evil-userinfo", name: "Evil (userinfo)", issuer: op.issuer, idToken: false, ...client }),
      // Metadata that advertises `none` and HS256: the allowlist must not come from the provider alone.
      OIDC({ id: "evil-lax", name: "Evil (lax)", issuer: op.addIssuer("lax", { id_token_signing_alg_values_supported: ["RS256", "HS256", "none"] }), ...client }),
      // Metadata without `jwks_uri`: there is no trusted key, so no ID token can be trusted.
      OIDC({ id: "evil-nojwks", name: "Evil (no JWKS)", issuer: op.addIssuer("no-jwks", { jwks_uri: null }), ...client }),
      // A plain OAuth 2 provider (endpoints configured, nothing discovered) whose token response
      // happens to carry an ID token: with no JWKS to check it against, its claims are not used.
      OAuth({
        id: "evil-oauth",
        name: "Evil (OAuth 2)",
        issuer: op.issuer,
        authorization: `${op.url}/authorize`,
        token: `${op.url}/token`,
        userinfo: {
          request: ({ claims }) => {
            oauthClaimsSeen.push(claims);
            return { id: "oauth-user-1", name: "From the profile API" };
          },
        },
        ...client,
      }),
    ],
  };
});

afterAll(async () => {
  await op?.close();
});

interface Flow {
  client: EngineClient;
  provider: string;
  issuer: string;
  state: string;
  nonce: string;
}

interface Outcome {
  response: Response;
  cookies: SetCookie[];
}

/** Starts a sign-in through the real handler and reads state and nonce from the authorization URL. */
async function startFlow(provider = "evil"): Promise<Flow> {
  logged.length = 0;
  op.requests.length = 0;
  const client = new EngineClient(ORIGIN, config);
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch(`/api/auth/signin/${provider}`, { form: { csrfToken, callbackUrl: "/dashboard" } });
  expect(response.status).toBe(302);
  const authorization = new URL(response.headers.get("location") ?? "");
  expect(authorization.origin).toBe(op.url);
  const state = authorization.searchParams.get("state");
  const nonce = authorization.searchParams.get("nonce");
  if (!state) throw new Error("the authorization URL lacks state");
  if (provider !== "evil-oauth" && !nonce) throw new Error("the authorization URL lacks a nonce");
  const issuer = provider === "evil-lax" ? `${op.url}/lax` : provider === "evil-nojwks" ? `${op.url}/no-jwks` : op.issuer;
  return { client, provider, issuer, state, nonce: nonce ?? "" };
}

/** The provider "redirects back": latch's callback with a code and the given state. */
function callback(flow: Flow, params: Record<string, string> = { code: CODE, state: flow.state }): Promise<Outcome> {
  return flow.client.fetch(`/api/auth/callback/${flow.provider}?${new URLSearchParams(params).toString()}`);
}

function tokenAnswer(idToken: string, extra: Record<string, unknown> = {}): ScriptedAnswer {
  return { body: { access_token: "opaque-access-token", token_type: "Bearer", expires_in: 300, id_token: idToken, ...extra } };
}

/** Scripts the token endpoint to answer with `idToken`, then completes the flow. */
async function callbackWithIdToken(flow: Flow, idToken: string): Promise<Outcome> {
  op.answerToken(() => tokenAnswer(idToken));
  return callback(flow);
}

/** Every message along the cause chain of the error the callback logged. */
function loggedReason(): string {
  const parts: string[] = [];
  let current: unknown = logged.at(-1);
  while (current instanceof Error && parts.length < 10) {
    parts.push(`${current.name}: ${current.message}`);
    current = current.cause;
  }
  return parts.join(" <- ");
}

function liveSessionCookies(cookies: SetCookie[]): SetCookie[] {
  return cookies.filter((c) => c.name.includes("session-token") && c.value !== "" && c.attributes["max-age"] !== "0");
}

/**
 * The refusal contract: no 5xx, a redirect to this site's error or sign-in page (or a 4xx), no
 * session cookie, no session afterwards, and the logged reason matches `reason`.
 */
async function expectRefused(flow: Flow, outcome: Outcome, reason: RegExp, error = "OAuthCallbackError"): Promise<void> {
  const { response, cookies } = outcome;
  expect(response.status).toBeLessThan(500);
  if (response.status >= 300 && response.status < 400) {
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.origin).toBe(ORIGIN);
    expect(location.searchParams.get("error")).toBe(error);
  } else {
    expect(response.status).toBeGreaterThanOrEqual(400);
  }
  expect(liveSessionCookies(cookies)).toEqual([]);
  expect(await flow.client.session()).toBeNull();
  expect(loggedReason()).toMatch(reason);
}

function tokenEndpointCalls(): number {
  return op.requests.filter((r) => r.path === "/token").length;
}

describe("positive controls: the stand-in can sign in when it tells the truth", () => {
  it("signs in with a correct ID token (§1b OIDC Core §3.1.3.7)", async () => {
    const flow = await startFlow();
    const { response, cookies } = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce)));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(liveSessionCookies(cookies)).toHaveLength(1);
    expect(await flow.client.session()).toMatchObject({ user: { name: "Alice", email: "alice@example.test" } });
    // The code went to the token endpoint with the PKCE verifier (§1 RFC 9700 §2.1.1).
    const token = new URLSearchParams(op.requests.find((r) => r.path === "/token")?.body ?? "");
    expect(token.get("code")).toBe(CODE);
    expect(token.get("code_verifier")).toMatch(/^[\w-]{43,128}$/);
  });

  it("signs in through the userinfo endpoint when its sub matches (§1b OIDC Core §5.3.4)", async () => {
    const flow = await startFlow("evil-userinfo");
    op.answerUserInfo(() => ({ body: { sub: "alice", name: "Alice U", email: "alice@example.test" } }));
    const { response } = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce)));
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(await flow.client.session()).toMatchObject({ user: { name: "Alice U" } });
  });
});

describe("signature and algorithm attacks", () => {
  it('refuses alg "none" (§2 ASVS 9.1.2, §1b OIDC Core §3.1.3.7(7), RFC 8725 §3.1)', async () => {
    const flow = await startFlow();
    const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce), { alg: "none" }));
    await expectRefused(flow, outcome, /"alg"/);
  });

  it('refuses alg "none" even when the provider metadata advertises it (§2 ASVS 9.1.2)', async () => {
    const flow = await startFlow("evil-lax");
    const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce, { iss: flow.issuer }), { alg: "none" }));
    await expectRefused(flow, outcome, /unsupported JWS "alg"/);
  });

  it("refuses HS256 signed with the RSA public key as HMAC secret (key confusion; §2 ASVS 9.1.2, §1b OIDC Core §3.1.3.7(8))", async () => {
    const secret = new TextEncoder().encode(op.publicKeyPem);
    const flow = await startFlow();
    const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce), { alg: "HS256", key: secret }));
    await expectRefused(flow, outcome, /"alg"/);

    // Even if the metadata lists HS256, a public-key-derived HMAC is never accepted.
    const lax = await startFlow("evil-lax");
    const laxOutcome = await callbackWithIdToken(lax, await op.sign(op.idTokenClaims(lax.nonce, { iss: lax.issuer }), { alg: "HS256", key: secret }));
    await expectRefused(lax, laxOutcome, /unsupported JWS algorithm/);
  });

  it("refuses a valid signature by a key that is not in the provider's JWKS (§1b OIDC Core §3.1.3.7(6), §2 ASVS 9.1.1)", async () => {
    for (const kid of [op.attacker.kid, op.kid]) {
      const flow = await startFlow();
      const idToken = await op.sign(op.idTokenClaims(flow.nonce), { key: op.attacker.privateKey, header: { kid } });
      const outcome = await callbackWithIdToken(flow, idToken);
      await expectRefused(flow, outcome, kid === op.kid ? /signature verification failed/ : /no applicable keys/);
    }
  });

  it("ignores jku, jwk and x5u headers that point at attacker keys (§1b RFC 8725 §3.10, §2 ASVS 9.1.3)", async () => {
    const headers: Array<Record<string, unknown>> = [
      { kid: op.attacker.kid, jku: op.attackerJwksUrl },
      { kid: op.kid, jku: op.attackerJwksUrl },
      { kid: op.attacker.kid, jwk: op.attacker.publicJwk },
      { kid: op.kid, jwk: op.attacker.publicJwk },
      { kid: op.attacker.kid, x5u: `${op.url}/attacker/cert.pem` },
    ];
    for (const header of headers) {
      const flow = await startFlow();
      const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce), { key: op.attacker.privateKey, header }));
      await expectRefused(flow, outcome, /no applicable keys|signature verification failed/);
      expect(op.requests.filter((r) => r.path.startsWith("/attacker/"))).toEqual([]);
    }
  });

  it("refuses any ID token when the discovery document names no jwks_uri (§1b OIDC Core §3.1.3.7(6): keys only from the issuer's jwks_uri)", async () => {
    const flow = await startFlow("evil-nojwks");
    const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce, { iss: flow.issuer }), { key: op.attacker.privateKey }));
    await expectRefused(flow, outcome, /jwks_uri/);
  });
  it("does not hand on an ID token that a plain OAuth 2 provider sent without any JWKS to verify it (§2 ASVS 9.1.1)", async () => {
    oauthClaimsSeen.length = 0;
    const flow = await startFlow("evil-oauth");
    const forged = await op.sign(op.idTokenClaims(undefined, { sub: "admin" }), { key: op.attacker.privateKey });
    const { response } = await callbackWithIdToken(flow, forged);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(oauthClaimsSeen).toEqual([undefined]);
  });
});

describe("claim attacks", () => {
  it("refuses a wrong iss, including a near miss (§1b OIDC Core §3.1.3.7(2), §1 RFC 9700 §4.4.2 mix-up)", async () => {
    for (const iss of ["https://evil.test", `${op.issuer}/`, `${op.url}/lax`]) {
      const flow = await startFlow();
      const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce, { iss })));
      await expectRefused(flow, outcome, /"iss"/);
    }
  });

  it("refuses a wrong aud (§1b OIDC Core §3.1.3.7(3), §2 ASVS 9.2.3)", async () => {
    for (const aud of ["another-client", ["another-client"], `${op.clientId} `]) {
      const flow = await startFlow();
      const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce, { aud })));
      await expectRefused(flow, outcome, /"aud"/);
    }
  });

  it("refuses several audiences without azp, or with an azp that is not this client (§1b OIDC Core §3.1.3.7(3–5), §2 ASVS 9.2.4)", async () => {
    const aud = [op.clientId, "another-client"];
    const missing = await startFlow();
    await expectRefused(missing, await callbackWithIdToken(missing, await op.sign(op.idTokenClaims(missing.nonce, { aud }))), /untrusted audiences/);
    const wrong = await startFlow();
    await expectRefused(wrong, await callbackWithIdToken(wrong, await op.sign(op.idTokenClaims(wrong.nonce, { aud, azp: "another-client" }))), /"azp"/);
  });

  it("refuses an iat far in the future (§1b OIDC Core §3.1.3.7(10))", async () => {
    const now = Math.floor(Date.now() / 1000);
    const flow = await startFlow();
    const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce, { iat: now + 24 * 3600, exp: now + 48 * 3600 })));
    await expectRefused(flow, outcome, /"iat"/);
  });

  it("accepts an iat a minute ahead: clock drift between provider and app is not an attack (control for the test above)", async () => {
    const flow = await startFlow();
    const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce, { iat: Math.floor(Date.now() / 1000) + 60 })));
    expect(outcome.response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
  });

  it("refuses an expired exp, and a token without exp (§1b OIDC Core §3.1.3.7(9), §2 ASVS 9.2.1)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await startFlow();
    await expectRefused(expired, await callbackWithIdToken(expired, await op.sign(op.idTokenClaims(expired.nonce, { iat: now - 7200, exp: now - 3600 }))), /"exp"/);
    const endless = await startFlow();
    await expectRefused(endless, await callbackWithIdToken(endless, await op.sign(op.idTokenClaims(endless.nonce, { exp: undefined }))), /"exp"/);
  });

  it("refuses a missing or wrong nonce (§1b OIDC Core §3.1.3.7(11), §1 RFC 9700 §4.5.3.2)", async () => {
    const missing = await startFlow();
    await expectRefused(missing, await callbackWithIdToken(missing, await op.sign(op.idTokenClaims(undefined))), /"nonce"/);
    const wrong = await startFlow();
    await expectRefused(wrong, await callbackWithIdToken(wrong, await op.sign(op.idTokenClaims("attacker-nonce"))), /"nonce"/);
  });

  it("refuses a valid ID token replayed into a second sign-in flow (nonce replay; §1 RFC 9700 §2.1.1 / table 1.7)", async () => {
    const first = await startFlow();
    const idToken = await op.sign(op.idTokenClaims(first.nonce));
    const signedIn = await callbackWithIdToken(first, idToken);
    expect(signedIn.response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);

    const second = await startFlow();
    await expectRefused(second, await callbackWithIdToken(second, idToken), /"nonce"/);
  });
});

describe("token-type confusion (§1b RFC 8725 §3.11–3.12, §2 ASVS 9.2.2, top lesson 3)", () => {
  it('refuses a JWT typed "at+jwt" even with every ID-token claim right', async () => {
    const flow = await startFlow();
    const outcome = await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce), { header: { typ: "at+jwt" } }));
    await expectRefused(flow, outcome, /typ/);
  });

  it("refuses a back-channel logout token in place of the ID token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const logoutClaims = { iss: op.issuer, aud: op.clientId, sub: "alice", iat: now, exp: now + 120, jti: "logout-1", events: { "http://schemas.openid.net/event/backchannel-logout": {} } };
    const plain = await startFlow();
    await expectRefused(plain, await callbackWithIdToken(plain, await op.sign(logoutClaims, { header: { typ: "logout+jwt" } })), /"nonce"/);
    // A logout token that also carries the flow's nonce (a provider bug or a forgery) is still not an ID token.
    const withNonce = await startFlow();
    await expectRefused(withNonce, await callbackWithIdToken(withNonce, await op.sign({ ...logoutClaims, nonce: withNonce.nonce })), /logout/);
  });

  it("refuses an access token in place of the ID token (opaque, and an RFC 9068 JWT access token)", async () => {
    const opaque = await startFlow();
    await expectRefused(opaque, await callbackWithIdToken(opaque, "opaque-access-token"), /Invalid JWT/);

    const now = Math.floor(Date.now() / 1000);
    const jwtAccessToken = { iss: op.issuer, aud: "https://api.example.test", sub: "alice", client_id: op.clientId, iat: now, exp: now + 300, jti: "at-1", scope: "openid" };
    const jwt = await startFlow();
    await expectRefused(jwt, await callbackWithIdToken(jwt, await op.sign(jwtAccessToken, { header: { typ: "at+jwt" } })), /"aud"|"nonce"|typ/);
  });
});

describe("userinfo", () => {
  it("refuses a userinfo response whose sub differs from the ID token's (§1b OIDC Core §5.3.4)", async () => {
    const flow = await startFlow("evil-userinfo");
    op.answerUserInfo(() => ({ body: { sub: "mallory", name: "Mallory", email: "alice@example.test" } }));
    await expectRefused(flow, await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce))), /"sub"/);
  });

  it("refuses a userinfo response without sub, or one that is not JSON (§1b OIDC Core §5.3.4, top lesson 4)", async () => {
    for (const answer of [{ body: { name: "No Sub" } }, { body: "<html>oops</html>", headers: { "Content-Type": "text/html" } }, { status: 500, body: { error: "server_error" } }] satisfies ScriptedAnswer[]) {
      const flow = await startFlow("evil-userinfo");
      op.answerUserInfo(() => answer);
      await expectRefused(flow, await callbackWithIdToken(flow, await op.sign(op.idTokenClaims(flow.nonce))), /userinfo/i);
    }
  });
});

describe("state (§1b OIDC Core §3.1.2.7, §1 RFC 9700 §4.7.1, GHSA-7r7x-4c4q-c4qf)", () => {
  it("refuses a state that does not match, before the code is redeemed", async () => {
    const flow = await startFlow();
    op.answerToken(async () => tokenAnswer(await op.sign(op.idTokenClaims(flow.nonce))));
    await expectRefused(flow, await callback(flow, { code: CODE, state: "attacker-state" }), /state/, "Configuration");
    expect(tokenEndpointCalls()).toBe(0);
  });

  it("refuses a callback without state, before the code is redeemed", async () => {
    const flow = await startFlow();
    op.answerToken(async () => tokenAnswer(await op.sign(op.idTokenClaims(flow.nonce))));
    await expectRefused(flow, await callback(flow, { code: CODE }), /state/, "Configuration");
    expect(tokenEndpointCalls()).toBe(0);
  });
});

describe("broken token-endpoint answers end in an error redirect, never a 500 (top lesson 4, §7 'Errors', GHSA-g5fm-jp9v-2432)", () => {
  const answers: Array<[string, ScriptedAnswer]> = [
    ["an HTML page with 200", { status: 200, headers: { "Content-Type": "text/html" }, body: "<!DOCTYPE html><h1>Welcome</h1>" }],
    ["an HTML page with 500", { status: 500, headers: { "Content-Type": "text/html" }, body: "<h1>Internal Server Error</h1>" }],
    ["a JSON error with 500", { status: 500, body: { error: "server_error" } }],
    ["an OAuth error with 400", { status: 400, body: { error: "invalid_grant", error_description: "<script>alert(1)</script>" } }],
    ["an OAuth error with 200", { status: 200, body: { error: "invalid_grant" } }],
    ["garbage JSON", { status: 200, headers: { "Content-Type": "application/json" }, body: '{"access_token": "x", "id_token": ' }],
    ["a JSON array", { status: 200, body: [1, 2, 3] }],
    ["JSON without access_token", { status: 200, body: { token_type: "Bearer", id_token: "a.b.c" } }],
    ["an empty body", { status: 200, headers: { "Content-Type": "application/json" }, body: "" }],
    ["a redirect", { status: 302, headers: { Location: "https://evil.test/token" }, body: "" }],
    ["a huge body (16 MiB)", { status: 200, headers: { "Content-Type": "application/json" }, body: `{"access_token":"${"A".repeat(16 * 1024 * 1024)}` }],
  ];
  for (const [label, answer] of answers) {
    it(`answers ${label} with a redirect to the sign-in error`, async () => {
      const flow = await startFlow();
      op.answerToken(() => answer);
      await expectRefused(flow, await callback(flow), /token (response|endpoint)/i);
      expect(tokenEndpointCalls()).toBe(1);
    });
  }

  it("answers a dropped connection with a redirect to the error page", async () => {
    const flow = await startFlow();
    op.answerToken(() => ({ destroy: true }));
    // An unreachable token endpoint is reported like a wrong token URL: as a configuration error.
    await expectRefused(flow, await callback(flow), /fetch failed|socket/i, "Configuration");
  });
});

describe("the provider's error code cannot forge a line in the server log (CWE-117)", () => {
  // What a forged line would look like under the default console logger.
  const FORGED_LINE = "[latch][error] AdapterError: database password is hunter2";
  const CONTROL = /[\p{Cc}\u2028\u2029]/u;

  function loggedMessages(): string[] {
    expect(logged.length).toBeGreaterThan(0);
    return logged.map((error) => error.message);
  }

  it("escapes CR and LF in the authorization response's error, which anyone can send to the callback with their own state", async () => {
    const flow = await startFlow();
    await expectRefused(flow, await callback(flow, { error: `access_denied\r\n${FORGED_LINE}`, state: flow.state, iss: flow.issuer }), /provider answered with error/);
    expect(tokenEndpointCalls()).toBe(0);
    for (const message of loggedMessages()) expect(message).not.toMatch(CONTROL);
    expect(logged.at(-1)?.message).toBe(`The provider answered with error "access_denied\\r\\n${FORGED_LINE}".`);
  });

  it("escapes every control and line-separator character in the token endpoint's HTTP-200 error", async () => {
    const flow = await startFlow();
    op.answerToken(() => ({ status: 200, body: { error: `invalid_grant\n${FORGED_LINE}\u0085\u2028\u007f` } }));
    await expectRefused(flow, await callback(flow), /token endpoint answered with error/);
    for (const message of loggedMessages()) expect(message).not.toMatch(CONTROL);
    expect(logged.at(-1)?.message).toBe(`The token endpoint answered with error "invalid_grant\\n${FORGED_LINE}\\u0085\\u2028\\u007f".`);
  });
});
