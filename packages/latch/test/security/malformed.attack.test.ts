/**
 * Attack class: malformed and oversized input — huge cookies and bodies, wrong content types,
 * invalid UTF-8, NUL bytes, thousands of parameters, deep JSON — on every route. The answer is a
 * client-class one (the route's normal answer when the input is merely odd, a 4xx when it is
 * invalid), in bounded time; never a 5xx, never a hang.
 * References (shared/reference/security.md): lesson 4 and ASVS 16.5.3 (fail closed: malformed
 * input gives null/4xx, never a crash); GHSA-g5fm-jp9v-2432 (a malformed callbackUrl threw and
 * hung the route) and GHSA-xmf8-cvqr-rfgj (a malformed header threw); ASVS 4.2.5 (over-long
 * URIs and headers, long-cookie DoS) and 3.3.5; ASVS 16.5.1 (no stack traces or secrets).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Auth } from "../../src/index.js";
import { EngineClient } from "../helpers/engine-client.js";
import { ALICE, BASE_PATH, isolateAuthEnv, SECRET, suiteApp, type SuiteApp } from "./helpers/app.js";
import { ROUTE_CONTRACT } from "./helpers/routes.js";
import { rawBytes, rawRequest, serveEngine, type Served } from "./helpers/serve.js";

const ORIGIN = "https://app.test";
// Far above what any of these requests needs; a request still running then is a hang.
const DEADLINE_MS = 5_000;

isolateAuthEnv();
beforeEach(() => {
  vi.stubEnv("AUTH_URL", ORIGIN);
});

async function within<T>(label: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer within ${DEADLINE_MS} ms (a hang)`)), DEADLINE_MS);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface Raw {
  method?: string;
  query?: string;
  headers?: Record<string, string>;
  body?: BodyInit;
}

async function send(app: SuiteApp, path: string, raw: Raw = {}): Promise<Response> {
  const method = raw.method ?? (raw.body !== undefined ? "POST" : "GET");
  const init: RequestInit & { duplex?: "half" } = { method, headers: { host: "app.test", ...raw.headers } };
  if (raw.body !== undefined) {
    init.body = raw.body;
    if (raw.body instanceof ReadableStream) init.duplex = "half";
  }
  const label = `${method} ${path}`;
  const response = await within(label, Auth(new Request(`${ORIGIN}${path}${raw.query ?? ""}`, init), app.config));
  await within(`${label} (body)`, response.clone().arrayBuffer());
  return response;
}

/** The answer is a client-class one, and says nothing of the server's insides or its secret. */
async function expectNoServerError(label: string, response: Response): Promise<void> {
  expect(response.status, `${label} → ${response.status}`).toBeLessThan(500);
  const text = await response.clone().text();
  expect(text, label).not.toContain(SECRET);
  expect(text, label).not.toMatch(/\bat \S+ \(.*:\d+:\d+\)/);
}

/** Every route and method of the contract with this request shape. */
async function everyRoute(app: SuiteApp, raw: (method: string) => Raw, check: (label: string, response: Response) => Promise<void> = expectNoServerError): Promise<number> {
  let count = 0;
  for (const route of ROUTE_CONTRACT) {
    for (const method of route.methods) {
      const label = `${method} ${route.path}`;
      await check(label, await send(app, route.path, { method, ...raw(method) }));
      count += 1;
    }
  }
  return count;
}

const form = (fields: Record<string, string>) => ({ headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });

