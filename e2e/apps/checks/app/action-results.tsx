"use client";

import { useActionState } from "react";
import { signInUrl, whoAmI } from "./actions";

/**
 * Forms whose server action returns a value to show: `useActionState` is how a
 * page displays what an action returned.
 */
export function WhoAmI() {
  const [user, run] = useActionState(whoAmI, "");
  return (
    <form action={run}>
      <button type="submit">Who am I</button>
      <output data-testid="action-user">{user}</output>
    </form>
  );
}

/** Shows the URL `signIn("local", { redirect: false })` returned. */
export function SignInUrl() {
  const [url, run] = useActionState(signInUrl, "");
  return (
    <form action={run}>
      <button type="submit">Get the sign-in URL</button>
      <output data-testid="sign-in-url">{url}</output>
    </form>
  );
}
