import { auth } from "../auth";
import { WhoNeedsSession } from "./action-result";
import { signInLocal, signOutHome } from "./actions";

/** The public home page: outside the proxy's matcher, so it renders for everybody. */
export default async function HomePage() {
  const session = await auth();
  return (
    <main>
      <h1>latch protected routes</h1>
      <p data-testid="home-greeting">{session ? `Signed in as ${session.user?.name ?? "(no name)"}` : "Not signed in"}</p>
      <form action={signInLocal}>
        <button type="submit">Sign in</button>
      </form>
      <form action={signOutHome}>
        <button type="submit">Sign out</button>
      </form>
      <WhoNeedsSession />
    </main>
  );
}
