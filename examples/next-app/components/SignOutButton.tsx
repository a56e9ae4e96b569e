import { signOut } from "../auth";

/** A server-action form: `signOut` clears the session cookie and redirects home. */
export function SignOutButton() {
  return (
    <form
      action={async () => {
        "use server";
        await signOut();
      }}
    >
      <button type="submit" className="secondary">
        Sign out
      </button>
    </form>
  );
}
