/**
 * An in-process stand-in for github.com (or a GitHub Enterprise server), handed to the GitHub
 * provider as its `fetch`: no socket, no port. It behaves as an honest authorization server —
 * codes single use, bound to the client, the redirect URI and the PKCE challenge — so that an
 * attack latch lets through would also get through here, and each refusal is latch's own.
 * `approve()` plays the user at the consent screen. For the network stand-in with GitHub's
 * quirks, see test/fixtures/github-standin.ts.
 */
import { createHash } from "node:crypto";

/** A GitHub account: its `/user` and `/user/emails`. */
export interface FakeGitHubUser {
  id: number;
  login: string;
  /** The public profile email (null when private). */
  email: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface FakeGitHubOptions {
  /** `https://github.com` (default) or a GitHub Enterprise root. */
  baseUrl?: string;
  clientId: string;
  clientSecret: string;
  users: FakeGitHubUser[];
  /** Token answers carry `expires_in` and a rotating refresh token (GitHub Apps with expiring tokens). */
  expiringTokens?: { expiresIn: number };
}

export interface FakeGitHub {
  fetch: typeof fetch;
  /** `<baseUrl>/login/oauth`, the RFC 9207 `iss` of its authorization responses. */
  issuer: string;
  /** The user consents as `login`: the callback URL the browser is sent to. */
  approve(authorizationUrl: string, login: string): string;
  /** Every request received: `"POST /login/oauth/access_token"`, `"GET /user"`… */
  calls: string[];
  /** Milliseconds a refresh-token answer for `login` waits, to reorder concurrent answers. */
  refreshDelay: Map<string, number>;
}

interface PendingCode {
  login: string;
  redirectUri: string;
  challenge: string;
}

const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

function bodyText(body: unknown): string {
  if (typeof body === "string") return body;
  if (body instanceof URLSearchParams) return body.toString();
  return "";
}

/** Starts a stand-in; each one has its own codes and tokens. */
export function fakeGitHub(options: FakeGitHubOptions): FakeGitHub {
  const baseUrl = options.baseUrl ?? "https://github.com";
  const apiBase = options.baseUrl ? `${baseUrl}/api/v3` : "https://api.github.com";
  const users = new Map(options.users.map((user) => [user.login, user]));
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, string>();
  const refreshTokens = new Map<string, string>();
  const calls: string[] = [];
  const refreshDelay = new Map<string, number>();
  let serial = 0;

  // RFC 6749 §2.3.1: the id and secret are form-urlencoded before base64.
  function clientAuthenticated(authorization: string | null): boolean {
    if (!authorization?.startsWith("Basic ")) return false;
    const decoded = Buffer.from(authorization.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, " "));
    return colon > 0 && formDecode(decoded.slice(0, colon)) === options.clientId && formDecode(decoded.slice(colon + 1)) === options.clientSecret;
  }

  function issueTokens(login: string): Record<string, unknown> {
    serial += 1;
    const accessToken = `gho_${login}_${serial}`;
    accessTokens.set(accessToken, login);
    const answer: Record<string, unknown> = { access_token: accessToken, token_type: "bearer", scope: "read:user,user:email" };
    if (options.expiringTokens) {
      const refreshToken = `ghr_${login}_${serial}`;
      refreshTokens.set(refreshToken, login);
      answer.refresh_token = refreshToken;
      answer.expires_in = options.expiringTokens.expiresIn;
    }
    return answer;
  }

  async function tokenEndpoint(form: URLSearchParams, authorization: string | null): Promise<Response> {
    if (!clientAuthenticated(authorization)) return json({ error: "incorrect_client_credentials" });
    if (form.get("grant_type") === "refresh_token") {
      const login = refreshTokens.get(form.get("refresh_token") ?? "");
      if (login === undefined) return json({ error: "bad_refresh_token" }, 400);
      refreshTokens.delete(form.get("refresh_token") ?? "");
      const delay = refreshDelay.get(login) ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return json(issueTokens(login));
    }
    const code = form.get("code") ?? "";
    const pending = codes.get(code);
    codes.delete(code);
    if (!pending) return json({ error: "bad_verification_code" });
    const verifier = form.get("code_verifier") ?? "";
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    if (form.get("redirect_uri") !== pending.redirectUri || challenge !== pending.challenge) return json({ error: "bad_verification_code" });
    return json(issueTokens(pending.login));
  }

  function apiEndpoint(path: string, authorization: string | null): Response {
    const login = accessTokens.get(authorization?.replace(/^Bearer /, "") ?? "");
    const user = login === undefined ? undefined : users.get(login);
    if (!user) return json({ message: "Bad credentials" }, 401);
    if (path === "/user") return json({ id: user.id, login: user.login, name: null, email: user.email, avatar_url: null });
    if (path === "/user/emails") return json(user.emails.map((e) => ({ ...e, visibility: null })));
    return json({ message: "Not Found" }, 404);
  }

  const fetcher = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const href = `${url.origin}${url.pathname}`;
    if (href === `${baseUrl}/login/oauth/access_token` && method === "POST") {
      calls.push("POST /login/oauth/access_token");
      return tokenEndpoint(new URLSearchParams(bodyText(init?.body)), headers.get("authorization"));
    }
    if (href.startsWith(`${apiBase}/`)) {
      const path = href.slice(apiBase.length);
      calls.push(`${method} ${path}`);
      return apiEndpoint(path, headers.get("authorization"));
    }
    calls.push(`${method} ${href} (unknown)`);
    return json({ message: "Not Found" }, 404);
  };

  return {
    fetch: fetcher,
    issuer: `${baseUrl}/login/oauth`,
    calls,
    refreshDelay,
    approve(authorizationUrl, login) {
      const request = new URL(authorizationUrl);
      if (`${request.origin}${request.pathname}` !== `${baseUrl}/login/oauth/authorize`) throw new Error(`fake GitHub: not my authorization endpoint: ${authorizationUrl}`);
      if (request.searchParams.get("client_id") !== options.clientId) throw new Error("fake GitHub: unknown client_id");
      if (request.searchParams.get("code_challenge_method") !== "S256") throw new Error("fake GitHub: only S256 PKCE");
      if (!users.has(login)) throw new Error(`fake GitHub: no user ${login}`);
      serial += 1;
      const code = `code_${login}_${serial}`;
      const redirectUri = request.searchParams.get("redirect_uri") ?? "";
      codes.set(code, { login, redirectUri, challenge: request.searchParams.get("code_challenge") ?? "" });
      const callback = new URL(redirectUri);
      callback.searchParams.set("code", code);
      callback.searchParams.set("state", request.searchParams.get("state") ?? "");
      callback.searchParams.set("iss", `${baseUrl}/login/oauth`);
      return callback.href;
    },
  };
}
