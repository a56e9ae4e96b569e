"use server";

import { signIn, signOut } from "../../auth";

/** The server-action sign-in: the form's username and password, back to the page the form was on. */
export async function signInWithForm(formData: FormData): Promise<void> {
  await signIn("credentials", formData);
}

/** The server-action sign-out, back to the home page. */
export async function signOutWithForm(): Promise<void> {
  await signOut({ redirectTo: "/" });
}
