import NextAuth from "latch/next";
import GitHub from "latch/providers/github";
import OIDC from "latch/providers/oidc";
import { SQLiteAdapter } from "latch/adapters/sqlite";
import { openDatabase } from "./db";

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

export const { handlers, signIn, signOut, auth } = NextAuth({
  // Users, accounts and sessions live in SQLite: with an adapter, sessions are database
  // sessions (an opaque token in the cookie), which sign-out deletes at once.
  adapter: SQLiteAdapter(openDatabase()),
  providers: useGitHub
    ? [GitHub]
    : [
        OIDC({
          id: "local",
          name: "Local demo IdP",
          issuer: process.env.AUTH_LOCAL_ISSUER ?? "http://127.0.0.1:4000",
          clientId: "latch-demo",
          // A fixed default keeps `npm run demo` zero-configuration; the local IdP is
          // bound to 127.0.0.1 and the value guards nothing outside this machine.
          clientSecret: process.env.AUTH_LOCAL_SECRET ?? "latch-demo-secret",
        }),
      ],
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
