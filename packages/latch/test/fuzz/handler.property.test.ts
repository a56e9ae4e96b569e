/**
 * Property tests of the whole engine: random requests to every `/api/auth/*` route — any method,
 * path, query, headers and body, with edited or foreign session tokens and often a genuine CSRF
 * token — never make latch throw or answer 5xx, never set a session cookie or hand out a token,
 * never redirect off the site's origin, never reach the network, and never pollute prototypes.
 *
 * The engine runs as `Auth()` runs it (`handleToResponse` over a resolved config), with the
 * environment passed explicitly: once trusting the Host headers, once with AUTH_URL set.
 */
import * as fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resolveConfig, type Env } from "../../src/core/config.js";
import { parseCookieHeader, readChunkedCookie } from "../../src/core/cookies.js";
import { handleToResponse } from "../../src/core/handle-request.js";
import { createSessionCodec } from "../../src/jwt.js";
import Credentials from "../../src/providers/credentials.js";
import GitHub from "../../src/providers/github.js";
import { MemoryRefreshTokenStore } from "../../src/refresh-tokens/memory.js";
import type { AuthConfig } from "../../src/types.js";
import { fuzzRequest, toRequest, type FuzzRequest, type TokenMaterial } from "./requests.js";
import { fuzzRuns } from "./settings.js";

const SECRET = "handler-fuzz-secret-0123456789abcdef0123456789";
const OTHER_SECRET = "handler-fuzz-other-secret-abcdef0123456789abcd";
const SESSION_NAMES = ["authjs.session-token", "__Secure-authjs.session-token"] as const;
// No request can know it: authorize refuses every password the fuzzer sends.
const PASSWORD = crypto.randomUUID();

/** Requests that reached the network: there must be none. */
const fetched: string[] = [];
const refuseNetwork = (input: string | URL | Request): Promise<Response> => {
  fetched.push(input instanceof Request ? input.url : String(input));
  return Promise.reject(new Error("the fuzz suite makes no network calls"));
};

function makeConfig(errors: Error[]): AuthConfig {
  return {
    secret: SECRET,
    providers: [
      Credentials({
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: ({ email, password }) => (password === PASSWORD ? { id: "user-1", email: String(email) } : null),
      }),
      GitHub({ clientId: "fuzz-client", clientSecret: "fuzz-client-secret", fetch: refuseNetwork }),
    ],
    bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } },
    logger: { error: (error) => void errors.push(error), warn: () => undefined, debug: () => undefined },
  };
}

interface Deployment {
  name: string;
  env: Env;
  trustHost: boolean | undefined;
  /** Origins requests are sent to. */
  origins: string[];
}

const DEPLOYMENTS: Deployment[] = [
  { name: "behind a proxy (trusted Host headers)", env: {}, trustHost: true, origins: ["http://app.test", "https://app.test", "http://localhost:3000", "http://[::1]:8080"] },
  { name: "with AUTH_URL", env: { AUTH_URL: "https://app.test/api/auth" }, trustHost: undefined, origins: ["https://app.test", "http://app.test", "http://internal:3000"] },
];

let material: TokenMaterial;
const sessionCodecs = SESSION_NAMES.map((salt) => createSessionCodec(SECRET, salt));
const PROTOTYPES: Array<[string, object]> = [
  ["Object.prototype", Object.prototype],
  ["Array.prototype", Array.prototype],
  ["Function.prototype", Function.prototype],
  ["String.prototype", String.prototype],
];
const prototypeKeys = (): string[] => PROTOTYPES.map(([name, proto]) => `${name}: ${Reflect.ownKeys(proto).map(String).sort().join(",")}`);
let pristine: string[];

beforeAll(async () => {
  vi.stubGlobal("fetch", refuseNetwork);
  const [plain, secure] = sessionCodecs;
  if (!plain || !secure) throw new Error("unreachable");
  const claims = { sub: "user-1", name: "Alice", email: "alice@example.com", sid: "sid-1" };
  const now = Math.floor(Date.now() / 1000);
  material = {
    plain: await plain.encode(claims, 3600),
    secure: await secure.encode(claims, 3600),
    foreign: [
      // Valid, but for the other cookie name: sent only under a name whose key differs.
      { token: await plain.encode(claims, 3600), notUnder: "authjs.session-token" },
      { token: await secure.encode(claims, 3600), notUnder: "__Secure-authjs.session-token" },
      { token: await createSessionCodec(OTHER_SECRET, "authjs.session-token").encode(claims, 3600), notUnder: "" },
      { token: await plain.encode(claims, 60, now - 3600), notUnder: "" },
      { token: await secure.encode(claims, 60, now - 3600), notUnder: "" },
    ],
  };
  pristine = prototypeKeys();
});

afterAll(() => {
  vi.unstubAllGlobals();
});

