/**
 * auth() in server components shares one session read per request, keyed by the request's
 * cookies: a session cookie deleted later in the same request (a sign-out in a server action, then
 * a re-render) is seen, whatever the cookie is named (`cookies.sessionToken.name`).
 */
import { expect, it, vi } from "vitest";
import { encode } from "../src/jwt.js";

const scope = { cookies: new Map<string, string>(), headers: new Headers({ host: "127.0.0.1:3000" }) };
// One store object per request, as Next.js hands out.
const store = {
  get: (name: string) => (scope.cookies.has(name) ? { name, value: scope.cookies.get(name) ?? "" } : undefined),
  getAll: () => [...scope.cookies].map(([name, value]) => ({ name, value })),
  set: (name: string, value: string, options?: { maxAge?: number }) => {
    if (options?.maxAge === 0 || value === "") scope.cookies.delete(name);
    else scope.cookies.set(name, value);
  },
  delete: (name: string) => void scope.cookies.delete(name),
};
vi.mock("next/headers", () => ({ headers: async () => scope.headers, cookies: async () => store }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`NEXT_REDIRECT ${url}`);
  },
  unstable_rethrow: () => undefined,
}));

const SECRET = "memo-secret-of-enough-length-0123456789";

it.each([["authjs.session-token"], ["app_sid"]])("auth() sees the session cookie removed later in the same request (cookie %s)", async (name) => {
  const { default: NextAuth } = await import("../src/next/index.js");
  const { auth } = NextAuth({ secret: SECRET, trustHost: true, providers: [], cookies: { sessionToken: { name } }, logger: { error: () => undefined, warn: () => undefined } });
  scope.cookies.clear();
  scope.cookies.set(name, await encode({ token: { name: "Alice", sub: "u1" }, secret: SECRET, salt: name }));
  expect(await auth()).not.toBeNull();
  // A server action signs the user out (the cookie is deleted from the request's store), then
  // the page re-renders in the same request and checks again.
  store.delete(name);
  expect(await auth()).toBeNull();
});
