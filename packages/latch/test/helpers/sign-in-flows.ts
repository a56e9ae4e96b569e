/**
 * Whole sign-ins driven through an EngineClient, as a browser would make them: the GitHub
 * stand-in's authorization round trip, a magic link's landing page and its POST, and a passkey
 * ceremony with a stand-in authenticator. Each returns the engine's answer to the last request.
 */
import { expect } from "vitest";
import type { GitHubStandIn } from "../fixtures/github-standin.js";
import type { EngineClient } from "./engine-client.js";
import type { CreationOptionsJSON, RequestOptionsJSON, StandinAuthenticator } from "./standin-authenticator.js";

const location = (response: Response) => response.headers.get("location");

/**
 * A full GitHub sign-in (stand-in) as `login`, back to `<origin>/dashboard`. `beforeCallback` runs
 * once GitHub has answered, just before the browser lands on the callback.
 */
export async function gitHubSignIn(client: EngineClient, github: GitHubStandIn, login: string, beforeCallback?: () => void) {
  github.setNextUser(login);
  const csrfToken = await client.csrfToken();
  const start = await client.fetch("/api/auth/signin/github", { form: { csrfToken, callbackUrl: `${client.origin}/dashboard` } });
  const authorization = await fetch(location(start.response)!, { redirect: "manual" });
  expect(authorization.status).toBe(302);
  beforeCallback?.();
  return client.fetch(location(authorization)!);
}

/** Requests a magic link for `email` (the provider pushes it to `links`) and uses it: the landing page, then its POST. */
export async function emailSignIn(client: EngineClient, links: string[], email: string) {
  const csrfToken = await client.csrfToken();
  const before = links.length;
  await client.fetch("/api/auth/signin/email", { form: { csrfToken, email } });
  expect(links.length).toBe(before + 1);
  const landing = await client.fetch(links.at(-1)!);
  const fields = Object.fromEntries(
    [...(await landing.response.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, name, value]) => [name!, value!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))]),
  );
  return client.fetch("/api/auth/callback/email", { form: fields });
}

/** `GET /webauthn-options/passkey`: the options JSON, or the refusal. */
export async function passkeyOptions(client: EngineClient, action: "register" | "authenticate", query: Record<string, string> = {}) {
  const { response } = await client.fetch(`/api/auth/webauthn-options/passkey?${new URLSearchParams({ action, ...query })}`);
  return (await response.json()) as { options?: CreationOptionsJSON & RequestOptionsJSON; error?: string };
}

/** Posts a passkey ceremony's result to the callback, back to `<origin>/dashboard`. */
export async function postPasskeyCredential(client: EngineClient, action: "register" | "authenticate", credential: unknown) {
  const csrfToken = await client.csrfToken();
  return client.fetch("/api/auth/callback/passkey", { form: { csrfToken, action, data: JSON.stringify(credential), callbackUrl: `${client.origin}/dashboard` } });
}

/** Registers `device`'s passkey: to the signed-in user, or to a new account for `email`. */
export async function registerPasskey(client: EngineClient, device: StandinAuthenticator, email?: string) {
  const body = await passkeyOptions(client, "register", email ? { email } : {});
  if (!body.options) throw new Error(`no registration options: ${JSON.stringify(body)}`);
  return postPasskeyCredential(client, "register", device.register(body.options));
}

/** Signs in with `device`'s passkey. */
export async function passkeySignIn(client: EngineClient, device: StandinAuthenticator) {
  const body = await passkeyOptions(client, "authenticate");
  if (!body.options) throw new Error(`no authentication options: ${JSON.stringify(body)}`);
  return postPasskeyCredential(client, "authenticate", device.authenticate(body.options));
}
