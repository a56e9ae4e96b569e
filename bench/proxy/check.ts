/**
 * What the load relies on, checked once per app before it starts: a signed-in request gets the
 * protected page and the session, a signed-out one a redirect. A load of a page that answers
 * something else would measure the wrong thing.
 */
import type { App } from "./apps.js";
import { RENEWED_COOKIE } from "./cookies.js";
import type { Server } from "./server.js";

/** The user every signed-in cookie carries (bench/proxy/cookies.ts). */
const EMAIL = "alice@example.com";

/** What the checks saw, for the report. */
export interface CheckResult {
  /** The status a request without a session got (a redirect), for apps that authenticate. */
  signedOutStatus?: number;
  /** Whether a signed-in request through the proxy got a renewed session cookie back, for apps that authenticate. */
  renewsSessionCookie?: boolean;
}

/**
 * Checks `app` served by `server` with the signed-in `cookie`; throws, with the server's output,
 * when it does not behave as a protected page and a session route.
 *
 * @example
 * ```ts
 * const { signedOutStatus } = await checkApp(app, server, cookies.latch.header);
 * ```
 */
export async function checkApp(app: App, server: Server, cookie: string): Promise<CheckResult> {
  const fail = (what: string): never => {
    throw new Error(`bench: ${app.key}: ${what}; not benchmarking. Server output:\n${server.output()}`);
  };
  const page = `${server.url}/dashboard`;
  const signedIn = await fetch(page, { redirect: "manual", headers: { accept: "text/html", cookie } });
  const body = await signedIn.text();
  if (signedIn.status !== 200 || !body.includes("Dashboard")) fail(`GET /dashboard with a session answered ${signedIn.status}, not 200 with the page`);

  const session = await fetch(`${server.url}${app.sessionPath}`, { headers: { accept: "application/json", cookie } });
  const json = await session.text();
  if (session.status !== 200 || !json.includes(EMAIL)) fail(`GET ${app.sessionPath} with a session answered ${session.status} ${json.slice(0, 200)}, not the session`);
  if (!app.authenticates) return {};

  const signedOut = await fetch(page, { redirect: "manual", headers: { accept: "text/html" } });
  await signedOut.body?.cancel();
  if (signedOut.status < 300 || signedOut.status > 399 || !signedOut.headers.has("location")) {
    fail(`GET /dashboard without a session answered ${signedOut.status}, not a redirect to sign-in`);
  }
  const renewed = RENEWED_COOKIE[app.key];
  const renewsSessionCookie = renewed !== null && signedIn.headers.getSetCookie().some((line) => line.startsWith(`${renewed}=`));
  return { signedOutStatus: signedOut.status, renewsSessionCookie };
}
