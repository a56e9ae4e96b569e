import { unstable_rethrow } from "next/navigation";
import { createRequestContext } from "../core/config.js";
import { getProviderAccessToken, type AccessTokenResult } from "../core/provider-tokens.js";
import { readRequestAuth } from "../core/session/read-session.js";
import { requestCookies, requestHeaders } from "./request-scope.js";
import { logError, type Instance } from "./instance.js";

/**
 * `getAccessToken(providerId)`: a valid access token of the signed-in user at that provider,
 * refreshed when it is near expiry — once across every instance sharing the token store. Works
 * in server components too: nothing it does needs to set a cookie.
 */
export function createGetAccessToken(instance: Instance) {
  return async function getAccessToken(providerId: string): Promise<AccessTokenResult> {
    // The request first: during `next build` this marks the page dynamic before the config (which
    // may need settings only `next start` has) is built.
    const headers = await requestHeaders();
    const resolved = await instance.getConfig(undefined);
    const settings = resolved.providerTokens;
    if (!settings) throw new TypeError("latch: getAccessToken() needs `providerTokens: { store }` in the config (e.g. RedisProviderTokenStore), where the tokens of each sign-in are kept.");
    const provider = resolved.providers.find((p) => p.id === providerId);
    if (!provider || (provider.type !== "oauth" && provider.type !== "oidc")) throw new TypeError(`latch: getAccessToken(): there is no OAuth provider "${providerId}".`);
    try {
      const store = await requestCookies();
      const cookies = new Map(store.getAll().map((cookie) => [cookie.name, cookie.value] as const));
      const ctx = createRequestContext(resolved, headers);
      const { session, token } = await readRequestAuth(ctx, headers.get("authorization"), cookies, { renew: false });
      const userId = token?.sub;
      if (!session || typeof userId !== "string") return { error: "NoSession" };
      return await getProviderAccessToken(resolved, settings, provider, userId);
    } catch (error) {
      // Next.js signals "render this route per request" by throwing from headers(): not a failure.
      unstable_rethrow(error);
      logError(resolved, "getAccessToken() could not read the session; it answers NoSession.", error);
      return { error: "NoSession" };
    }
  };
}
