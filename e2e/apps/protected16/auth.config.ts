import type { NextAuthConfig } from "latch/next";

// Augments "latch", where Session is declared for apps; the type import below is what puts
// "latch" in the program (importing only "latch/next" leaves the augmentation pointing at a
// module TypeScript never loaded: TS2664).
import type {} from "latch";

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

/**
 * What auth.ts and the proxy share (the split-config pattern): the callbacks the proxy runs. No
 * providers: auth.ts adds them, and the proxy never signs anyone in.
 *
 * `PROTECTED_AUTHORIZED_THROWS=1` makes `authorized` throw, for the fail-closed check. It is
 * read per call, as an app reading its settings at request time would, so one build serves
 * both the normal and the broken server.
 */
const authConfig = {
  providers: [],
  callbacks: {
    authorized({ auth }) {
      if (process.env.PROTECTED_AUTHORIZED_THROWS === "1") throw new Error("protected: authorized throws because PROTECTED_AUTHORIZED_THROWS=1");
      return !!auth;
    },
    session({ session, token }) {
      return { ...session, tokenExpires: token.exp };
    },
  },
} satisfies NextAuthConfig;

export default authConfig;
