/**
 * next-auth v5's engine (@auth/core's `Auth`, the dev-dependency oracle) driven like a browser:
 * for tests that sign in under next-auth and then hand the cookies to latch.
 */
import { Auth as AuthCore } from "@auth/core";
import { absorbCookies, cookieHeaderOf, type CookieJar } from "./engine-client.js";

/** @auth/core's `Auth`, answering a Response (its raw mode is not used here). */
export const nextAuthEngine = AuthCore as unknown as (request: Request, config: never) => Promise<Response>;

/** `GET /api/auth/csrf` under next-auth: its cookie lands in `jar`; resolves to the token. */
export async function nextAuthCsrf(config: object, origin: string, jar: CookieJar): Promise<string> {
  const response = await nextAuthEngine(new Request(`${origin}/api/auth/csrf`, { headers: { cookie: cookieHeaderOf(jar) } }), config as never);
  absorbCookies(jar, response);
  return ((await response.json()) as { csrfToken: string }).csrfToken;
}

/** A credentials sign-in under next-auth, with the CSRF token it issued: its cookies land in `jar`. */
export async function nextAuthCredentialsSignIn(config: object, origin: string, jar: CookieJar, csrfToken: string, fields: Record<string, string>): Promise<void> {
  const response = await nextAuthEngine(
    new Request(`${origin}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeaderOf(jar) },
      body: new URLSearchParams({ csrfToken, ...fields }),
    }),
    config as never,
  );
  absorbCookies(jar, response);
}
