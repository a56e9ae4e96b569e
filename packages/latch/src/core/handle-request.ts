import type { ActionContext } from "./action-context.js";
import { callbackAction } from "./actions/callback.js";
import { csrfAction, errorAction, providersAction, verifyRequestAction } from "./actions/info.js";
import { sessionAction } from "./actions/session.js";
import { jwksAction, revokeAction, tokenAction } from "./actions/token.js";
import { signInAction, signInPageAction } from "./actions/signin.js";
import { signOutAction, signOutPageAction } from "./actions/signout.js";
import { webAuthnOptionsAction } from "./actions/webauthn-options.js";
import { createRequestContext, type RequestContext, type ResolvedConfig } from "./config.js";
import { parseCookieHeader } from "./cookies.js";
import { resolveCsrf } from "./csrf.js";
import { errorPage, pageLanguage } from "./pages/index.js";
import type { InternalProvider } from "./providers.js";
import { toResponse, type ResponseInternal } from "./response.js";
import type { ProviderType } from "../types.js";
import { CredentialsSignin, isAuthError, RateLimited } from "../errors.js";
import { emitAudit } from "./audit.js";
import { failSpan, setSpanAttribute, traced } from "./telemetry.js";

/** How the engine is called: by the route handlers, or directly by server actions. */
export interface HandleOptions {
  /** Skip the CSRF token check: only for server actions, which Next.js protects by Origin. */
  skipCSRFCheck?: boolean | undefined;
  /** Milliseconds a POST body may take to arrive (default 10 s); tests shorten it. */
  bodyTimeoutMs?: number | undefined;
  /**
   * The framework routes only latch's paths here and may have cut a leading part of basePath
   * (Next.js route handlers under next.config's basePath): such a path is served as the one under it.
   */
  mounted?: boolean | undefined;
}

type Method = "GET" | "POST";
type Handler = (action: ActionContext) => ResponseInternal | Promise<ResponseInternal>;

interface Route {
  /** Handlers by method, for the action without and with a provider segment. */
  plain?: Partial<Record<Method, Handler>>;
  withProvider?: Partial<Record<Method, Handler>>;
  /** The provider types a method serves, when not every type: another type gets 405 (404 when no method is left). */
  only?: Partial<Record<Method, readonly ProviderType[]>>;
}

/**
 * The route table: `<basePath>/<action>[/<provider>]`. Anything not here is a 404; a known
 * route with another method is a 405 with `Allow`. Exported so the security suite can prove it
 * covers every route.
 */
export const ROUTES: Readonly<Record<string, Route>> = {
  providers: { plain: { GET: providersAction } },
  csrf: { plain: { GET: csrfAction } },
  session: { plain: { GET: sessionAction, POST: sessionAction } },
  signin: { plain: { GET: signInPageAction }, withProvider: { POST: signInAction } },
  // Credentials and passkey responses are only ever POSTed: their callback has no GET.
  callback: { withProvider: { GET: callbackAction, POST: callbackAction }, only: { GET: ["oauth", "oidc", "email"] } },
  signout: { plain: { GET: signOutPageAction, POST: signOutAction } },
  error: { plain: { GET: errorAction } },
  "verify-request": { plain: { GET: verifyRequestAction } },
  // Passkeys: the options of a WebAuthn ceremony (404 for providers of another type).
  "webauthn-options": { withProvider: { GET: webAuthnOptionsAction }, only: { GET: ["webauthn"] } },
  // Bearer tokens (answer 404 unless `bearer` is configured).
  token: { plain: { POST: tokenAction } },
  jwks: { plain: { GET: jwksAction } },
  revoke: { plain: { POST: revokeAction } },
};

/** The handlers a route has for this provider (all of them without one). */
function handlersFor(route: Route, provider: InternalProvider | undefined): Partial<Record<Method, Handler>> | undefined {
  const handlers = provider === undefined ? route.plain : route.withProvider;
  if (!handlers || !provider || !route.only) return handlers;
  const only = route.only;
  const served = (Object.keys(handlers) as Method[]).filter((method) => only[method]?.includes(provider.type) ?? true);
  return Object.fromEntries(served.map((method) => [method, handlers[method]]));
}

const PAGE_ACTIONS = new Set(["signin", "signout", "error", "verify-request"]);
const MAX_BODY_BYTES = 64 * 1024;
const BODY_TIMEOUT_MS = 10_000;

function jsonError(status: number, error: string, message: string, headers?: Record<string, string>): ResponseInternal {
  return { status, body: { error, message }, headers };
}

/**
 * The path under basePath (`prefix`, with its trailing slash). With `mounted`, also a path that
 * lacks a leading part of basePath: Next.js gives route handlers their URL without next.config's
 * `basePath`, while latch's basePath (AUTH_URL's path) carries it — `/api/auth/signin` for
 * `/app/api/auth`. Only for a framework that routes nothing but latch's own paths to the handler.
 */
