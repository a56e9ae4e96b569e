/**
 * The app's module augmentation, as the docs of `Session` tell apps to write it: `Session`,
 * `User` and `JWT` extended in "latch", and the client's provider ids registered in
 * "latch/react" from the server config's `signIn`.
 */
import type { DefaultSession } from "latch";
import type { signIn } from "./auth.js";

export type Role = "admin" | "member";

declare module "latch" {
  interface Session {
    user: { id: string; role: Role } & DefaultSession["user"];
  }
  interface User {
    role: Role;
  }
  interface JWT {
    role?: Role | undefined;
  }
}

declare module "latch/react" {
  interface Register {
    providerId: NonNullable<Parameters<typeof signIn>[0]>;
  }
}
