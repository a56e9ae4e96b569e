import { BearerPanel } from "../bearer-panel";
import { SessionPanel } from "../session-panel";
import { signInWithForm, signOutWithForm } from "./actions";

/** The client panel, next to server-action forms that change the session behind its back. */
export default function HomePage() {
  return (
    <main>
      <h1>latch client</h1>
      <SessionPanel />
      <BearerPanel />
      <form action={signInWithForm}>
        <input data-testid="server-username" name="username" aria-label="Server username" />
        <input data-testid="server-password" name="password" type="password" aria-label="Server password" />
        <button type="submit">Server sign in</button>
      </form>
      <form action={signOutWithForm}>
        <button type="submit">Server sign out</button>
      </form>
    </main>
  );
}