describe("huge cookies (ASVS 4.2.5, 3.3.5)", () => {
  const big = (n: number) => "A".repeat(n);
  const chunks = Array.from({ length: 1000 }, (_, i) => `__Secure-authjs.session-token.${i}=${big(4000)}`).join("; ");
  const manyCookies = Array.from({ length: 10_000 }, (_, i) => `c${i}=${i}`).join("; ");

  it.each<[string, string]>([
    ["a 1 MiB session cookie", `__Secure-authjs.session-token=${big(1 << 20)}`],
    ["1000 session-cookie chunks of 4 KB (4 MB)", chunks],
    ["10 000 cookies", manyCookies],
    ["a 1 MiB CSRF cookie", `__Host-authjs.csrf-token=${big(1 << 19)}|${big(1 << 19)}`],
    ["1 MiB check cookies", `__Secure-authjs.state=${big(1 << 20)}; __Secure-authjs.pkce.code_verifier=${big(1 << 20)}; __Secure-authjs.callback-url=${big(1 << 20)}`],
    ["a 1 MiB passkey challenge cookie and bearer fingerprint", `__Secure-authjs.challenge=${big(1 << 20)}; __Host-latch.bearer-fingerprint=${big(1 << 20)}`],
    ["a cookie of percent signs and separators", `__Secure-authjs.session-token=${"%;=,\"\\".repeat(100_000)}`],
  ])("%s, on every route → no 5xx, in bounded time", async (_label, cookie) => {
    const app = suiteApp();
    const routes = await everyRoute(app, (method) => ({ headers: { cookie, ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {}) }, ...(method === "POST" ? { body: "a=1" } : {}) }));
    expect(routes).toBeGreaterThan(20);
    const session = await send(app, `${BASE_PATH}/session`, { headers: { cookie } });
    expect(await session.text()).toBe("null");
  });

  it("1000 garbage chunks are cleared with at most one Set-Cookie each, not more", async () => {
    const response = await send(suiteApp(), `${BASE_PATH}/session`, { headers: { cookie: chunks } });
    const cleared = response.headers.getSetCookie().filter((c) => c.startsWith("__Secure-authjs.session-token"));
    expect(cleared.length).toBeLessThanOrEqual(1000);
    for (const header of cleared) expect(header).toContain("Max-Age=0");
  });
});

describe("huge bodies (ASVS 4.2.5): 413 before the body is read", () => {
  const posts = ROUTE_CONTRACT.filter((route) => route.methods.includes("POST")).map((route) => route.path);

  it.each(posts)("POST %s: 70 KB of JSON, of form, a declared 1 GB, and a 16 MB stream → 413", async (path) => {
    const app = suiteApp();
    expect((await send(app, path, { headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(70_000) }) })).status).toBe(413);
    expect((await send(app, path, form({ pad: "x".repeat(70_000) }))).status).toBe(413);
    expect((await send(app, path, { headers: { "content-type": "application/json", "content-length": String(1 << 30) }, body: "{}" })).status).toBe(413);
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        if (pulled > 256) controller.close();
        else controller.enqueue(chunk);
      },
    });
    expect((await send(app, path, { headers: { "content-type": "application/x-www-form-urlencoded" }, body: stream })).status).toBe(413);
    expect(pulled, "chunks read of a 16 MB stream").toBeLessThanOrEqual(4);
  });

  it.each(posts)("POST %s: a 10 MB body of a type latch does not read is not read either → no 5xx", async (path) => {
    await expectNoServerError(path, await send(suiteApp(), path, { headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(10 << 20) }));
  });
});

