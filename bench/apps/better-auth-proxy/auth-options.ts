import type { BetterAuthOptions } from "better-auth";

/**
 * Better Auth in its stateless mode: no `database`, so the session lives only in cookies — the
 * signed `session_token`, the `session_data` cookie cache (JWE, A256CBC-HS512) that carries the
 * session and the user, and the OAuth account in `account_data`. Without a database Better Auth
 * turns these on itself (`cookieCache` with strategy "jwe", `refreshCache`, a `maxAge` of the
 * session's lifetime; `storeAccountCookie`); they are spelled out so the benchmark does not lean
 * on defaults. Its rate limiter is off: in production it allows 100 requests per 10 s from one
 * address, and the load comes from one (latch and next-auth do not limit session reads either).
 * The benchmark reads these options too, to sign a user in the way the app would. The provider
 * is never contacted: the benchmark only reads sessions.
 */
export const authOptions = {
  socialProviders: { github: { clientId: "bench", clientSecret: "bench" } },
  session: {
    expiresIn: 7 * 24 * 60 * 60,
    cookieCache: { enabled: true, strategy: "jwe", refreshCache: true, maxAge: 7 * 24 * 60 * 60 },
  },
  account: { storeAccountCookie: true },
  rateLimit: { enabled: false },
} satisfies BetterAuthOptions;
