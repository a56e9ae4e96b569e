/**
 * A config written in the `NextAuth()` call: its providers' ids become `signIn()`'s, and the
 * callbacks see the augmented `User`, `JWT` and `Session`.
 */
import NextAuth from "latch/next";
import Credentials from "latch/providers/credentials";
import GitHub from "latch/providers/github";
import OIDC from "latch/providers/oidc";
import { expectTypeOf } from "vitest";
import type { Role } from "./augment.js";

export const { handlers, auth, signIn, getAccessToken, requireSession, unstable_update } = NextAuth({
  providers: [
    GitHub,
    OIDC({ id: "local", name: "Local", issuer: "http://127.0.0.1:4000", clientId: "app", clientSecret: "secret" }),
    Credentials({
      credentials: { email: { label: "Email", type: "email" } },
      authorize: (credentials) => {
        expectTypeOf(credentials).toEqualTypeOf<Partial<Record<"email", unknown>>>();
        return { id: "1", role: "member" };
      },
    }),
  ],
  callbacks: {
    signIn({ user }) {
      expectTypeOf(user.role).toEqualTypeOf<Role>();
      return true;
    },
    jwt({ token, user }) {
      expectTypeOf(token.role).toEqualTypeOf<Role | undefined>();
      // `user` is declared optional in the params: present only at sign-in.
      if (user) token.role = user.role;
      return token;
    },
    session({ session, token }) {
      expectTypeOf(session.user.role).toEqualTypeOf<Role>();
      session.user.id = token.sub ?? "";
      session.user.role = token.role ?? "member";
      return session;
    },
  },
});
