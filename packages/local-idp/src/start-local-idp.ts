import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type ClientMetadata, type Configuration, type JWK } from "oidc-provider";
import { createFindAccount, type AccountOverrides } from "./accounts.js";
import { avatarPng } from "./avatar.js";
import { handleInteraction } from "./interaction.js";
import { createMemoryAdapter } from "./memory-adapter.js";
import { errorPage, logoutPage, logoutSuccessPage } from "./pages.js";

/** A client registered with the IdP at start-up (no dynamic registration). */
export interface LocalIdPClient {
  client_id: string;
  /** Required unless `token_endpoint_auth_method` is `"none"`. */
  client_secret?: string;
  redirect_uris: string[];
  /** Defaults to `"client_secret_basic"`, or `"none"` when there is no secret. */
  token_endpoint_auth_method?: "client_secret_basic" | "client_secret_post" | "none";
  /** Where RP-initiated logout may return to. */
  post_logout_redirect_uris?: string[];
}

/** Lifetimes in seconds; anything left out keeps the default shown. */
export interface LocalIdPTtl {
  /** Default 3600. */
  AccessToken?: number;
  /** Default 60. */
  AuthorizationCode?: number;
  /** Default 3600. */
  IdToken?: number;
  /** Default 14 days. */
  RefreshToken?: number;
  /** Default 3600. */
  Interaction?: number;
  /** Default 14 days. */
  Session?: number;
  /** Default 14 days. */
  Grant?: number;
}

/** Options of {@link startLocalIdP}. */
export interface LocalIdPOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Only loopback: the IdP speaks plain HTTP. */
  host?: "127.0.0.1";
  clients: LocalIdPClient[];
  /** Claims to pin for particular login names; every other name gets derived claims. */
  accounts?: Record<string, AccountOverrides>;
  ttl?: LocalIdPTtl;
}

/** A running IdP. */
export interface LocalIdP {
  /** `http://127.0.0.1:<port>`; discovery is at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** The same origin as `issuer`, for building URLs. */
  url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
  /** The oidc-provider instance, for tests that inspect or tweak it. */
  provider: Provider;
}

const DAY = 24 * 60 * 60;
const DEFAULT_TTL: Required<LocalIdPTtl> = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  IdToken: 3600,
  RefreshToken: 14 * DAY,
  Interaction: 3600,
  Session: 14 * DAY,
  Grant: 14 * DAY,
};

function toClientMetadata(client: LocalIdPClient): ClientMetadata {
  const method = client.token_endpoint_auth_method ?? (client.client_secret === undefined ? "none" : "client_secret_basic");
  return {
    client_id: client.client_id,
    ...(client.client_secret !== undefined && method !== "none" ? { client_secret: client.client_secret } : {}),
    redirect_uris: client.redirect_uris,
    ...(client.post_logout_redirect_uris ? { post_logout_redirect_uris: client.post_logout_redirect_uris } : {}),
    token_endpoint_auth_method: method,
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  };
}

/** A fresh signing key per start: nothing is persisted, and tests must not depend on key material. */
function signingKey(): JWK {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: randomBytes(8).toString("hex"), alg: "RS256", use: "sig" };
}

function configuration(issuer: string, port: number, options: LocalIdPOptions): Configuration {
  const ttl = { ...DEFAULT_TTL, ...options.ttl };
  return {
    adapter: createMemoryAdapter(),
    clients: options.clients.map(toClientMetadata),
    findAccount: createFindAccount(issuer, options.accounts ?? {}),
    jwks: { keys: [signingKey()] },
    // Cookie names carry the port: browsers share cookies across ports of
    // one host, and two IdPs on 127.0.0.1 must not read each other's.
    cookies: {
      keys: [randomBytes(32).toString("base64url")],
      names: { session: `idp${port}_session`, interaction: `idp${port}_interaction`, resume: `idp${port}_resume` },
    },
    scopes: ["openid", "profile", "email", "offline_access"],
    claims: { openid: ["sub"], profile: ["name", "picture"], email: ["email", "email_verified"] },
    // Put profile and email claims in the ID token, as most providers latch talks to do.
    conformIdTokenClaims: false,
    // PKCE on every authorization request, whatever the client type (oidc-provider 9 only knows S256).
    pkce: { required: () => true },
    // Like Keycloak, every code exchange by a client allowed the refresh_token grant gets a
    // refresh token, so tests need neither `offline_access` nor `prompt=consent`.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = logoutPage(ctx.host, form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = logoutSuccessPage();
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: (ctx, out) => {
      ctx.type = "html";
      ctx.body = errorPage(out);
    },
    ttl: {
      AccessToken: ttl.AccessToken,
      AuthorizationCode: ttl.AuthorizationCode,
      IdToken: ttl.IdToken,
      RefreshToken: ttl.RefreshToken,
      Interaction: ttl.Interaction,
      Session: ttl.Session,
      Grant: ttl.Grant,
    },
  };
}

/**
 * Starts a real OpenID Connect provider (the `oidc-provider` package) on
 * loopback over plain HTTP: authorization code flow with mandatory PKCE (S256),
 * RFC 9207 `iss` in authorization responses, profile and email claims in the ID
 * token, rotating refresh tokens, a login page that accepts any user name, and
 * automatic consent.
 *
 * @example
 * const idp = await startLocalIdP({
 *   clients: [{ client_id: "latch-test", client_secret: "s3cret", redirect_uris: ["http://127.0.0.1:3000/api/auth/callback/oidc"] }],
 * });
 * // … point latch at idp.issuer …
 * await idp.close();
 */
export async function startLocalIdP(options: LocalIdPOptions): Promise<LocalIdP> {
  const host = options.host ?? "127.0.0.1";
  // The issuer embeds the port, so the provider can only be built once the socket is bound.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host}:${port}`;

  let provider: Provider;
  try {
    provider = new Provider(issuer, configuration(issuer, port, options));
  } catch (error) {
    server.close();
    throw error;
  }
  const providerCallback = provider.callback();

  handle = (req, res) => {
    const pathname = new URL(req.url ?? "/", issuer).pathname;
    const avatar = /^\/avatar\/([A-Za-z0-9._-]+)\.png$/.exec(pathname)?.[1];
    if (avatar !== undefined && (req.method === "GET" || req.method === "HEAD")) {
      res.setHeader("Content-Type", "image/png");
      res.setHeader("Cache-Control", "public, max-age=86400");
      res.end(avatarPng(avatar));
      return;
    }
    handleInteraction(provider, req, res, pathname).then(
      (handled) => {
        if (!handled) void providerCallback(req, res);
      },
      (error: unknown) => {
        console.error("local-idp: interaction failed", error);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      },
    );
  };

  return {
    issuer,
    url: issuer,
    provider,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
