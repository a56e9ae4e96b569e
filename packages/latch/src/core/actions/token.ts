import type { ActionContext } from "../action-context.js";
import { bearerFingerprint, bearerJwks, databaseSessionId, issueBearerToken } from "../bearer.js";
import { readChunkedCookie, type OutgoingCookie } from "../cookies.js";
import type { ResponseInternal } from "../response.js";
import { readSession } from "../session/read-session.js";

/** The header a page's request for a bearer token must carry: a cross-site form cannot send it. */
export const BEARER_REQUEST_HEADER = "x-latch-bearer";

// Claims latch sets itself; `bearer.claims` cannot override them.
const RESERVED = new Set(["iss", "aud", "exp", "iat", "nbf", "jti", "sub", "sid", "auth_time", "fgp", "cnf"]);

function refuse(status: number, error: string, message: string, cookies: OutgoingCookie[] = []): ResponseInternal {
  return { status, body: { error, message }, cookies };
}

/** True when the request comes from our own pages: Origin and Sec-Fetch-Site, when sent, must say so. */
function sameOrigin(action: ActionContext): boolean {
  const { headers } = action.request;
  const origin = headers.get("origin");
  if (origin !== null && origin !== action.ctx.origin) return false;
  const site = headers.get("sec-fetch-site");
  return site === null || site === "same-origin";
}

/**
 * `POST /token`: a short-lived bearer token for the session in the cookie. The request must
 * carry `X-Latch-Bearer: 1` and come from our origin (a cross-site page can make neither), and
 * the token is bound to this browser by an HttpOnly fingerprint cookie unless the config says
 * otherwise. The session cookie is renewed as `GET /session` renews it.
 */
export async function tokenAction(action: ActionContext): Promise<ResponseInternal> {
  const { ctx } = action;
  const { resolved } = ctx;
  const bearer = resolved.bearer;
  if (!bearer) return refuse(404, "UnknownAction", "Bearer tokens are not enabled: set `bearer` in the config.");
  if (action.request.headers.get(BEARER_REQUEST_HEADER) !== "1" || !sameOrigin(action)) {
    return refuse(403, "Forbidden", `Request bearer tokens from your own pages, with the header ${BEARER_REQUEST_HEADER}: 1.`, action.baseCookies);
  }
  const result = await readSession(ctx, action.cookies, { renew: true });
  const cookies = [...action.baseCookies, ...result.cookies];
  const token = result.token;
  if (!result.session || !token || typeof token.sub !== "string" || token.sub === "") {
    return refuse(401, "Unauthorized", "There is no session to issue a bearer token for: sign in first.", cookies);
  }
  const extra = bearer.claims ? bearer.claims(token) : {};
  const claims: Record<string, unknown> & { sub: string } = { sub: token.sub };
  for (const [key, value] of Object.entries(extra)) if (!RESERVED.has(key) && value !== undefined) claims[key] = value;
  claims.name = token.name ?? null;
  claims.email = token.email ?? null;
  claims.picture = token.picture ?? null;
  if (resolved.strategy === "database") {
    const raw = readChunkedCookie(action.cookies, ctx.cookies.sessionToken.name).value;
    if (raw) claims.sid = await databaseSessionId(raw);
  } else {
    if (typeof token.sid === "string") claims.sid = token.sid;
    if (typeof token.auth_time === "number") claims.auth_time = token.auth_time;
  }
  if (bearer.bindToBrowser) {
    const option = ctx.cookies.bearerFingerprint;
    const fingerprint = await bearerFingerprint(action.cookies.get(option.name));
    claims.fgp = fingerprint.hash;
    cookies.push({ name: option.name, value: fingerprint.value, options: { ...option.options, maxAge: resolved.sessionMaxAge } });
  }
  const issued = await issueBearerToken(ctx, bearer, claims);
  return {
    body: {
      token: issued.token,
      tokenType: "Bearer",
      expiresAt: new Date(issued.expiresAt * 1000).toISOString(),
      expiresIn: Math.max(0, issued.expiresAt - Math.floor(Date.now() / 1000)),
      session: result.session,
    },
    cookies,
  };
}

/** `GET /jwks`: the public keys bearer tokens are signed with, for services that verify them offline. */
export async function jwksAction(action: ActionContext): Promise<ResponseInternal> {
  const { resolved } = action.ctx;
  if (!resolved.bearer) return refuse(404, "UnknownAction", "Bearer tokens are not enabled: set `bearer` in the config.");
  return { body: await bearerJwks(resolved, resolved.bearer), headers: { "cache-control": "public, max-age=300" } };
}
