import { useContext, useEffect, useRef } from "react";
import { authUrl } from "./auth-url.js";
import { SessionContext } from "./session-context.js";
import type { SessionContextValue, UseSessionOptions } from "./types.js";

/**
 * The session, its status and `update()`, from the nearest `<SessionProvider>`.
 *
 * With `required: true` and no session, the status stays `"loading"` while the user is sent to
 * the sign-in page (and back here afterwards), or `onUnauthenticated` is called instead.
 *
 * @example
 * ```tsx
 * "use client";
 * import { useSession } from "latch/react";
 * export function Greeting() {
 *   const { data, status, update } = useSession();
 *   if (status !== "authenticated") return null;
 *   return <button onClick={() => void update({ name: "Ada" })}>Hello, {data.user?.name}</button>;
 * }
 * ```
 */
export function useSession<R extends boolean = false>(options?: UseSessionOptions<R>): SessionContextValue<R> {
  const provided = useContext(SessionContext);
  if (provided === undefined) {
    throw new Error('latch: useSession() found no <SessionProvider> above it. Wrap your app in <SessionProvider> from "latch/react" (in the App Router: in the root layout, around {children}).');
  }
  const { value, basePath } = provided;
  const mustLeave = options?.required === true && value.status === "unauthenticated";
  // The latest callback, so an inline function does not re-run the effect on every render.
  const onUnauthenticated = useRef(options?.onUnauthenticated);
  useEffect(() => {
    onUnauthenticated.current = options?.onUnauthenticated;
  });

  useEffect(() => {
    if (!mustLeave) return;
    const callback = onUnauthenticated.current;
    if (callback) callback();
    else window.location.assign(authUrl(basePath, "signin", { callbackUrl: window.location.href, error: "SessionRequired" }));
  }, [mustLeave, basePath]);

  if (mustLeave) return { data: null, status: "loading", update: value.update };
  return value as SessionContextValue<R>;
}