describe("wrong content types: nothing in such a body counts (ASVS 3.5.2)", () => {
  const types = ["text/plain", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=utf-16", "application/x-www-form-urlencoded; charset=iso-8859-1", "", "application/json, application/x-www-form-urlencoded", "*/*", "application/csp-report"];

  it.each(types)("Content-Type %j with a valid CSRF token, on every POST route → no 5xx, and no sign-in from a body latch does not read as JSON or a form", async (type) => {
    const app = suiteApp();
    const browser = new EngineClient(ORIGIN, app.config);
    const csrfToken = await browser.csrfToken();
    const fields = { csrfToken, email: ALICE.email, password: ALICE.password };
    for (const body of [JSON.stringify(fields), new URLSearchParams(fields).toString()]) {
      for (const route of ROUTE_CONTRACT.filter((r) => r.methods.includes("POST"))) {
        const response = await send(app, route.path, { headers: { cookie: browser.cookieHeader(), ...(type ? { "content-type": type } : {}) }, body });
        await expectNoServerError(`${type} ${route.path}`, response);
        // latch reads exactly two types, whatever their parameters say (both need a CORS preflight cross-site but the form).
        const parsed = (type.startsWith("application/x-www-form-urlencoded") && body.startsWith("csrfToken=")) || (type.startsWith("application/json;") && body.startsWith("{"));
        if (route.path.endsWith("/callback/credentials") && !parsed) {
          expect(response.headers.getSetCookie().some((c) => c.startsWith("__Secure-authjs.session-token=")), `${type}: ${body.slice(0, 20)}`).toBe(false);
        }
      }
    }
  });

  it("JSON with the wrong shape — null, an array, a string, a number, __proto__ and constructor payloads — never verifies a CSRF token", async () => {
    const app = suiteApp();
    const browser = new EngineClient(ORIGIN, app.config);
    const csrfToken = await browser.csrfToken();
    const bodies = [
      "null",
      "[]",
      `["${csrfToken}"]`,
      `"${csrfToken}"`,
      "1e999",
      `{"__proto__":{"csrfToken":"${csrfToken}","verified":true},"email":"${ALICE.email}","password":"${ALICE.password}"}`,
      `{"constructor":{"prototype":{"csrfToken":"${csrfToken}"}},"email":"${ALICE.email}","password":"${ALICE.password}"}`,
      `{"csrfToken":{"toString":"${csrfToken}"},"email":"${ALICE.email}","password":"${ALICE.password}"}`,
      `{"csrfToken":"${csrfToken}"`,
    ];
    for (const body of bodies) {
      const response = await send(app, `${BASE_PATH}/callback/credentials`, { headers: { cookie: browser.cookieHeader(), "content-type": "application/json" }, body });
      await expectNoServerError(body, response);
      expect(new URL(response.headers.get("location") ?? "").searchParams.get("error"), body).toBe("MissingCSRF");
      expect(({} as Record<string, unknown>).csrfToken, "the prototype is untouched").toBeUndefined();
    }
  });

  it.each([30_000, 60_000])("JSON nested %i levels deep (within 64 KiB) → no 5xx", async (depth) => {
    const app = suiteApp();
    const arrays = `${"[".repeat(depth / 2)}${"]".repeat(depth / 2)}`;
    const objects = `${'{"a":'.repeat(depth / 12)}1${"}".repeat(depth / 12)}`;
    for (const body of [arrays, objects]) {
      for (const path of [`${BASE_PATH}/session`, `${BASE_PATH}/callback/credentials`, `${BASE_PATH}/token`, `${BASE_PATH}/callback/passkey`]) {
        await expectNoServerError(path, await send(app, path, { headers: { "content-type": "application/json" }, body }));
      }
    }
  });
});

describe("invalid UTF-8 and NUL bytes (lesson 4: fail closed)", () => {
  const invalid = [
    new Uint8Array([0xff, 0xfe, 0xfd]),
    new Uint8Array([0xc0, 0xaf]), // overlong "/"
    new Uint8Array([0xed, 0xa0, 0x80]), // a lone surrogate
    new Uint8Array([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
    new Uint8Array([0xe2, 0x82]), // truncated
  ];

  it.each(invalid.map((bytes): [string, Uint8Array] => [Buffer.from(bytes).toString("hex"), bytes]))("bytes %s in JSON and form bodies, in every field, on every POST route → no 5xx", async (_hex, bytes) => {
    const app = suiteApp();
    const browser = new EngineClient(ORIGIN, app.config);
    const csrfToken = await browser.csrfToken();
    const text = (s: string) => new TextEncoder().encode(s);
    const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.concat(parts));
    const bodies: Array<[string, Uint8Array<ArrayBuffer>]> = [
      ["application/json", concat(text(`{"csrfToken":"${csrfToken}","email":"`), bytes, text(`","password":"`), bytes, text(`","callbackUrl":"/`), bytes, text('"}'))],
      ["application/json", concat(bytes, text("{}"))],
      ["application/x-www-form-urlencoded", concat(text(`csrfToken=${csrfToken}&email=`), bytes, text("&password="), bytes, text("&callbackUrl=/"), bytes, text("&token="), bytes)],
      ["application/x-www-form-urlencoded", concat(text(`csrfToken=${csrfToken}&email=%FF%FE&password=%C0%AF&callbackUrl=%ED%A0%80&grant_type=refresh_token&refresh_token=latch_rt_%FF`))],
    ];
    for (const [type, body] of bodies) {
      for (const route of ROUTE_CONTRACT.filter((r) => r.methods.includes("POST"))) {
        await expectNoServerError(`${type} ${route.path}`, await send(app, route.path, { headers: { cookie: browser.cookieHeader(), "content-type": type }, body }));
      }
    }
  });

  it.each(["%FF", "%C0%AF", "%ED%A0%80", "%00", "%E0%A4%A", "%", "%%", "%u0000"])("%s in every query parameter latch reads, on every route → no 5xx", async (bad) => {
    const app = suiteApp();
    const query = `?${["callbackUrl", "error", "token", "email", "action", "code", "state", "provider", "csrfToken", "data"].map((name) => `${name}=${bad}`).join("&")}`;
    await everyRoute(app, (method) => ({ query, ...(method === "POST" ? form({}) : {}) }));
  });

  it.each(["%FF", "%C0%AF", "%00", "%00%00", "..%2F..%2F", "%2e%2e", "%5C", "%0D%0ALocation:%20https://evil.test"])("%s as the provider id, on every route with a provider → 404 or 405", async (bad) => {
    const app = suiteApp();
    for (const action of ["signin", "callback", "webauthn-options"]) {
      for (const method of ["GET", "POST"]) {
        const response = await send(app, `${BASE_PATH}/${action}/${bad}`, { method, ...(method === "POST" ? form({}) : {}) });
        expect([404, 405], `${method} ${action}/${bad}`).toContain(response.status);
        expect(response.headers.get("location")).toBeNull();
      }
    }
  });

  it("NUL bytes in every field a user types: the credentials are refused as wrong, not as a crash", async () => {
    const app = suiteApp();
    const browser = new EngineClient(ORIGIN, app.config);
    const csrfToken = await browser.csrfToken();
    for (const [email, password] of [
      [`${ALICE.email}\u0000`, ALICE.password],
      [ALICE.email, `${ALICE.password}\u0000`],
      ["\u0000", "\u0000"],
      [`${ALICE.email}\u0000@evil.test`, ALICE.password],
    ]) {
      const { response, cookies } = await browser.fetch(`${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: email!, password: password! } });
      expect(response.status).toBe(303);
      expect(new URL(response.headers.get("location") ?? "").searchParams.get("error")).toBe("CredentialsSignin");
      expect(cookies.some((c) => c.name === "__Secure-authjs.session-token")).toBe(false);
    }
    const mail = await browser.fetch(`${BASE_PATH}/signin/email`, { form: { csrfToken, email: "bob@example.com\u0000,eve@evil.test" } });
    expect(new URL(mail.response.headers.get("location") ?? "").searchParams.get("error")).toBe("EmailSignin");
    expect(app.sent).toEqual([]);
  });

  it("NUL and control bytes in cookie values → no 5xx", async () => {
    const app = suiteApp();
    const cookie = "__Secure-authjs.session-token=%00%00; __Host-authjs.csrf-token=%00|%00; __Secure-authjs.callback-url=%00%0D%0A; __Secure-authjs.state=%FF";
    await everyRoute(app, (method) => ({ headers: { cookie }, ...(method === "POST" ? { body: "a=1" } : {}) }));
  });
});

describe("thousands of parameters (ASVS 4.2.5; GHSA-g5fm-jp9v-2432)", () => {
  const thousand = `?${Array.from({ length: 1000 }, (_, i) => `p${i}=${"v".repeat(16)}`).join("&")}`;
  const repeated = `?${Array.from({ length: 1000 }, () => "callbackUrl=https%3A%2F%2Fevil.test%2F").join("&")}`;

  it.each<[string, string]>([
    ["1000 distinct query parameters", thousand],
    ["1000 callbackUrl parameters, all foreign", repeated],
    ["10 000 empty parameters", `?${"&".repeat(10_000)}`],
  ])("%s on every route → no 5xx, in bounded time", async (_label, query) => {
    const app = suiteApp();
    await everyRoute(app, (method) => ({ query, ...(method === "POST" ? form({}) : {}) }));
  });

  it("1000 query parameters on a sign-in start stay out of the protocol parameters, and a foreign callbackUrl is still refused", async () => {
    const app = suiteApp();
    const browser = new EngineClient(ORIGIN, app.config);
    const csrfToken = await browser.csrfToken();
    const { response, cookies } = await browser.fetch(`${BASE_PATH}/signin/github${repeated}`, { form: { csrfToken } });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.getAll("redirect_uri")).toEqual([`${ORIGIN}${BASE_PATH}/callback/github`]);
    expect(location.searchParams.getAll("state")).toHaveLength(1);
    expect(location.href).not.toContain("evil.test");
    expect(cookies.find((c) => c.name === "__Secure-authjs.callback-url")?.value).toMatch(/^https:\/\/app\.test\/?$/);
  });

  it("1000 form fields in the body (within 64 KiB) → no 5xx on every POST route", async () => {
    const app = suiteApp();
    const browser = new EngineClient(ORIGIN, app.config);
    const csrfToken = await browser.csrfToken();
    const fields: Record<string, string> = { csrfToken };
    for (let i = 0; i < 1000; i++) fields[`f${i}`] = "x".repeat(20);
    for (const route of ROUTE_CONTRACT.filter((r) => r.methods.includes("POST"))) {
      await expectNoServerError(route.path, await send(app, route.path, { headers: { cookie: browser.cookieHeader(), "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() }));
    }
  });

  it("500 request headers and a 100 KB header value → no 5xx", async () => {
    const app = suiteApp();
    const headers = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x-junk-${i}`, "y".repeat(50)]));
    headers["x-forwarded-for"] = Array.from({ length: 5000 }, (_, i) => `10.0.${i % 256}.${i % 250}`).join(", ");
    headers["user-agent"] = "u".repeat(100_000);
    await everyRoute(app, (method) => ({ headers, ...(method === "POST" ? { body: "a=1" } : {}) }));
  });
});

describe("over a real socket: what reaches latch through node's HTTP server (ASVS 4.2.5, 16.5.3)", () => {
  let served: Served;

  beforeAll(async () => {
    served = await serveEngine();
  });

  afterAll(async () => {
    await served.close();
  });

  it("a Cookie header over node's limit is refused by the server (431), NUL bytes by its parser (400), a 1 MB body by latch (413), raw invalid UTF-8 answered; the server keeps answering", async () => {
    vi.stubEnv("AUTH_URL", served.origin);
    served.use(suiteApp().config);
    const path = `${BASE_PATH}/session`;
    const huge = await rawRequest(served.origin, path, { headers: { cookie: `__Secure-authjs.session-token=${"A".repeat(64 * 1024)}` } });
    expect(huge.status).toBe(431);
    for (const request of ["GET /api/auth/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Nul: a\u0000b\r\n\r\n", "GET /api/auth/session\u0000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET /api/auth/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: a=\u0000\r\n\r\n"]) {
      expect(await rawBytes(served.origin, Buffer.from(request, "latin1"))).toMatch(/^HTTP\/1\.1 400 /);
    }
    // Raw invalid UTF-8: the parser refuses it in the request line; in header values (obs-text) it reaches latch, which answers.
    const line = Buffer.concat([Buffer.from("GET /api/auth/signin?callbackUrl=/"), Buffer.from([0xff, 0xc0, 0xaf]), Buffer.from(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]);
    expect(await rawBytes(served.origin, line)).toMatch(/^HTTP\/1\.1 400 /);
    const header = Buffer.concat([
      Buffer.from("GET /api/auth/session HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: __Secure-authjs.session-token="),
      Buffer.from([0xff, 0xfe, 0xc0, 0xaf]),
      Buffer.from("; __Host-authjs.csrf-token="),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from("\r\nX-Forwarded-Host: "),
      Buffer.from([0xff]),
      Buffer.from("\r\n\r\n"),
    ]);
    const answered = await rawBytes(served.origin, header);
    expect(answered).toMatch(/^HTTP\/1\.1 200 /);
    expect(answered.endsWith("null")).toBe(true);
    const body = await rawRequest(served.origin, path, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.alloc(1 << 20, 0x20) });
    expect(body.status).toBe(413);
    const invalidPath = await rawRequest(served.origin, `${BASE_PATH}/signin/%FF%00`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=%FF" });
    expect(invalidPath.status).toBe(404);
    const after = await rawRequest(served.origin, `${BASE_PATH}/providers`);
    expect(after.status).toBe(200);
  });
});
