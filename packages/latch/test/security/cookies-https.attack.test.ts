/**
 * Attack class: stealing or planting cookies — over plain http, from script, from a sibling
 * subdomain (cookie tossing), across sites. Checked over a real TLS connection to latch: a local
 * node:https server with a certificate issued at test time, AUTH_URL https://127.0.0.1:<port>,
 * the client verifying the certificate.
 * References (shared/reference/security.md): ASVS 3.3.1 (`Secure` and `__Secure-`/`__Host-`),
 * 3.3.2 (SameSite per purpose), 3.3.3 (`__Host-` unless sharing is needed), 3.3.4 (HttpOnly
 * session token, delivered only by Set-Cookie), 3.3.5 (≤ 4096 bytes); OWASP Session Management CS
 * §Cookie Name Prefixes; NIST 800-63B §7.1 (Secure, minimal scope, HttpOnly); §5 item 3 (the
 * bearer fingerprint cookie: `__Host-`, SameSite=Strict); and compatibility with Auth.js v5's
 * cookies (shared/reference/authjs-v5.md §3.3), checked against @auth/core itself.
 */
import { Auth as AuthJs } from "@auth/core";
import AuthJsCredentials from "@auth/core/providers/credentials";
import AuthJsGitHub from "@auth/core/providers/github";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { EngineClient, type SetCookie } from "../helpers/engine-client.js";
import { ALICE, BASE_PATH, isolateAuthEnv, SECRET, suiteApp } from "./helpers/app.js";
import { selfSignedCertificate, type SelfSigned } from "./helpers/self-signed.js";
import { rawRequest, serveEngine, type Served } from "./helpers/serve.js";
import { browserRefusal, SocketBrowser } from "./helpers/socket-browser.js";

let tls: SelfSigned;
let served: Served;

isolateAuthEnv();

beforeAll(async () => {
  tls = selfSignedCertificate();
  served = await serveEngine(tls);
});

afterAll(async () => {
  await served?.close();
});

beforeEach(() => {
  vi.stubEnv("AUTH_URL", served.origin);
});

function browser(): SocketBrowser {
  return new SocketBrowser(served.origin, tls.cert);
}

/** What a cookie is, minus its value and its moment: name and attributes, Expires/Max-Age as present or not. */
function shape(cookie: SetCookie): Record<string, string | boolean> {
  const { expires, "max-age": maxAge, ...rest } = cookie.attributes;
  return { name: cookie.name, ...rest, expires: expires !== undefined, "max-age": maxAge === undefined ? false : maxAge === "0" ? "0" : true };
}

// Every cookie latch sets over https, with the attributes ASVS 3.3 and Auth.js v5 give it.
const EXPECTED: Record<string, { sameSite: "Lax" | "Strict"; hostOnly: boolean }> = {
  "__Host-authjs.csrf-token": { sameSite: "Lax", hostOnly: true },
  "__Secure-authjs.session-token": { sameSite: "Lax", hostOnly: false },
  "__Secure-authjs.callback-url": { sameSite: "Lax", hostOnly: false },
  "__Secure-authjs.state": { sameSite: "Lax", hostOnly: false },
  "__Secure-authjs.pkce.code_verifier": { sameSite: "Lax", hostOnly: false },
  "__Secure-authjs.challenge": { sameSite: "Lax", hostOnly: false },
  "__Host-latch.bearer-fingerprint": { sameSite: "Strict", hostOnly: true },
  // A password sign-in: this browser's attempts count apart from guesses elsewhere.
  "__Host-latch.trusted": { sameSite: "Lax", hostOnly: true },
};

