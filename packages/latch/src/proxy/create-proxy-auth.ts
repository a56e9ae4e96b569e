/**
 * The lean proxy: reads the JWT session cookie (never with jose), runs `callbacks.jwt` and
 * `callbacks.session`, renews the cookie, then answers as `auth` from `latch/next` does
 * (proxy-gate.ts). The session read and the answer are the engine's own modules, so both proxies
 * build the same session and write cookies each other reads.
 */
import type { NextRequest } from "next/server";
import { parseCookieHeader } from "../core/cookies.js";
import { requestOrigin, type Env } from "../core/env-settings.js";
import type { SessionJwe } from "../core/session/jwe-checks.js";
import { readJwtCookie } from "../core/session/read-jwt-cookie.js";
import { configuredTokenCodec, lightCodec } from "../core/session/session-codec.js";
import { EventError, MissingSecret } from "../errors.js";
import { configuredSite, NO_SESSION, runGuardedGate, type GateInput } from "../next/proxy-gate.js";
import type { NextAuthConfig, WrappedHandler } from "../next/types.js";
import type { LoggerInstance } from "../types.js";
import { proxyLogger, refusedOption, resolveProxySettings, type ProxySettings } from "./proxy-settings.js";
import type { ProxyAuth, ProxyAuthResult, ProxyConfig } from "./types.js";

/** What the lean proxy takes from its runtime; tests pass WebCrypto's `jwe` to run the Edge path on Node. */
export interface ProxyRuntime {
  /** The session-token cryptography. */
  jwe: SessionJwe;
  /** The environment, read when a config is first used. Default `process.env`. */
  env?: (() => Env) | undefined;
}


/** What the gate needs of the app's settings. */
function gateApp(settings: ProxySettings): GateInput["app"] {
  return { basePath: settings.basePath, signInPage: settings.config.pages?.signIn, authorized: settings.config.callbacks?.authorized };
}

function logFailure(logger: LoggerInstance | undefined, message: string, cause: unknown): void {
  const error = new Error(message, { cause });
  error.name = "LatchError";
  if (logger) logger.error(error);
  else console.error(`[latch][error] ${message}`, cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
}

/**
 * `NextAuth()` of `latch/proxy` on a given runtime. Never throws to Next.js: a config that cannot
 * be built, a missing secret or a refused option is logged, and the request is treated as
 * signed out (without a config at all, denied).
 *
 * @example
 * ```ts
 * const { auth } = createProxyAuth(authConfig, { jwe: webJwe }); // the Edge path, on Node
 * ```
 */
export function createProxyAuth(input: ProxyConfig, runtime: ProxyRuntime): ProxyAuthResult {
  const env = runtime.env ?? (() => globalThis.process?.env ?? {});
  const resolved = new WeakMap<NextAuthConfig, ProxySettings>();

  if (typeof input !== "function") {
    // Said at start-up too, not only with every request that then fails.
    const refused = refusedOption(input);
    if (refused) proxyLogger(input).error(refused);
  }

  async function readSession(request: NextRequest): Promise<Omit<GateInput, "logError"> & { settings: ProxySettings | undefined }> {
    let settings: ProxySettings | undefined;
    try {
      const current = typeof input === "function" ? await input(request) : input;
      settings = resolved.get(current);
      if (!settings) resolved.set(current, (settings = resolveProxySettings(current, env())));
      const { config, secrets, logger, basePath } = settings;
      if (settings.refused) throw settings.refused;
      if (secrets.length === 0) throw new MissingSecret("No secret is set. Set AUTH_SECRET (generate one with `openssl rand -base64 33`) or pass `secret` in the config.");
      const origin = requestOrigin(settings, request.headers, request.url);
      const sessionCookie = (config.useSecureCookies ?? origin.startsWith("https:")) ? settings.cookies[1] : settings.cookies[0];
      const event = config.events?.session;
      const result = await readJwtCookie(
        {
          callbacks: config.callbacks,
          logger,
          sessionMaxAge: settings.sessionMaxAge,
          jwtMaxAge: settings.jwtMaxAge,
          absoluteMaxAge: settings.absoluteMaxAge,
          sessionCookie,
          ...configuredTokenCodec(config.jwt, secrets, sessionCookie.name, settings.jwtMaxAge, (s, salt) => lightCodec(runtime.jwe, s, salt)),
          onSession: event
            ? async (session, token) => {
                try {
                  await event({ session, token });
                } catch (error) {
                  logger.error(new EventError('The "session" event handler threw.', { cause: error }));
                }
              }
            : undefined,
        },
        parseCookieHeader(request.headers.get("cookie")),
        { renew: true },
      );
      return { settings, app: gateApp(settings), site: { origin, authUrl: `${origin}${basePath === "/" ? "" : basePath}` }, result };
    } catch (error) {
      logFailure(settings?.logger, "The session could not be read; the request is treated as signed out.", error);
      return { settings, app: settings && gateApp(settings), site: configuredSite(settings), result: NO_SESSION };
    }
  }

  async function run(request: NextRequest, context: unknown, handler?: WrappedHandler<unknown>): Promise<Response> {
    const { settings, ...read } = await readSession(request);
    const logError = (message: string, cause: unknown) => logFailure(settings?.logger, message, cause);
    // The app's handler may throw to Next.js as it would without latch; nothing of latch's may.
    return runGuardedGate(request, context, handler, { ...read, logError });
  }

  // The forms are told apart by what the first argument is, not by how many there are.
  function auth(...args: unknown[]): Promise<Response> | ((request: NextRequest, context: unknown) => Promise<Response>) {
    const [first, second] = args;
    if (typeof first === "function") return (request: NextRequest, context: unknown) => run(request, context, first as WrappedHandler<unknown>);
    if (first instanceof Request) return run(first as NextRequest, second);
    throw new TypeError("latch: auth from latch/proxy is the proxy itself or wraps one (auth((req) => …)); to read the session elsewhere, call auth() from latch/next.");
  }

  return { auth: auth as ProxyAuth };
}
