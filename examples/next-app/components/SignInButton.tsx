import { signIn, signInProviderId } from "../auth";

/**
 * A server-action form, so signing in works before (and without) any client
 * JavaScript: `signIn` sets the check cookies and redirects to the provider.
 */
export function SignInButton({ label = "Sign in" }: { label?: string }) {
  return (
    <form
      action={async () => {
        "use server";
        await signIn(signInProviderId);
      }}
    >
      <button type="submit">{label}</button>
    </form>
  );
}
