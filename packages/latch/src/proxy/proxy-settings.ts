/**
 * The lean proxy's view of a config: the edge-safe part `NextAuth()` from `latch/proxy` uses,
 * resolved as the engine resolves it (env-settings.ts, cookies.ts), and what in it is refused.
 */
import { sessionTokenCookie } from "../core/cookies.js";
import { readSecrets, readUrlSettings, type Env, type UrlSettings } from "../core/env-settings.js";
import { absoluteMaxAgeOf } from "../core/session/lifetime.js";
import { UnsupportedStrategy } from "../errors.js";
import type { NextAuthConfig } from "../next/types.js";
import type { CookieOption, LoggerInstance } from "../types.js";

/** A config as the lean proxy uses it. */
export interface ProxySettings extends UrlSettings {
  config: NextAuthConfig;
  /** Newest first: the first encrypts, all decrypt. Empty when none is set (every read then fails). */
  secrets: string[];
  sessionMaxAge: number;
  jwtMaxAge: number;
  /** `session.absoluteMaxAge`, checked (core/session/lifetime.ts). */
  absoluteMaxAge: number | undefined;
  logger: LoggerInstance;
  /** The session cookie over http and over https (`__Secure-`). */
  cookies: readonly [plain: CookieOption, secure: CookieOption];
  /** Why the lean proxy cannot read sessions with this config, if it cannot. */
  refused: Error | undefined;
}

/**
 * What in `config` the lean proxy cannot do, as one error that says what to do instead;
 * `undefined` when there is nothing.
 *
 * @example
 * ```ts
 * refusedOption({ providers: [], session: { strategy: "database" } })?.message; // 'latch/proxy reads JWT session cookies only …'
 * ```
 */
export function refusedOption(config: NextAuthConfig): UnsupportedStrategy | undefined {
  const refused = [
    config.session?.strategy === "database" ? 'session.strategy "database"' : config.adapter ? "`adapter`" : "",
    config.revocation ? "`revocation` (a revoked session would pass)" : "",
    config.bearer ? "`bearer` (bearer tokens are not verified here)" : "",
    config.providerTokens ? "`providerTokens`" : "",
  ].filter(Boolean);
  if (refused.length === 0) return undefined;
  return new UnsupportedStrategy(
    `latch/proxy reads JWT session cookies only and cannot use ${refused.join(", ")}. Give proxy.ts the config without it (auth.config.ts, shared with auth.ts) and check sessions where the data is read, with auth(), requireSession() or protect() from latch/next, or keep those routes out of the matcher; or use \`auth\` from latch/next as the proxy.`,
  );
}

/**
 * The app's `logger`, or the console with latch's prefixes; debug lines only with `debug: true`.
 * Not core/logger.ts's, whose redaction adds 2.5 KB to the proxy bundle: the proxy logs its own
 * messages, which never hold a token, and the name and message of what the app's callbacks throw.
 *
 * @example
 * ```ts
 * proxyLogger(authConfig).error(new Error("…"));
 * ```
 */
export function proxyLogger(config: Pick<NextAuthConfig, "logger" | "debug">): LoggerInstance {
  const custom = config.logger ?? {};
  return {
    error:
      custom.error ??
      ((error) => console.error(`[latch][error] ${error.name}: ${error.message}`, ...(error.cause instanceof Error ? [`\n  cause: ${error.cause.name}: ${error.cause.message}`] : []))),
    warn: custom.warn ?? ((code) => console.warn(`[latch][warn] ${code}`)),
    debug: config.debug ? (custom.debug ?? ((message, metadata) => console.debug(`[latch][debug] ${message}`, metadata ?? ""))) : () => undefined,
  };
}

/**
 * Applies defaults and environment inference (`AUTH_SECRET…`, `AUTH_URL`, `AUTH_TRUST_HOST`) as
 * the engine does. Never throws: a missing secret or a refused option fails each request.
 *
 * @example
 * ```ts
 * const settings = resolveProxySettings(authConfig, process.env);
 * ```
 */
export function resolveProxySettings(config: NextAuthConfig, env: Env): ProxySettings {
  const logger = proxyLogger(config);
  const sessionMaxAge = config.session?.maxAge ?? 30 * 24 * 60 * 60;
  const override = config.cookies?.sessionToken;
  let refused: Error | undefined = refusedOption(config);
  let absoluteMaxAge: number | undefined;
  try {
    absoluteMaxAge = absoluteMaxAgeOf(config.session);
  } catch (error) {
    refused ??= error as TypeError;
  }
  return {
    config,
    secrets: readSecrets(config, env),
    ...readUrlSettings(config, env, logger),
    sessionMaxAge,
    jwtMaxAge: config.jwt?.maxAge ?? sessionMaxAge,
    absoluteMaxAge,
    logger,
    cookies: [sessionTokenCookie(false, override), sessionTokenCookie(true, override)],
    refused,
  };
}
