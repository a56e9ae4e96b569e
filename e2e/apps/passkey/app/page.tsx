import { auth } from "../auth";
import { signOutWithForm } from "./actions";

export const dynamic = "force-dynamic";

/** Who is signed in, read on the server; a link to the built-in sign-in page, or a sign-out button. */
export default async function Home() {
  const session = await auth();
  const email = session?.user?.email;
  return (
    <main>
      <h1>Passkeys</h1>
      {email ? (
        <>
          <p data-testid="who">Signed in as {email}</p>
          <a href="/api/auth/signin">Add a passkey</a>
          <form action={signOutWithForm}>
            <button type="submit">Sign out</button>
          </form>
        </>
      ) : (
        <>
          <p data-testid="who">Not signed in</p>
          <a href="/api/auth/signin?callbackUrl=%2F">Sign in</a>
        </>
      )}
    </main>
  );
}
