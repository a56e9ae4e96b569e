import { auth } from "../auth";
import { signInLocal, signOutHere, signOutOnEveryDevice } from "./actions";

/** The session this instance sees, and the three actions, each a server action. */
export default async function HomePage() {
  const session = await auth();
  return (
    <main>
      <h1>latch cluster</h1>
      {/* Which instance rendered the page, for the screenshots of a failed test. */}
      <p data-testid="instance">{process.env.CLUSTER_INSTANCE ?? "(unnamed instance)"}</p>
      <p data-testid="page-greeting">{session ? `Signed in as ${session.user?.name ?? "(no name)"}` : "Not signed in"}</p>
      <form action={signInLocal}>
        <button type="submit">Sign in</button>
      </form>
      <form action={signOutHere}>
        <button type="submit">Sign out</button>
      </form>
      <form action={signOutOnEveryDevice}>
        <button type="submit">Sign out everywhere</button>
      </form>
    </main>
  );
}