function pathUnderBasePath(pathname: string, prefix: string, mounted: boolean): string | undefined {
  if (pathname.startsWith(prefix)) return pathname.slice(prefix.length);
  if (!mounted) return undefined;
  for (let cut = prefix.indexOf("/", 1); cut !== -1 && cut < prefix.length - 1; cut = prefix.indexOf("/", cut + 1)) {
    const rest = prefix.slice(cut);
    if (pathname.startsWith(rest)) return pathname.slice(rest.length);
  }
  return undefined;
}

/** Splits the path after basePath into action and provider id; `null` when it is not ours. */
export function parseAction(pathname: string, basePath: string, mounted = false): { action: string; providerId: string | undefined } | null {
  const prefix = basePath === "/" ? "/" : `${basePath}/`;
  const under = pathUnderBasePath(pathname, prefix, mounted);
  if (under === undefined) return null;
  const segments = under.split("/");
  if (segments.at(-1) === "") segments.pop();
  if (segments.length < 1 || segments.length > 2 || !segments[0]) return null;
  let providerId: string | undefined;
  if (segments[1] !== undefined) {
    try {
      providerId = decodeURIComponent(segments[1]);
    } catch {
      return null;
    }
  }
  return { action: segments[0], providerId };
}

/**
 * Reads at most `limit` bytes of the body within `timeoutMs`; a body that streams more is
 * refused without being read, and one that stalls (a slow-body attack holding the request
 * open) is cut off.
 */
async function readLimited(request: Request, limit: number, timeoutMs: number): Promise<{ text: string } | "too-large" | "timeout"> {
  if (!request.body) return { text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === "timeout") {
        reader.cancel().catch(() => undefined);
        return "timeout";
      }
      const { done, value } = next;
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        return "too-large";
      }
      chunks.push(value);
    }
  } catch {
    return { text: "" };
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { text: new TextDecoder().decode(bytes) };
}

async function readBody(request: Request, timeoutMs: number): Promise<Record<string, unknown> | "too-large" | "timeout"> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json" && type !== "application/x-www-form-urlencoded") return {};
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return "too-large";
  const read = await readLimited(request, MAX_BODY_BYTES, timeoutMs);
  if (read === "too-large" || read === "timeout") return read;
  const { text } = read;
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Answers a configuration problem: for a page route, the app's `pages.error` with
 * `?error=Configuration` (as next-auth does for a GET) or latch's error page; JSON otherwise, and
 * to a script that asked for JSON (`X-Auth-Return-Redirect`: `latch/react`, next-auth/react) a 500
 * with that page's URL and `error: "Configuration"`. Never leaks details. `authUrl` is a path
 * alone when the request's origin is unknown.
 */
function configurationError(resolved: ResolvedConfig, error: unknown, action: string, authUrl: string, request: Request): ResponseInternal {
  resolved.logger.error(error instanceof Error ? error : new Error(String(error)));
  if (!PAGE_ACTIONS.has(action)) return jsonError(500, "Configuration", "There was a problem with the server configuration. Check the server logs for more information.");
  const appErrorPage = resolved.pages.error;
  const base = /^https?:\/\//i.test(authUrl) ? new URL(authUrl).origin : "http://origin.invalid";
  const pageUrl = (page: string): string => {
    const target = new URL(page, base);
    target.searchParams.set("error", "Configuration");
    return target.origin === "http://origin.invalid" ? `${target.pathname}${target.search}` : target.href;
  };
  // Not from latch's own error route: its failure must not send the browser round in a loop.
  const usable = appErrorPage && action !== "error" ? appErrorPage : undefined;
  if (request.headers.has("x-auth-return-redirect")) return { status: 500, redirect: pageUrl(usable ?? `${authUrl}/error`), refused: "Configuration" };
  if (usable && request.method.toUpperCase() === "GET") return { status: 302, redirect: pageUrl(usable) };
  return errorPage({ error: "Configuration", authUrl, theme: resolved.theme, language: pageLanguage(resolved.locales, request.headers) });
}

/**
 * The engine: a Web `Request` under `basePath` in, an internal response out. Client input
 * never produces a 5xx; configuration errors do, with details only in the server log.
 */
export async function handleRequest(request: Request, resolved: ResolvedConfig, options: HandleOptions = {}): Promise<ResponseInternal> {
  if (!resolved.config.tracer) return handleUntraced(request, resolved, options);
  let parsed: ReturnType<typeof parseAction> = null;
  try {
    parsed = parseAction(new URL(request.url).pathname, resolved.basePath, options.mounted);
  } catch {
    // An invalid URL is answered 400 inside; the span is named generically.
  }
  const action = parsed && Object.hasOwn(ROUTES, parsed.action) ? parsed.action : undefined;
  const attributes: Record<string, string> = { "http.request.method": request.method.toUpperCase() };
  if (action) attributes["latch.action"] = action;
  // Only a configured provider's id: the path is the client's to choose, the span's cardinality is not.
  if (action && parsed?.providerId !== undefined && resolved.providers.some((p) => p.id === parsed?.providerId)) attributes["latch.provider"] = parsed.providerId;
  return traced(resolved, action ? `latch ${action}` : "latch request", attributes, async (span) => {
    const response = await handleUntraced(request, resolved, options);
    const status = response.status ?? (response.redirect !== undefined ? 302 : 200);
    setSpanAttribute(span, "http.response.status_code", status);
    if (isAuthError(response.error)) setSpanAttribute(span, "latch.error", response.error.type);
    if (status >= 500) failSpan(span, `latch answered ${status}`);
    return response;
  });
}

