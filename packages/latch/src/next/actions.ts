import { redirect } from "next/navigation";
import { createRequestContext } from "../core/config.js";
import type { OutgoingCookie } from "../core/cookies.js";
import { handleRequest } from "../core/handle-request.js";
import type { ResolvedConfig } from "../core/config.js";
import { endUserSessions, requireEndable } from "../core/end-user-sessions.js";
import { signedInSession } from "../core/signed-in-user.js";
import { CallbackRouteError, EmailSignInError, InvalidProvider, isAuthError, OAuthSignInError, SignOutError } from "../errors.js";
import type { Session } from "../types.js";
import { requestCookies, requestHeaders } from "./request-scope.js";
import type { Instance } from "./instance.js";
import type { NextAuthResult, SignInArguments } from "./types.js";

type CookieStore = Awaited<ReturnType<typeof requestCookies>>;

function applyCookies(store: CookieStore, list: OutgoingCookie[] | undefined): void {
  for (const { name, value, options } of list ?? []) {
    store.set(name, value, {
      path: options.path ?? "/",
      httpOnly: options.httpOnly ?? true,
      secure: options.secure ?? false,
      ...(options.sameSite ? { sameSite: options.sameSite } : {}),
      ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
      ...(options.expires ? { expires: options.expires } : {}),
      ...(options.domain ? { domain: options.domain } : {}),
    });
  }
}

/**
 * True when the browser says another site sent this server action: an opaque `Origin: null`
 * (a sandboxed frame) or `Sec-Fetch-Site: cross-site`. Next.js checks a server action's Origin,
 * but 16.0.1–16.1.6 took "null" for a missing header (GHSA-mq59-m269-xvcx).
 */
function sentCrossSite(headers: Pick<Headers, "get">): boolean {
  return headers.get("origin") === "null" || headers.get("sec-fetch-site") === "cross-site";
}

/** The server action's request as audit events record it (its headers; the URL is ours). */
async function actionRequest(origin: string): Promise<Request> {
  return new Request(origin, { headers: await requestHeaders() });
}

/**
 * The request being served, for audit events, when there is one: `revokeUser()` may also run in
 * a script or a job, outside any request.
 */
async function currentRequest(resolved: ResolvedConfig): Promise<Request | undefined> {
  try {
    const headers = await requestHeaders();
    return new Request(createRequestContext(resolved, headers).origin, { headers });
  } catch {
    return undefined;
  }
}

/**
 * Calls the engine from a server action: same code path as the routes, with the CSRF token
 * check skipped because Next.js checks server actions' Origin itself — unless the browser marked
 * the action cross-site, which is then refused as a forged form is. Cookies go through
 * `cookies()`.
 */
