/**
 * Attack class: cross-site request forgery on every route that changes state.
 * References (shared/reference/security.md): OWASP CSRF CS (signed double-submit token, token in
 * the body not only the cookie, Fetch Metadata, login CSRF) and ASVS 3.5.1 / 3.5.2 / 3.5.3 (§2,
 * §2b); ASVS 3.3.3 (`__Host-` against cookie tossing); RFC 9700 §4.7.1 and item 1.2 (CSRF at the
 * redirection endpoint: state bound to the browser); RFC 10017 §6.1.3.3 and §5 item 4 (the token
 * endpoint: a non-safelisted header plus an Origin check); NIST 800-63B §7.1 (CSRF).
 */
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { Auth } from "../../src/index.js";
import { EngineClient, parseSetCookie, type SetCookie } from "../helpers/engine-client.js";
import { ALICE, BASE_PATH, isolateAuthEnv, SECRET, suiteApp, type SuiteApp } from "./helpers/app.js";
import { ROUTE_CONTRACT } from "./helpers/routes.js";

const ORIGIN = "https://app.test";
const CSRF_COOKIE = "__Host-authjs.csrf-token";
const SESSION_COOKIE = "__Secure-authjs.session-token";

isolateAuthEnv();
beforeEach(() => {
  vi.stubEnv("AUTH_URL", ORIGIN);
});

interface Sent {
  response: Response;
  cookies: SetCookie[];
}

interface Forged {
  cookies: Map<string, string>;
  /** The body as sent, and its type. */
  body: string;
  contentType: string;
  query?: string;
  headers?: Record<string, string>;
}

