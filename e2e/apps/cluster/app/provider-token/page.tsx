import { createHash } from "node:crypto";
import { auth, getAccessToken } from "../../auth";
import { setting } from "../../services";
import { signInLocal } from "../actions";

/** What the IdP's userinfo endpoint answers for `accessToken`: the proof the token works. */
async function userinfoStatus(accessToken: string): Promise<number> {
  const response = await fetch(`${setting("AUTH_LOCAL_ISSUER")}/me`, { headers: { authorization: `Bearer ${accessToken}` }, cache: "no-store" });
  // Read to the end: cancelling the body of Next's fetch in a server component never settles.
  await response.arrayBuffer();
  return response.status;
}

/**
 * A server component that calls the IdP with the user's access token: `getAccessToken()` is its
 * first caller after the token expired, where no cookie can be set. Shows a digest of the token
 * (never the token) and the IdP's answer, or the sign-in prompt when the grant was revoked.
 */
export default async function ProviderTokenPage() {
  // The token first: a refusal seen here shows on the session read just after, on this instance.
  const result = await getAccessToken("local");
  const session = await auth();
  if (!session) return <p data-testid="token-state">Not signed in</p>;
  return (
    <main>
      <h1>Your Local IdP access</h1>
      <p data-testid="instance">{process.env.CLUSTER_INSTANCE ?? "(unnamed instance)"}</p>
      {session.error === "RefreshTokenError" ? (
        <form action={signInLocal}>
          <p role="alert" data-testid="session-error">
            Your access to Local IdP has ended. Sign in again to continue.
          </p>
          <button type="submit">Sign in again</button>
        </form>
      ) : null}
      {"accessToken" in result ? (
        <>
          <p data-testid="token-state">ok</p>
          <p data-testid="token-digest">{createHash("sha256").update(result.accessToken).digest("hex").slice(0, 16)}</p>
          <p data-testid="userinfo-status">{await userinfoStatus(result.accessToken)}</p>
        </>
      ) : (
        <p data-testid="token-state">{result.error}</p>
      )}
    </main>
  );
}
