import { createElement, useEffect, useMemo, useState, useSyncExternalStore, type ReactElement } from "react";
import { provideBasePath, resolveBasePath } from "./auth-url.js";
import { SessionContext, type ProvidedSession } from "./session-context.js";
import { listen } from "./session-channel.js";
import { MAX_TIMER_MS } from "./expiry.js";
import { SessionStore } from "./session-store.js";
import type { SessionContextValue, SessionProviderProps } from "./types.js";

/**
 * Makes the session available to `useSession()` below it, and keeps it current: it refetches
 * when the tab becomes visible, when the browser comes back online, every `refetchInterval`
 * seconds if asked, and just after the session expires (never before: fetching extends it); it
 * follows sign-in, sign-out and updates made in other tabs or by the standalone functions; and
 * it adopts the `session` prop whenever a server render passes a different one (a server action
 * signed in or out).
 *
 * @example
 * ```tsx
 * // app/layout.tsx (a server component)
 * import { SessionProvider } from "latch/react";
 * import { auth } from "@/auth";
 * export default async function RootLayout({ children }: { children: React.ReactNode }) {
 *   return <html><body><SessionProvider session={await auth()}>{children}</SessionProvider></body></html>;
 * }
 * ```
 */
export function SessionProvider(props: SessionProviderProps): ReactElement {
  const { children, refetchInterval = 0, refetchOnWindowFocus = true, refetchWhenOffline = false } = props;
  const basePath = resolveBasePath(props.basePath);
  // While rendering, as next-auth does: the children's effects and handlers may call signIn() at once.
  provideBasePath(props.basePath);
  const [store] = useState(() => new SessionStore(basePath, props.session));
  store.basePath = basePath;
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);

  // Compared by value: every server render passes a new object.
  const sessionProp = props.session === undefined ? undefined : JSON.stringify(props.session);
  useEffect(() => {
    store.adopt(props.session);
  }, [store, sessionProp]);

  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);

  useEffect(() => listen(basePath, store.receive), [store, basePath]);

  useEffect(() => {
    if (!refetchOnWindowFocus) return undefined;
    const onVisible = (): void => {
      if (document.visibilityState === "visible") void store.load();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [store, refetchOnWindowFocus]);

  useEffect(() => {
    const onOnline = (): void => void store.load();
    window.addEventListener("online", onOnline);
    return () => window.removeEventListener("online", onOnline);
  }, [store]);

  useEffect(() => {
    if (!(refetchInterval > 0) || !Number.isFinite(refetchInterval)) return undefined;
    // Past 2^31 - 1 ms setInterval overflows and fires every few milliseconds: held at its ceiling.
    const timer = setInterval(
      () => {
        if (!refetchWhenOffline && !navigator.onLine) return;
        if (store.hasSession()) void store.load();
      },
      Math.min(refetchInterval * 1000, MAX_TIMER_MS),
    );
    return () => clearInterval(timer);
  }, [store, refetchInterval, refetchWhenOffline]);

  const provided = useMemo<ProvidedSession>(() => {
    const value: SessionContextValue = { ...snapshot, update: store.update };
    return { value, basePath };
  }, [snapshot, store, basePath]);

  return createElement(SessionContext.Provider, { value: provided }, children);
}
