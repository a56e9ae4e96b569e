import type { Session } from "latch";
import { getAccessToken, localIssuer, signInProviderId, signInProviderName } from "../auth";
import { SignInButton } from "./SignInButton";

/** Where the example uses the access token: the provider's own profile endpoint. */
const profileUrl = signInProviderId === "github" ? "https://api.github.com/user" : `${localIssuer}/me`;

/** The user's name at the provider, fetched with their access token; `null` when the provider refused it. */
async function profileName(accessToken: string): Promise<string | null> {
  const response = await fetch(profileUrl, { headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" }, cache: "no-store" });
  if (!response.ok) return null;
  const profile = (await response.json()) as { name?: unknown; login?: unknown; sub?: unknown };
  const name = profile.name ?? profile.login ?? profile.sub;
  return typeof name === "string" ? name : null;
}

/**
 * Calls the provider's API with the signed-in user's access token, as an app calling GitHub or
 * Google would. latch refreshes the token when it has expired; when the provider refuses for good
 * (the user revoked the app there), the session says `error: "RefreshTokenError"` and the page
 * asks the user to sign in again. Accounts without provider tokens (email and password) see nothing.
 */
export async function ProviderAccess({ session }: { session: Session }) {
  const result = await getAccessToken(signInProviderId);
  if (session.error === "RefreshTokenError" || ("error" in result && result.error === "RefreshTokenError")) {
    return (
      <section className="provider-access" aria-labelledby="provider-access-title">
        <h2 id="provider-access-title">Access to {signInProviderName} has ended</h2>
        <p role="alert">Sign in again to let this app use your account at {signInProviderName}.</p>
        <SignInButton label="Sign in again" />
      </section>
    );
  }
  if ("error" in result) {
    if (result.error === "RefreshUnavailable") return <p className="provider-access">{signInProviderName} did not answer; try again in a moment.</p>;
    return null;
  }
  const name = await profileName(result.accessToken);
  return (
    <p className="provider-access" data-testid="provider-access">
      {name === null ? `${signInProviderName} refused the access token.` : `Your profile at ${signInProviderName}, fetched with your access token: ${name}`}
    </p>
  );
}
