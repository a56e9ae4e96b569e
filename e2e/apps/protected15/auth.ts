import type { AuthConfig } from "latch";
import NextAuth from "latch/next";
import OIDC from "latch/providers/oidc";

// Augments "latch", where Session is declared for apps; the type import above is what
// puts "latch" in the program (importing only "latch/next" leaves the augmentation
// pointing at a module TypeScript never loaded: TS2664).
declare module "latch" {
  interface Session {
    /**
     * The `exp` of the token this render decoded. `session.expires` is computed as
     * "now + maxAge" on every read, so it moves even when the cookie was not renewed;
     * the token's own expiry only moves when the server components got the renewed cookie.
     */
    tokenExpires?: number | undefined;
  }
}

/** The repository's local IdP, so the fixture signs in with no accounts anywhere. */
const providers: AuthConfig["providers"] = [
  OIDC({
    id: "local",
    name: "Local IdP",
    issuer: process.env.AUTH_LOCAL_ISSUER ?? "http://127.0.0.1:4000",
    clientId: "latch-demo",
    clientSecret: process.env.AUTH_LOCAL_SECRET ?? "latch-demo-secret",
  }),
];

/**
 * `PROTECTED_AUTHORIZED_THROWS=1` makes `authorized` throw, for the fail-closed check. It is
 * read per call, as an app reading its settings at request time would, so one build serves
 * both the normal and the broken server.
 */
export const { handlers, auth, signIn, signOut, requireSession, protect } = NextAuth({
  providers,
  callbacks: {
    authorized({ auth }) {
      if (process.env.PROTECTED_AUTHORIZED_THROWS === "1") throw new Error("protected: authorized throws because PROTECTED_AUTHORIZED_THROWS=1");
      return !!auth;
    },
    session({ session, token }) {
      return { ...session, tokenExpires: token.exp };
    },
  },
});
