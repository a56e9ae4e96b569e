import { MissingAuthorize } from "../errors.js";
import { randomHex } from "./digest.js";
import type {
  Awaitable,
  CredentialInput,
  CredentialsConfig,
  CredentialsRateLimit,
  EmailConfig,
  EmailRateLimit,
  EndpointConfig,
  LoggerInstance,
  OAuthCheck,
  Profile,
  Provider,
  ProviderStyle,
  RateLimitRule,
  TokenEndpointAuthMethod,
  TokenSet,
  User,
  UserinfoConfig,
  WebAuthnConfig,
  WebAuthnServer,
} from "../types.js";

/** A provider after defaults: what the engine works with. */
export type InternalProvider = InternalOAuthProvider | InternalCredentialsProvider | InternalEmailProvider | InternalWebAuthnProvider;

/** A passkey (WebAuthn) provider after defaults. */
export interface InternalWebAuthnProvider {
  id: string;
  name: string;
  type: "webauthn";
  /** Overrides of the relying party; the site's origin fills what is not set (per request). */
  relyingParty: { id: string | undefined; name: string | undefined; origin: string | undefined };
  registration: boolean;
  conditionalUI: boolean;
  userVerification: "required" | "preferred";
  /** Milliseconds. */
  timeout: number;
  loadServer: () => Promise<WebAuthnServer>;
  /** Registration options asked for by someone not signed in, per client address. */
  rateLimit: { source: RateLimitRule | false };
}

/** An email (magic-link) provider after defaults. */
export interface InternalEmailProvider {
  id: string;
  name: string;
  type: "email";
  /** The app's config with defaults applied: what `sendVerificationRequest` receives as `provider`. */
  config: EmailConfig;
  /** Seconds a link stays valid. */
  maxAge: number;
  /** The app's normalizer, if any (latch's default otherwise; see `applyNormalizer`). */
  normalizeIdentifier: ((identifier: string) => string) | undefined;
  generateVerificationToken: () => Awaitable<string>;
  /** Hashes stored tokens instead of the auth secret, when set. */
  secret: string | undefined;
  rateLimit: { address: RateLimitRule | false; source: RateLimitRule | false; attempts: RateLimitRule | false };
}

/** A credentials provider after defaults. */
export interface InternalCredentialsProvider {
  id: string;
  name: string;
  type: "credentials";
  credentials: Record<string, CredentialInput>;
  authorize: CredentialsConfig["authorize"];
  rateLimit: {
    account: RateLimitRule | false;
    source: RateLimitRule | false;
    /** The normalized accounts an attempt is counted against (none: per client address only). */
    identifiers: (credentials: Record<string, string>) => string[];
    /** The same names exactly as typed: a trusted browser's tag needs exactly one (throttle.ts). */
    typedIdentifiers: (credentials: Record<string, string>) => string[];
    /** Every field naming the account, exactly as typed: what a trusted browser's tag covers. */
    typedFields: (credentials: Record<string, string>) => Array<[string, string]>;
  };
}

/** An OAuth/OIDC provider after defaults. */
export interface InternalOAuthProvider {
  id: string;
  name: string;
  type: "oauth" | "oidc";
  issuer: string | undefined;
  clientId: string;
  clientSecret: string | undefined;
  authMethod: TokenEndpointAuthMethod;
  idTokenAlg: string | undefined;
  authorization: { url: string | undefined; params: Record<string, string> };
  token: { url: string | undefined };
  userinfo: { url: string | undefined; request: UserinfoConfig["request"] };
  /** PKCE and nonce as the provider's `checks` ask; `state` always (see `resolveChecks`). */
  checks: { pkce: boolean; state: true; nonce: boolean };
  idToken: boolean;
  profile: (profile: Profile, tokens: TokenSet) => Awaitable<User>;
  account: (tokens: TokenSet) => Partial<TokenSet> | undefined;
  allowDangerousEmailAccountLinking: boolean;
  /** The address the provider vouches for, if any (the profile's `email` when OIDC `email_verified` is true, by default). */
  vouchedEmail: (profile: Profile) => string | undefined;
  style: ProviderStyle | undefined;
  fetch: typeof fetch | undefined;
}

