import { MissingSecret } from "../errors.js";
import type { AuthConfig, CookiesOptions, LoggerInstance, PageLocale, PagesOptions, Theme } from "../types.js";
import { createLogger } from "./logger.js";
import { readSecrets, readUrlSettings, requestOrigin, type Env } from "./env-settings.js";
import { resolveCookies } from "./cookies.js";
import { resolveProviders, type InternalProvider } from "./providers.js";
import { randomHex } from "./digest.js";
import { DuplicateConditionalUI, MissingAdapter, MissingAdapterMethods } from "../errors.js";
import { absoluteMaxAgeOf } from "./session/lifetime.js";
import type { Adapter } from "../adapters/types.js";
import type { RevocationStore } from "../revocation/types.js";
import { DEFAULT_STORE_TIMEOUT_MS, limitAdapter, limitProviderTokens, limitRateLimit, limitRevocation } from "./time-limit.js";
import type { ResolvedProviderTokens } from "./provider-tokens.js";
import type { RateLimitStore } from "../rate-limit/types.js";
import { MemoryRateLimitStore } from "../rate-limit/memory.js";
import { resolveBearer, type ResolvedBearer } from "./bearer.js";
import { resolveProviderTimeout } from "./oauth/provider-fetch.js";
import { resolvePageLocales } from "./pages/locale.js";

const DATABASE_METHODS: Array<keyof Adapter> = ["createUser", "getUser", "getUserByAccount", "getUserByEmail", "linkAccount", "createSession", "getSessionAndUser", "updateSession", "deleteSession", "updateUser"];
const EMAIL_METHODS: Array<keyof Adapter> = ["createVerificationToken", "useVerificationToken", "getUserByEmail", "createUser", "updateUser"];
const WEBAUTHN_METHODS: Array<keyof Adapter> = [
  "getUser",
  "getUserByEmail",
  "createUser",
  "linkAccount",
  "getAccount",
  "getAuthenticator",
  "createAuthenticator",
  "listAuthenticatorsByUserId",
  "updateAuthenticatorCounter",
];

/** What is wrong with the adapter for this configuration, if anything. */
function adapterError(config: AuthConfig, strategy: "jwt" | "database", providers: InternalProvider[]): Error | undefined {
  const email = providers.find((p) => p.type === "email");
  const webauthn = providers.find((p) => p.type === "webauthn");
  if (strategy !== "database" && !email && !webauthn) return undefined;
  if (!config.adapter) {
    if (strategy === "database") return new MissingAdapter('session.strategy is "database" but no adapter is set: pass `adapter`, or use strategy "jwt".');
    if (email) return new MissingAdapter(`The email provider "${email.id}" needs an adapter to store its single-use tokens and users: pass \`adapter\`.`);
    return new MissingAdapter(`The passkey provider "${webauthn?.id ?? ""}" needs an adapter to store users and their passkeys: pass \`adapter\`.`);
  }
  const adapter = config.adapter;
  const problems: string[] = [];
  const check = (names: Array<keyof Adapter>, who: string) => {
    const missing = names.filter((name) => typeof adapter[name] !== "function");
    if (missing.length > 0) problems.push(`${who} ${missing.join(", ")}`);
  };
  if (strategy === "database") check(DATABASE_METHODS, "database sessions need");
  if (email) check(EMAIL_METHODS, `email sign-in with "${email.id}" needs`);
  if (webauthn) check(WEBAUTHN_METHODS, `passkeys with "${webauthn.id}" need`);
  return problems.length > 0 ? new MissingAdapterMethods(`The adapter lacks methods: ${problems.join("; ")}.`) : undefined;
}

/** Environment variables latch reads; `process.env` by default. */
export type { Env } from "./env-settings.js";

const DEFAULT_MAX_AGE = 30 * 24 * 60 * 60;

