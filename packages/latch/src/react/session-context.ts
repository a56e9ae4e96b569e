import { createContext } from "react";
import type { SessionContextValue } from "./types.js";

/** What `<SessionProvider>` hands down: the hook's value, and the base path for the sign-in redirect. */
export interface ProvidedSession {
  value: SessionContextValue;
  basePath: string;
}

/** The context `useSession()` reads; `undefined` outside a `<SessionProvider>`. An identity, not state. */
export const SessionContext = createContext<ProvidedSession | undefined>(undefined);
