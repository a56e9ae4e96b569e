import { auth } from "../auth";
import { SignInUrl, WhoAmI } from "./action-results";
import { rename, signInAsBob, signInPlain, signInUnknownProvider, signInWithoutProvider, signOutToBye } from "./actions";
import { SessionLine } from "./session-line";

/** Every server-action entry point of the Next layer, on one page, next to the session it renders with. */
export default async function HomePage() {
  const session = await auth();
  return (
    <main>
      <h1>latch checks</h1>
      <SessionLine session={session} />
      <pre data-testid="page-user">{JSON.stringify(session?.user ?? null)}</pre>
      <WhoAmI />
      <form action={signInPlain}>
        <button type="submit">Sign in</button>
      </form>
      <form action={signInAsBob}>
        <button type="submit">Sign in as Bob</button>
      </form>
      <SignInUrl />
      <form action={signInWithoutProvider}>
        <button type="submit">Sign in without a provider</button>
      </form>
      <form action={signInUnknownProvider}>
        <button type="submit">Sign in with an unknown provider</button>
      </form>
      <form action={rename}>
        <button type="submit">Rename</button>
      </form>
      <form action={signOutToBye}>
        <button type="submit">Sign out</button>
      </form>
    </main>
  );
}