/** Signs in with credentials over TLS, then walks every route that sets a cookie; returns them all. */
async function everyCookie(): Promise<{ cookies: Array<{ step: string; cookie: SetCookie }>; client: SocketBrowser }> {
  served.use(suiteApp().config);
  const client = browser();
  const cookies: Array<{ step: string; cookie: SetCookie }> = [];
  const step = async (label: string, path: string, init: Parameters<SocketBrowser["fetch"]>[1] = {}) => {
    const visit = await client.fetch(path, init);
    expect(visit.response.status, label).toBeLessThan(500);
    for (const cookie of visit.cookies) cookies.push({ step: label, cookie });
    return visit;
  };
  await step("GET /csrf", `${BASE_PATH}/csrf`);
  const csrfToken = (JSON.parse((await step("GET /csrf again", `${BASE_PATH}/csrf`)).response.body) as { csrfToken: string }).csrfToken;
  await step("POST /signin/github", `${BASE_PATH}/signin/github`, { form: { csrfToken, callbackUrl: "/after" } });
  await step("GET /webauthn-options/passkey", `${BASE_PATH}/webauthn-options/passkey`);
  const signIn = await step("POST /callback/credentials", `${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: ALICE.email, password: ALICE.password } });
  expect(signIn.response.status).toBe(303);
  await step("GET /session", `${BASE_PATH}/session`);
  await step("POST /token", `${BASE_PATH}/token`, { method: "POST", headers: { "x-latch-bearer": "1" } });
  await step("POST /callback/github (the check cookies are cleared)", `${BASE_PATH}/callback/github`, { form: { code: "c", state: "s" } });
  await step("POST /signout", `${BASE_PATH}/signout`, { form: { csrfToken } });
  return { cookies, client };
}

describe("the connection (NIST 800-63B §7.1: session secrets only over an authenticated protected channel)", () => {
  it("is TLS to a certificate issued for 127.0.0.1 at test time, and the client verifies it", async () => {
    served.use(suiteApp().config);
    expect(tls.x509.subjectAltName).toContain("IP Address:127.0.0.1");
    const verified = await rawRequest(served.origin, `${BASE_PATH}/providers`, {}, tls.cert);
    expect(verified.status).toBe(200);
    expect(verified.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    // Without the certificate as a trust anchor the handshake fails: verification is on.
    await expect(rawRequest(served.origin, `${BASE_PATH}/providers`)).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});

describe("every cookie over https (ASVS 3.3.1–3.3.5; authjs-v5.md §3.3)", () => {
  it("a credentials sign-in, an OAuth start, a passkey challenge, a bearer token and a sign-out set exactly the expected cookies", async () => {
    const { cookies } = await everyCookie();
    expect(new Set(cookies.map(({ cookie }) => cookie.name))).toEqual(new Set(Object.keys(EXPECTED)));
  });

  it("each is Secure, HttpOnly, SameSite as its purpose needs, Path=/, without Domain, and carries its prefix", async () => {
    const { cookies } = await everyCookie();
    for (const { step, cookie } of cookies) {
      const where = `${step}: ${cookie.name}`;
      const expected = EXPECTED[cookie.name];
      expect(expected, where).toBeDefined();
      expect(cookie.name, where).toMatch(expected?.hostOnly ? /^__Host-/ : /^__Secure-/);
      expect(cookie.attributes.secure, where).toBe(true);
      expect(cookie.attributes.httponly, where).toBe(true);
      expect(cookie.attributes.samesite, where).toBe(expected?.sameSite);
      expect(cookie.attributes.path, where).toBe("/");
      expect(cookie.attributes.domain, where).toBeUndefined();
    }
  });

  it("a browser keeps every one of them (no prefix rule broken), and every deletion carries the same attributes, so it takes effect", async () => {
    const { cookies, client } = await everyCookie();
    expect(client.refused).toEqual([]);
    const deletions = cookies.filter(({ cookie }) => cookie.attributes["max-age"] === "0");
    expect(deletions.map(({ cookie }) => cookie.name).sort()).toEqual(["__Host-latch.bearer-fingerprint", "__Secure-authjs.pkce.code_verifier", "__Secure-authjs.session-token", "__Secure-authjs.state"]);
    for (const { cookie } of deletions) expect(browserRefusal(cookie, true)).toBeUndefined();
    // Signed out: the session cookie is gone from the jar, and the server agrees.
    expect(client.jar.has("__Secure-authjs.session-token")).toBe(false);
    expect((await client.fetch(`${BASE_PATH}/session`)).response.body).toBe("null");
  });

  it("the session token is only in Set-Cookie: never in a body, a Location or a URL (ASVS 3.3.4, 14.2.1)", async () => {
    served.use(suiteApp().config);
    const client = browser();
    const csrfToken = await client.csrfToken();
    const signIn = await client.fetch(`${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: ALICE.email, password: ALICE.password } });
    const token = client.jar.get("__Secure-authjs.session-token") ?? "";
    expect(token.length).toBeGreaterThan(100);
    const session = await client.fetch(`${BASE_PATH}/session`);
    for (const visit of [signIn, session]) {
      expect(visit.response.body).not.toContain(token.slice(0, 40));
      expect(String(visit.response.headers.location ?? "")).not.toContain(token.slice(0, 40));
    }
    // ASVS 3.3.5: a cookie a browser keeps is at most 4096 bytes, name and attributes included.
    for (const header of signIn.response.setCookies) expect(Buffer.byteLength(header)).toBeLessThanOrEqual(4096);
  });

  it("the check cookies live 15 minutes, the challenge as long as the ceremony, the session as long as the session", async () => {
    const { cookies } = await everyCookie();
    const maxAge = (name: string) => cookies.find(({ cookie }) => cookie.name === name && cookie.attributes["max-age"] !== "0")?.cookie.attributes["max-age"];
    expect(maxAge("__Secure-authjs.state")).toBe("900");
    expect(maxAge("__Secure-authjs.pkce.code_verifier")).toBe("900");
    expect(Number(maxAge("__Secure-authjs.challenge"))).toBeGreaterThan(0);
    expect(Number(maxAge("__Secure-authjs.challenge"))).toBeLessThanOrEqual(900);
    const session = cookies.find(({ cookie }) => cookie.name === "__Secure-authjs.session-token" && cookie.attributes["max-age"] !== "0")?.cookie;
    const expires = Date.parse(String(session?.attributes.expires));
    expect(expires - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
  });
});

