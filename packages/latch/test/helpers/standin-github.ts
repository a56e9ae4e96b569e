/**
 * A stand-in GitHub (as a GitHub Enterprise Server at `http://127.0.0.1:<port>`) for tests of the
 * provider-token code: the token endpoint, `/login/oauth/access_token`, and the two REST calls the
 * GitHub provider makes, `/api/v3/user` and `/api/v3/user/emails`. It speaks GitHub's protocol as
 * GitHub does, quirks included:
 *
 * - every token-endpoint error comes with **HTTP 200** and the error in the body
 *   (`{"error":"bad_refresh_token","error_description":…,"error_uri":…}`);
 * - the answer is JSON only when the request accepts `application/json`, form-encoded otherwise;
 * - user-to-server tokens of a GitHub App expire in 8 hours, and their refresh tokens are single
 *   use: each refresh rotates it, and a used one is answered `bad_refresh_token`;
 * - a refresh answer carries `refresh_token_expires_in` and `"scope": ""`.
 *
 * What the token endpoint answers is the test's to choose (`onRefresh`, `onCode`), including when:
 * a delay, or no answer at all until the stand-in is closed.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { resolveConfig, type ResolvedConfig } from "../../src/core/config.js";
import type { ResolvedProviderTokens } from "../../src/core/provider-tokens.js";
import type { InternalOAuthProvider } from "../../src/core/providers.js";
import type { ProviderTokenStore } from "../../src/provider-tokens/types.js";
import GitHub from "../../src/providers/github.js";
import type { AuthConfig } from "../../src/types.js";

/** What the token endpoint answers: a body (HTTP 200 unless `status`), after `delayMs`; or never ("hang"). */
export type TokenAnswer = { body: Record<string, unknown>; status?: number; delayMs?: number } | "hang";

/** The stand-in GitHub: its URL, what it was asked, and what it answers. */
export interface StandInGitHub {
  /** The server's root, for `GitHub({ enterprise: { baseUrl } })`. */
  url: string;
  /** Every refresh token presented to the token endpoint, in order. */
  presented: string[];
  /** The answer to a refresh (`grant_type=refresh_token`). Default: `rotatingRefreshTokens()`. */
  onRefresh: (refreshToken: string) => TokenAnswer;
  /** The answer to a code exchange. Default: `bad_verification_code`. */
  onCode: (code: string) => TokenAnswer;
  close(): Promise<void>;
}

const ERROR_URI = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

/** GitHub's refusal of a token request: HTTP 200, the error in the body. */
export function gitHubError(error: "bad_refresh_token" | "bad_verification_code" | "incorrect_client_credentials", description: string): TokenAnswer {
  return { body: { error, error_description: description, error_uri: `${ERROR_URI}#${error.replace(/_/g, "-")}` } };
}

/** GitHub's answer with a GitHub App's expiring user-to-server tokens; `overrides` bend any field. */
export function gitHubTokens(accessToken: string, refreshToken: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { access_token: accessToken, expires_in: 28800, refresh_token: refreshToken, refresh_token_expires_in: 15897600, scope: "", token_type: "bearer", ...overrides };
}

/** Options of `rotatingRefreshTokens`. */
export interface RotationOptions {
  /** How long each refresh answer takes (ms). */
  delayMs?: number;
  /** The `expires_in` to answer instead of GitHub's 28800 (a fraction, or a string). */
  expiresIn?: number | string;
  /** Leaves `scope` out, as RFC 6749 §5.1 allows for an unchanged scope (GitHub sends `""`). */
  omitScope?: boolean;
}

/**
 * GitHub's single-use refresh tokens: refresh token `rt` is answered once, with access token
 * `ghu-from-<rt>` and refresh token `<rt>.next`; presented again, it is answered `bad_refresh_token`.
 */
