/**
 * What a provider's token answers come to: the tokens as latch stores them, and the refresh
 * request — with the ways providers bend RFC 6749 (GitHub's errors with HTTP 200, fractional
 * lifetimes, refresh answers that leave out what did not change).
 */
import * as oauth from "oauth4webapi";
import { quotedErrorCode } from "./oauth/error-code.js";
import type { ProviderTokens } from "../provider-tokens/types.js";
import type { TokenSet } from "../types.js";
import { clientAuthOf, clientOf, getAuthorizationServer, httpOptions } from "./oauth/server.js";
import type { InternalOAuthProvider } from "./providers.js";

/**
 * The tokens of a token answer (a sign-in's or a refresh's), as stored; null without an access token.
 *
 * @example
 * ```ts
 * tokensOf({ access_token: "gho_…", token_type: "bearer", expires_in: 3599.5 }); // expiresAt: whole seconds
 * ```
 */
export function tokensOf(tokens: TokenSet | Record<string, unknown>): ProviderTokens | null {
  const accessToken = tokens.access_token;
  if (typeof accessToken !== "string" || accessToken === "") return null;
  const out: ProviderTokens = { accessToken };
  if (typeof tokens.refresh_token === "string" && tokens.refresh_token !== "") out.refreshToken = tokens.refresh_token;
  const expiresAt = expiryOf(tokens);
  if (expiresAt !== undefined) out.expiresAt = expiresAt;
  if (typeof tokens.scope === "string") out.scope = tokens.scope;
  if (typeof tokens.token_type === "string") out.tokenType = tokens.token_type;
  return out;
}

/**
 * When the tokens expire, in whole seconds since the epoch (stores keep whole seconds). A provider
 * may give a fractional `expires_in` (3599.5, or "3599.5", which oauth4webapi reads as a number):
 * rounded down, the token is refreshed a moment early rather than a moment late. A lifetime past
 * what a number holds exactly is no lifetime: the token is kept without expiry.
 */
function expiryOf(tokens: TokenSet | Record<string, unknown>): number | undefined {
  let seconds: number;
  if (typeof tokens.expires_at === "number") seconds = tokens.expires_at;
  else if (typeof tokens.expires_in === "number") seconds = Date.now() / 1000 + tokens.expires_in;
  else return undefined;
  const whole = Math.floor(seconds);
  return Number.isSafeInteger(whole) ? whole : undefined;
}

/**
 * Refresh errors after which the provider never takes this refresh token again: RFC 6749's
 * `invalid_grant` and `unauthorized_client`, and GitHub's `bad_refresh_token` (revoked, expired
 * or already used).
 */
const FINAL_REFRESH_ERRORS: ReadonlySet<string> = new Set(["invalid_grant", "unauthorized_client", "bad_refresh_token"]);

/**
 * The `error` of a token answer given with HTTP 200. GitHub reports every token-endpoint error so
 * (`{"error":"bad_refresh_token",…}`), which oauth4webapi would only refuse as an answer without
 * an access token. The body is in memory already (providerFetch): reading a clone costs no wait.
 */
async function errorOfOkAnswer(response: Response): Promise<string | undefined> {
  if (response.status !== 200) return undefined;
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return undefined;
  }
  return typeof body === "object" && body !== null && "error" in body && typeof body.error === "string" ? body.error : undefined;
}

/**
 * Asks the provider for new tokens; `null` when it refused the refresh token for good. Each
 * request (discovery when not cached, then the grant) waits at most `timeout` ms, and the grant
 * is cancelled when `deadline` aborts. Throws when the provider gave no usable answer.
 *
 * @example
 * ```ts
 * const next = await requestRefresh(provider, current, current.refreshToken, 3500, AbortSignal.timeout(13_000));
 * ```
 */
export async function requestRefresh(provider: InternalOAuthProvider, current: ProviderTokens, refreshToken: string, timeout: number | false, deadline: AbortSignal): Promise<ProviderTokens | null> {
  const as = await getAuthorizationServer(provider, timeout);
  const client = clientOf(provider);
  const options = { ...httpOptions(provider, as.token_endpoint, timeout), signal: deadline };
  const response = await oauth.refreshTokenGrantRequest(as, client, clientAuthOf(provider), refreshToken, options);
  const okError = await errorOfOkAnswer(response);
  if (okError !== undefined) {
    if (FINAL_REFRESH_ERRORS.has(okError)) return null;
    throw new Error(`The token endpoint answered HTTP 200 with error ${quotedErrorCode(okError)}.`);
  }
  let answer: oauth.TokenEndpointResponse;
  try {
    answer = await oauth.processRefreshTokenResponse(as, client, response);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError && FINAL_REFRESH_ERRORS.has(error.error)) return null;
    throw error;
  }
  const next = tokensOf({ ...answer });
  if (!next) throw new Error("The provider's refresh answer has no access token.");
  // A provider that does not rotate keeps the refresh token it had.
  next.refreshToken ??= refreshToken;
  // RFC 6749 §5.1: an answer without `scope` grants the scope granted before.
  next.scope ??= current.scope;
  return next;
}

