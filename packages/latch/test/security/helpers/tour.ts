/**
 * A tour of every route of the suite's application, through the paths a browser or an attacker
 * takes: each route's success and its refusals (no CSRF token, wrong method), every built-in
 * page (sign-in with each error, sign-out, each error page, check-your-email, the sign-in link's
 * landing page, the 429 page, the 404 of an unknown provider, the configuration-error page), a
 * full sign-in, bearer and refresh tokens, revocation, sign-out. Bodies are left unread.
 */
import { expect } from "vitest";
import { EngineClient } from "../../helpers/engine-client.js";
import { ALICE, BASE_PATH, suiteApp } from "./app.js";
import { ROUTE_CONTRACT } from "./routes.js";

export interface Exchange {
  label: string;
  method: string;
  /** The path requested, without the query. */
  path: string;
  response: Response;
}

type Init = Parameters<EngineClient["fetch"]>[1];

/** Walks every route of a fresh application served at `origin` (AUTH_URL must already be set to it). */
export async function tourEveryRoute(origin: string): Promise<Exchange[]> {
  const app = suiteApp({ accountAttempts: 2 });
  const out: Exchange[] = [];
  const visit = async (client: EngineClient, label: string, path: string, init: Init = {}): Promise<Response> => {
    const { response } = await client.fetch(path, init);
    out.push({ label, method: init.method ?? (init.form || init.json !== undefined ? "POST" : "GET"), path: path.split("?")[0] ?? path, response });
    return response;
  };
  const stranger = new EngineClient(origin, app.config);
  const browser = new EngineClient(origin, app.config);

  // Every route and method of the contract, by someone with no cookie and no CSRF token.
  for (const route of ROUTE_CONTRACT) {
    for (const method of route.methods) await visit(stranger, `${method} ${route.path} (no cookie, no token)`, route.path, method === "POST" ? { method: "POST", form: {} } : {});
    await visit(stranger, `PUT ${route.path}`, route.path, { method: "PUT" });
  }

  await visit(stranger, "POST /token signed out", `${BASE_PATH}/token`, { method: "POST", headers: { "x-latch-bearer": "1" } });

  // The pages, each state they show.
  for (const error of ["CredentialsSignin", "MissingCSRF", "OAuthSignin", "RateLimited", "unknown"]) await visit(browser, `GET /signin?error=${error}`, `${BASE_PATH}/signin?error=${error}`);
  for (const error of ["Configuration", "AccessDenied", "Verification", "anything"]) await visit(browser, `GET /error?error=${error}`, `${BASE_PATH}/error?error=${error}`);
  await visit(browser, "GET /verify-request", `${BASE_PATH}/verify-request?provider=email&type=email`);
  await visit(browser, "GET /callback/nope (unknown provider page)", `${BASE_PATH}/callback/nope`);
  await visit(browser, "GET /nope (unknown route)", `${BASE_PATH}/nope`);
  await visit(browser, "GET /webauthn-options/passkey?action=register", `${BASE_PATH}/webauthn-options/passkey?action=register&email=new%40example.com`);
  await visit(browser, "POST /session over 64 KiB", `${BASE_PATH}/session`, { json: { pad: "x".repeat(70_000) } });

  // OAuth: the start (redirect to GitHub with check cookies), and a callback without its checks.
  let csrfToken = await browser.csrfToken();
  await visit(browser, "POST /signin/github", `${BASE_PATH}/signin/github`, { form: { csrfToken } });
  await visit(browser, "GET /callback/github without checks", `${BASE_PATH}/callback/github?code=c&state=s`);
  await visit(browser, "POST /callback/github without checks", `${BASE_PATH}/callback/github`, { form: { code: "c", state: "s" } });
  await visit(browser, "POST /signin/credentials", `${BASE_PATH}/signin/credentials`, { form: { csrfToken } });
  await visit(browser, "POST /signin/passkey", `${BASE_PATH}/signin/passkey`, { form: { csrfToken } });
  await visit(browser, "POST /callback/passkey with no credential", `${BASE_PATH}/callback/passkey`, { form: { csrfToken, action: "authenticate", data: "{}" } });

  // Throttling: the 429 page.
  for (let attempt = 1; attempt <= 3; attempt++) {
    await visit(browser, `POST /callback/credentials wrong password #${attempt}`, `${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: "mallory@example.com", password: "guess" } });
  }

  // Email: the link is sent, its landing page shown, then used by POST.
  await visit(browser, "POST /signin/email", `${BASE_PATH}/signin/email`, { form: { csrfToken, email: "bob@example.com" } });
  const link = app.sent.at(-1)?.url;
  if (!link) throw new Error("tour: the email provider sent no link");
  const landing = new URL(link);
  await visit(browser, "GET /callback/email (landing page)", `${landing.pathname}${landing.search}`);
  csrfToken = await browser.csrfToken();
  await visit(browser, "POST /callback/email", `${BASE_PATH}/callback/email`, {
    form: { csrfToken, token: landing.searchParams.get("token") ?? "", email: landing.searchParams.get("email") ?? "" },
  });

  // Credentials: a sign-in, the session, bearer tokens, refresh, revocation, sign-out.
  const signedIn = await visit(browser, "POST /callback/credentials", `${BASE_PATH}/callback/credentials`, { form: { csrfToken, email: ALICE.email, password: ALICE.password } });
  expect(signedIn.status, "the tour's credentials sign-in").toBe(303);
  await visit(browser, "GET /session (signed in)", `${BASE_PATH}/session`);
  await visit(browser, "POST /session (update)", `${BASE_PATH}/session`, { json: { csrfToken, data: { name: "A" } } });
  await visit(browser, "GET /signin (signed in, passkey section)", `${BASE_PATH}/signin`);
  await visit(browser, "POST /token", `${BASE_PATH}/token`, { method: "POST", headers: { "x-latch-bearer": "1" } });
  const offline = await visit(browser, "POST /token offline", `${BASE_PATH}/token`, { headers: { "x-latch-bearer": "1" }, json: { offline: true } });
  const { refreshToken } = (await offline.clone().json()) as { refreshToken?: string };
  const native = new EngineClient(origin, app.config);
  const refreshed = await visit(native, "POST /token refresh grant", `${BASE_PATH}/token`, { form: { grant_type: "refresh_token", refresh_token: String(refreshToken) } });
  const next = (await refreshed.clone().json()) as { refreshToken?: string };
  await visit(native, "POST /revoke", `${BASE_PATH}/revoke`, { form: { token: String(next.refreshToken) } });
  await visit(browser, "GET /jwks", `${BASE_PATH}/jwks`);
  await visit(browser, "POST /signout", `${BASE_PATH}/signout`, { form: { csrfToken } });

  // A configuration error: the page and the JSON answer.
  const broken = new EngineClient(origin, { ...app.config, secret: undefined });
  await visit(broken, "GET /signin (configuration error page)", `${BASE_PATH}/signin`);
  await visit(broken, "GET /session (configuration error)", `${BASE_PATH}/session`);
  return out;
}
