import { AccountNotLinked, CallbackRouteError, isAuthError, MissingCSRF, WebAuthnVerificationError } from "../../errors.js";
import type { AdapterUser } from "../../adapters/types.js";
import type { Account } from "../../types.js";
import { csrfVerified, errorRedirect, seeOther, type ActionContext } from "../action-context.js";
import type { RequestContext } from "../config.js";
import type { OutgoingCookie } from "../cookies.js";
import type { InternalWebAuthnProvider } from "../providers.js";
import type { ResponseInternal } from "../response.js";
import { signedInSession } from "../signed-in-user.js";
import { runSignInCallback, startSession } from "../sign-in-flow.js";
import { confirmStillLinked, confirmStillSignedIn } from "../unproven-accounts.js";
import { webAuthnAdapter, type WebAuthnAdapter } from "../webauthn/adapter.js";
import { useChallenge, type CeremonyAction } from "../webauthn/challenge.js";
import { registrationTarget, storePasskey } from "../webauthn/register.js";
import { relyingParty } from "../webauthn/relying-party.js";
import { parseCredentialResponse, verifyAuthentication, verifyRegistration } from "../webauthn/verify.js";

function ceremonyOf(value: unknown): CeremonyAction | undefined {
  return value === "register" || value === "authenticate" ? value : undefined;
}

/**
 * `POST /callback/:passkey` with `{ action, data, csrfToken, callbackUrl }` (form or JSON; `data`
 * is the credential as JSON, as Auth.js's client sends it). Checks CSRF, uses the challenge
 * (once), verifies the response, runs `signIn`, stores a new passkey (register) or its counter
 * (authenticate), and starts a session — database or JWT. Every refusal is
 * `WebAuthnVerificationError`, shown on the sign-in page — but a passkey of another user than
 * the one signed in, refused as in Auth.js ({@link refuseOtherUser}).
 */
export async function webAuthnCallbackAction(action: ActionContext, provider: InternalWebAuthnProvider): Promise<ResponseInternal> {
  const { ctx } = action;
  if (action.method !== "POST") {
    return { status: 405, headers: { allow: "POST" }, body: { error: "MethodNotAllowed", message: `Passkey responses are submitted with POST to ${ctx.authUrl}/callback/${provider.id}.` } };
  }
  if (!csrfVerified(action)) return seeOther(errorRedirect(action, new MissingCSRF("The passkey sign-in has no valid CSRF token.")));
  const out: OutgoingCookie[] = [];
  try {
    const ceremony = ceremonyOf(action.body.action);
    if (!ceremony) throw new WebAuthnVerificationError('The passkey callback needs action "register" or "authenticate".');
    const adapter = webAuthnAdapter(ctx);
    const server = await provider.loadServer();
    // The challenge is used (and its cookie cleared) before anything else can fail.
    const { challenge, registrant } = await useChallenge(ctx, provider, ceremony, action.cookies, out);
    const response = parseCredentialResponse(action.body.data);
    if (!response) throw new WebAuthnVerificationError("The passkey response is missing or is not a credential.");
    const expected = { challenge, relyingParty: relyingParty(ctx, provider), provider };

    if (ceremony === "authenticate") {
      const { user, account } = await verifyAuthentication(server, adapter, { store: ctx.resolved.rateLimitStore, warn: (message) => ctx.resolved.logger.warn(message), storeTimeout: ctx.resolved.storeTimeout }, response, expected);
      await refuseOtherUser(ctx, action.cookies, adapter, user);
      const signInAccount: Account = { ...account, type: "webauthn" };
      const allowed = await runSignInCallback(action, { user, account: signInAccount });
      if (allowed !== true) return seeOther({ redirect: allowed, cookies: [...action.baseCookies, ...out] });
      const confirm = stillLinked(ctx, adapter, provider, user, account.providerAccountId);
      const target = await startSession(action, { user: { id: user.id, name: user.name ?? null, email: user.email, image: user.image ?? null }, account: signInAccount, confirm }, out);
      return seeOther({ redirect: target, cookies: [...action.baseCookies, ...out] });
    }

    const authenticator = await verifyRegistration(server, response, expected);
    const target = await registrationTarget(ctx, provider, adapter, registrant, action.cookies);
    const pending: Account = {
      type: "webauthn",
      provider: provider.id,
      providerAccountId: authenticator.credentialID,
      ...(target.kind === "user" ? { userId: target.user.id } : {}),
    };
    const allowed = await runSignInCallback(action, { user: target.kind === "user" ? target.user : { email: target.email }, account: pending });
    if (allowed !== true) return seeOther({ redirect: allowed, cookies: [...action.baseCookies, ...out] });
    const { user, account, isNewUser } = await storePasskey(ctx, provider, adapter, target, authenticator);
    const signInAccount: Account = { ...account, type: "webauthn" };
    const linked = stillLinked(ctx, adapter, provider, user, account.providerAccountId);
    const signedIn =
      target.kind === "user"
        ? confirmStillSignedIn(ctx, action.cookies, user.id, adapter.getUser, async () => ctx.resolved.adapter?.unlinkAccount?.({ provider: provider.id, providerAccountId: account.providerAccountId }), (message) => new WebAuthnVerificationError(message))
        : undefined;
    const confirm = async () => {
      await linked?.();
      await signedIn?.();
    };
    const redirect = await startSession(action, { user: { id: user.id, name: user.name ?? null, email: user.email, image: user.image ?? null }, account: signInAccount, isNewUser, confirm }, out);
    return seeOther({ redirect, cookies: [...action.baseCookies, ...out] });
  } catch (error) {
    const authError = isAuthError(error) ? error : new CallbackRouteError(`The passkey sign-in with "${provider.id}" failed.`, { cause: error });
    return seeOther(errorRedirect(action, authError, out));
  }
}

/** The passkey sign-in's check that an email proof has not unlinked the passkey meanwhile (confirmStillLinked). */
function stillLinked(ctx: RequestContext, adapter: WebAuthnAdapter, provider: InternalWebAuthnProvider, user: AdapterUser, providerAccountId: string) {
  const ownerOf = async () => (await adapter.getAccount(providerAccountId, provider.id))?.userId;
  return confirmStillLinked(ctx, user.id, ownerOf, (message) => new WebAuthnVerificationError(message));
}

/**
 * Auth.js's rule for a passkey sign-in on a browser where a user is signed in (its handle-login):
 * the same user signs in as usual; another user's passkey is refused, and the session stays —
 * signing in never silently replaces who is signed in: `AccountNotLinked`, as in Auth.js. A
 * session store that does not answer refuses too (the error page).
 */
async function refuseOtherUser(ctx: RequestContext, cookies: Map<string, string>, adapter: WebAuthnAdapter, user: AdapterUser): Promise<void> {
  const signedIn = await signedInSession(ctx, cookies);
  if (!signedIn || signedIn.userId === user.id) return;
  // A session token of a user deleted since is nobody's (as signedInUser reads it).
  if (!(signedIn.user ?? (await adapter.getUser(signedIn.userId)))) return;
  throw new AccountNotLinked("This passkey belongs to another user than the one signed in on this browser: sign out first, then sign in with it.");
}
