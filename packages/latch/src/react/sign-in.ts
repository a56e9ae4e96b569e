import { authUrl, clientBasePath } from "./auth-url.js";
import { fetchJson } from "./fetch-json.js";
import { getCsrfToken } from "./get-csrf-token.js";
import { getProviders } from "./get-providers.js";
import { navigate } from "./navigate.js";
import { announce, senderId } from "./session-channel.js";
import { signInResult } from "./sign-in-result.js";
import type { ClientProviderId, ClientSafeProvider, SignInAuthorizationParams, SignInOptions, SignInResponse } from "./types.js";

// Options of signIn itself; every other field goes to the provider.
const OWN_OPTIONS = new Set(["redirect", "redirectTo", "callbackUrl", "basePath"]);

/** The options of a `signIn` call that go to the provider, as form fields. */
export function providerFields(options: SignInOptions): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (OWN_OPTIONS.has(key)) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") fields[key] = String(value);
  }
  return fields;
}

/**
 * Signs in with a provider from the browser. A Credentials provider's fields are posted to
 * `{basePath}/callback/<id>`; other providers start at `{basePath}/signin/<id>` and the browser
 * goes on to the identity provider. Without a provider, or with one the server does not know,
 * the user goes to the built-in sign-in page. On success every `<SessionProvider>` of the origin
 * refetches.
 *
 * `provider` is any string unless the app declares its provider ids in `Register`.
 *
 * With `redirect: false` nothing navigates: the promise resolves to `{ error, code, status, ok,
 * url }`, after a sign-in only once the providers of this tab hold the new session (as in
 * next-auth). As in next-auth, a refused password gives `ok: true` and `error:
 * "CredentialsSignin"` (a throttled one `status: 429`, `ok: false`, `error: "RateLimited"`);
 * check `error`.
 *
 * @example
 * ```ts
 * const result = await signIn("credentials", { email, password, redirect: false });
 * if (result.error) setMessage("Wrong email or password");
 * ```
 */
export async function signIn(provider?: ClientProviderId, options?: SignInOptions<true>, authorizationParams?: SignInAuthorizationParams): Promise<void>;
export async function signIn(provider: ClientProviderId | undefined, options: SignInOptions<false>, authorizationParams?: SignInAuthorizationParams): Promise<SignInResponse>;
export async function signIn(provider?: ClientProviderId, options?: SignInOptions, authorizationParams?: SignInAuthorizationParams): Promise<SignInResponse | undefined>;
export async function signIn(provider?: string, options: SignInOptions = {}, authorizationParams?: SignInAuthorizationParams): Promise<SignInResponse | void> {
  return signInAmong(await getProviders({ basePath: clientBasePath(options.basePath) }), provider, options, authorizationParams);
}

/** `signIn` once the server's providers are known (`null`: they could not be read). */
export async function signInAmong(
  providers: Record<string, ClientSafeProvider> | null,
  provider: string | undefined,
  options: SignInOptions = {},
  authorizationParams?: SignInAuthorizationParams,
): Promise<SignInResponse | undefined> {
  const basePath = clientBasePath(options.basePath);
  const redirect = options.redirect !== false;
  const redirectTo = options.redirectTo ?? options.callbackUrl ?? window.location.href;

  if (providers === null) {
    if (redirect) {
      navigate(authUrl(basePath, "error", { error: "Configuration" }));
      return undefined;
    }
    return { error: "Configuration", code: undefined, status: 500, ok: false, url: null };
  }
  const chosen = provider === undefined ? undefined : providers[provider];
  if (chosen === undefined) {
    const page = authUrl(basePath, "signin", { callbackUrl: redirectTo });
    if (redirect) {
      navigate(page);
      return undefined;
    }
    return { error: undefined, code: undefined, status: 200, ok: true, url: new URL(page, window.location.href).href };
  }

  const action = chosen.type === "credentials" ? "callback" : "signin";
  return postSignIn(basePath, `${action}/${encodeURIComponent(chosen.id)}`, providerFields(options), { redirect, redirectTo, authorizationParams });
}

/**
 * Posts a sign-in form to one of latch's routes with the CSRF token, as the built-in forms do,
 * asking for the redirect as JSON (`X-Auth-Return-Redirect: 1`); then navigates, or resolves to
 * the {@link SignInResponse} once this tab's providers hold the new session.
 */
export async function postSignIn(
  basePath: string,
  route: string,
  fields: Record<string, string>,
  { redirect, redirectTo, authorizationParams }: { redirect: boolean; redirectTo: string; authorizationParams?: SignInAuthorizationParams | undefined },
): Promise<SignInResponse | undefined> {
  const csrfToken = await getCsrfToken({ basePath });
  const answer = await fetchJson(authUrl(basePath, route, authorizationParams), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ ...fields, csrfToken, callbackUrl: redirectTo }),
  });
  const result = signInResult(answer.status, answer.body, window.location.href);
  const signedIn = result.ok && result.error === undefined;
  if (redirect) {
    if (signedIn) void announce(basePath, { kind: "changed", from: senderId() });
    const body = answer.body;
    const target = typeof body === "object" && body !== null && "url" in body && typeof body.url === "string" ? body.url : redirectTo;
    navigate(target);
    return undefined;
  }
  // As next-auth: resolve once this tab's providers hold the new session, so code that goes on
  // (router.push to a page with useSession({ required: true })) never sees the old one.
  if (signedIn) await announce(basePath, { kind: "changed", from: senderId() });
  return result;
}
