"use client";
/**
 * latch in the browser, in next-auth/react v5's shape: `<SessionProvider>`, `useSession()`, and
 * `signIn`, `signOut`, `getSession`, `getCsrfToken`, `getProviders`. A next-auth app migrates by
 * changing `next-auth/react` to `latch/react`.
 *
 * Each provider keeps its own session state (the module keeps only the `basePath` a provider
 * was given, for the standalone functions, and who listens for changes), keeps tabs in sync,
 * checks the session just after it expires, adopts the session a server render passes after a
 * server action, and keeps what it shows when a refetch fails.
 */
export { SessionProvider } from "./session-provider.js";
export { useSession } from "./use-session.js";
export { getSession } from "./get-session.js";
export { getCsrfToken } from "./get-csrf-token.js";
export { getProviders } from "./get-providers.js";
export { signIn } from "./sign-in.js";
export { signOut } from "./sign-out.js";
export { ClientFetchError } from "./client-fetch-error.js";
export { useBearerClient } from "./use-bearer-client.js";
export { createBearerClient, type BearerClient, type BearerClientOptions, type BearerStorage } from "../client/bearer.js";
export type {
  ClientOptions,
  ClientProviderId,
  ClientSafeProvider,
  GetSessionOptions,
  Register,
  SessionContextValue,
  SessionProviderProps,
  SessionStatus,
  SignInAuthorizationParams,
  SignInOptions,
  SignInResponse,
  SignOutOptions,
  SignOutParams,
  SignOutResponse,
  UpdateSession,
  UseSessionOptions,
} from "./types.js";
export type { Session } from "../types.js";
