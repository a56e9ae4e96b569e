import { clientSafeErrorTypes, CredentialsSignin, isAuthError } from "../errors.js";
import type { RequestContext } from "./config.js";
import type { CsrfState } from "./csrf.js";
import type { OutgoingCookie } from "./cookies.js";
import { isHttpUrl, sameOriginUrl } from "./callback-url.js";
import type { InternalProvider } from "./providers.js";
import type { ResponseInternal } from "./response.js";

/** Everything an action needs about the request it serves. */
export interface ActionContext {
  ctx: RequestContext;
  request: Request;
  method: "GET" | "POST";
  query: URLSearchParams;
  body: Record<string, unknown>;
  cookies: Map<string, string>;
  csrf: CsrfState;
  /** Server actions call the engine directly and rely on Next.js's own Origin check. */
  skipCSRFCheck: boolean;
  provider: InternalProvider | undefined;
  /** Cookies every response of this request carries (a freshly minted CSRF cookie). */
  baseCookies: OutgoingCookie[];
}

/** True when the request proved it comes from our own page (or is a server action). */
export function csrfVerified(action: ActionContext): boolean {
  return action.skipCSRFCheck || action.csrf.verified;
}

/**
 * Runs a URL through the app's `redirect` callback (default: same origin only) and makes sure
 * the result is http(s); anything else becomes the origin.
 */
export async function resolveRedirect(action: ActionContext, url: unknown): Promise<string> {
  const { origin, resolved } = action.ctx;
  const callback = resolved.config.callbacks?.redirect;
  if (!callback) return sameOriginUrl(url, origin);
  if (typeof url !== "string") return origin;
  const result = await callback({ url, baseUrl: origin });
  if (typeof result !== "string" || !isHttpUrl(result, origin)) return origin;
  return new URL(result, origin).href;
}

/** The callbackUrl a request asks for: body, then query, then the callback-url cookie. */
export function requestedCallbackUrl(action: ActionContext): unknown {
  return action.body.callbackUrl ?? action.query.get("callbackUrl") ?? action.cookies.get(action.ctx.cookies.callbackUrl.name);
}

/** The `?error=` value of an error: its type when client-safe, otherwise `Configuration`. */
export function errorParam(error: unknown): string {
  if (isAuthError(error) && clientSafeErrorTypes.has(error.type)) return error.type;
  return "Configuration";
}

/**
 * Where an error sends the user: the sign-in page for sign-in errors (they can retry), the
 * error page otherwise. The error is logged; only its type reaches the URL.
 */
export function errorRedirect(action: ActionContext, error: unknown, cookies: OutgoingCookie[] = []): ResponseInternal {
  const { ctx } = action;
  const { pages, logger } = ctx.resolved;
  logger.error(error instanceof Error ? error : new Error(String(error)));
  const type = errorParam(error);
  const signInKind = isAuthError(error) && (error).kind === "signIn";
  const target = new URL(signInKind ? (pages.signIn ?? `${ctx.authUrl}/signin`) : (pages.error ?? `${ctx.authUrl}/error`), ctx.origin);
  target.searchParams.set("error", type);
  if (error instanceof CredentialsSignin && type === "CredentialsSignin") target.searchParams.set("code", error.code);
  return { redirect: target.href, cookies: [...action.baseCookies, ...cookies], error };
}