async function handleUntraced(request: Request, resolved: ResolvedConfig, options: HandleOptions): Promise<ResponseInternal> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return jsonError(400, "BadRequest", "The request URL is invalid.");
  }
  const parsed = parseAction(url.pathname, resolved.basePath, options.mounted);
  const route = parsed && Object.hasOwn(ROUTES, parsed.action) ? ROUTES[parsed.action] : undefined;
  if (!parsed || !route) return jsonError(404, "UnknownAction", `No latch route at ${url.pathname}. Routes live under ${resolved.basePath}/.`);

  const provider = parsed.providerId === undefined ? undefined : resolved.providers.find((p) => p.id === parsed.providerId);
  const unknownProvider = parsed.providerId !== undefined && !provider;
  // An unknown provider is answered (404) once the request context exists; until then the route's methods apply.
  const handlers = unknownProvider ? route.withProvider : handlersFor(route, provider);
  if (!handlers || Object.keys(handlers).length === 0) return jsonError(404, "UnknownAction", `${url.pathname} is not a latch route.`);
  const rawMethod = request.method.toUpperCase();
  const method: Method | undefined = rawMethod === "GET" || rawMethod === "POST" ? rawMethod : undefined;
  const handler = method ? handlers[method] : undefined;
  if (!method || !handler) {
    const allow = Object.keys(handlers).join(", ");
    return jsonError(405, "MethodNotAllowed", `${rawMethod} is not allowed on ${url.pathname}; use ${allow}.`, { allow });
  }

  let ctx: RequestContext;
  try {
    ctx = createRequestContext(resolved, request.headers, request.url);
  } catch (error) {
    // Without AUTH_URL and a trusted host, the request's URL names no origin latch may use: the page links by path.
    return configurationError(resolved, error, parsed.action, `${resolved.envOrigin ?? ""}${resolved.basePath === "/" ? "" : resolved.basePath}`, request);
  }

  if (unknownProvider) {
    const page = errorPage({ error: "default", authUrl: ctx.authUrl, theme: resolved.theme, language: pageLanguage(resolved.locales, request.headers) });
    return { ...page, status: 404 };
  }

  const body = method === "POST" ? await readBody(request, options.bodyTimeoutMs ?? BODY_TIMEOUT_MS) : {};
  if (body === "too-large") return jsonError(413, "PayloadTooLarge", `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
  if (body === "timeout") return jsonError(408, "RequestTimeout", `The request body did not arrive within ${(options.bodyTimeoutMs ?? BODY_TIMEOUT_MS) / 1000} s.`, { connection: "close" });
  const cookies = parseCookieHeader(request.headers.get("cookie"));
  const csrf = await resolveCsrf(cookies.get(ctx.cookies.csrfToken.name), ctx.secrets, method === "POST" ? body.csrfToken : undefined);
  const action: ActionContext = {
    ctx,
    request,
    method,
    query: url.searchParams,
    body,
    cookies,
    csrf,
    skipCSRFCheck: options.skipCSRFCheck === true,
    provider,
    baseCookies: csrf.cookie ? [{ name: ctx.cookies.csrfToken.name, value: csrf.cookie, options: ctx.cookies.csrfToken.options }] : [],
  };
  let response: ResponseInternal;
  try {
    response = await handler(action);
  } catch (error) {
    // Actions turn expected failures into redirects; reaching here is a bug or a misconfiguration.
    response = { ...configurationError(resolved, error, parsed.action, ctx.authUrl, request), error };
  }
  if (provider && SIGN_IN_ACTIONS.has(parsed.action) && response.error !== undefined) await auditSignInFailure(resolved, provider, response.error, request);
  return response;
}

// Routes where an error means a failed sign-in (starting one, or its callback).
const SIGN_IN_ACTIONS = new Set(["signin", "callback"]);

async function auditSignInFailure(resolved: ResolvedConfig, provider: InternalProvider, error: unknown, request: Request): Promise<void> {
  // A throttled attempt is its own event (rate-limited), emitted where it is counted.
  if (error instanceof RateLimited) return;
  const type = isAuthError(error) ? error.type : "Configuration";
  const code = error instanceof CredentialsSignin ? error.code : undefined;
  await emitAudit(resolved, { type: "sign-in-failed", provider: provider.id, error: type, ...(code !== undefined ? { code } : {}) }, request);
}

/** Runs the engine and returns a Web `Response`. */
export async function handleToResponse(request: Request, resolved: ResolvedConfig, options: HandleOptions = {}): Promise<Response> {
  const internal = await handleRequest(request, resolved, options);
  return toResponse(internal, request.headers.has("x-auth-return-redirect"));
}
