"use server";

import { signOut } from "../auth";

/** The server-action sign-out, back to the home page. */
export async function signOutWithForm(): Promise<void> {
  await signOut({ redirectTo: "/" });
}
