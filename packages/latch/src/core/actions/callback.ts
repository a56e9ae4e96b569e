import { CallbackRouteError, isAuthError, OAuthAccountNotLinked } from "../../errors.js";
import { errorRedirect, type ActionContext } from "../action-context.js";
import type { OutgoingCookie } from "../cookies.js";
import { handleOAuthCallback } from "../oauth/callback.js";
import type { ResponseInternal } from "../response.js";
import { loginWithAdapter } from "../login.js";
import { stableUserId } from "../stable-id.js";
import { saveSignInTokens } from "../provider-tokens.js";
import type { InternalOAuthProvider } from "../providers.js";
import { runSignInCallback, startSession } from "../sign-in-flow.js";
import { confirmStillLinked, confirmStillSignedIn } from "../unproven-accounts.js";
import { credentialsCallbackAction } from "./credentials.js";
import { emailCallbackAction } from "./email-callback.js";
import { webAuthnCallbackAction } from "./webauthn-callback.js";

function bodyParams(body: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) if (typeof value === "string") params.set(key, value);
  return params;
}

/**
 * `GET|POST /callback/:provider`: completes the OAuth flow (or checks credentials, uses an
 * email sign-in link, or verifies a passkey), runs
 * `signIn` and `jwt`, writes the session cookie and redirects to the remembered callbackUrl.
 */
export async function callbackAction(action: ActionContext): Promise<ResponseInternal> {
  const { provider } = action;
  if (!provider) throw new TypeError("callbackAction needs a provider");
  if (provider.type === "credentials") return credentialsCallbackAction(action, provider);
  if (provider.type === "email") return emailCallbackAction(action, provider);
  if (provider.type === "webauthn") return webAuthnCallbackAction(action, provider);
  return oauthCallbackAction(action, provider);
}

async function oauthCallbackAction(action: ActionContext, provider: InternalOAuthProvider): Promise<ResponseInternal> {
  const { ctx } = action;
  const { resolved } = ctx;
  const out: OutgoingCookie[] = [];
  try {
    const params = action.method === "POST" ? bodyParams(action.body) : action.query;
    const { user, account, profile } = await handleOAuthCallback(ctx, provider, params, action.cookies, out);
    // Without a database, the id derives from the provider account so that it stays stable.
    user.id = await stableUserId(provider.id, account.providerAccountId);

    // As Auth.js: a returning user's `signIn` callback sees the stored user (its id and columns), a new one the provider's.
    const stored = resolved.adapter ? await resolved.adapter.getUserByAccount?.({ provider: provider.id, providerAccountId: account.providerAccountId }) : null;
    const allowed = await runSignInCallback(action, { user: stored ?? user, account, profile });
    if (allowed !== true) return { redirect: allowed, cookies: [...action.baseCookies, ...out] };

    let isNewUser: boolean | undefined;
    let stillLinked: (() => Promise<void>) | undefined;
    const { adapter, providerTokens } = resolved;
    if (adapter) {
      const login = await loginWithAdapter(ctx, provider, { user, account, profile }, action.cookies);
      Object.assign(user, { id: login.user.id, name: login.user.name, email: login.user.email, image: login.user.image });
      account.userId = login.user.id;
      isNewUser = login.isNewUser;
      const linked = { provider: provider.id, providerAccountId: account.providerAccountId };
      const refuse = (message: string) => new OAuthAccountNotLinked(message);
      const checks = [
        confirmStillLinked(ctx, login.user.id, async () => (await adapter.getUserByAccount?.(linked))?.id, refuse),
        login.linkedToSignedIn && adapter.getUser ? confirmStillSignedIn(ctx, action.cookies, login.user.id, adapter.getUser.bind(adapter), async () => adapter.unlinkAccount?.(linked), refuse) : undefined,
      ];
      stillLinked = async () => {
        for (const check of checks) await check?.();
      };
    }
    const userId = String(user.id);
    // Once the session exists, before its cookie is sent: the provider's tokens are stored (on the
    // server, for getAccessToken, never in the cookie), then the link is checked. In that order, an
    // email proof that unlinks the account either comes after both and deletes the tokens, or
    // makes the check refuse — and the tokens just stored go with the refusal.
    const confirm = async () => {
      if (providerTokens) await saveSignInTokens(providerTokens, userId, provider.id, account);
      try {
        await stillLinked?.();
      } catch (error) {
        await providerTokens?.store.delete(userId, provider.id).catch((cause: unknown) => {
          resolved.logger.error(new CallbackRouteError(`The tokens of a refused "${provider.id}" sign-in could not be deleted; delete them for user ${userId}.`, { cause }));
        });
        throw error;
      }
    };
    const target = await startSession(action, { user, account, profile, isNewUser, confirm }, out);
    return { redirect: target, cookies: [...action.baseCookies, ...out] };
  } catch (error) {
    const authError = isAuthError(error) ? error : new CallbackRouteError(`The callback of "${provider.id}" failed.`, { cause: error });
    return errorRedirect(action, authError, out);
  }
}
