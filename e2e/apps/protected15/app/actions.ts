"use server";

import { SessionRequired } from "latch/next";
import { requireSession, signIn, signOut } from "../auth";

/** The sign-in button: straight to the local IdP, back to the page the form was on. */
export async function signInLocal(): Promise<void> {
  await signIn("local");
}

/** The sign-out button: back to the home page, signed out. */
export async function signOutHome(): Promise<void> {
  await signOut({ redirectTo: "/" });
}

/**
 * A server action that needs a user, as the README shows: `onMissing: "throw"`, so the
 * action can answer with a message instead of a redirect.
 */
export async function whoNeedsSession(): Promise<string> {
  try {
    const session = await requireSession({ onMissing: "throw" });
    return `session for ${session.user?.name ?? "(no name)"}`;
  } catch (error) {
    if (error instanceof SessionRequired) return "SessionRequired";
    throw error;
  }
}