describe("the same cookies as Auth.js v5 (authjs-v5.md §3.3: the migration keeps them)", () => {
  it("@auth/core over the same TLS connection sets the CSRF, session, callback-url and check cookies with the same names and attributes", async () => {
    const authJsConfig = {
      secret: SECRET,
      trustHost: true,
      basePath: BASE_PATH,
      providers: [
        AuthJsGitHub({ clientId: "suite-client", clientSecret: "suite-client-secret" }),
        AuthJsCredentials({
          credentials: { email: {}, password: {} },
          authorize: (credentials) => (credentials.email === ALICE.email && credentials.password === ALICE.password ? { id: ALICE.id, name: ALICE.name, email: ALICE.email } : null),
        }),
      ],
      logger: { error: () => undefined, warn: () => undefined, debug: () => undefined },
    };
    const shapes = async (): Promise<Map<string, Record<string, string | boolean>>> => {
      const client = browser();
      const out = new Map<string, Record<string, string | boolean>>();
      const keep = (cookies: SetCookie[]) => {
        for (const cookie of cookies) if (cookie.attributes["max-age"] !== "0" && !out.has(cookie.name)) out.set(cookie.name, shape(cookie));
      };
      const csrf = await client.fetch(`${BASE_PATH}/csrf`);
      keep(csrf.cookies);
      const csrfToken = (JSON.parse(csrf.response.body) as { csrfToken: string }).csrfToken;
      keep((await client.fetch(`${BASE_PATH}/signin/github`, { form: { csrfToken, callbackUrl: `${served.origin}/after` } })).cookies);
      const signIn = await client.fetch(`${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: ALICE.email, password: ALICE.password } });
      expect([302, 303]).toContain(signIn.response.status);
      keep(signIn.cookies);
      expect(client.refused).toEqual([]);
      return out;
    };
    served.use((request) => AuthJs(request, authJsConfig));
    const theirs = await shapes();
    served.use(suiteApp().config);
    const ours = await shapes();
    const compared = ["__Host-authjs.csrf-token", "__Secure-authjs.session-token", "__Secure-authjs.callback-url", "__Secure-authjs.pkce.code_verifier"];
    for (const name of compared) {
      expect(theirs.get(name), `Auth.js sets ${name}`).toBeDefined();
      expect(ours.get(name), name).toEqual(theirs.get(name));
    }
    // Auth.js's GitHub uses PKCE alone; latch adds state, a check cookie like the PKCE one.
    expect(theirs.has("__Secure-authjs.state")).toBe(false);
    expect({ ...ours.get("__Secure-authjs.state"), name: "" }).toEqual({ ...theirs.get("__Secure-authjs.pkce.code_verifier"), name: "" });
  });
});

describe("planted and stolen cookies (ASVS 3.3.1, 3.3.3; OWASP Session Management CS §Cookie Name Prefixes)", () => {
  it("a session cookie planted under the unprefixed name (from http or a sibling subdomain: cookie tossing) is not read over https (ASVS 3.3.1)", async () => {
    // A valid session for the http name, minted by the same app with the same secret.
    vi.stubEnv("AUTH_URL", "http://127.0.0.1:1");
    const http = new EngineClient("http://127.0.0.1:1", suiteApp().config);
    const csrfToken = await http.csrfToken();
    await http.fetch(`${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: ALICE.email, password: ALICE.password } });
    const planted = http.jar.get("authjs.session-token");
    expect(planted).toBeDefined();
    expect(await http.session()).toMatchObject({ user: { name: ALICE.name } });

    vi.stubEnv("AUTH_URL", served.origin);
    served.use(suiteApp().config);
    const victim = browser();
    for (const name of ["authjs.session-token", "__Secure-authjs.session-token"]) {
      victim.jar.clear();
      victim.jar.set(name, planted ?? "");
      expect((await victim.fetch(`${BASE_PATH}/session`)).response.body, name).toBe("null");
    }
  });

  it("a CSRF cookie planted under the unprefixed name does not satisfy the check over https (ASVS 3.3.3)", async () => {
    served.use(suiteApp().config);
    const attacker = browser();
    const token = await attacker.csrfToken();
    const pair = attacker.jar.get("__Host-authjs.csrf-token") ?? "";
    const victim = browser();
    victim.jar.set("authjs.csrf-token", pair);
    const forced = await victim.fetch(`${BASE_PATH}/callback/credentials`, { form: { csrfToken: token, email: ALICE.email, password: ALICE.password } });
    expect(new URL(String(forced.response.headers.location)).searchParams.get("error")).toBe("MissingCSRF");
    expect(victim.jar.has("__Secure-authjs.session-token")).toBe(false);
  });

  it("the bearer fingerprint is SameSite=Strict and host-only: a token lifted from the page is useless without it (security.md §5 item 3)", async () => {
    const { cookies } = await everyCookie();
    const fingerprint = cookies.find(({ cookie }) => cookie.name === "__Host-latch.bearer-fingerprint")?.cookie;
    expect(fingerprint?.attributes).toMatchObject({ secure: true, httponly: true, samesite: "Strict", path: "/" });
    expect(fingerprint?.value).toMatch(/^[0-9a-f]{64}$/);
  });
});