/** True when the request's own cookies carry a session latch would accept (fuzzing can, rarely, reassemble one). */
async function carriesValidSession(request: FuzzRequest): Promise<boolean> {
  const header = request.headers.find(([name]) => name === "cookie")?.[1];
  const cookies = parseCookieHeader(header);
  for (const [i, name] of SESSION_NAMES.entries()) {
    const { value } = readChunkedCookie(cookies, name);
    if (value && (await sessionCodecs[i]?.decode(value))) return true;
  }
  return false;
}

/** Hosts a redirect may lead to: the site's, as the request named it, and GitHub's for sign-in. */
function allowedHosts(request: FuzzRequest, deployment: Deployment): Set<string> {
  const hosts = new Set(["github.com"]);
  if (deployment.env.AUTH_URL) {
    hosts.add(new URL(deployment.env.AUTH_URL).host);
    return hosts;
  }
  hosts.add(new URL(request.url).host);
  for (const [name, value] of request.headers) {
    if (name !== "host" && name !== "x-forwarded-host") continue;
    // latch reads the first X-Forwarded-Host entry, and Host as a whole.
    const first = (name === "host" ? value : (value.split(",")[0] ?? "")).trim().toLowerCase();
    hosts.add(first);
    // As a URL normalizes it: a default port disappears (app.test:443 over https is app.test).
    for (const scheme of ["http", "https"]) {
      try {
        hosts.add(new URL(`${scheme}://${first}`).host);
      } catch {
        // not a host: latch ignores it too
      }
    }
  }
  return hosts;
}

const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

/** A TypeError (or kin) behind a logged error: a bug that an action turned into a polite answer. */
function programmingError(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if (PROGRAMMING_ERRORS.some((type) => current instanceof type)) return current;
  }
  return undefined;
}

function checkRedirect(target: string, request: FuzzRequest, deployment: Deployment): void {
  const url = new URL(target);
  expect(["http:", "https:"]).toContain(url.protocol);
  expect(url.username + url.password).toBe("");
  expect([...allowedHosts(request, deployment)]).toContain(url.host);
  if (url.host === "github.com") expect(url.pathname).toBe("/login/oauth/authorize");
}

describe.each(DEPLOYMENTS)("the engine $name", (deployment) => {
  const errors: Error[] = [];
  const config = makeConfig(errors);
  if (deployment.trustHost !== undefined) config.trustHost = deployment.trustHost;
  const resolved = resolveConfig(config, deployment.env);

  /** Sends one request and checks everything latch promises about the answer. */
  async function check(fuzzed: FuzzRequest): Promise<void> {
    errors.length = 0;
    const request = toRequest(fuzzed);
    const response = await handleToResponse(request, resolved);
    const text = await response.text();
    const logged = errors.map((error) => `${error.name}: ${error.message}${error.cause instanceof Error ? ` (cause ${error.cause.name}: ${error.cause.message})` : ""}`);

    expect(response.status, `status ${response.status}; logged: ${logged.join(" | ")}; body: ${text.slice(0, 300)}`).toBeLessThan(500);
    for (const error of errors) expect(programmingError(error), `logged: ${logged.join(" | ")}`).toBeUndefined();
    expect(prototypeKeys()).toEqual(pristine);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(fetched).toEqual([]);

    const validSessionSent = await carriesValidSession(fuzzed);
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(";")[0] ?? "";
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      if (/^(__Secure-)?authjs\.session-token(\.\d+)?$/.test(name) && !validSessionSent) expect(value, `session cookie set: ${line}`).toBe("");
      if (/latch\.bearer-fingerprint$/.test(name) && !validSessionSent) expect(value, `fingerprint cookie set: ${line}`).toBe("");
    }

    const json: unknown = response.headers.get("content-type") === "application/json" && text !== "" ? JSON.parse(text) : undefined;
    if (json !== null && typeof json === "object" && !validSessionSent) {
      expect(Object.keys(json)).not.toContain("token");
      expect(Object.keys(json)).not.toContain("refreshToken");
    }
    if (/\/api\/auth\/session\/?$/.test(new URL(request.url).pathname) && response.status === 200 && !validSessionSent) expect(json).toBeNull();

    const location = response.headers.get("location");
    if (location !== null) checkRedirect(location, fuzzed, deployment);
    if (json !== null && typeof json === "object" && "url" in json && typeof json.url === "string") checkRedirect(json.url, fuzzed, deployment);
  }

  it("answers random requests without 5xx, session, token, foreign redirect, network call or pollution", async () => {
    await fc.assert(fc.asyncProperty(fuzzRequest(deployment.origins, material, SECRET), check), fuzzRuns(250));
  });

  it("answers random POSTs that pass the CSRF check the same way", async () => {
    await fc.assert(fc.asyncProperty(fuzzRequest(deployment.origins, material, SECRET, true), check), fuzzRuns(150));
  });
});