/** Configuration after defaults and environment inference, independent of any request. */
export interface ResolvedConfig {
  config: AuthConfig;
  providers: InternalProvider[];
  /** Secrets, newest first: the first encrypts, all decrypt. Empty when none is set (fails at use). */
  secrets: string[];
  basePath: string;
  /** The origin from `AUTH_URL`, when set: every URL latch builds starts with it. */
  envOrigin: string | undefined;
  trustHost: boolean;
  sessionMaxAge: number;
  jwtMaxAge: number;
  /** `session.absoluteMaxAge`, checked: the longest a session lasts from its sign-in (session/lifetime.ts). */
  absoluteMaxAge: number | undefined;
  /** `database` when the config says so, or by default when an adapter is set. */
  strategy: "jwt" | "database";
  /** Seconds between database-session writes. */
  updateAge: number;
  generateSessionToken: () => string;
  /** `storeTimeout` with its default: milliseconds each store call may take, or `false` for no limit. */
  storeTimeout: number | false;
  /** The adapter and the revocation store (the rate-limit, provider-token and refresh-token stores below too), each call bounded by `storeTimeout`. */
  adapter: Adapter | undefined;
  revocation: RevocationStore | undefined;
  /** Bearer-token settings; undefined when bearer tokens are off. */
  bearer: ResolvedBearer | undefined;
  /** Where throttling counts live (bounded in time); process memory unless the config names a store. */
  rateLimitStore: RateLimitStore;
  /** Where provider tokens live, when configured (calls bounded in time). */
  providerTokens: ResolvedProviderTokens | undefined;
  /** Milliseconds each request to an OAuth provider may take (`false`: no deadline). */
  providerTimeout: number | false;
  /** Set when the adapter lacks methods the configuration needs: every request then fails as a configuration error. */
  configError: Error | undefined;
  pages: PagesOptions;
  theme: Theme;
  /** The languages the built-in pages may be negotiated among, the fallback first; one entry fixes it. */
  locales: readonly PageLocale[];
  logger: LoggerInstance;
  /** Cookie names and attributes over http and over https, computed once. */
  cookieSets: { plain: CookiesOptions; secure: CookiesOptions };
}

/**
 * Applies defaults and environment inference (`AUTH_SECRET`, `AUTH_URL`, `AUTH_TRUST_HOST`,
 * `AUTH_<PROVIDER>_ID/_SECRET/_ISSUER`). Never throws for a missing secret: that error is
 * raised when a request needs it, so `next build` works without secrets.
 */
export function resolveConfig(config: AuthConfig, env: Env = globalThis.process?.env ?? {}, shared: SharedState = {}): ResolvedConfig {
  const secrets = readSecrets(config, env);
  // Everything the logger must never print; provider secrets join once the providers are resolved.
  let known: readonly string[] = secrets;
  const logger = createLogger(config, () => known);
  const { envOrigin, basePath, trustHost } = readUrlSettings(config, env, logger);
  const sessionMaxAge = config.session?.maxAge ?? DEFAULT_MAX_AGE;
  const strategy = config.session?.strategy ?? (config.adapter ? "database" : "jwt");
  const providers = resolveProviders(config.providers, env, logger);
  known = [...secrets, ...providers.flatMap((p) => ("clientSecret" in p && typeof p.clientSecret === "string" ? [p.clientSecret] : []))];
  const storeTimeout = config.storeTimeout ?? DEFAULT_STORE_TIMEOUT_MS;
  // The default store outlives the config object when a NextAuth() call shares it: its lazy form
  // (`NextAuth((req) => ({ … }))`) may build a config per request, which must not count afresh.
  const memoryStore = config.rateLimit?.store ? undefined : shared.memoryRateLimitStore;
  if (!config.rateLimit?.store && !memoryStore && env.NODE_ENV === "production" && providers.some((p) => p.type === "credentials" || p.type === "email" || p.type === "webauthn")) {
    logger.warn(
      "rate-limit-memory: sign-in is throttled (and used passkey challenges are remembered) in this process's memory; with several instances each counts alone and a restart forgets. Set rateLimit.store (RedisRateLimitStore, PostgresRateLimitStore or SQLiteRateLimitStore).",
    );
  }
  if (envOrigin === undefined && env.NODE_ENV === "production" && providers.some((p) => p.type === "email")) {
    logger.warn("email-link-origin: AUTH_URL is not set, so sign-in links are built from the request's Host header; set AUTH_URL to your site's URL.");
  }
  let configError = adapterError(config, strategy, providers);
  const conditional = providers.filter((p) => p.type === "webauthn" && p.conditionalUI);
  if (conditional.length > 1) {
    configError ??= new DuplicateConditionalUI(
      `Passkey providers ${conditional.map((p) => `"${p.id}"`).join(" and ")} both enable conditional UI; a page can run one such request: set enableConditionalUI: false on all but one.`,
    );
  }
  const locales = resolvePageLocales(config.locale);
  if (locales.unknown.length > 0) {
    logger.warn(`page-locale-unknown: the built-in pages do not speak ${locales.unknown.map((l) => JSON.stringify(l)).join(", ")}; locale may name ${["auto", ...resolvePageLocales("auto").locales].join(", ")}`);
  }
  let absoluteMaxAge: number | undefined;
  try {
    absoluteMaxAge = absoluteMaxAgeOf(config.session);
  } catch (error) {
    configError ??= error instanceof Error ? error : new Error(String(error));
  }
  let bearer: ResolvedBearer | undefined;
  try {
    bearer = resolveBearer(config.bearer, sessionMaxAge, storeTimeout);
  } catch (error) {
    configError ??= error instanceof Error ? error : new Error(String(error));
  }
  return {
    config,
    providers,
    secrets,
    basePath,
    envOrigin,
    trustHost,
    sessionMaxAge,
    jwtMaxAge: config.jwt?.maxAge ?? sessionMaxAge,
    absoluteMaxAge,
    strategy,
    // A row is renewed once `updateAge` has passed since its last write: at or past `maxAge` it
    // would expire first, and a user active all along be signed out. Half of `maxAge` at most.
    updateAge: Math.min(config.session?.updateAge ?? 24 * 60 * 60, sessionMaxAge / 2),
    generateSessionToken: config.session?.generateSessionToken ?? (() => randomHex(32)),
    configError,
    bearer,
    storeTimeout,
    adapter: limitAdapter(config.adapter, storeTimeout),
    revocation: limitRevocation(config.revocation, storeTimeout),
    rateLimitStore: config.rateLimit?.store ? limitRateLimit(config.rateLimit.store, storeTimeout) : (memoryStore ?? (shared.memoryRateLimitStore = MemoryRateLimitStore())),
    providerTokens: config.providerTokens
      ? {
          store: limitProviderTokens(config.providerTokens.store, storeTimeout),
          refreshMargin: config.providerTokens.refreshMargin ?? 60,
          lockTtlMs: 10_000,
          waitMs: 5_000,
          statusTtlMs: 5_000,
        }
      : undefined,
    providerTimeout: resolveProviderTimeout(config.providerTimeout, logger),
    pages: config.pages ?? {},
    theme: { colorScheme: "auto", ...config.theme },
    locales: locales.locales,
    logger,
    cookieSets: { plain: resolveCookies(false, config.cookies), secure: resolveCookies(true, config.cookies) },
  };
}

