/**
 * For the React client's unit tests: what a mounted `<SessionProvider>` does, without React (its
 * store started and listening to the session channel), and the URL a stubbed fetch was called with.
 */
import { listen } from "../../src/react/session-channel.js";
import { SessionStore } from "../../src/react/session-store.js";
import type { Session } from "../../src/types.js";

/** What <SessionProvider> does on mount: start the store and listen to the channel. */
export function mountProvider(session: Session | null, basePath = "/api/auth") {
  const store = new SessionStore(basePath, session);
  store.start();
  const unlisten = listen(basePath, store.receive);
  return {
    store,
    unmount() {
      unlisten();
      store.stop();
    },
  };
}

/** The URL a fetch was called with, as a string. */
export function urlOf(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : input instanceof URL ? input.href : input;
}