function cookieHeader(cookies: Map<string, string>): string {
  return [...cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; ");
}

async function send(app: SuiteApp, path: string, forged: Forged): Promise<Sent> {
  const headers = new Headers({ host: new URL(ORIGIN).host, "content-type": forged.contentType, ...forged.headers });
  if (forged.cookies.size > 0) headers.set("cookie", cookieHeader(forged.cookies));
  const response = await Auth(new Request(`${ORIGIN}${path}${forged.query ?? ""}`, { method: "POST", headers, body: forged.body }), app.config);
  return { response, cookies: response.headers.getSetCookie().map(parseSetCookie) };
}

function form(fields: Record<string, string>): { body: string; contentType: string } {
  return { body: new URLSearchParams(fields).toString(), contentType: "application/x-www-form-urlencoded" };
}

/** A victim signed in with credentials, with a sign-in link waiting in their mailbox. */
async function victimOf(app: SuiteApp) {
  const victim = new EngineClient(ORIGIN, app.config);
  const csrfToken = await victim.csrfToken();
  const signIn = await victim.fetch(`${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: ALICE.email, password: ALICE.password } });
  expect(signIn.response.status).toBe(303);
  await victim.fetch(`${BASE_PATH}/signin/email`, { form: { csrfToken, email: "victim@example.com" } });
  const link = new URL(app.sent.at(-1)?.url ?? "");
  app.sent.length = 0;
  app.triggers.length = 0;
  return { victim, csrfToken, link: { token: link.searchParams.get("token") ?? "", email: link.searchParams.get("email") ?? "" } };
}

type Victim = Awaited<ReturnType<typeof victimOf>>;

interface Target {
  path: string;
  /** The fields of the request besides the CSRF token. */
  fields: (victim: Victim) => Record<string, string>;
  /** True when the request did what the route does (it got past the CSRF check). */
  acted: (sent: Sent, app: SuiteApp) => boolean;
}

const location = (sent: Sent) => sent.response.headers.get("location") ?? "";
const setsSession = (sent: Sent) => sent.cookies.some((c) => c.name === SESSION_COOKIE && c.value !== "" && c.attributes["max-age"] !== "0");

// Every route a cookie-holding browser can be made to POST to, and what it does when it acts.
const TARGETS: Record<string, Target> = {
  "POST /signin/github (starts an OAuth sign-in: login CSRF)": {
    path: `${BASE_PATH}/signin/github`,
    fields: () => ({}),
    acted: (sent) => location(sent).startsWith("https://github.com/") && sent.cookies.some((c) => c.name === "__Secure-authjs.state"),
  },
  "POST /signin/credentials": { path: `${BASE_PATH}/signin/credentials`, fields: () => ({}), acted: (sent) => sent.response.status === 303 && !location(sent).includes("error=") },
  "POST /signin/passkey": { path: `${BASE_PATH}/signin/passkey`, fields: () => ({}), acted: (sent) => sent.response.status === 303 && !location(sent).includes("error=") },
  "POST /signin/email (sends mail)": { path: `${BASE_PATH}/signin/email`, fields: () => ({ email: "someone@example.com" }), acted: (_sent, app) => app.sent.length > 0 },
  "POST /callback/credentials (login CSRF: signs the browser in to the attacker's account)": {
    path: `${BASE_PATH}/callback/credentials`,
    fields: () => ({ email: ALICE.email, password: ALICE.password }),
    acted: setsSession,
  },
  "POST /callback/email (uses a sign-in link)": { path: `${BASE_PATH}/callback/email`, fields: (victim) => ({ ...victim.link }), acted: setsSession },
  // No ceremony here: acting means getting past the CSRF check to the passkey verification.
  "POST /callback/passkey": {
    path: `${BASE_PATH}/callback/passkey`,
    fields: () => ({ action: "authenticate", data: "{}" }),
    acted: (sent) => location(sent).includes("error=WebAuthnVerificationError"),
  },
  "POST /signout (forced sign-out)": {
    path: `${BASE_PATH}/signout`,
    fields: () => ({}),
    acted: (sent) => sent.cookies.some((c) => c.name === SESSION_COOKIE && c.attributes["max-age"] === "0"),
  },
  "POST /session (session update)": { path: `${BASE_PATH}/session`, fields: () => ({ "data[name]": "Mallory" }), acted: (_sent, app) => app.triggers.includes("update") },
};

/** The refusal every target gives a request that fails the check. */
function expectRefused(name: string, sent: Sent): void {
  if (name.startsWith("POST /session")) {
    expect(sent.response.status).toBe(400);
    return;
  }
  expect([302, 303]).toContain(sent.response.status);
  expect(new URL(location(sent)).searchParams.get("error")).toBe("MissingCSRF");
  expect(new URL(location(sent)).origin).toBe(ORIGIN);
  for (const cookie of sent.cookies) expect(cookie.name, "a refused request sets only a CSRF cookie").toBe(CSRF_COOKIE);
}

type Attack = (victim: Victim, fields: Record<string, string>) => Promise<Forged>;

const withoutCsrfCookie = (victim: Victim) => new Map([...victim.victim.jar].filter(([name]) => name !== CSRF_COOKIE));

async function attackerToken(app: SuiteApp): Promise<{ token: string; cookie: string }> {
  const attacker = new EngineClient(ORIGIN, app.config);
  const token = await attacker.csrfToken();
  return { token, cookie: attacker.jar.get(CSRF_COOKIE) ?? "" };
}

function attacksFor(app: SuiteApp): Record<string, Attack> {
  return {
    "no token and no CSRF cookie (a plain cross-site form)": async (victim, fields) => ({ cookies: withoutCsrfCookie(victim), ...form(fields) }),
    "the CSRF cookie but no token": async (victim, fields) => ({ cookies: victim.victim.jar, ...form(fields) }),
    "an empty token": async (victim, fields) => ({ cookies: victim.victim.jar, ...form({ ...fields, csrfToken: "" }) }),
    "a wrong token": async (victim, fields) => ({ cookies: victim.victim.jar, ...form({ ...fields, csrfToken: victim.csrfToken.replace(/^./, (c) => (c === "0" ? "1" : "0")) }) }),
    "the right token without its cookie": async (victim, fields) => ({ cookies: withoutCsrfCookie(victim), ...form({ ...fields, csrfToken: victim.csrfToken }) }),
    "the cookie's whole value as the token": async (victim, fields) => ({ cookies: victim.victim.jar, ...form({ ...fields, csrfToken: victim.victim.jar.get(CSRF_COOKIE) ?? "" }) }),
    "a token from another session (the attacker's own)": async (victim, fields) => ({ cookies: victim.victim.jar, ...form({ ...fields, csrfToken: (await attackerToken(app)).token }) }),
    "the attacker's pair planted under the unprefixed name (cookie tossing from a subdomain; ASVS 3.3.3)": async (victim, fields) => {
      const planted = await attackerToken(app);
      const cookies = new Map([...withoutCsrfCookie(victim), ["authjs.csrf-token", planted.cookie]]);
      return { cookies, ...form({ ...fields, csrfToken: planted.token }) };
    },
    "a cookie the attacker signed with a guessed secret": async (victim, fields) => {
      const token = "a".repeat(64);
      const cookies = new Map([...withoutCsrfCookie(victim), [CSRF_COOKIE, `${token}|${createHash("sha256").update(`${token}guessed-secret`).digest("hex")}`]]);
      return { cookies, ...form({ ...fields, csrfToken: token }) };
    },
    "the token only in the query string": async (victim, fields) => ({ cookies: victim.victim.jar, ...form(fields), query: `?csrfToken=${victim.csrfToken}` }),
    "the token in a text/plain body (a form that needs no preflight)": async (victim, fields) => ({
      cookies: victim.victim.jar,
      body: JSON.stringify({ ...fields, csrfToken: victim.csrfToken }),
      contentType: "text/plain",
    }),
    "the token in a multipart body": async (victim, fields) => ({
      cookies: victim.victim.jar,
      body: `${Object.entries({ ...fields, csrfToken: victim.csrfToken })
        .map(([name, value]) => `--x\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
        .join("")}--x--\r\n`,
      contentType: "multipart/form-data; boundary=x",
    }),
    "the token as a JSON array": async (victim, fields) => ({ cookies: victim.victim.jar, body: JSON.stringify({ ...fields, csrfToken: [victim.csrfToken] }), contentType: "application/json" }),
    "the right pair, sent by another site (Sec-Fetch-Site: cross-site)": async (victim, fields) => ({
      cookies: victim.victim.jar,
      ...form({ ...fields, csrfToken: victim.csrfToken }),
      headers: { "sec-fetch-site": "cross-site", origin: "https://evil.test" },
    }),
  };
}

describe("every state-changing route refuses a forged request (OWASP CSRF CS; ASVS 3.5.1, 3.5.3)", () => {
  it("the targets are every cookie-authenticated POST of the contract but the bearer, OAuth-callback and token routes (tested below)", () => {
    const covered = new Set(Object.values(TARGETS).map((target) => target.path));
    const separate = new Set([`${BASE_PATH}/token`, `${BASE_PATH}/revoke`, `${BASE_PATH}/callback/github`]);
    const statePosts = ROUTE_CONTRACT.filter((route) => route.stateChanging && route.methods.includes("POST")).map((route) => route.path);
    expect(statePosts.filter((path) => !covered.has(path) && !separate.has(path))).toEqual([]);
  });

  const attackNames = Object.keys(attacksFor(suiteApp()));
  const cases = Object.keys(TARGETS).flatMap((target) => attackNames.map((attack): [string, string] => [target, attack]));

  it.each(cases)("%s — %s", async (targetName, attackName) => {
    const app = suiteApp();
    const victim = await victimOf(app);
    const target = TARGETS[targetName]!;
    const forged = await attacksFor(app)[attackName]!(victim, target.fields(victim));
    const sent = await send(app, target.path, forged);
    expect(target.acted(sent, app)).toBe(false);
    expectRefused(targetName, sent);
    // The victim is still signed in as themselves.
    const session = (await victim.victim.session()) as { user?: { name?: string } } | null;
    expect(session?.user?.name).toBe(ALICE.name);
  });

  it.each(Object.keys(TARGETS))("%s acts with the page's own token (the refusals above are not vacuous)", async (targetName) => {
    for (const site of [undefined, "same-origin", "same-site", "none"]) {
      const app = suiteApp();
      const victim = await victimOf(app);
      const target = TARGETS[targetName]!;
      const headers = site ? { "sec-fetch-site": site } : undefined;
      const sent = await send(app, target.path, { cookies: victim.victim.jar, ...form({ ...target.fields(victim), csrfToken: victim.csrfToken }), ...(headers ? { headers } : {}) });
      expect(target.acted(sent, app), `Sec-Fetch-Site: ${site ?? "(absent)"}`).toBe(true);
    }
  });

  it("a CSRF cookie is bound to the secret: one minted under another secret is replaced, not trusted", async () => {
    const app = suiteApp();
    const other = suiteApp({ extra: { secret: "another-secret-entirely-of-enough-length-0123" } });
    const foreign = new EngineClient(ORIGIN, other.config);
    const token = await foreign.csrfToken();
    const sent = await send(app, `${BASE_PATH}/callback/credentials`, { cookies: foreign.jar, ...form({ csrfToken: token, email: ALICE.email, password: ALICE.password }) });
    expect(setsSession(sent)).toBe(false);
    expect(sent.cookies.find((c) => c.name === CSRF_COOKIE)?.value.split("|")[0]).not.toBe(token);
    expect(SECRET).not.toBe("another-secret-entirely-of-enough-length-0123");
  });
});

describe("the OAuth callback: state bound to the browser is its CSRF defence (RFC 9700 §4.7.1, item 1.2; ASVS 10.2.1)", () => {
  it.each(["GET", "POST"])("%s /callback/github with an attacker's code and state, in a browser that started no sign-in, signs nobody in", async (method) => {
    const app = suiteApp();
    const victim = new EngineClient(ORIGIN, app.config);
    const params = { code: "attacker-code", state: "attacker-state" };
    const { response, cookies } =
      method === "GET" ? await victim.fetch(`${BASE_PATH}/callback/github?${new URLSearchParams(params)}`) : await victim.fetch(`${BASE_PATH}/callback/github`, { form: params });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get("location") ?? "").pathname).toBe(`${BASE_PATH}/error`);
    expect(cookies.some((c) => c.name === SESSION_COOKIE)).toBe(false);
  });

  it("a browser that started its own sign-in refuses the attacker's state, and its check cookies are cleared", async () => {
    const app = suiteApp();
    const victim = new EngineClient(ORIGIN, app.config);
    const csrfToken = await victim.csrfToken();
    const started = await victim.fetch(`${BASE_PATH}/signin/github`, { form: { csrfToken } });
    const victimState = new URL(started.response.headers.get("location") ?? "").searchParams.get("state");
    expect(victimState).toBeTruthy();
    const { response, cookies } = await victim.fetch(`${BASE_PATH}/callback/github`, { form: { code: "attacker-code", state: "attacker-state" } });
    expect(new URL(response.headers.get("location") ?? "").pathname).toBe(`${BASE_PATH}/error`);
    expect(cookies.some((c) => c.name === SESSION_COOKIE)).toBe(false);
    expect(cookies.find((c) => c.name === "__Secure-authjs.state")?.attributes["max-age"]).toBe("0");
  });
});