/** Everything that depends on the request: its origin, and the cookie names that follow from it. */
export interface RequestContext {
  resolved: ResolvedConfig;
  /** e.g. `https://app.example` — from `AUTH_URL`, else from trusted Host headers. */
  origin: string;
  /** `origin + basePath`. */
  authUrl: string;
  secure: boolean;
  cookies: CookiesOptions;
  secrets: string[];
}

/**
 * Finds the origin a request was made to: `AUTH_URL` when set; otherwise, only when the host
 * is trusted, `X-Forwarded-Host`/`Host` and `X-Forwarded-Proto`.
 */
export function resolveOrigin(resolved: ResolvedConfig, headers: Headers, requestUrl?: string): string {
  return requestOrigin(resolved, headers, requestUrl);
}

/** Builds the per-request context; throws `MissingSecret` or `UntrustedHost` when it cannot. */
export function createRequestContext(resolved: ResolvedConfig, headers: Headers, requestUrl?: string): RequestContext {
  if (resolved.configError) throw resolved.configError;
  if (resolved.secrets.length === 0) {
    throw new MissingSecret("No secret is set. Set AUTH_SECRET (generate one with `openssl rand -base64 33`) or pass `secret` in the config.");
  }
  const origin = resolveOrigin(resolved, headers, requestUrl);
  const secure = resolved.config.useSecureCookies ?? origin.startsWith("https:");
  return {
    resolved,
    origin,
    authUrl: `${origin}${resolved.basePath === "/" ? "" : resolved.basePath}`,
    secure,
    cookies: secure ? resolved.cookieSets.secure : resolved.cookieSets.plain,
    secrets: resolved.secrets,
  };
}

/**
 * What outlives one config object: the state of a `NextAuth()` call that every config its lazy
 * form builds shares.
 */
export interface SharedState {
  /** The in-memory rate-limit store of the configs without `rateLimit.store`, made by the first one. */
  memoryRateLimitStore?: RateLimitStore;
}

// Config objects are long-lived: resolve each once (env inference, providers) and reuse it.
const resolvedConfigs = new WeakMap<AuthConfig, ResolvedConfig>();

/** How many config objects `Auth()` resolved without shared state, to spot one built per request. */
let unsharedResolutions = 0;
const CONFIG_PER_REQUEST_HINT = 100;

/**
 * Resolves a config object once and caches the result for the object's lifetime. Configs given
 * the same `shared` state share its in-memory rate-limit store; without one, each config has
 * its own, so a config built anew per request would throttle nothing: latch warns in production.
 */
export function getResolvedConfig(config: AuthConfig, shared?: SharedState): ResolvedConfig {
  let resolved = resolvedConfigs.get(config);
  if (!resolved) {
    resolved = resolveConfig(config, undefined, shared);
    if (!shared && ++unsharedResolutions === CONFIG_PER_REQUEST_HINT && globalThis.process?.env.NODE_ENV === "production") {
      resolved.logger.warn(
        `config-per-request: Auth() was given ${CONFIG_PER_REQUEST_HINT} different config objects; build the config once, at module scope, and pass the same object every time — a config made per request resolves its providers on every request and starts its rate limits afresh.`,
      );
    }
    resolvedConfigs.set(config, resolved);
  }
  return resolved;
}
