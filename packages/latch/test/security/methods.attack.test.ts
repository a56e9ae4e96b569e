/**
 * Attack class: requests with methods a route does not serve — verb tampering, TRACE (cross-site
 * tracing), WebDAV verbs, method-override headers.
 * References (shared/reference/security.md): ASVS 4.1.4 (block unused methods), ASVS 3.5.3 (state
 * changes only through POST), ASVS 16.5.3 / lesson 4 (fail closed: 4xx, never a 5xx), ASVS 14.3.2
 * (no-store on every answer).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Auth } from "../../src/index.js";
import { BASE_PATH, isolateAuthEnv, suiteApp } from "./helpers/app.js";
import { ROUTE_CONTRACT, routesOfContract, routesOfEngine } from "./helpers/routes.js";
import { rawRequest, requestWithMethod, serveEngine, type Served } from "./helpers/serve.js";

const ORIGIN = "https://app.test";

isolateAuthEnv();
beforeEach(() => {
  vi.stubEnv("AUTH_URL", ORIGIN);
});

// Standard, WebDAV, and ones fetch refuses to build (TRACE, TRACK, CONNECT), and odd spellings.
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "TRACK", "CONNECT", "QUERY", "PROPFIND", "MKCOL", "LOCK", "SEARCH", "patch", "FOO", "GETS", "POSTX"];

async function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const app = suiteApp();
  const hasBody = !["GET", "HEAD"].includes(method.toUpperCase());
  const init: RequestInit = { headers: { host: "app.test", ...headers, ...(hasBody ? { "content-type": "application/x-www-form-urlencoded" } : {}) }, ...(hasBody ? { body: "csrfToken=x" } : {}) };
  return Auth(requestWithMethod(`${ORIGIN}${path}`, method, init), app.config);
}

function allowOf(response: Response): string[] {
  return (response.headers.get("allow") ?? "").split(/,\s*/).filter(Boolean).sort();
}

describe("the route table (ASVS 4.1.4)", () => {
  it("the suite's contract lists exactly the routes and methods the engine serves", () => {
    expect(routesOfEngine(suiteApp().config)).toEqual(routesOfContract());
  });
});

describe("every route with every method it does not serve → 405 with Allow (ASVS 4.1.4; 16.5.3)", () => {
  const cases = ROUTE_CONTRACT.flatMap((route) => METHODS.filter((method) => !(route.methods as readonly string[]).includes(method)).map((method): [string, string, readonly string[]] => [method, route.path, route.methods]));

  it.each(cases)("%s %s → 405, Allow: %j", async (method, path, allowed) => {
    const response = await call(method, path);
    expect(response.status).toBe(405);
    expect(allowOf(response)).toEqual([...allowed].sort());
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toMatchObject({ error: "MethodNotAllowed" });
    // Refused before anything ran: no cookie minted, nothing to cache.
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("cache-control")).toContain("no-store");
  });

  it.each(ROUTE_CONTRACT.map((route): [string, readonly string[]] => [route.path, route.methods]))("%s: each method it serves is answered, never with a 405 or a 5xx (%j)", async (path, methods) => {
    for (const method of methods) {
      const response = await call(method, path);
      expect(response.status, method).not.toBe(405);
      expect(response.status, method).toBeLessThan(500);
    }
  });

  it("the methods a callback serves follow its provider: credentials and passkey responses are only POSTed", async () => {
    expect(allowOf(await call("GET", `${BASE_PATH}/callback/credentials`))).toEqual(["POST"]);
    expect(allowOf(await call("PUT", `${BASE_PATH}/callback/passkey`))).toEqual(["POST"]);
    expect(allowOf(await call("PUT", `${BASE_PATH}/callback/email`))).toEqual(["GET", "POST"]);
    expect(allowOf(await call("DELETE", `${BASE_PATH}/callback/github`))).toEqual(["GET", "POST"]);
  });

  it.each(METHODS)("%s on a route a provider's type does not have (/webauthn-options/github) → 404", async (method) => {
    const response = await call(method, `${BASE_PATH}/webauthn-options/github`);
    expect(response.status).toBe(404);
  });

  it.each(METHODS)("%s on an unknown route → 404; on an unknown provider → 404 or 405, never a 5xx", async (method) => {
    expect((await call(method, `${BASE_PATH}/nope`)).status).toBe(404);
    expect((await call(method, `${BASE_PATH}/providers/extra/segments`)).status).toBe(404);
    const unknownProvider = await call(method, `${BASE_PATH}/signin/nope`);
    expect([404, 405]).toContain(unknownProvider.status);
  });

  it.each<[string, string, Record<string, string>]>([
    ["PUT /signout with X-HTTP-Method-Override: POST", "PUT", { "x-http-method-override": "POST" }],
    ["DELETE /signout with X-Method-Override: POST", "DELETE", { "x-method-override": "POST" }],
    ["PATCH /signout with X-HTTP-Method: POST", "PATCH", { "x-http-method": "POST" }],
  ])("%s: override headers are not honoured → 405", async (_label, method, headers) => {
    expect((await call(method, `${BASE_PATH}/signout`, headers)).status).toBe(405);
  });

  it("a wrong method is a 405 even when the app is misconfigured (no secret): the method is checked first", async () => {
    const app = suiteApp({ extra: { secret: undefined } });
    const response = await Auth(requestWithMethod(`${ORIGIN}${BASE_PATH}/session`, "PUT"), app.config);
    expect(response.status).toBe(405);
  });
});

describe("over a real socket: every method node's HTTP parser lets through (it refuses TRACK itself) reaches latch as a 405 (ASVS 4.1.4)", () => {
  let served: Served;

  beforeAll(async () => {
    served = await serveEngine();
  });

  afterAll(async () => {
    await served.close();
  });

  it.each(["TRACE", "PROPFIND", "MKCOL", "PURGE", "OPTIONS", "DELETE", "HEAD"])("%s on every route → 405 with Allow, never a 5xx", async (method) => {
    vi.stubEnv("AUTH_URL", served.origin);
    served.use(suiteApp().config);
    for (const route of ROUTE_CONTRACT) {
      const response = await rawRequest(served.origin, route.path, { method, headers: { "max-forwards": "0", cookie: "authjs.session-token=secret-cookie" } });
      expect(response.status, `${method} ${route.path}`).toBe(405);
      expect(String(response.headers.allow).split(/,\s*/).sort()).toEqual([...route.methods].sort());
      // TRACE never echoes the request (cross-site tracing would read the cookie back).
      expect(response.body).not.toContain("secret-cookie");
      expect(response.headers["x-serve-error"]).toBeUndefined();
    }
  });
});