function endpoint(value: string | EndpointConfig | undefined): EndpointConfig {
  if (value === undefined) return {};
  return typeof value === "string" ? { url: value } : value;
}

/** The scope asked for when neither the authorization params nor the authorization URL name one. */
const DEFAULT_SCOPE = "openid profile email";

/**
 * The authorization params with the default scope added as next-auth adds it: only when neither
 * `params.scope` nor the authorization URL's own query (`…/authorize?scope=identify+email`, as
 * many next-auth providers write it) names a scope, since the params are set over that query.
 */
function withDefaultScope(url: string | undefined, params: Record<string, string>): Record<string, string> {
  if ("scope" in params || queryNamesScope(url)) return params;
  return { scope: DEFAULT_SCOPE, ...params };
}

function queryNamesScope(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    return new URL(url).searchParams.has("scope");
  } catch {
    // An unparsable URL fails later, where the authorization request is built.
    return false;
  }
}

function stringParams(params: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/** The default profile mapping: standard OIDC claims. */
export function defaultProfile(profile: Profile): User {
  const id = (typeof profile.sub === "string" ? profile.sub : undefined) ?? (typeof profile.id === "string" || typeof profile.id === "number" ? String(profile.id) : undefined);
  const name = profile.name ?? (typeof profile.nickname === "string" ? profile.nickname : undefined) ?? (typeof profile.preferred_username === "string" ? profile.preferred_username : null);
  return {
    id,
    name,
    email: profile.email ?? null,
    image: typeof profile.picture === "string" ? profile.picture : null,
  };
}

/** By default an account keeps the token fields Auth.js keeps. */
export function defaultAccount(tokens: TokenSet): Partial<TokenSet> {
  const keep = ["access_token", "id_token", "refresh_token", "expires_at", "scope", "token_type", "session_state"] as const;
  const out: Record<string, unknown> = {};
  for (const key of keep) if (tokens[key] !== undefined) out[key] = tokens[key];
  return out;
}

function envKey(id: string): string {
  return id.toUpperCase().replace(/-/g, "_");
}

/**
 * Turns the configured providers into internal ones: calls factories, fills `clientId`,
 * `clientSecret` and `issuer` from `AUTH_<ID>_ID/_SECRET/_ISSUER`, and applies latch's check
 * policy (`resolveChecks`: PKCE S256, state and, for OIDC, nonce unless the provider's `checks`
 * say otherwise; state always).
 *
 * @example
 * ```ts
 * const [linkedin] = resolveProviders([LinkedIn()], process.env, logger); // checks: state only
 * ```
 */
export function resolveProviders(providers: Provider[], env: Record<string, string | undefined>, logger: LoggerInstance): InternalProvider[] {
  const seen = new Set<string>();
  const out: InternalProvider[] = [];
  for (const entry of providers) {
    const config = typeof entry === "function" ? entry() : entry;
    const type: string = config.type;
    if (type !== "oauth" && type !== "oidc" && type !== "credentials" && type !== "email" && type !== "webauthn") {
      logger.warn(`provider-unsupported: provider "${String(config.id)}" of type "${type}" is not supported yet and is ignored`);
      continue;
    }
    if (seen.has(config.id)) {
      logger.warn(`provider-duplicate: two providers share the id "${config.id}"; the second is ignored`);
      continue;
    }
    seen.add(config.id);
    if (config.type === "credentials") {
      out.push(resolveCredentials(config, logger));
      continue;
    }
    if (config.type === "email") {
      out.push(resolveEmail(config, env, logger));
      continue;
    }
    if (config.type === "webauthn") {
      out.push(resolveWebAuthn(config, logger));
      continue;
    }
    const key = envKey(config.id);
    const authorization = endpoint(config.authorization);
    const userinfo = endpoint(config.userinfo) as UserinfoConfig;
    out.push({
      id: config.id,
      name: config.name,
      type: config.type,
      issuer: config.issuer ?? env[`AUTH_${key}_ISSUER`],
      clientId: config.clientId ?? env[`AUTH_${key}_ID`] ?? "",
      clientSecret: config.clientSecret ?? env[`AUTH_${key}_SECRET`],
      authMethod: config.client?.token_endpoint_auth_method ?? "client_secret_basic",
      idTokenAlg: config.client?.id_token_signed_response_alg,
      authorization: { url: authorization.url, params: withDefaultScope(authorization.url, stringParams(authorization.params)) },
      token: { url: endpoint(config.token).url },
      userinfo: { url: userinfo.url, request: userinfo.request },
      checks: resolveChecks(config.id, config.type, config.checks, logger),
      idToken: config.type === "oidc" && config.idToken !== false,
      profile: config.profile ?? defaultProfile,
      account: config.account ?? defaultAccount,
      allowDangerousEmailAccountLinking: config.allowDangerousEmailAccountLinking ?? false,
      vouchedEmail: vouchedEmailOf(config.emailVerified),
      style: config.style,
      fetch: config.fetch,
    });
  }
  return out;
}

const KNOWN_CHECKS: ReadonlySet<string> = new Set<OAuthCheck>(["pkce", "state", "nonce", "none"]);

/**
 * The checks that protect a provider's authorization-code flow. Without `checks`: PKCE S256 and
 * state, plus nonce for OpenID Connect. With `checks` (Auth.js's option, for a service that
 * refuses one of them, as LinkedIn refuses PKCE): PKCE and nonce only when listed. `state` is
 * kept whatever the list says, so that no flow is ever left without CSRF protection at the
 * callback: `["none"]` or `[]` mean "state only" here, never "no check" as in Auth.js.
 *
 * @example
 * ```ts
 * resolveChecks("linkedin", "oidc", ["state"], logger); // { pkce: false, state: true, nonce: false }
 * resolveChecks("google", "oidc", undefined, logger); // { pkce: true, state: true, nonce: true }
 * ```
 */
export function resolveChecks(id: string, type: "oauth" | "oidc", checks: readonly OAuthCheck[] | undefined, logger: LoggerInstance): InternalOAuthProvider["checks"] {
  if (checks === undefined) return { pkce: true, state: true, nonce: type === "oidc" };
  if (!Array.isArray(checks)) {
    logger.warn(`provider-checks-invalid: \`checks\` of provider "${id}" must be an array such as ["state"]; the default checks apply.`);
    return { pkce: true, state: true, nonce: type === "oidc" };
  }
  const listed = new Set<string>(checks);
  const unknown = [...listed].filter((check) => !KNOWN_CHECKS.has(check));
  if (unknown.length > 0) {
    logger.warn(`provider-checks-unknown: provider "${id}" lists unknown checks ${unknown.map((c) => JSON.stringify(c)).join(", ")} in \`checks\`; they are ignored. Known: "pkce", "state", "nonce".`);
  }
  const pkce = listed.has("pkce");
  const nonce = listed.has("nonce");
  if (!pkce && !nonce && !listed.has("state")) {
    logger.warn(
      `provider-checks-state-kept: provider "${id}" asks for no check (\`checks: ${JSON.stringify(checks)}\`); latch still sends and checks \`state\`, since a flow without it is open to login CSRF. Write \`checks: ["state"]\` to say so.`,
    );
  }
  return { pkce, state: true, nonce };
}

const DEFAULT_ACCOUNT_LIMIT: RateLimitRule = { max: 10, window: 15 * 60 };
const DEFAULT_SOURCE_LIMIT: RateLimitRule = { max: 100, window: 15 * 60 };

function rule(value: RateLimitRule | false | undefined, fallback: RateLimitRule, what: string, logger: LoggerInstance): RateLimitRule | false {
  if (value === false) return false;
  if (value === undefined) return fallback;
  if (Number.isInteger(value.max) && value.max > 0 && Number.isFinite(value.window) && value.window > 0) return value;
  logger.warn(`rate-limit-invalid: ${what} needs a positive integer \`max\` and a positive \`window\` (seconds); the default ${fallback.max} per ${fallback.window} s applies`);
  return fallback;
}

/** Field names an app's own sign-in form conventionally gives the account, in order. */
const CONVENTIONAL_IDENTIFIERS = ["email", "username", "login", "user", "identifier", "phone"] as const;

/**
 * An account name as the credentials throttle reads it from the form: NFKC, trimmed, lower case;
 * undefined when empty. Its count folds it further, accents too (throttle.ts `foldedName`).
 */
export const normalizeAccount = (raw: string | null | undefined): string | undefined => raw?.normalize("NFKC").trim().toLowerCase() || undefined;

/**
 * The default accounts a credentials attempt is counted against, normalized: the first declared
 * field that is not a password; without declared fields (`Credentials({ authorize })` behind the
 * app's own form), every conventional one submitted (`email`, `username`, …) — each counted, so a
 * throw-away `email` beside the `username` that `authorize` reads does not dodge the limit.
 */
function identifierFields(fields: Record<string, CredentialInput>): readonly string[] {
  const name = Object.entries(fields).find(([, input]) => (input.type ?? "text") !== "password")?.[0];
  return name !== undefined ? [name] : CONVENTIONAL_IDENTIFIERS;
}

function defaultIdentifiers(fields: Record<string, CredentialInput>): (credentials: Record<string, string>) => string[] {
  const names = identifierFields(fields);
  return (credentials) => [...new Set(names.map((field) => normalizeAccount(credentials[field])).filter((value) => value !== undefined))];
}

/** The same fields' values exactly as typed (non-empty). */
function defaultTypedIdentifiers(fields: Record<string, CredentialInput>): (credentials: Record<string, string>) => string[] {
  const names = identifierFields(fields);
  return (credentials) => names.map((field) => credentials[field]).filter((value): value is string => typeof value === "string" && value !== "");
}

/**
 * Every field that names the account, exactly as typed, in a fixed order: the declared fields but
 * passwords (an organization beside the user name counts), else the conventional ones. What a
 * trusted browser's tag names (throttle.ts).
 */
function typedFields(fields: Record<string, CredentialInput>): (credentials: Record<string, string>) => Array<[string, string]> {
  const declared = Object.entries(fields).filter(([, input]) => (input.type ?? "text") !== "password").map(([name]) => name);
  const names = [...(declared.length > 0 ? declared : CONVENTIONAL_IDENTIFIERS)].sort();
  return (credentials) => names.map((field): [string, string] => [field, typeof credentials[field] === "string" ? credentials[field] : ""]);
}

function resolveCredentials(config: CredentialsConfig, logger: LoggerInstance): InternalCredentialsProvider {
  const limits: CredentialsRateLimit = config.rateLimit === false ? { account: false, source: false } : (config.rateLimit ?? {});
  const fields = config.credentials ?? {};
  const authorize: CredentialsConfig["authorize"] =
    typeof config.authorize === "function"
      ? config.authorize
      : () => {
          throw new MissingAuthorize(`The credentials provider "${config.id}" has no authorize function: pass \`authorize(credentials, request)\` that returns the user or null.`);
        };
  const identifier = limits.identifier;
  return {
    id: config.id,
    name: config.name,
    type: "credentials",
    credentials: fields,
    authorize,
    rateLimit: {
      account: rule(limits.account, DEFAULT_ACCOUNT_LIMIT, `rateLimit.account of "${config.id}"`, logger),
      source: rule(limits.source, DEFAULT_SOURCE_LIMIT, `rateLimit.source of "${config.id}"`, logger),
      identifiers: identifier
        ? (credentials) => {
            const account = normalizeAccount(identifier(credentials));
            return account === undefined ? [] : [account];
          }
        : defaultIdentifiers(fields),
      typedIdentifiers: identifier
        ? (credentials) => {
            const typed = identifier(credentials);
            return typeof typed === "string" && typed !== "" ? [typed] : [];
          }
        : defaultTypedIdentifiers(fields),
      typedFields: typedFields(fields),
    },
  };
}

const DEFAULT_EMAIL_MAX_AGE = 10 * 60;
const DEFAULT_ADDRESS_LIMIT: RateLimitRule = { max: 5, window: 15 * 60 };
const DEFAULT_EMAIL_SOURCE_LIMIT: RateLimitRule = { max: 30, window: 15 * 60 };
/** Tries of an app-made token per address: a code the user types may be six digits. */
const DEFAULT_TOKEN_ATTEMPTS_LIMIT: RateLimitRule = { max: 5, window: 15 * 60 };

function resolveEmail(config: EmailConfig, env: Record<string, string | undefined>, logger: LoggerInstance): InternalEmailProvider {
  let maxAge = config.maxAge ?? DEFAULT_EMAIL_MAX_AGE;
  if (!Number.isFinite(maxAge) || maxAge <= 0) {
    logger.warn(`email-max-age-invalid: maxAge of "${config.id}" must be a positive number of seconds; the default ${DEFAULT_EMAIL_MAX_AGE} applies`);
    maxAge = DEFAULT_EMAIL_MAX_AGE;
  }
  const limits: EmailRateLimit = config.rateLimit === false ? { address: false, source: false, attempts: false } : (config.rateLimit ?? {});
  const apiKey = config.apiKey ?? env[`AUTH_${envKey(config.id)}_KEY`];
  return {
    id: config.id,
    name: config.name,
    type: "email",
    config: { ...config, maxAge, ...(apiKey !== undefined ? { apiKey } : {}) },
    maxAge,
    normalizeIdentifier: config.normalizeIdentifier,
    generateVerificationToken: config.generateVerificationToken ?? (() => randomHex(32)),
    secret: config.secret,
    rateLimit: {
      address: rule(limits.address, DEFAULT_ADDRESS_LIMIT, `rateLimit.address of "${config.id}"`, logger),
      source: rule(limits.source, DEFAULT_EMAIL_SOURCE_LIMIT, `rateLimit.source of "${config.id}"`, logger),
      // latch's own tokens are 256 random bits: nothing to guess, so no per-address lock-out by default.
      attempts: config.generateVerificationToken || limits.attempts ? rule(limits.attempts, DEFAULT_TOKEN_ATTEMPTS_LIMIT, `rateLimit.attempts of "${config.id}"`, logger) : false,
    },
  };
}

const DEFAULT_WEBAUTHN_TIMEOUT = 5 * 60 * 1000;
/** Passkey sign-ups per client address: as many as sign-in links (DEFAULT_EMAIL_SOURCE_LIMIT). */
const DEFAULT_PASSKEY_SIGN_UP_LIMIT: RateLimitRule = { max: 30, window: 15 * 60 };

function resolveWebAuthn(config: WebAuthnConfig, logger: LoggerInstance): InternalWebAuthnProvider {
  let timeout = config.timeout ?? DEFAULT_WEBAUTHN_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout < 10_000 || timeout > 15 * 60 * 1000) {
    logger.warn(`webauthn-timeout-invalid: timeout of "${config.id}" must be between 10 000 and 900 000 milliseconds; the default ${DEFAULT_WEBAUTHN_TIMEOUT} applies`);
    timeout = DEFAULT_WEBAUTHN_TIMEOUT;
  }
  const loadServer =
    config.webAuthnServer ??
    (() => {
      throw new TypeError(`latch: the WebAuthn provider "${config.id}" has no webAuthnServer loader; create it with Passkey() from "latch/providers/passkey".`);
    });
  return {
    id: config.id,
    name: config.name,
    type: "webauthn",
    relyingParty: { id: config.relayingParty?.id, name: config.relayingParty?.name, origin: config.relayingParty?.origin },
    registration: config.registration ?? true,
    conditionalUI: config.enableConditionalUI ?? true,
    userVerification: config.userVerification === "preferred" ? "preferred" : "required",
    timeout,
    loadServer,
    rateLimit: {
      source: config.rateLimit === false ? false : rule(config.rateLimit?.source, DEFAULT_PASSKEY_SIGN_UP_LIMIT, `rateLimit.source of "${config.id}"`, logger),
    },
  };
}

/** A provider's `emailVerified` option as the address it vouches for: `true` names the profile's `email`, a string the address itself. */
function vouchedEmailOf(emailVerified: ((profile: Profile) => boolean | string) | undefined): (profile: Profile) => string | undefined {
  return (profile) => {
    const said = emailVerified ? emailVerified(profile) : profile.email_verified === true;
    if (typeof said === "string") return said === "" ? undefined : said;
    return said === true && typeof profile.email === "string" && profile.email !== "" ? profile.email : undefined;
  };
}
