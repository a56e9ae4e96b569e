import { clientSafeErrorTypes, CredentialsSignin, errorUrlNames, isAuthError, type RateLimited } from "../errors.js";
import type { RequestContext } from "./config.js";
import type { CsrfState } from "./csrf.js";
import type { OutgoingCookie } from "./cookies.js";
import { isHttpUrl, sameOriginUrl } from "./callback-url.js";
import { pageLanguage, rateLimitedPage } from "./pages/index.js";
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

/**
 * True when the request proved it comes from our own page (or is a server action): the CSRF
 * token matches its cookie, and the browser did not mark the request as made by another site
 * (Fetch Metadata, OWASP CSRF CS) — a second wall for the day a token leaks.
 */
export function csrfVerified(action: ActionContext): boolean {
  if (action.skipCSRFCheck) return true;
  return action.csrf.verified && action.request.headers.get("sec-fetch-site") !== "cross-site";
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
  if (isAuthError(error) && clientSafeErrorTypes.has(error.type)) return errorUrlNames[error.type] ?? error.type;
  return "Configuration";
}

// A form POST answered by a redirect: 303 makes every client follow it with GET.
export function seeOther(response: ResponseInternal): ResponseInternal {
  return response.redirect !== undefined && response.status === undefined ? { ...response, status: 303 } : response;
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
  return { redirect: target.href, cookies: [...action.baseCookies, ...cookies], error, refused: type };
}

/**
 * The answer to a throttled sign-in: 429 with `Retry-After` and a page that leads back to the
 * sign-in page; clients that asked for JSON get that page's URL with `error=RateLimited`.
 */
export function rateLimitedResponse(action: ActionContext, refused: RateLimited): ResponseInternal {
  const { ctx } = action;
  const { resolved } = ctx;
  resolved.logger.warn(`rate-limited: ${refused.message}`);
  const signInUrl = new URL(resolved.pages.signIn ?? `${ctx.authUrl}/signin`, ctx.origin);
  signInUrl.searchParams.set("error", "RateLimited");
  const language = pageLanguage(resolved.locales, action.request.headers);
  const page = rateLimitedPage({ retryAfter: refused.retryAfter, signInUrl: signInUrl.href, theme: resolved.theme, language });
  return { ...page, status: 429, headers: { ...page.headers, "retry-after": String(refused.retryAfter) }, redirect: signInUrl.href, error: refused, cookies: action.baseCookies };
}

/**
 * The request an app's code receives (`authorize`, `sendVerificationRequest`): latch has read the
 * original's body, so — as in next-auth — a copy whose body is the submitted fields as JSON
 * (`await request.json()` works). Its string fields only, as a form has: a JSON body may nest
 * deeper than JSON.stringify can go.
 *
 * @example
 * ```ts
 * const user = await provider.authorize(credentials, requestWithFields(action));
 * ```
 */
export function requestWithFields(action: ActionContext): Request {
  const { request } = action;
  const headers = new Headers(request.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  const fields = Object.fromEntries(Object.entries(action.body).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  return new Request(request.url, { method: request.method, headers, body: JSON.stringify(fields) });
}