export function rotatingRefreshTokens(options: RotationOptions = {}): (refreshToken: string) => TokenAnswer {
  const used = new Set<string>();
  return (refreshToken) => {
    if (used.has(refreshToken)) return gitHubError("bad_refresh_token", "The refresh token passed is incorrect or expired.");
    used.add(refreshToken);
    const body = gitHubTokens(`ghu-from-${refreshToken}`, `${refreshToken}.next`, options.expiresIn === undefined ? {} : { expires_in: options.expiresIn });
    if (options.omitScope) delete body.scope;
    return { body, ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs }) };
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A token-endpoint answer: JSON when the request accepts it, form-encoded otherwise (GitHub's default). */
async function sendToken(request: IncomingMessage, response: ServerResponse, answer: TokenAnswer): Promise<void> {
  if (answer === "hang") return;
  if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
  if (response.destroyed) return;
  const json = (request.headers.accept ?? "").includes("application/json");
  const body = json
    ? JSON.stringify(answer.body)
    : new URLSearchParams(Object.entries(answer.body).map(([key, value]): [string, string] => [key, String(value)])).toString();
  response.writeHead(answer.status ?? 200, { "content-type": json ? "application/json; charset=utf-8" : "application/x-www-form-urlencoded; charset=utf-8" });
  response.end(body);
}

function sendJson(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}

/** Starts the stand-in GitHub on a free port of 127.0.0.1. */
export async function startStandInGitHub(): Promise<StandInGitHub> {
  const sockets = new Set<Socket>();
  const github: StandInGitHub = {
    url: "",
    presented: [],
    onRefresh: rotatingRefreshTokens(),
    onCode: () => gitHubError("bad_verification_code", "The code passed is incorrect or expired."),
    close: async () => undefined,
  };
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://standin");
      if (request.method === "POST" && url.pathname === "/login/oauth/access_token") {
        const form = new URLSearchParams(await readBody(request));
        if (form.get("grant_type") === "refresh_token") {
          const refreshToken = form.get("refresh_token") ?? "";
          github.presented.push(refreshToken);
          return sendToken(request, response, github.onRefresh(refreshToken));
        }
        return sendToken(request, response, github.onCode(form.get("code") ?? ""));
      }
      // The REST API answers JSON whatever the request accepts.
      if (url.pathname === "/api/v3/user") return sendJson(response, { id: 4242, login: "octo", name: "Octo", email: "octo@example.test", avatar_url: "" });
      if (url.pathname === "/api/v3/user/emails") return sendJson(response, [{ email: "octo@example.test", primary: true, verified: true, visibility: "public" }]);
      response.writeHead(404).end();
    })();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  github.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  github.close = async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return github;
}

/** The config of an app signing in with the stand-in GitHub and keeping provider tokens in `store`. */
export function gitHubAppConfig(github: StandInGitHub, store: ProviderTokenStore, extra: Partial<AuthConfig> = {}): AuthConfig {
  return {
    secret: "standin-github-app-secret-of-enough-length-0123456",
    trustHost: true,
    logger: { error: () => undefined, warn: () => undefined },
    providers: [GitHub({ clientId: "standin-client", clientSecret: "standin-client-secret", enterprise: { baseUrl: github.url } })],
    providerTokens: { store },
    ...extra,
  };
}

/** One app instance: its own resolved config (own single flight), with latch's real settings. */
export function gitHubAppInstance(
  github: StandInGitHub,
  store: ProviderTokenStore,
  extra: Partial<AuthConfig> = {},
): { resolved: ResolvedConfig; provider: InternalOAuthProvider; settings: ResolvedProviderTokens } {
  const resolved = resolveConfig(gitHubAppConfig(github, store, extra), {});
  const provider = resolved.providers.find((p) => p.id === "github");
  if (provider?.type !== "oauth") throw new Error("the stand-in app has no GitHub provider");
  if (!resolved.providerTokens) throw new Error("the stand-in app keeps no provider tokens");
  return { resolved, provider, settings: resolved.providerTokens };
}