describe("bearer routes: a header a form cannot send, and the origin (RFC 10017 §6.1.3.3; security.md §5 item 4; ASVS 3.5.2)", () => {
  async function signedIn() {
    const app = suiteApp();
    const victim = await victimOf(app);
    return { app, victim };
  }

  it.each<[string, Record<string, string>]>([
    ["a form post (no X-Latch-Bearer)", {}],
    ["X-Latch-Bearer: true", { "x-latch-bearer": "true" }],
    ["Origin of another site", { "x-latch-bearer": "1", origin: "https://evil.test" }],
    ["Origin of a sibling subdomain", { "x-latch-bearer": "1", origin: "https://evil.app.test" }],
    ["Origin on another port", { "x-latch-bearer": "1", origin: "https://app.test:8443" }],
    ["Origin over http", { "x-latch-bearer": "1", origin: "http://app.test" }],
    ["Origin: null (sandboxed frame; Next.js GHSA-mq59-m269-xvcx)", { "x-latch-bearer": "1", origin: "null" }],
    ["Sec-Fetch-Site: cross-site", { "x-latch-bearer": "1", "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "x-latch-bearer": "1", "sec-fetch-site": "same-site" }],
    ["the right Origin but Sec-Fetch-Site: cross-site", { "x-latch-bearer": "1", origin: ORIGIN, "sec-fetch-site": "cross-site" }],
  ])("POST /token refuses %s with 403 and issues nothing", async (_label, headers) => {
    const { app, victim } = await signedIn();
    const sent = await send(app, `${BASE_PATH}/token`, { cookies: victim.victim.jar, ...form({}), headers });
    expect(sent.response.status).toBe(403);
    const body = (await sent.response.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty("token");
    expect(sent.cookies.some((c) => c.name === "__Host-latch.bearer-fingerprint")).toBe(false);
  });

  it("POST /token answers our own page (header, same origin)", async () => {
    const { app, victim } = await signedIn();
    const sent = await send(app, `${BASE_PATH}/token`, { cookies: victim.victim.jar, ...form({}), headers: { "x-latch-bearer": "1", origin: ORIGIN, "sec-fetch-site": "same-origin" } });
    expect(sent.response.status).toBe(200);
  });

  it("the refresh grant and /revoke use no cookie: a forged POST with the victim's cookies gets no token and revokes nothing", async () => {
    const { app, victim } = await signedIn();
    const offline = await victim.victim.fetch(`${BASE_PATH}/token`, { headers: { "x-latch-bearer": "1" }, json: { offline: true } });
    const { refreshToken } = (await offline.response.json()) as { refreshToken: string };
    const grant = await send(app, `${BASE_PATH}/token`, { cookies: victim.victim.jar, ...form({ grant_type: "refresh_token" }), headers: { "sec-fetch-site": "cross-site" } });
    expect(grant.response.status).toBe(400);
    expect(grant.cookies).toEqual([]);
    const revoke = await send(app, `${BASE_PATH}/revoke`, { cookies: victim.victim.jar, ...form({}), headers: { "sec-fetch-site": "cross-site" } });
    expect(revoke.response.status).toBe(200);
    // The family is intact: the victim's refresh token still works once.
    const native = new EngineClient(ORIGIN, app.config);
    const used = await native.fetch(`${BASE_PATH}/token`, { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
    expect(used.response.status).toBe(200);
  });
});

describe("GET never changes state (ASVS 3.5.3; security.md §4 magic links)", () => {
  async function probe(app: SuiteApp, victim: Victim) {
    const session = (await victim.victim.session()) as { user?: { name?: string } } | null;
    return { name: session?.user?.name, sent: app.sent.length, triggers: [...app.triggers] };
  }

  it.each<[string, string, Record<string, string>]>([
    ["GET /signout", `${BASE_PATH}/signout`, {}],
    ["GET /signout with a CSRF token in the query", `${BASE_PATH}/signout?csrfToken={csrf}`, {}],
    ["GET /session with update data in the query", `${BASE_PATH}/session?data=%7B%22name%22%3A%22Mallory%22%7D&csrfToken={csrf}`, {}],
    ["GET /session with a method override (X-HTTP-Method-Override: POST)", `${BASE_PATH}/session?_method=POST`, { "x-http-method-override": "POST", "x-method-override": "POST" }],
    ["GET /signin/email", `${BASE_PATH}/signin/email?email=someone%40example.com&csrfToken={csrf}`, {}],
    ["GET /signin/github", `${BASE_PATH}/signin/github?csrfToken={csrf}`, {}],
    ["GET /callback/credentials", `${BASE_PATH}/callback/credentials?email=${encodeURIComponent(ALICE.email)}&password=${ALICE.password}&csrfToken={csrf}`, {}],
    ["GET /callback/passkey", `${BASE_PATH}/callback/passkey?action=authenticate&data=%7B%7D&csrfToken={csrf}`, {}],
    ["GET /token", `${BASE_PATH}/token`, { "x-latch-bearer": "1" }],
    ["GET /revoke", `${BASE_PATH}/revoke?token=latch_rt_x`, {}],
  ])("%s signs nobody in or out, updates nothing and sends nothing", async (_label, rawPath, headers) => {
    const app = suiteApp();
    const victim = await victimOf(app);
    const before = await probe(app, victim);
    const path = rawPath.replace("{csrf}", victim.csrfToken);
    const { response, cookies } = await victim.victim.fetch(path, { headers });
    expect(response.status).toBeLessThan(500);
    expect(cookies.filter((c) => c.name === SESSION_COOKIE && c.attributes["max-age"] === "0")).toEqual([]);
    expect(cookies.some((c) => ["__Secure-authjs.state", "__Secure-authjs.pkce.code_verifier", "__Host-latch.bearer-fingerprint"].includes(c.name))).toBe(false);
    const after = await probe(app, victim);
    expect(after.name).toBe(before.name);
    expect(after.sent).toBe(before.sent);
    expect(after.triggers.filter((t) => t === "update")).toEqual([]);
  });

  it("GET /callback/email (what a mail scanner fetches) shows a page and leaves the link usable", async () => {
    const app = suiteApp();
    const victim = await victimOf(app);
    const scanner = new EngineClient(ORIGIN, app.config);
    const query = new URLSearchParams(victim.link).toString();
    for (let i = 0; i < 3; i++) {
      const { response, cookies } = await scanner.fetch(`${BASE_PATH}/callback/email?${query}`);
      expect(response.status).toBe(200);
      expect(cookies.some((c) => c.name === SESSION_COOKIE)).toBe(false);
    }
    const owner = new EngineClient(ORIGIN, app.config);
    const csrfToken = await owner.csrfToken();
    const used = await owner.fetch(`${BASE_PATH}/callback/email`, { form: { csrfToken, ...victim.link } });
    expect(used.response.status).toBe(303);
    expect(used.cookies.some((c) => c.name === SESSION_COOKIE)).toBe(true);
  });
});
