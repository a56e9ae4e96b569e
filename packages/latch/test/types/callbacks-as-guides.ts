/**
 * Callbacks as the Auth.js guides write them compile against latch, with the app's augmentation
 * of augment.ts (`User.role`, `Session.user` with `id` and `role`): the session callback's
 * `session.user` is always there, and a field added to `User` reaches stored users
 * (`AdapterUser`), as in Auth.js. Where latch is stricter on purpose (`user` exists only with
 * database sessions; `update()` data is the browser's, `unknown`), the checked form compiles.
 */
import type { User } from "latch";
import type { AdapterUser } from "latch/adapters";
import NextAuth from "latch/next";
import GitHub from "latch/providers/github";
import { expectTypeOf } from "vitest";

expectTypeOf<AdapterUser>().toExtend<User>();
expectTypeOf<AdapterUser["role"]>().toEqualTypeOf<User["role"]>();

export const guides = NextAuth({
  providers: [GitHub],
  callbacks: {
    jwt({ token, trigger, session }) {
      if (trigger === "update" && typeof session === "object" && session !== null && "name" in session && typeof session.name === "string") token.name = session.name;
      return token;
    },
    session({ session, token, user }) {
      // authjs.dev "extending the session": no check needed on session.user.
      if (token.sub) session.user.id = token.sub;
      // authjs.dev "role-based access control" (database sessions): the stored user's role.
      if (user) session.user.role = user.role;
      return session;
    },
  },
});
