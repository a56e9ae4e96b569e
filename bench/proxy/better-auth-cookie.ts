/**
 * A signed-in Better Auth user, made by Better Auth's own code: its OAuth callback, after the
 * token exchange, calls `handleOAuthUserInfo` (create the user and account, keep the account in
 * `account_data` when there is no database) and then `setSessionCookie` (the signed
 * `session_token` and the `session_data` JWE). A benchmark-only endpoint runs those two calls
 * with a GitHub sign-in's profile and token, in an instance with the app's options, so the
 * cookies are the ones a browser would hold after signing in with GitHub — no network, no
 * hand-written crypto.
 */
import { randomBytes } from "node:crypto";
import { betterAuth, type BetterAuthPlugin } from "better-auth";
import { createAuthEndpoint } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import { handleOAuthUserInfo } from "better-auth/oauth2";
import { authOptions } from "../apps/better-auth-proxy/auth-options.js";

/** What a browser sends with the sign-in: Better Auth keeps the user agent in the session. */
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/** The origin the instance believes it serves: http, so no `__Secure-` cookie names (as the app on loopback). */
const BASE_URL = "http://127.0.0.1:3000";

/** The same user as the other libraries' cookies (bench/proxy/cookies.ts), as GitHub describes it. */
const githubUser = {
  id: "1",
  name: "Alice Example",
  email: "alice@example.com",
  image: "https://avatars.githubusercontent.com/u/1?v=4",
  emailVerified: true,
};

/** The endpoint that finishes a sign-in as the OAuth callback does, past the token exchange. */
const benchSignIn = {
  id: "bench-sign-in",
  endpoints: {
    benchSignIn: createAuthEndpoint("/bench/sign-in", { method: "POST" }, async (ctx) => {
      const result = await handleOAuthUserInfo(ctx, {
        userInfo: githubUser,
        // GitHub's access tokens are `gho_` and 36 characters; GitHub issues no id token.
        account: { providerId: "github", accountId: githubUser.id, accessToken: `gho_${randomBytes(27).toString("base64url")}`, scope: "read:user,user:email" },
      });
      if (result.error !== null) throw new Error(`bench: Better Auth refused the sign-in: ${result.error}`);
      await setSessionCookie(ctx, result.data);
      return ctx.json({ signedIn: true });
    }),
  },
} satisfies BetterAuthPlugin;

/** One cookie of the signed-in state: its name and value. */
export interface NamedCookie {
  name: string;
  value: string;
}

/**
 * The cookies a browser holds after signing in with GitHub to a Better Auth app configured with
 * `authOptions` and `secret`, in the order Better Auth set them.
 *
 * @example
 * ```ts
 * const cookies = await signInBetterAuth(secret);
 * const header = cookies.map(({ name, value }) => `${name}=${value}`).join("; ");
 * ```
 */
export async function signInBetterAuth(secret: string): Promise<NamedCookie[]> {
  const auth = betterAuth({ ...authOptions, secret, baseURL: BASE_URL, plugins: [benchSignIn], logger: { disabled: true } });
  const response = await auth.handler(
    new Request(`${BASE_URL}/api/auth/bench/sign-in`, { method: "POST", headers: { origin: BASE_URL, "user-agent": USER_AGENT } }),
  );
  if (response.status !== 200) throw new Error(`bench: Better Auth's sign-in answered ${response.status}: ${await response.text()}`);
  const cookies: NamedCookie[] = [];
  for (const line of response.headers.getSetCookie()) {
    const pair = line.split(";", 1)[0] ?? "";
    const eq = pair.indexOf("=");
    // An expiring Set-Cookie (Max-Age=0) clears a cookie: the browser would not send it.
    if (eq < 1 || /;\s*max-age=0(;|$)/i.test(line)) continue;
    cookies.push({ name: pair.slice(0, eq), value: pair.slice(eq + 1) });
  }
  const names = cookies.map((cookie) => cookie.name);
  if (!names.includes("better-auth.session_token") || !names.includes("better-auth.session_data")) {
    throw new Error(`bench: Better Auth's sign-in set ${names.join(", ") || "no cookies"}, not a session_token and a session_data cookie`);
  }
  return cookies;
}
