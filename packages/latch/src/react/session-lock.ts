/**
 * Orders sign-out after the session requests already under way, in this tab and the others.
 *
 * `GET {basePath}/session` renews the session cookie. A renewal the server answered before a
 * sign-out but whose answer reaches the browser after it (a refetch on focus, a poll, another
 * tab's) writes the cookie back: the user who signed out is signed in again. A revocation store
 * refuses that cookie; without one, nothing would. So every session request holds a shared Web
 * Lock for its base path, and sign-out sends its POST under the exclusive one: it waits for the
 * requests in flight, and the ones asked meanwhile wait for it (and then find no session).
 * Where Web Locks are missing, sign-out waits for this document's requests only.
 */

/** How long sign-out waits for session requests in flight before it goes ahead anyway. */
export const SIGN_OUT_WAIT_MS = 5_000;

/** This document's session requests in flight, for browsers without Web Locks. */
const inFlight = new Set<Promise<unknown>>();

function lockName(basePath: string): string {
  return `latch.session-lock:${basePath}`;
}

function webLocks(): LockManager | undefined {
  const locks = typeof navigator === "undefined" ? undefined : (navigator as Partial<Navigator>).locks;
  return locks && typeof locks.request === "function" ? locks : undefined;
}

/**
 * Runs a session request (`read`) alongside the others, never alongside a sign-out's POST.
 *
 * @example
 * ```ts
 * const answer = await duringSessionRead(basePath, () => fetch(`${basePath}/session`));
 * ```
 */
export function duringSessionRead<T>(basePath: string, read: () => Promise<T>): Promise<T> {
  const locks = webLocks();
  // The lock manager resolves to what the callback's promise resolves to; `then` says so to TypeScript.
  if (locks) return locks.request(lockName(basePath), { mode: "shared" }, read).then((answer) => answer);
  const run = read();
  const settled: Promise<unknown> = run.then(
    () => inFlight.delete(settled),
    () => inFlight.delete(settled),
  );
  inFlight.add(settled);
  return run;
}

/**
 * Runs a sign-out's request (`write`) once the session requests in flight have been answered,
 * and holds back those asked meanwhile until it is done. After `waitMs` (a request that hangs)
 * it goes ahead anyway: a sign-out is never stuck behind a refetch.
 *
 * @example
 * ```ts
 * const answer = await afterSessionReads(basePath, () => fetch(`${basePath}/signout`, { method: "POST", body }));
 * ```
 */
export async function afterSessionReads<T>(basePath: string, write: () => Promise<T>, waitMs = SIGN_OUT_WAIT_MS): Promise<T> {
  const locks = webLocks();
  if (!locks) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([Promise.all([...inFlight]), timeout]);
    clearTimeout(timer);
    return write();
  }
  const waiting = new AbortController();
  const timer = setTimeout(() => waiting.abort(), waitMs);
  let started = false;
  try {
    return await locks.request(lockName(basePath), { mode: "exclusive", signal: waiting.signal }, () => {
      started = true;
      clearTimeout(timer);
      return write();
    });
  } catch (error) {
    // Only the wait was given up: go ahead without the lock.
    if (!started && waiting.signal.aborted) return write();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
