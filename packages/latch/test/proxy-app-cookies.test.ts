/**
 * A session cookie the app deletes in the proxy — a `Response` from `authorized`, or from a
 * wrapped `auth((req) => …)` handler (a ban, a forced sign-out) — stays deleted: the renewed
 * session cookie is not appended after the app's deletion (a browser applies Set-Cookie in
 * order). Lean proxy and latch/next alike.
 */
import { describe, expect, it } from "vitest";
import { NextResponse } from "next/server";
import { RUNTIMES, request, setCookies, type ProxyFn } from "./helpers/proxy-requests.js";
import { encode } from "../src/jwt.js";
import EngineNextAuth from "../src/next/index.js";
import type { NextAuthConfig } from "../src/next/types.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";

const SECRET = "cleared-secret-of-enough-length-0123456789";
const SALT = "authjs.session-token";
const quiet = { error: () => undefined, warn: () => undefined };

/** What a browser keeps after applying the response's Set-Cookie headers in order. */
function browserKeeps(response: Response, name: string): string | undefined {
  let value: string | undefined = "<sent>";
  for (const c of setCookies(response)) {
    if (c.name !== name) continue;
    const expired = c.attributes["max-age"] === "0" || (typeof c.attributes.expires === "string" && Date.parse(c.attributes.expires) <= Date.now());
    value = expired || c.value === "" ? undefined : c.value;
  }
  return value;
}

function banned(): NextResponse {
  const response = NextResponse.redirect("http://127.0.0.1:3000/banned");
  response.cookies.delete(SALT);
  return response;
}

const config = (callbacks: NextAuthConfig["callbacks"]): NextAuthConfig => ({ secret: SECRET, trustHost: true, providers: [], logger: quiet, callbacks });

type Auth = ProxyFn & ((handler: (req: unknown) => Response) => ProxyFn);
const proxies: Array<[string, (c: NextAuthConfig) => Auth]> = [
  ...RUNTIMES.map(([name, jwe]): [string, (c: NextAuthConfig) => Auth] => [`latch/proxy on ${name}`, (c) => createProxyAuth(c, { jwe, env: () => ({}) }).auth]),
  ["latch/next", (c) => EngineNextAuth(c).auth],
];

describe.each(proxies)("%s", (_name, make) => {
  it("a session cookie the authorized callback's Response deletes stays deleted", async () => {
    const cookie = `${SALT}=${await encode({ token: { name: "Mallory", sub: "u9" }, secret: SECRET, salt: SALT })}`;
    const proxy = make(config({ authorized: ({ auth }) => (auth ? banned() : false) }));
    const response = await proxy(request("/dashboard", { cookie }));
    expect(response.status).toBe(307);
    expect(browserKeeps(response, SALT)).toBeUndefined();
  });

  it("a session cookie a wrapped handler's Response deletes stays deleted", async () => {
    const cookie = `${SALT}=${await encode({ token: { name: "Mallory", sub: "u9" }, secret: SECRET, salt: SALT })}`;
    const proxy = make(config({}))(() => banned());
    const response = await proxy(request("/dashboard", { cookie }));
    expect(browserKeeps(response, SALT)).toBeUndefined();
  });
});
