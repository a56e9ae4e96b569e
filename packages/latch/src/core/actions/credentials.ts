import { CallbackRouteError, CredentialsSignin, isAuthError, MissingCSRF } from "../../errors.js";
import type { Account, User } from "../../types.js";
import { csrfVerified, errorRedirect, rateLimitedResponse, requestWithFields, seeOther, type ActionContext } from "../action-context.js";
import type { InternalCredentialsProvider } from "../providers.js";
import type { ResponseInternal } from "../response.js";
import { runSignInCallback, startSession } from "../sign-in-flow.js";
import { throttleCredentials } from "../throttle.js";
import type { OutgoingCookie } from "../cookies.js";
import { confirmNotProvenSince } from "../unproven-accounts.js";

/** The submitted fields `authorize` sees: every string field of the body but the CSRF token. */
function submittedCredentials(body: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === "string" && key !== "csrfToken") fields[key] = value;
  return fields;
}


/**
 * Calls `authorize`; `null` (or no user) becomes `CredentialsSignin`, any other throw a
 * configuration error. A numeric id (an integer primary key) becomes its string, as in next-auth:
 * the session's `sub`, revocation and linking name users by strings.
 */
async function authorizeUser(provider: InternalCredentialsProvider, credentials: Record<string, string>, request: Request): Promise<User> {
  let user: User | null;
  try {
    user = await provider.authorize(credentials, request);
  } catch (error) {
    if (error instanceof CredentialsSignin) throw error;
    throw new CallbackRouteError(`authorize() of "${provider.id}" threw; return null to refuse a sign-in, or throw a CredentialsSignin.`, { cause: error });
  }
  if (!user || typeof user !== "object") throw new CredentialsSignin(`authorize() of "${provider.id}" refused the credentials.`);
  // Typed as a string, but JavaScript apps pass SQL and Prisma rows on as they are.
  const id: unknown = user.id;
  if (typeof id === "number" || typeof id === "bigint") user.id = String(id);
  return user;
}

/**
 * `POST /callback/:credentials`: checks CSRF, counts the attempt against the account and the
 * client address (429 over the limit), calls `authorize`, and starts a session — a JWT, or with
 * the database strategy a session row for the stored user `authorize` returned. An unknown user
 * and a wrong password get the same answer. A sign-in during which the owner of the user's
 * address proved it by email is refused before its cookie is sent (pre-account hijacking).
 */
export async function credentialsCallbackAction(action: ActionContext, provider: InternalCredentialsProvider): Promise<ResponseInternal> {
  const { ctx } = action;
  const { resolved } = ctx;
  if (action.method !== "POST") {
    return { status: 405, headers: { allow: "POST" }, body: { error: "MethodNotAllowed", message: `Credentials are submitted with POST to ${ctx.authUrl}/callback/${provider.id}.` } };
  }
  if (!csrfVerified(action)) return seeOther(errorRedirect(action, new MissingCSRF("The credentials sign-in has no valid CSRF token.")));
  const out: OutgoingCookie[] = [];
  const credentials = submittedCredentials(action.body);
  try {
    const throttle = await throttleCredentials(ctx, provider, action.request, credentials, action.cookies);
    if (throttle.refused) return rateLimitedResponse(action, throttle.refused);

    // Before authorize() reads the password: an email proof of the user's address from then on
    // may have deleted it (confirmNotProvenSince).
    const startedAt = Date.now();
    const user = await authorizeUser(provider, credentials, requestWithFields(action));
    if (resolved.strategy === "database") {
      const stored = user.id === undefined ? null : await resolved.adapter?.getUser?.(user.id);
      if (!stored) {
        throw new CallbackRouteError(
          `authorize() of "${provider.id}" returned a user the adapter does not store (id ${JSON.stringify(user.id ?? null)}): with database sessions, return the user from your adapter's users table.`,
        );
      }
      Object.assign(user, { id: stored.id, name: user.name ?? stored.name, email: user.email ?? stored.email, image: user.image ?? stored.image });
    } else {
      user.id ??= crypto.randomUUID();
    }
    const account: Account = { provider: provider.id, type: "credentials", providerAccountId: String(user.id) };
    const allowed = await runSignInCallback(action, { user, account, credentials });
    if (allowed !== true) return seeOther({ redirect: allowed, cookies: action.baseCookies });

    const trusted = await throttle.succeeded();
    const confirm = confirmNotProvenSince(ctx, String(user.id), startedAt, (message) => new CredentialsSignin(message));
    const target = await startSession(action, { user, account, confirm }, out);
    // Only a sign-in that happened makes this browser one the account signed in from.
    return seeOther({ redirect: target, cookies: [...action.baseCookies, ...out, ...(trusted ? [trusted] : [])] });
  } catch (error) {
    const authError = isAuthError(error) ? error : new CallbackRouteError(`The credentials sign-in with "${provider.id}" failed.`, { cause: error });
    return seeOther(errorRedirect(action, authError, out));
  }
}