async function callEngine(instance: Instance, path: string, init: { query?: URLSearchParams; body: string; contentType: string }) {
  const resolved = await instance.getConfig(undefined);
  const incoming = await requestHeaders();
  const ctx = createRequestContext(resolved, incoming);
  const url = new URL(`${ctx.authUrl}${path}`);
  if (init.query) url.search = init.query.toString();
  const forwarded = new Headers();
  // The client address headers feed rate limiting, as they would on the route; Accept-Language
  // picks the language of a sign-in email.
  for (const name of ["host", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-for", "x-real-ip", "cookie", "user-agent", "accept-language"]) {
    const value = incoming.get(name);
    if (value !== null) forwarded.set(name, value);
  }
  forwarded.set("content-type", init.contentType);
  const response = await handleRequest(new Request(url, { method: "POST", headers: forwarded, body: init.body }), resolved, { skipCSRFCheck: !sentCrossSite(incoming) });
  applyCookies(await requestCookies(), response.cookies);
  const status = response.status ?? (response.redirect !== undefined ? 302 : 200);
  return { redirect: response.redirect, body: response.body, error: response.error, status };
}

type EngineResult = Awaited<ReturnType<typeof callEngine>>;

/**
 * Why the engine answered without a redirect (a body over 64 KiB, a callback that threw): the
 * engine's own error, or one that says what it answered. The action throws it rather than send
 * the user to an unchecked `redirectTo` or report a sign-out that did not happen.
 */
function engineFailure(result: EngineResult, what: string, make: (message: string) => Error): Error {
  if (result.error instanceof Error) return result.error;
  const body: unknown = result.body;
  const detail = typeof body === "object" && body !== null && "message" in body && typeof body.message === "string" ? `: ${body.message}` : "";
  return make(`${what} failed: latch answered ${result.status}${detail}`);
}

/**
 * A server action's option as a form field: a number or boolean as the string next-auth's
 * URLSearchParams makes of it (`pin: 1234` → "1234"); no field for what has no text form.
 */
function fieldValue(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" ? String(value) : undefined;
}

async function refererOr(fallback: string): Promise<string> {
  return (await requestHeaders()).get("referer") ?? fallback;
}

/** The server-action functions of a `NextAuth()` call. */
type Actions = Pick<NextAuthResult, "signIn" | "signOut" | "unstable_update" | "signOutEverywhere" | "revokeUser">;

export function createActions(instance: Instance): Actions {
  const actions: Actions = {
    async signIn(provider?: string, options?: SignInArguments[0], authorizationParams?: SignInArguments[1]) {
      const fields: Record<string, string> = {};
      let redirectTo: string | undefined;
      let shouldRedirect = true;
      if (options instanceof FormData) {
        for (const [key, value] of options) if (typeof value === "string") fields[key] = value;
        redirectTo = fields.redirectTo;
      } else if (options) {
        for (const [key, value] of Object.entries(options)) {
          const field = fieldValue(value);
          if (field !== undefined) fields[key] = field;
        }
        redirectTo = options.redirectTo;
        shouldRedirect = options.redirect !== false;
      }
      delete fields.redirectTo;
      delete fields.redirect;
      const callbackUrl = redirectTo ?? (await refererOr("/"));
      const resolved = await instance.getConfig(undefined);
      let target: string;
      if (!provider || !resolved.providers.some((p) => p.id === provider)) {
        const ctx = createRequestContext(resolved, await requestHeaders());
        target = `${ctx.authUrl}/signin?${new URLSearchParams({ callbackUrl })}`;
      } else {
        const type = resolved.providers.find((p) => p.id === provider)?.type;
        if (type === "webauthn") {
          throw new InvalidProvider(
            `signIn("${provider}") cannot run in a server action: a passkey needs the browser (navigator.credentials). Send the user to the built-in sign-in page — call signIn() without a provider, or link to ${resolved.basePath}/signin — or call signIn("${provider}") from "latch/react" in a client component, which leads there.`,
          );
        }
        const credentials = type === "credentials";
        // Credentials go straight to their callback, as next-auth's signIn does.
        const result = await callEngine(instance, `/${credentials ? "callback" : "signin"}/${encodeURIComponent(provider)}`, {
          query: new URLSearchParams(authorizationParams),
          body: new URLSearchParams({ ...fields, callbackUrl }).toString(),
          contentType: "application/x-www-form-urlencoded",
        });
        // A refused credentials or email sign-in throws its AuthError, as next-auth's does, so the
        // action can show why (err.type / err.code): CredentialsSignin, RateLimited, AccessDenied…
        if ((credentials || type === "email") && isAuthError(result.error)) throw result.error;
        if (result.redirect === undefined) {
          const ErrorType = credentials ? CallbackRouteError : type === "email" ? EmailSignInError : OAuthSignInError;
          throw engineFailure(result, `signIn("${provider}")`, (message) => new ErrorType(message));
        }
        target = result.redirect;
      }
      if (shouldRedirect) redirect(target);
      return target;
    },
    async signOut(options) {
      const callbackUrl = options?.redirectTo ?? (await refererOr("/"));
      const result = await callEngine(instance, "/signout", {
        body: new URLSearchParams({ callbackUrl }).toString(),
        contentType: "application/x-www-form-urlencoded",
      });
      // Without a redirect the sign-out did not happen (the session cookie is as it was): say so.
      if (result.redirect === undefined) throw engineFailure(result, "signOut()", (message) => new SignOutError(message));
      const target = result.redirect;
      if (options?.redirect !== false) redirect(target);
      return target;
    },
    async unstable_update(data) {
      const result = await callEngine(instance, "/session", { body: JSON.stringify({ data }), contentType: "application/json" });
      // A refused update (413, 500) has an error body, not a session: no session is null, never truthy.
      if (result.status < 200 || result.status >= 300) return null;
      return (result.body as Session | null | undefined) ?? null;
    },
    async signOutEverywhere(options) {
      // A cross-site call revokes nothing; the sign-out it falls through to is refused.
      if (sentCrossSite(await requestHeaders())) return actions.signOut(options);
      const resolved = await instance.getConfig(undefined);
      const ctx = createRequestContext(resolved, await requestHeaders());
      const store = await requestCookies();
      // The checks of a session read: an ended, expired or revoked session's cookie ends nobody's sessions.
      let userId: string | undefined;
      try {
        userId = (await signedInSession(ctx, new Map(store.getAll().map((c) => [c.name, c.value]))))?.userId;
      } catch (error) {
        // Nothing was ended: say so rather than sign out here alone as if every session had been.
        throw new SignOutError("signOutEverywhere() could not tell whose session this is (a store did not answer); no session was ended. Try again.", { cause: error });
      }
      // Said even when nobody is signed in here: a missing adapter method or store is a config error.
      if (userId === undefined) requireEndable(resolved, "signOutEverywhere()");
      else await endUserSessions(resolved, userId, "sign-out-everywhere", "signOutEverywhere()", await actionRequest(ctx.origin));
      return actions.signOut(options);
    },
    async revokeUser(userId) {
      if (typeof userId !== "string" || userId === "") throw new TypeError("revokeUser(userId) takes the id of a user (session.user.id, the token's sub), a non-empty string.");
      const resolved = await instance.getConfig(undefined);
      await endUserSessions(resolved, userId, "revoked-by-app", "revokeUser()", await currentRequest(resolved));
    },
  };
  return actions;
}
