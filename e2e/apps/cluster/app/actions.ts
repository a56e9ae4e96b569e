"use server";

import { signIn, signOut, signOutEverywhere } from "../auth";

/** Signs in at the local IdP and comes back to the page the form was on. */
export async function signInLocal(): Promise<void> {
  await signIn("local");
}

/** Ends this session on every instance: the row is deleted ("database") or the token's sid revoked ("jwt"). */
export async function signOutHere(): Promise<void> {
  await signOut();
}

/** Ends every session of the user, on every device and instance (rows deleted, or a cut-off in Redis), then signs out here. */
export async function signOutOnEveryDevice(): Promise<void> {
  await signOutEverywhere();
}
