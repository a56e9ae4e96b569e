/** The augmented `Session`, `User` and `JWT` reach every reader: latch/next, latch/react, latch/jwt. */
import type { JWT as CoreJWT, Session, User } from "latch";
import { getToken, type JWT } from "latch/jwt";
import type { NextAuthRequest } from "latch/next";
import { useSession } from "latch/react";
import { expectTypeOf } from "vitest";
import type { Role } from "./augment.js";
import { auth, requireSession, unstable_update } from "./auth.js";

// One interface, whichever module names it.
expectTypeOf<JWT>().toEqualTypeOf<CoreJWT>();
expectTypeOf<User["role"]>().toEqualTypeOf<Role>();
expectTypeOf<Session["user"]["role"]>().toEqualTypeOf<Role>();
expectTypeOf<Session["user"]["id"]>().toEqualTypeOf<string>();

export async function serverComponent(): Promise<void> {
  const session = await auth();
  expectTypeOf(session).toEqualTypeOf<Session | null>();
  if (session) {
    expectTypeOf(session.user.id).toEqualTypeOf<string>();
    expectTypeOf(session.user.role).toEqualTypeOf<Role>();
    expectTypeOf(session.user).not.toHaveProperty("nickname");
  }
  expectTypeOf(await requireSession()).toEqualTypeOf<Session>();
  expectTypeOf(await unstable_update({})).toEqualTypeOf<Session | null>();
}

export const wrapped = auth((request) => {
  expectTypeOf(request).toEqualTypeOf<NextAuthRequest>();
  expectTypeOf(request.auth?.user.role).toEqualTypeOf<Role | undefined>();
});

export async function routeHandler(request: Request): Promise<void> {
  const token = await getToken({ req: request });
  expectTypeOf(token?.role).toEqualTypeOf<Role | undefined>();
  expectTypeOf(token?.sub).toEqualTypeOf<string | undefined>();
  // Undeclared claims stay readable, as `unknown`.
  expectTypeOf(token?.["other"]).toEqualTypeOf<unknown>();
  expectTypeOf(await getToken({ req: request, raw: true })).toEqualTypeOf<string | null>();
}

export function ClientComponent(): void {
  const { data, status } = useSession();
  if (status === "authenticated") {
    expectTypeOf(data.user.role).toEqualTypeOf<Role>();
    expectTypeOf(data.user.id).toEqualTypeOf<string>();
  }
}

// A user without the declared `role` is refused where latch takes a user.
expectTypeOf<{ id: string }>().not.toExtend<User>();
expectTypeOf<{ id: string; role: "admin" }>().toExtend<User>();
