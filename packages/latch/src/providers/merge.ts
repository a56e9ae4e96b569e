import type { OAuthConfig, OAuthUserConfig } from "../types.js";

type PlainObject = Record<string, unknown>;

const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** An object literal (or `Object.create(null)`): never an array, a function, a Date, a URL… */
function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `override` over `base` as Auth.js merges a provider's options over its defaults: plain objects
 * merge key by key, at every depth; an `undefined` value keeps what `base` has; anything else
 * (a string, an array such as `checks`, a function such as `profile`) replaces it.
 */
function deepMerge(base: PlainObject, override: PlainObject): PlainObject {
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    // Options parsed from JSON may carry these as own keys: assigned, they would set `out`'s prototype.
    if (value === undefined || UNSAFE_KEYS.has(key)) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** An endpoint written as a URL string is `{ url }`, so that `{ params }` over it keeps the URL. */
function endpointObject(value: unknown): unknown {
  return typeof value === "string" ? { url: value } : value;
}

const ENDPOINTS = ["authorization", "token", "userinfo"] as const;

/**
 * Merges the app's options over a provider's defaults as Auth.js does: nested plain objects merge
 * key by key (`authorization: { params: { prompt: "login" } }` keeps the default scope,
 * `client: { id_token_signed_response_alg }` keeps the default `token_endpoint_auth_method`,
 * `style: { logo }` keeps the colours), an option set to `undefined` keeps the default
 * (`issuer: process.env.UNSET`), and arrays and functions replace the default. An endpoint the
 * app gives as a URL string replaces the default endpoint.
 *
 * @example
 * ```ts
 * mergeProvider(
 *   { id: "acme", name: "Acme", type: "oidc", issuer: "https://id.acme.test", client: { token_endpoint_auth_method: "client_secret_post" } },
 *   { issuer: undefined, client: { id_token_signed_response_alg: "ES256" } },
 * ); // issuer "https://id.acme.test", client { token_endpoint_auth_method: "client_secret_post", id_token_signed_response_alg: "ES256" }
 * ```
 */
export function mergeProvider<P>(defaults: OAuthConfig<P>, options: OAuthUserConfig<P>): OAuthConfig<P> {
  const base: PlainObject = { ...defaults };
  const override: PlainObject = { ...options };
  for (const key of ENDPOINTS) {
    // A string over an object replaces it; an object over a string keeps the string as its URL.
    if (isPlainObject(override[key])) base[key] = endpointObject(base[key]);
  }
  return deepMerge(base, override) as unknown as OAuthConfig<P>;
}
