"use server";

import { auth, signIn, signOut, unstable_update } from "../auth";

/** The user `auth()` sees inside a server action, as JSON (`null` when signed out). */
export async function whoAmI(): Promise<string> {
  const session = await auth();
  return JSON.stringify(session?.user ?? null);
}

/** The plain sign-in: no options, so the callback URL is the page the form was on. */
export async function signInPlain(): Promise<void> {
  await signIn("local");
}

/** Authorization parameters pass through to the IdP; the user lands on /after. */
export async function signInAsBob(): Promise<void> {
  await signIn("local", { redirectTo: "/after" }, { login_hint: "bob", prompt: "login" });
}

/** `redirect: false` hands the authorization URL back instead of redirecting. */
export async function signInUrl(): Promise<string> {
  return signIn("local", { redirect: false });
}

/** No provider: the built-in sign-in page, coming back to this page. */
export async function signInWithoutProvider(): Promise<void> {
  await signIn();
}

/** A provider id the config does not know: the built-in sign-in page too. */
export async function signInUnknownProvider(): Promise<void> {
  await signIn("unknown", { redirectTo: "/after" });
}

/** Renames the user in the session through the `jwt` callback's `trigger: "update"`. */
export async function rename(): Promise<void> {
  await unstable_update({ name: "New Name" });
}

/** Signs out and lands on /bye. */
export async function signOutToBye(): Promise<void> {
  await signOut({ redirectTo: "/bye" });
}
