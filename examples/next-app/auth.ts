import NextAuth from "latch/next";
import { hashPassword, needsRehash, verifyPassword } from "latch/password";
import { SQLiteProviderTokenStore } from "latch/provider-tokens/sqlite";
import Credentials from "latch/providers/credentials";
import GitHub from "latch/providers/github";
import OIDC from "latch/providers/oidc";
import { adapter, db, getPasswordHash, getUserByEmail, setPasswordHash } from "./db";
import { normalizeEmail } from "./email";

/**
 * GitHub needs an OAuth app registered by hand, so the example falls back to
 * the repository's local IdP (`packages/local-idp`) and runs with no accounts
 * anywhere: `npm run demo` starts that IdP on 127.0.0.1:4000.
 */
const useGitHub = Boolean(process.env.AUTH_GITHUB_ID && process.env.AUTH_GITHUB_SECRET);

/**
 * The id of the provider the sign-in button starts, so the button never has to
 * know which provider is configured.
 *
 * @example
 * ```tsx
 * <form action={async () => { "use server"; await signIn(signInProviderId); }} />
 * ```
 */
export const signInProviderId = useGitHub ? "github" : "local";

/** The name the pages use for that provider. */
export const signInProviderName = useGitHub ? "GitHub" : "Local demo IdP";

/** The local IdP's issuer: its userinfo endpoint is where the example uses the access token. */
export const localIssuer = process.env.AUTH_LOCAL_ISSUER ?? "http://127.0.0.1:4000";

/**
 * Email and password accounts, created on /register and kept in SQLite next to latch's tables
 * (db.ts). latch checks the CSRF token and throttles guessing before `authorize` runs.
 */
const emailAndPassword = Credentials({
  name: "Email and password",
  credentials: {
    email: { label: "Email", type: "email", autocomplete: "username" },
    password: { label: "Password", type: "password", autocomplete: "current-password" },
  },
  async authorize(credentials) {
    const email = typeof credentials.email === "string" ? normalizeEmail(credentials.email) : "";
    const password = typeof credentials.password === "string" ? credentials.password : "";
    const user = email ? await getUserByEmail(email) : null;
    const stored = user ? getPasswordHash(user.id) : undefined;
    // Verify before looking at `user`: an unknown address (or an OIDC user without a password)
    // costs the same scrypt work as a wrong password, so timing does not tell them apart.
    const valid = await verifyPassword(password, stored);
    if (!valid || !user || stored === undefined) return null;
    // Hashes made with weaker costs than today's defaults are upgraded while the password is at hand.
    if (needsRehash(stored)) setPasswordHash(user.id, await hashPassword(password));
    // The stored user: with database sessions latch starts a session row for this id.
    return user;
  },
});

export const { handlers, signIn, signOut, auth, getAccessToken } = NextAuth({
  // Users, accounts and sessions live in SQLite: with an adapter, sessions are database
  // sessions (an opaque token in the cookie), which sign-out deletes at once.
  adapter,
  // The provider's access and refresh tokens of each sign-in stay on the server, in the same
  // SQLite file: getAccessToken() hands out a valid access token, refreshing it when it expires.
  providerTokens: { store: SQLiteProviderTokenStore(db) },
  providers: useGitHub
    ? [GitHub, emailAndPassword]
    : [
        OIDC({
          id: "local",
          name: signInProviderName,
          issuer: localIssuer,
          clientId: "latch-demo",
          // A fixed default keeps `npm run demo` zero-configuration; the local IdP is
          // bound to 127.0.0.1 and the value guards nothing outside this machine.
          clientSecret: process.env.AUTH_LOCAL_SECRET ?? "latch-demo-secret",
        }),
        emailAndPassword,
      ],
  // One JSON line per security event (sign-in, failure, sign-out, new device, …) on the server's
  // output; a real app sends them to its log pipeline. They carry ids, never tokens.
  audit(event) {
    console.info(`[audit] ${JSON.stringify(event)}`);
  },
  callbacks: {
    jwt({ token, account }) {
      // `account` is only present on the sign-in that created the token.
      if (account) token.provider = account.provider;
      return token;
    },
    session({ session, token }) {
      if (session.user) session.user.id = token.sub;
      return session;
    },
  },
});
